// PurgeQueue: deletes every message (ready, delayed and in flight) and clears the FIFO
// dedup history. Only once per 60 seconds per queue: a second call inside the window gets
// HTTP 403 PurgeQueueInProgress, as real SQS answers. With --data-dir the purge (journal
// record, dedup entries) is durable before the answer.

import { SqsError, TEXT } from '../errors.js';
import type { QueueOnlyInput } from './delete-queue.js';
import type { Handler } from './types.js';

const PURGE_INTERVAL_MS = 60_000;

export const purgeQueue: Handler<QueueOnlyInput> = (ctx, input, req) => {
  const q = ctx.resolve(input.QueueUrl, req);
  const now = ctx.clock.now();
  if (q.lastPurgeAt !== undefined && now - q.lastPurgeAt < PURGE_INTERVAL_MS) throw new SqsError('PurgeQueueInProgress', TEXT.purgeInProgress(q.name));
  q.durable?.checkWritable();
  q.lastPurgeAt = now;
  q.queue.purge({ leased: true, delayed: true });
  q.queue.clearDedup();
  q.attempts.clear();
  if (!q.durable) return {};
  q.durable.purged();
  return q.durable.committed().then(() => ({}));
};
