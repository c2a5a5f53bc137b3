// OffsetDelete (key 47), v0 (KIP-496). Deletes a group's committed offsets for the given
// partitions. Like Kafka's GroupCoordinator.handleDeleteOffsets: unknown group ->
// GROUP_ID_NOT_FOUND; an Empty group loses any requested offset; a live consumer group keeps
// the offsets of topics its members subscribe to (GROUP_SUBSCRIBED_TO_TOPIC per partition);
// a live group of another protocol type -> NON_EMPTY_GROUP. Unknown partitions ->
// UNKNOWN_TOPIC_OR_PARTITION. A KIP-848 consumer group protects the topics its members
// subscribe to (names and regex matches) the same way. With an authorizer: GROUP DELETE
// (GROUP_AUTHORIZATION_FAILED for the request), TOPIC READ per topic (TOPIC_AUTHORIZATION_FAILED).
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import { subscribedTopics } from '../consumer-protocol.js';
import { E } from '../errors.js';
import { groupAllowed, OP, topicAllowed } from '../acl/check.js';
import { memberTopics } from '../consumer-groups/subscription.js';

export const offsetDeleteApi: ApiModule = {
  key: 47,
  name: 'OffsetDelete',
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const b = ctx.broker;
    const groupId = req.groupId as string;
    const failAll = (errorCode: number): Msg => ({ errorCode, throttleTimeMs: 0, topics: [] });
    if (!groupAllowed(ctx, OP.DELETE, groupId)) return failAll(E.GROUP_AUTHORIZATION_FAILED);
    if (groupId === '') return failAll(E.INVALID_GROUP_ID);
    const g = b.groups.get(groupId);
    const modern = b.consumerGroups.get(groupId);
    if ((!g || g.state === 'Dead') && !modern && b.core.offsets.list(groupId).length === 0) return failAll(E.GROUP_ID_NOT_FOUND);
    const live = g !== undefined && g.members.size > 0;
    const subscribed = live ? subscribedTopics(g) : new Set<string>();
    for (const m of modern?.members.values() ?? []) for (const t of memberTopics(b.core, m)) subscribed?.add(t.name);
    if (live && subscribed === null) return failAll(E.NON_EMPTY_GROUP);
    const topics = (req.topics as Msg[]).map((t) => {
      const name = t.name as string;
      const topic = b.core.topics.get(name);
      const readable = topicAllowed(ctx, OP.READ, name);
      return {
        name,
        partitions: (t.partitions as Msg[]).map((p) => {
          const partitionIndex = p.partitionIndex as number;
          if (!readable) return { partitionIndex, errorCode: E.TOPIC_AUTHORIZATION_FAILED };
          if (!topic?.partitions[partitionIndex]) return { partitionIndex, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION };
          if (subscribed?.has(name)) return { partitionIndex, errorCode: E.GROUP_SUBSCRIBED_TO_TOPIC };
          b.core.offsets.delete(groupId, name, partitionIndex);
          return { partitionIndex, errorCode: E.NONE };
        }),
      };
    });
    return b.durable({ errorCode: E.NONE, throttleTimeMs: 0, topics });
  },
};
