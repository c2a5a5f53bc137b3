// Authorized-operations bitfields (KIP-430). With no authorizer configured Kafka reports every
// operation the resource type supports (AuthHelper.authorizedOperations falls back to
// AclEntry.supportedOperations); with one, the operations the request's principal may do on
// that resource (acl/authorizer.ts). Bit n is set for AclOperation code n: READ 3, WRITE 4,
// CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10,
// ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12.
import type { RequestContext } from '../api.js';
import { CLUSTER_NAME, RESOURCE } from '../acl/types.js';

function bits(codes: number[]): number {
  return codes.reduce((acc, c) => acc | (1 << c), 0);
}

export const CLUSTER_OPERATIONS = bits([5, 7, 8, 9, 10, 11, 12]);
export const TOPIC_OPERATIONS = bits([3, 4, 5, 6, 7, 8, 10, 11]);
export const GROUP_OPERATIONS = bits([3, 6, 8]);
/** "Not requested" marker of the authorizedOperations fields. */
export const NOT_REQUESTED = -2147483648;

export function topicOperations(ctx: RequestContext, topic: string): number {
  const a = ctx.broker.authorizer;
  return a === undefined ? TOPIC_OPERATIONS : a.authorizedOperations(ctx.principal, ctx.clientHost, RESOURCE.TOPIC, topic);
}

export function groupOperations(ctx: RequestContext, group: string): number {
  const a = ctx.broker.authorizer;
  return a === undefined ? GROUP_OPERATIONS : a.authorizedOperations(ctx.principal, ctx.clientHost, RESOURCE.GROUP, group);
}

export function clusterOperations(ctx: RequestContext): number {
  const a = ctx.broker.authorizer;
  return a === undefined ? CLUSTER_OPERATIONS : a.authorizedOperations(ctx.principal, ctx.clientHost, RESOURCE.CLUSTER, CLUSTER_NAME);
}
