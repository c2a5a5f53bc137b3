// DescribeTopicPartitions (key 75), v0 (KIP-966, used by the Java Admin from 3.8). Topics by
// name (an empty list = every topic), sorted by name as Kafka does, with partitions paged by
// responsePartitionLimit and a cursor (topic, first partition) to resume from. Each partition
// is led by broker 1 in epoch 0; there are no eligible leader replicas beyond the ISR (ELR
// lists empty). Unknown names -> UNKNOWN_TOPIC_OR_PARTITION; invalid ones ->
// INVALID_TOPIC_EXCEPTION. Topic authorized operations: all without an authorizer. With one:
// topics without DESCRIBE are left out of an all-topics answer and answered
// TOPIC_AUTHORIZATION_FAILED when named; authorized operations are the principal's.
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import { invalidTopicName } from '../broker.js';
import { E } from '../errors.js';
import { topicOperations } from './authorized-operations.js';
import { OP, topicAllowed } from '../acl/check.js';

export const describeTopicPartitionsApi: ApiModule = {
  key: 75,
  name: 'DescribeTopicPartitions',
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const b = ctx.broker;
    const requested = (req.topics as Msg[]).map((t) => t.name as string);
    let names = requested.length === 0 ? b.core.topics.list().map((t) => t.name).filter((n) => topicAllowed(ctx, OP.DESCRIBE, n)) : [...new Set(requested)];
    names.sort();
    const cursor = req.cursor as Msg | null;
    if (cursor) names = names.filter((n) => n >= (cursor.topicName as string));
    let budget = Math.max(1, req.responsePartitionLimit as number);
    const topics: Msg[] = [];
    let nextCursor: Msg | null = null;
    for (const name of names) {
      if (!topicAllowed(ctx, OP.DESCRIBE, name)) {
        topics.push({ errorCode: E.TOPIC_AUTHORIZATION_FAILED, name, topicId: '00000000-0000-0000-0000-000000000000', isInternal: false, partitions: [], topicAuthorizedOperations: -2147483648 });
        continue;
      }
      const topic = b.core.topics.get(name);
      if (!topic) {
        const errorCode = invalidTopicName(name) !== null ? E.INVALID_TOPIC_EXCEPTION : E.UNKNOWN_TOPIC_OR_PARTITION;
        topics.push({ errorCode, name, topicId: '00000000-0000-0000-0000-000000000000', isInternal: false, partitions: [], topicAuthorizedOperations: -2147483648 });
        continue;
      }
      if (budget === 0) {
        nextCursor = { topicName: name, partitionIndex: 0 };
        break;
      }
      const first = cursor && cursor.topicName === name ? Math.max(0, cursor.partitionIndex as number) : 0;
      const partitions: Msg[] = [];
      let i = first;
      for (; i < topic.partitions.length && budget > 0; i++, budget--) {
        partitions.push({ errorCode: E.NONE, partitionIndex: i, leaderId: b.nodeId, leaderEpoch: 0, replicaNodes: [b.nodeId], isrNodes: [b.nodeId], eligibleLeaderReplicas: [], lastKnownElr: [], offlineReplicas: [] });
      }
      topics.push({ errorCode: E.NONE, name, topicId: topic.id, isInternal: false, partitions, topicAuthorizedOperations: topicOperations(ctx, name) });
      if (i < topic.partitions.length) {
        nextCursor = { topicName: name, partitionIndex: i };
        break;
      }
    }
    return { throttleTimeMs: 0, topics, nextCursor };
  },
};
