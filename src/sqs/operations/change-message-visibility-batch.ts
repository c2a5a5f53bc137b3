// ChangeMessageVisibilityBatch: ChangeMessageVisibility for up to 10 entries, each
// succeeding or failing on its own. Batch id rules as SQS checks them.

import { batchOutput, checkBatch, failure, type BatchFailure } from '../model/batch.js';
import { changeByHandle } from './change-message-visibility.js';
import type { Handler } from './types.js';

export interface ChangeMessageVisibilityBatchInput {
  QueueUrl: string;
  Entries: { Id: string; ReceiptHandle?: string; VisibilityTimeout?: number }[];
}

export const changeMessageVisibilityBatch: Handler<ChangeMessageVisibilityBatchInput> = (ctx, input, req) => {
  const q = ctx.resolve(input.QueueUrl, req);
  checkBatch(input.Entries, 'ChangeMessageVisibilityBatch');
  const successful: { Id: string }[] = [];
  const failed: BatchFailure[] = [];
  for (const [i, e] of input.Entries.entries()) {
    try {
      changeByHandle(ctx, q, e.ReceiptHandle, e.VisibilityTimeout, `ChangeMessageVisibilityBatchRequestEntry.${i + 1}.`);
      successful.push({ Id: e.Id });
    } catch (err) {
      failed.push(failure(e.Id, err));
    }
  }
  return batchOutput(successful, failed);
};
