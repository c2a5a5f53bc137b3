// SendMessageBatch: up to 10 entries, 1 MiB in total. Entry id rules and FIFO group/dedup
// presence are request-level errors (as SQS answers them); an entry's own problem (size,
// characters, attributes) fails only that entry in `Failed`. Entries are enqueued in order;
// with --data-dir the answer waits for one shared durable commit of all of them.

import { SqsError, TEXT } from '../errors.js';
import { batchOutput, checkBatch, failure, type BatchFailure } from '../model/batch.js';
import { checkFifoIds, commitSend, prepareSend, sendOne, type PreparedSend, type SendInput, type SendResult } from '../model/send.js';
import type { SqsQueue } from '../model/sqs-queue.js';
import type { Handler, Output } from './types.js';

export interface SendMessageBatchInput {
  QueueUrl: string;
  Entries: (SendInput & { Id: string })[];
}

const BATCH_LIMIT = 1048576;

function entryBytes(e: SendInput): number {
  let n = Buffer.byteLength(e.MessageBody ?? '');
  for (const [name, a] of Object.entries(e.MessageAttributes ?? {})) {
    n += Buffer.byteLength(name) + Buffer.byteLength(a.DataType ?? '') + (a.BinaryValue?.length ?? Buffer.byteLength(a.StringValue ?? ''));
  }
  return n;
}

export const sendMessageBatch: Handler<SendMessageBatchInput> = (ctx, input, req) => {
  const q = ctx.resolve(input.QueueUrl, req);
  checkBatch(input.Entries, 'SendMessageBatchRequestEntry');
  const total = input.Entries.reduce((n, e) => n + entryBytes(e), 0);
  if (total > BATCH_LIMIT) throw new SqsError('BatchRequestTooLong', TEXT.batchTooLong(total));
  input.Entries.forEach((e, i) => checkFifoIds(q, e, true, `SendMessageBatchRequestEntry.${i + 1}.`));
  const now = ctx.clock.now();
  const successful: (SendResult & { Id: string })[] = [];
  const failed: BatchFailure[] = [];
  if (q.fifo) {
    // FIFO batches are all or nothing: any invalid entry fails the request, before anything
    // is enqueued (so group order never has gaps).
    const prepared = input.Entries.map((e, i) => prepareSend(q, e, req, now, true, `SendMessageBatchRequestEntry.${i + 1}.`));
    input.Entries.forEach((e, i) => successful.push(withId(e.Id, commitSend(q, prepared[i] as PreparedSend))));
    return durably(q, batchOutput(successful, failed));
  }
  for (const [i, e] of input.Entries.entries()) {
    try {
      successful.push(withId(e.Id, sendOne(q, e, req, now, true, `SendMessageBatchRequestEntry.${i + 1}.`)));
    } catch (err) {
      failed.push(failure(e.Id, err));
    }
  }
  return durably(q, batchOutput(successful, failed));
};

/** The entry's result with its Id first, as `{ Id, ...r }` would give (without the spread). */
function withId(id: string, r: SendResult): SendResult & { Id: string } {
  const out: SendResult & { Id: string } = { Id: id, MessageId: r.MessageId, MD5OfMessageBody: r.MD5OfMessageBody };
  if (r.MD5OfMessageAttributes !== undefined) out.MD5OfMessageAttributes = r.MD5OfMessageAttributes;
  if (r.MD5OfMessageSystemAttributes !== undefined) out.MD5OfMessageSystemAttributes = r.MD5OfMessageSystemAttributes;
  if (r.SequenceNumber !== undefined) out.SequenceNumber = r.SequenceNumber;
  return out;
}

/** With --data-dir the answer waits until every entry is durable (one shared commit). */
function durably(q: SqsQueue, out: Output): Output | Promise<Output> {
  return q.durable ? q.durable.committed().then(() => out) : out;
}
