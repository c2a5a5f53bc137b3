// ReceiveMessage: up to 10 messages leased for the visibility timeout (request or queue
// default); long polling for WaitTimeSeconds (or the queue's ReceiveMessageWaitTimeSeconds)
// on a core waiter that answers as soon as one message is ready and is cancelled when the
// client disconnects. FIFO ReceiveRequestAttemptId replays the same messages and handles
// while they are still in flight. Dead-letter moves happen inside the core lease call.
// With --data-dir each receive's count and visibility deadline are journalled.

import type { Lease } from '../../core/index.js';
import { TEXT, invalidValue, queueNotFound } from '../errors.js';
import type { RequestInfo, SqsContext } from '../context.js';
import { metaOf } from '../model/message-meta.js';
import { renderMessage } from '../model/render-message.js';
import { DEDUP_WINDOW_MS, type SqsQueue } from '../model/sqs-queue.js';
import type { Handler } from './types.js';

export interface ReceiveMessageInput {
  QueueUrl: string;
  AttributeNames?: string[];
  MessageSystemAttributeNames?: string[];
  MessageAttributeNames?: string[];
  MaxNumberOfMessages?: number;
  VisibilityTimeout?: number;
  WaitTimeSeconds?: number;
  ReceiveRequestAttemptId?: string;
}

function take(ctx: SqsContext, q: SqsQueue, max: number, visibilityMs: number): Lease[] {
  const leases = q.queue.lease(max, visibilityMs);
  const now = ctx.clock.now();
  for (const l of leases) {
    const meta = metaOf(l.message);
    meta.currentLease = l.id;
    meta.leasedAt = now;
  }
  // VisibilityTimeout=0: the message is visible again at once (not after a timer tick).
  if (visibilityMs === 0) for (const l of leases) q.queue.release(l.id, true);
  // With --data-dir the receive count and visibility deadline are journalled (not awaited:
  // a receive lost in a crash only makes the message visible again earlier).
  const durable = q.durable;
  if (durable) for (const l of leases) durable.changed(l.message, visibilityMs === 0 ? now : l.deadline);
  return leases;
}

function waitFor(ctx: SqsContext, q: SqsQueue, max: number, visibilityMs: number, waitMs: number, req: RequestInfo): Promise<Lease[]> {
  return new Promise<Lease[]>((resolve) => {
    let done = false;
    const finish = (leases: Lease[]): void => {
      if (done) return;
      done = true;
      remove();
      timer.cancel();
      req.signal.removeEventListener('abort', onAbort);
      resolve(leases);
    };
    const remove = q.queue.waiters.add(() => {
      if (done) return true;
      if (q.queue.isDeleted) {
        finish([]);
        return true;
      }
      const leases = take(ctx, q, max, visibilityMs);
      if (leases.length === 0) return false;
      finish(leases);
      return true;
    });
    const timer = ctx.clock.at(ctx.clock.now() + waitMs, () => finish([]));
    const onAbort = (): void => finish([]);
    req.signal.addEventListener('abort', onAbort);
    if (req.signal.aborted) finish([]);
  });
}

// Not async: a receive that finds messages (or does not wait) answers without a promise hop.
export const receiveMessage: Handler<ReceiveMessageInput> = (ctx, input, req) => {
  const q = ctx.resolve(input.QueueUrl, req);
  const max = input.MaxNumberOfMessages ?? 1;
  if (max < 1 || max > 10) throw invalidValue('MaxNumberOfMessages', max, TEXT.maxMessages);
  const vis = input.VisibilityTimeout;
  if (vis !== undefined && (vis < 0 || vis > 43200)) throw invalidValue('VisibilityTimeout', vis, TEXT.visibilityRange);
  const wait = input.WaitTimeSeconds ?? q.num('ReceiveMessageWaitTimeSeconds');
  if (wait < 0 || wait > 20) throw invalidValue('WaitTimeSeconds', wait, TEXT.waitTime);
  const visibilityMs = (vis ?? q.num('VisibilityTimeout')) * 1000;
  const systemNames = [...(input.AttributeNames ?? []), ...(input.MessageSystemAttributeNames ?? [])];
  const userNames = input.MessageAttributeNames ?? [];
  const render = (leases: Lease[]): Record<string, unknown> =>
    leases.length === 0 ? {} : { Messages: leases.map((l) => renderMessage(l, q.fifo, systemNames, userNames)) };

  const attemptId = q.fifo ? input.ReceiveRequestAttemptId : undefined;
  const now = ctx.clock.now();
  if (attemptId !== undefined) {
    for (const [id, rec] of q.attempts) if (rec.expiresAt <= now) q.attempts.delete(id);
    const rec = q.attempts.get(attemptId);
    const replay = rec?.leases.map((id) => q.queue.getLease(id));
    if (replay && replay.length > 0 && replay.every((l) => l !== undefined)) return render(replay as Lease[]);
  }
  const finish = (leases: Lease[]): Record<string, unknown> => {
    if (attemptId !== undefined && leases.length > 0) q.attempts.set(attemptId, { expiresAt: now + DEDUP_WINDOW_MS, leases: leases.map((l) => l.id) });
    return render(leases);
  };
  const leases = take(ctx, q, max, visibilityMs);
  if (leases.length > 0 || wait <= 0) return finish(leases);
  return waitFor(ctx, q, max, visibilityMs, wait * 1000, req).then((later) => {
    // The queue was deleted while this receive waited.
    if (q.queue.isDeleted) throw queueNotFound();
    return finish(later);
  });
};
