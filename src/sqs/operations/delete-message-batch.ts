// DeleteMessageBatch: DeleteMessage for up to 10 entries; each entry succeeds or fails on
// its own (ReceiptHandleIsInvalid, expired FIFO handle). Batch id rules as SQS checks them.
// With --data-dir all deletes share one durable commit before the answer.

import { batchOutput, checkBatch, failure, type BatchFailure } from '../model/batch.js';
import { deleteByHandle } from './delete-message.js';
import type { Handler } from './types.js';

export interface DeleteMessageBatchInput {
  QueueUrl: string;
  Entries: { Id: string; ReceiptHandle?: string }[];
}

export const deleteMessageBatch: Handler<DeleteMessageBatchInput> = (ctx, input, req) => {
  const q = ctx.resolve(input.QueueUrl, req);
  checkBatch(input.Entries, 'DeleteMessageBatchRequestEntry');
  const successful: { Id: string }[] = [];
  const failed: BatchFailure[] = [];
  for (const e of input.Entries) {
    try {
      deleteByHandle(ctx, q, e.ReceiptHandle);
      successful.push({ Id: e.Id });
    } catch (err) {
      failed.push(failure(e.Id, err));
    }
  }
  const out = batchOutput(successful, failed);
  return q.durable ? q.durable.committed().then(() => out) : out;
};
