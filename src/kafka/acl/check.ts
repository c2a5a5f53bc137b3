// The one-line checks handlers call. With no authorizer configured (the default) every check
// is a field read and `true`, with no allocation; otherwise the request's principal and
// client host are judged by the Authorizer.
import type { RequestContext } from '../api.js';
import { CLUSTER_NAME, OP, RESOURCE } from './types.js';

export { OP, RESOURCE };

export function allowed(ctx: RequestContext, op: number, resourceType: number, name: string): boolean {
  const a = ctx.broker.authorizer;
  return a === undefined || a.authorize(ctx.principal, ctx.clientHost, op, resourceType, name);
}

export function topicAllowed(ctx: RequestContext, op: number, topic: string): boolean {
  return allowed(ctx, op, RESOURCE.TOPIC, topic);
}

export function groupAllowed(ctx: RequestContext, op: number, group: string): boolean {
  return allowed(ctx, op, RESOURCE.GROUP, group);
}

export function clusterAllowed(ctx: RequestContext, op: number): boolean {
  return allowed(ctx, op, RESOURCE.CLUSTER, CLUSTER_NAME);
}

export function transactionalIdAllowed(ctx: RequestContext, op: number, id: string): boolean {
  return allowed(ctx, op, RESOURCE.TRANSACTIONAL_ID, id);
}

/**
 * InitProducerId without a transactional id: IDEMPOTENT_WRITE on the cluster, or WRITE on
 * any topic (KIP-679: since Kafka 3.0 topic WRITE implies idempotent production).
 */
export function idempotentWriteAllowed(ctx: RequestContext): boolean {
  const a = ctx.broker.authorizer;
  if (a === undefined) return true;
  return clusterAllowed(ctx, OP.IDEMPOTENT_WRITE) || a.authorizeByResourceType(ctx.principal, ctx.clientHost, OP.WRITE, RESOURCE.TOPIC);
}

/**
 * The message of Kafka's ClusterAuthorizationException for a refused admin request
 * ("Request <request> is not authorized."), with the parts of the request Kafka prints.
 */
export function notAuthorizedMessage(ctx: RequestContext): string {
  return `Request(processor=0, connectionId=${ctx.connectionId}, session=Session(${ctx.principal},${ctx.clientHost}), listenerName=ListenerName(${ctx.listener.name}), securityProtocol=${ctx.sasl.securityProtocol}, buffer=null, envelope=None) is not authorized.`;
}
