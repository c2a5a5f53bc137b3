// ChangeMessageVisibility: 0..43200 s from now for an in-flight message (0 = visible at
// once, and on FIFO its group is unblocked); the total since the receive may not exceed 12
// hours. Stale handles: standard queues answer 200 while the message exists; FIFO "expired";
// a deleted message is "not available for visibility timeout change".

import { TEXT, invalidValue, missingParameter } from '../errors.js';
import type { SqsContext } from '../context.js';
import { metaOf } from '../model/message-meta.js';
import { decodeReceipt } from '../model/receipt.js';
import type { SqsQueue } from '../model/sqs-queue.js';
import type { Handler } from './types.js';

export interface ChangeMessageVisibilityInput {
  QueueUrl: string;
  ReceiptHandle: string;
  VisibilityTimeout: number;
}

const MAX_VISIBILITY_S = 43200;

/** `entryPath` is set for batch entries ("ChangeMessageVisibilityBatchRequestEntry.1."): texts differ. */
export function changeByHandle(ctx: SqsContext, q: SqsQueue, handle: string | undefined, seconds: number | undefined, entryPath?: string): void {
  if (handle === undefined || handle.trim() === '') throw missingParameter('ReceiptHandle');
  if (seconds === undefined) throw missingParameter(`${entryPath ?? ''}VisibilityTimeout`);
  const v = seconds;
  if (v < 0 || v > MAX_VISIBILITY_S) throw invalidValue('VisibilityTimeout', v, entryPath === undefined ? TEXT.changeVisibilityRange : TEXT.batchVisibilityRange);
  const r = decodeReceipt(handle);
  const lease = ctx.currentLease(q, r);
  if (lease) {
    const now = ctx.clock.now();
    const elapsed = (now - metaOf(lease.message).leasedAt) / 1000;
    if (elapsed + v > MAX_VISIBILITY_S) throw invalidValue('VisibilityTimeout', v, TEXT.totalVisibility);
    if (v === 0) q.queue.release(lease.id, true);
    else q.queue.extendLease(lease.id, v * 1000);
    // Journalled without waiting: a change lost in a crash only makes the message visible earlier.
    q.durable?.changed(lease.message, v === 0 ? now : lease.deadline);
    return;
  }
  const found = ctx.findMessage(q, r.seq, r.messageId);
  if (!found) throw invalidValue('ReceiptHandle', handle, TEXT.notAvailableForVisibility);
  if (q.fifo) throw invalidValue('ReceiptHandle', handle, TEXT.handleExpired);
}

export const changeMessageVisibility: Handler<ChangeMessageVisibilityInput> = (ctx, input, req) => {
  const q = ctx.resolve(input.QueueUrl, req);
  changeByHandle(ctx, q, input.ReceiptHandle, input.VisibilityTimeout);
  return {};
};
