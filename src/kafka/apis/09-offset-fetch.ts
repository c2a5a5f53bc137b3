// OffsetFetch (key 9), v1-9. Committed offsets with metadata and leader epoch; -1 with empty
// metadata for partitions without a commit. A null topic list (v2+) means every committed
// partition of the group. v8+ fetch several groups per request. require_stable (v7+) answers
// UNSTABLE_OFFSET_COMMIT for partitions whose offsets an open transaction holds (KIP-447).
// With an authorizer: GROUP DESCRIBE (GROUP_AUTHORIZATION_FAILED), TOPIC DESCRIBE per named
// topic (TOPIC_AUTHORIZATION_FAILED); an all-topics fetch leaves undescribable topics out.
// v9+ against a KIP-848 consumer group checks the member id and epoch (UNKNOWN_MEMBER_ID,
// STALE_MEMBER_EPOCH, FENCED_MEMBER_EPOCH); a null member id with epoch -1 is an admin fetch.
import type { Msg } from '../codec.js';
import type { ApiModule, RequestContext } from '../api.js';
import { code, E } from '../errors.js';
import { exactlyOnce } from '../exactly-once.js';
import { groupAllowed, OP, topicAllowed } from '../acl/check.js';

function fetchGroup(ctx: RequestContext, groupId: string, topics: Msg[] | null, requireStable: boolean, member?: Msg): { topics: Msg[]; errorCode: number } {
  const offsets = ctx.broker.core.offsets;
  if (!groupAllowed(ctx, OP.DESCRIBE, groupId)) return { errorCode: E.GROUP_AUTHORIZATION_FAILED, topics: ctx.version < 2 ? failed(topics, E.GROUP_AUTHORIZATION_FAILED) : [] };
  if (groupId === '' && ctx.version >= 8) return { topics: [], errorCode: E.INVALID_GROUP_ID };
  const modern = ctx.broker.consumerGroups.get(groupId);
  if (modern && member && ctx.version >= 9) {
    const errorCode = ctx.broker.consumerGroups.validateFetch(modern, member.memberId as string | null, member.memberEpoch as number);
    if (errorCode !== E.NONE) return { topics: [], errorCode };
  }
  const wanted = topics ?? groupTopics(ctx, groupId).filter((t) => topicAllowed(ctx, OP.DESCRIBE, t.name as string));
  return {
    errorCode: E.NONE,
    topics: wanted.map((t) => {
      // An all-topics fetch has already filtered on DESCRIBE; named topics are judged once here.
      const describable = topics === null || topicAllowed(ctx, OP.DESCRIBE, t.name as string);
      return {
        name: t.name,
        partitions: (t.partitionIndexes as number[]).map((partitionIndex) => {
          if (!describable) return { partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: E.TOPIC_AUTHORIZATION_FAILED };
          if (requireStable && exactlyOnce(ctx.broker).txns.hasPendingOffset(groupId, t.name as string, partitionIndex)) {
            return { partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: code('UNSTABLE_OFFSET_COMMIT') };
          }
          const c = offsets.get(groupId, t.name as string, partitionIndex);
          return { partitionIndex, committedOffset: c?.offset ?? -1, committedLeaderEpoch: c?.epoch ?? -1, metadata: c ? c.metadata : '', errorCode: E.NONE };
        }),
      };
    }),
  };
}

/** v1 has no top-level error code: Kafka answers every requested partition with the error. */
function failed(topics: Msg[] | null, errorCode: number): Msg[] {
  return (topics ?? []).map((t) => ({ name: t.name, partitions: (t.partitionIndexes as number[]).map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode })) }));
}

function groupTopics(ctx: RequestContext, groupId: string): Msg[] {
  const byTopic = new Map<string, number[]>();
  for (const o of ctx.broker.core.offsets.list(groupId)) {
    const list = byTopic.get(o.stream) ?? [];
    list.push(o.partition);
    byTopic.set(o.stream, list);
  }
  return [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes: partitionIndexes.sort((a, b) => a - b) }));
}

export const offsetFetchApi: ApiModule = {
  key: 9,
  name: 'OffsetFetch',
  minVersion: 1,
  maxVersion: 9,
  handle(req, ctx) {
    if (ctx.version >= 8) {
      return {
        throttleTimeMs: 0,
        groups: (req.groups as Msg[]).map((g) => ({ groupId: g.groupId, ...fetchGroup(ctx, g.groupId as string, g.topics as Msg[] | null, req.requireStable as boolean, g) })),
      };
    }
    const r = fetchGroup(ctx, req.groupId as string, req.topics as Msg[] | null, req.requireStable as boolean);
    return { throttleTimeMs: 0, topics: r.topics, errorCode: r.errorCode };
  },
};
