// ACL vocabulary as Kafka's wire codes (org.apache.kafka.common.resource.ResourceType,
// PatternType, acl.AclOperation, acl.AclPermissionType) and the names Kafka prints for them
// in error messages ("Invalid operation ANY"). One binding = one stored ACL.

export const RESOURCE = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 } as const;
export const PATTERN = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export const OP = {
  UNKNOWN: 0, ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12, CREATE_TOKENS: 13, DESCRIBE_TOKENS: 14, TWO_PHASE_COMMIT: 15,
} as const;
export const PERMISSION = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;

/** The name of the single CLUSTER resource (Kafka's CLUSTER_NAME). */
export const CLUSTER_NAME = 'kafka-cluster';
/** Literal resource name and host that match everything. */
export const WILDCARD = '*';
/** Principal that matches every user (Kafka's WILDCARD_PRINCIPAL). */
export const WILDCARD_PRINCIPAL = 'User:*';

export interface AclBinding {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly patternType: number;
  readonly principal: string;
  readonly host: string;
  readonly operation: number;
  readonly permissionType: number;
}

/** A DescribeAcls / DeleteAcls filter: null strings match anything. */
export interface AclFilter {
  readonly resourceType: number;
  readonly resourceName: string | null;
  readonly patternType: number;
  readonly principal: string | null;
  readonly host: string | null;
  readonly operation: number;
  readonly permissionType: number;
}

function namer(table: Record<string, number>): (code: number) => string {
  const byCode = new Map(Object.entries(table).map(([k, v]) => [v, k]));
  return (code) => byCode.get(code) ?? 'UNKNOWN';
}

export const resourceTypeName = namer(RESOURCE);
export const patternTypeName = namer(PATTERN);
export const operationName = namer(OP);
export const permissionName = namer(PERMISSION);

/**
 * Operations each resource type supports (Kafka's AclEntry.supportedOperations): what the
 * authorized-operations bitfields (KIP-430) are computed over.
 */
export const SUPPORTED_OPERATIONS: ReadonlyMap<number, readonly number[]> = new Map([
  [RESOURCE.TOPIC, [OP.READ, OP.WRITE, OP.CREATE, OP.DESCRIBE, OP.DELETE, OP.ALTER, OP.DESCRIBE_CONFIGS, OP.ALTER_CONFIGS]],
  [RESOURCE.GROUP, [OP.READ, OP.DESCRIBE, OP.DELETE]],
  [RESOURCE.CLUSTER, [OP.CREATE, OP.CLUSTER_ACTION, OP.DESCRIBE_CONFIGS, OP.ALTER_CONFIGS, OP.IDEMPOTENT_WRITE, OP.ALTER, OP.DESCRIBE]],
  [RESOURCE.TRANSACTIONAL_ID, [OP.DESCRIBE, OP.WRITE]],
  [RESOURCE.DELEGATION_TOKEN, [OP.DESCRIBE]],
  [RESOURCE.USER, [OP.CREATE_TOKENS, OP.DESCRIBE_TOKENS]],
]);
