// DeleteQueue: removes the queue and its messages at once (AWS takes up to 60 s; we are
// immediate), and starts the 60-second window in which the name cannot be reused.

import type { Handler } from './types.js';

export interface QueueOnlyInput {
  QueueUrl: string;
}

export const deleteQueue: Handler<QueueOnlyInput> = (ctx, input, req) => {
  const q = ctx.resolve(input.QueueUrl, req);
  ctx.queues.delete(q.name);
  ctx.space.delete(q.name);
  // Long polls waiting on the queue end now (with QueueDoesNotExist) instead of at their timeout.
  q.queue.waiters.wake();
  ctx.deletedAt.set(q.name, ctx.clock.now());
  for (const t of ctx.tasks) if (t.source === q) t.cancel('FAILED');
  // With --data-dir the queue's journal and FIFO state are removed before SQS answers.
  return ctx.durable ? ctx.durable.drop(q).then(() => ({})) : {};
};
