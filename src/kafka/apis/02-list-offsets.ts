// ListOffsets (key 2), v1-9. Timestamp -1 = latest (high watermark; the last stable offset
// under read_committed, v2+), -2 = earliest (log start offset), -3 = max timestamp
// (KIP-734, v7+), otherwise the first record whose timestamp >= the target. Offsets are exact
// per record for uncompressed batches; compressed batches (never inflated here) answer with
// their base offset and max timestamp, one batch granularity.
// With an authorizer: TOPIC DESCRIBE per topic (TOPIC_AUTHORIZATION_FAILED).
// Leader epoch is the constant 0. Skips: -4/-5 (tiered storage) answer UNSUPPORTED_VERSION.
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import { E } from '../errors.js';
import { OP, topicAllowed } from '../acl/check.js';
import { recordTimestamps } from '../records.js';
import { lastStableOffset, READ_COMMITTED } from './fetch-isolation.js';

export const listOffsetsApi: ApiModule = {
  key: 2,
  name: 'ListOffsets',
  minVersion: 1,
  maxVersion: 9,
  handle(req, ctx) {
    const b = ctx.broker;
    return {
      throttleTimeMs: 0,
      topics: (req.topics as Msg[]).map((t) => {
        const describable = topicAllowed(ctx, OP.DESCRIBE, t.name as string);
        const topic = describable ? b.core.topics.get(t.name as string) : undefined;
        if (topic) b.applyRetention(topic);
        return {
          name: t.name,
          partitions: (t.partitions as Msg[]).map((p) => {
            const partitionIndex = p.partitionIndex as number;
            const log = topic?.partitions[partitionIndex];
            if (!describable) return { partitionIndex, errorCode: E.TOPIC_AUTHORIZATION_FAILED, timestamp: -1, offset: -1, leaderEpoch: -1 };
            if (!log) return { partitionIndex, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION, timestamp: -1, offset: -1, leaderEpoch: -1 };
            const ts = p.timestamp as number;
            const ok = (offset: number, timestamp = -1): Msg => ({ partitionIndex, errorCode: E.NONE, timestamp, offset, leaderEpoch: 0 });
            if (ts === -1) return ok(req.isolationLevel === READ_COMMITTED ? lastStableOffset(ctx, log) : log.highWatermark);
            if (ts === -2) return ok(log.logStartOffset);
            if (ts === -3) {
              const e = log.entryWithMaxTimestamp();
              if (!e) return ok(-1);
              const exact = recordTimestamps(e.bytes, e.baseOffset)?.find((x) => x.timestamp === e.maxTimestamp && x.offset >= log.logStartOffset);
              return exact ? ok(exact.offset, exact.timestamp) : ok(Math.max(e.baseOffset, log.logStartOffset), e.maxTimestamp);
            }
            if (ts < 0) return { partitionIndex, errorCode: E.UNSUPPORTED_VERSION, timestamp: -1, offset: -1, leaderEpoch: -1 };
            const e = log.entryForTimestamp(ts);
            if (!e) return ok(-1);
            const exact = recordTimestamps(e.bytes, e.baseOffset)?.find((x) => x.timestamp >= ts && x.offset >= log.logStartOffset);
            return exact ? ok(exact.offset, exact.timestamp) : ok(Math.max(e.baseOffset, log.logStartOffset), e.maxTimestamp);
          }),
        };
      }),
    };
  },
};
