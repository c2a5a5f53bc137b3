// Authorized-operations bitfields (KIP-430). With no authorizer configured Kafka reports every
// operation the resource type supports (AuthHelper.authorizedOperations falls back to
// AclEntry.supportedOperations, acl/types.ts SUPPORTED_OPERATIONS); with one, the operations the
// request's principal may do on that resource (acl/authorizer.ts). Bit n is set for AclOperation
// code n (acl/types.ts OP).
import type { RequestContext } from '../api.js';
import { CLUSTER_NAME, RESOURCE, SUPPORTED_OPERATIONS } from '../acl/types.js';

function supported(resourceType: number): number {
  return (SUPPORTED_OPERATIONS.get(resourceType) ?? []).reduce((acc, op) => acc | (1 << op), 0);
}

const CLUSTER_OPERATIONS = supported(RESOURCE.CLUSTER);
const TOPIC_OPERATIONS = supported(RESOURCE.TOPIC);
const GROUP_OPERATIONS = supported(RESOURCE.GROUP);

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
