// Authorized-operations bitfields (KIP-430). With no authorizer configured Kafka reports every
// operation the resource type supports (AuthHelper.authorizedOperations falls back to
// AclEntry.supportedOperations); this broker has no authorizer, so it does the same.
// Bit n is set for AclOperation code n: READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7,
// DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12.

function bits(codes: number[]): number {
  return codes.reduce((acc, c) => acc | (1 << c), 0);
}

export const CLUSTER_OPERATIONS = bits([5, 7, 8, 9, 10, 11, 12]);
export const TOPIC_OPERATIONS = bits([3, 4, 5, 6, 7, 8, 10, 11]);
export const GROUP_OPERATIONS = bits([3, 6, 8]);
/** "Not requested" marker of the authorizedOperations fields. */
export const NOT_REQUESTED = -2147483648;
