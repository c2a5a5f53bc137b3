// Fetch (key 1), v4-17. Serves stored batch bytes without copying. Like Kafka, the batch that
// contains the fetch offset is returned whole (clients skip records below their offset), and
// the first batch is returned even when it exceeds max_bytes/partition_max_bytes so consumers
// always progress. Waits up to max_wait_ms until min_bytes are available, woken by appends.
// Fetch sessions (KIP-227) are not kept: session id 0 is answered, so clients send full fetches.
// v13+ address topics by id. read_committed stops at the last stable offset and lists the
// aborted transactions of the returned range (fetch-isolation.ts). Batches recovered from
// --data-dir stay in their files: they are read back from the file ranges (asynchronously)
// before the response is sent. With an authorizer: TOPIC READ per topic
// (TOPIC_AUTHORIZATION_FAILED; unknown topic ids stay UNKNOWN_TOPIC_ID).
import { entrySize, storedBytes, type Log, type LogEntry, type Topic } from '../../core/index.js';
import type { Msg } from '../codec.js';
import type { ApiModule, RequestContext } from '../api.js';
import { E } from '../errors.js';
import { OP, topicAllowed } from '../acl/check.js';
import { abortedTransactions, lastStableOffset, READ_COMMITTED } from './fetch-isolation.js';

interface Collected {
  response: Msg;
  bytes: number;
  /** Partitions whose records include batches still in their files (set only with --data-dir). */
  stored: { partition: Msg; entries: LogEntry[] }[] | undefined;
}

function collect(req: Msg, ctx: RequestContext): Collected {
  const b = ctx.broker;
  let budget = Math.max(0, req.maxBytes as number);
  let bytes = 0;
  const byId = ctx.version >= 13;
  let stored: Collected['stored'];
  const responses = (req.topics as Msg[]).map((t) => {
    const topic: Topic | undefined = byId ? b.core.topics.byId(t.topicId as string) : b.core.topics.get(t.topic as string);
    // By name the check comes first (an unknown topic is not revealed); by id only known topics are checked.
    const readable = byId ? topic === undefined || topicAllowed(ctx, OP.READ, topic.name) : topicAllowed(ctx, OP.READ, t.topic as string);
    const retention = topic && readable ? b.retentionPolicy(topic) : null;
    return {
      topic: t.topic,
      topicId: t.topicId,
      partitions: (t.partitions as Msg[]).map((p) => {
        const partitionIndex = p.partition as number;
        const log = topic?.partitions[partitionIndex];
        const base = { partitionIndex, abortedTransactions: null, preferredReadReplica: -1 };
        if (!readable) return { ...base, errorCode: E.TOPIC_AUTHORIZATION_FAILED, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: null };
        if (!log) return { ...base, errorCode: byId && !topic ? E.UNKNOWN_TOPIC_ID : E.UNKNOWN_TOPIC_OR_PARTITION, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: null };
        // Retention of the fetched partition only (the retention timer covers the others): this
        // runs on every fetch and on every wake-up check of a long poll.
        if (retention) log.applyRetention(retention);
        const offset = p.fetchOffset as number;
        const lso = lastStableOffset(ctx, log);
        const end = req.isolationLevel === READ_COMMITTED ? lso : log.highWatermark;
        const marks = { highWatermark: log.highWatermark, lastStableOffset: lso, logStartOffset: log.logStartOffset };
        if (offset < log.logStartOffset || offset > log.highWatermark) return { ...base, ...marks, errorCode: E.OFFSET_OUT_OF_RANGE, records: null };
        let entries: LogEntry[] = [];
        if (offset < end) {
          const limit = Math.min(budget, p.partitionMaxBytes as number);
          // Only the very first batch of the response may exceed the limits (KIP-74).
          entries = log.read(offset, Math.max(0, limit), end);
          if (bytes > 0 && entries.length > 0 && entrySize(entries[0] as LogEntry) > limit) entries = [];
        }
        let size = 0;
        let onDisk = false;
        for (const e of entries) {
          size += entrySize(e);
          if (!onDisk && storedBytes(e)) onDisk = true;
        }
        bytes += size;
        budget = Math.max(0, budget - size);
        const partition: Msg = { ...base, ...marks, abortedTransactions: abortedTransactions(ctx, log, req.isolationLevel as number, offset, entries), errorCode: E.NONE, records: onDisk ? [] : entries.map((e) => e.bytes) };
        if (onDisk) (stored ??= []).push({ partition, entries });
        return partition;
      }),
    };
  });
  return { response: { throttleTimeMs: 0, errorCode: E.NONE, sessionId: 0, responses }, bytes, stored };
}

/**
 * The response, once the batches left in files are read back (one read per batch; partitions
 * in parallel, each partition's batches in order).
 * A batch whose segment vanished meanwhile (retention) ends that partition's records there:
 * the consumer's next fetch gets OFFSET_OUT_OF_RANGE, as from Kafka after a segment deletion.
 */
function complete(c: Collected): Msg | Promise<Msg> {
  if (!c.stored) return c.response;
  return Promise.all(
    c.stored.map(async ({ partition, entries }) => {
      const records: Buffer[] = [];
      for (const e of entries) {
        const s = storedBytes(e);
        try {
          records.push(s ? await s.read() : e.bytes);
        } catch {
          break;
        }
      }
      partition.records = records;
    }),
  ).then(() => c.response);
}

export const fetchApi: ApiModule = {
  key: 1,
  name: 'Fetch',
  minVersion: 4,
  maxVersion: 17,
  handle(req, ctx) {
    const first = collect(req, ctx);
    const maxWait = req.maxWaitMs as number;
    if (first.bytes >= (req.minBytes as number) || maxWait <= 0 || hasError(first.response)) return complete(first);
    const b = ctx.broker;
    const logs: Log[] = [];
    for (const t of req.topics as Msg[]) {
      const topic = ctx.version >= 13 ? b.core.topics.byId(t.topicId as string) : b.core.topics.get(t.topic as string);
      for (const p of t.partitions as Msg[]) {
        const log = topic?.partitions[p.partition as number];
        if (log) logs.push(log);
      }
    }
    return new Promise<Msg>((resolve) => {
      let done = false;
      const removers: (() => void)[] = [];
      // `ready`: what the wake-up check already collected, answered as is (no second walk).
      const finish = (ready?: Collected): void => {
        if (done) return;
        done = true;
        timer.cancel();
        for (const r of removers) r();
        resolve(complete(ready ?? collect(req, ctx)));
      };
      const timer = b.core.clock.at(b.core.clock.now() + maxWait, () => finish());
      const check = (): boolean => {
        if (done) return true;
        const again = collect(req, ctx);
        if (again.bytes < (req.minBytes as number)) return false;
        // Answer after the producer's append completes, outside its call stack.
        queueMicrotask(() => finish(again));
        return true;
      };
      for (const log of logs) removers.push(log.waiters.add(check));
      ctx.closed.onClose(() => finish());
    });
  },
};

function hasError(resp: Msg): boolean {
  for (const t of resp.responses as Msg[]) for (const p of t.partitions as Msg[]) if (p.errorCode !== E.NONE) return true;
  return false;
}
