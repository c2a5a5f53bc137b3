// DeleteMessage: deletes by receipt handle. The current handle acks the lease. A stale
// handle on a standard queue still deletes a message that is back in the queue (not yet
// re-received), as SQS does; on a FIFO queue it is "The receipt handle has expired." A handle
// of an already deleted message succeeds. Garbage handles are ReceiptHandleIsInvalid.
// With --data-dir the answer waits until the delete is durable.

import { TEXT, invalidValue, missingParameter } from '../errors.js';
import type { SqsContext } from '../context.js';
import { decodeReceipt } from '../model/receipt.js';
import type { SqsQueue } from '../model/sqs-queue.js';
import type { Handler } from './types.js';

export interface DeleteMessageInput {
  QueueUrl: string;
  ReceiptHandle: string;
}

export function deleteByHandle(ctx: SqsContext, q: SqsQueue, handle: string | undefined): void {
  if (handle === undefined || handle.trim() === '') throw missingParameter('ReceiptHandle');
  const r = decodeReceipt(handle);
  const lease = ctx.currentLease(q, r);
  if (lease) {
    q.durable?.checkWritable();
    q.queue.ack(lease.id);
    q.durable?.removed(lease.message);
    return;
  }
  const found = ctx.findMessage(q, r.seq, r.messageId);
  if (!found) return;
  if (q.fifo) throw invalidValue('ReceiptHandle', handle, TEXT.handleExpired);
  if (found.state === 'ready') {
    q.durable?.checkWritable();
    if (q.queue.removeReady(found.message)) q.durable?.removed(found.message);
  }
}

export const deleteMessage: Handler<DeleteMessageInput> = (ctx, input, req) => {
  const q = ctx.resolve(input.QueueUrl, req);
  deleteByHandle(ctx, q, input.ReceiptHandle);
  // With --data-dir the delete is on disk before SQS answers.
  return q.durable ? q.durable.committed().then(() => ({})) : {};
};
