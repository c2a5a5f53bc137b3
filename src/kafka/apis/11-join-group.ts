// JoinGroup (key 11), v0-9. Classic protocol through groups.ts: v4+ two-step join with
// MEMBER_ID_REQUIRED (KIP-394), v5+ static membership (group.instance.id, KIP-345), v7+
// protocol type in the response. The response waits until the join phase completes.
// v0 has no rebalance timeout: the session timeout stands in for it, as in Kafka. A KIP-848
// consumer group with members refuses classic members (INCONSISTENT_GROUP_PROTOCOL: Kafka would
// take them in as classic members of the consumer group, not done here); an empty one is
// replaced by a classic group, its committed offsets kept.
// With an authorizer: GROUP READ (GROUP_AUTHORIZATION_FAILED).
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import type { JoinResult } from '../groups.js';
import { E } from '../errors.js';
import { groupAllowed, OP } from '../acl/check.js';

export const joinGroupApi: ApiModule = {
  key: 11,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 9,
  handle(req, ctx) {
    const shape = (r: JoinResult): Msg => ({ throttleTimeMs: 0, ...r, protocolName: r.protocolName ?? (ctx.version >= 7 ? null : '') });
    if (!groupAllowed(ctx, OP.READ, req.groupId as string)) {
      return shape({ errorCode: E.GROUP_AUTHORIZATION_FAILED, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: req.memberId as string, skipAssignment: false, members: [] });
    }
    const modern = ctx.broker.consumerGroups.get(req.groupId as string);
    if (modern && modern.members.size > 0) {
      return shape({ errorCode: E.INCONSISTENT_GROUP_PROTOCOL, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: req.memberId as string, skipAssignment: false, members: [] });
    }
    if (modern) ctx.broker.consumerGroups.delete(modern.id);
    const result = ctx.broker.groups.join({
      groupId: req.groupId as string,
      memberId: req.memberId as string,
      instanceId: req.groupInstanceId as string | null,
      clientId: ctx.clientId ?? '',
      clientHost: ctx.clientHost,
      sessionTimeoutMs: req.sessionTimeoutMs as number,
      rebalanceTimeoutMs: ctx.version >= 1 ? (req.rebalanceTimeoutMs as number) : (req.sessionTimeoutMs as number),
      protocolType: req.protocolType as string,
      protocols: (req.protocols as Msg[]).map((p) => ({ name: p.name as string, metadata: Buffer.from(p.metadata as Buffer) })),
      requireKnownMemberId: ctx.version >= 4,
    });
    return result instanceof Promise ? result.then(shape) : shape(result);
  },
};
