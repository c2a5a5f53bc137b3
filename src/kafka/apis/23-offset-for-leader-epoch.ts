// OffsetForLeaderEpoch (key 23), v2-4. This single broker has led every partition in epoch 0
// since it was created (Metadata reports leaderEpoch 0), so epoch 0 ends at the high
// watermark and any later epoch is unknown (-1/-1, as Kafka's epoch cache answers).
// With an authorizer: TOPIC DESCRIBE per topic (TOPIC_AUTHORIZATION_FAILED).
// currentLeaderEpoch above 0 -> UNKNOWN_LEADER_EPOCH; below -1 never happens in clients.
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import { E } from '../errors.js';
import { OP, topicAllowed } from '../acl/check.js';

export const offsetForLeaderEpochApi: ApiModule = {
  key: 23,
  name: 'OffsetForLeaderEpoch',
  minVersion: 2,
  maxVersion: 4,
  handle(req, ctx) {
    const b = ctx.broker;
    const topics = (req.topics as Msg[]).map((t) => {
      const describable = topicAllowed(ctx, OP.DESCRIBE, t.topic as string);
      const topic = b.core.topics.get(t.topic as string);
      return {
        topic: t.topic,
        partitions: (t.partitions as Msg[]).map((p) => {
          const partition = p.partition as number;
          const log = topic?.partitions[partition];
          if (!describable) return { errorCode: E.TOPIC_AUTHORIZATION_FAILED, partition, leaderEpoch: -1, endOffset: -1 };
          if (!log) return { errorCode: E.UNKNOWN_TOPIC_OR_PARTITION, partition, leaderEpoch: -1, endOffset: -1 };
          if ((p.currentLeaderEpoch as number) > 0) return { errorCode: E.UNKNOWN_LEADER_EPOCH, partition, leaderEpoch: -1, endOffset: -1 };
          if ((p.leaderEpoch as number) !== 0) return { errorCode: E.NONE, partition, leaderEpoch: -1, endOffset: -1 };
          return { errorCode: E.NONE, partition, leaderEpoch: 0, endOffset: log.highWatermark };
        }),
      };
    });
    return { throttleTimeMs: 0, topics };
  },
};
