// DeleteRecords (key 21), v0-2. Moves a partition's log start offset forward (offset -1 = the
// high watermark) and answers the new low watermark. Batches wholly below it are dropped; a
// batch straddling it stays stored, and consumers skip its records below the start (as after
// Kafka's own DeleteRecords). OFFSET_OUT_OF_RANGE above the high watermark or below -1.
// With an authorizer: TOPIC DELETE per topic (TOPIC_AUTHORIZATION_FAILED).
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import { E } from '../errors.js';
import { OP, topicAllowed } from '../acl/check.js';

export const deleteRecordsApi: ApiModule = {
  key: 21,
  name: 'DeleteRecords',
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    const b = ctx.broker;
    const topics = (req.topics as Msg[]).map((t) => {
      const deletable = topicAllowed(ctx, OP.DELETE, t.name as string);
      const topic = b.core.topics.get(t.name as string);
      return {
        name: t.name,
        partitions: (t.partitions as Msg[]).map((p) => {
          const partitionIndex = p.partitionIndex as number;
          const log = topic?.partitions[partitionIndex];
          if (!deletable) return { partitionIndex, lowWatermark: -1, errorCode: E.TOPIC_AUTHORIZATION_FAILED };
          if (!log) return { partitionIndex, lowWatermark: -1, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION };
          const requested = p.offset as number;
          const offset = requested === -1 ? log.highWatermark : requested;
          if (offset < 0 || offset > log.highWatermark) return { partitionIndex, lowWatermark: -1, errorCode: E.OFFSET_OUT_OF_RANGE };
          log.truncateBefore(offset);
          return { partitionIndex, lowWatermark: log.logStartOffset, errorCode: E.NONE };
        }),
      };
    });
    return b.durable({ throttleTimeMs: 0, topics });
  },
};
