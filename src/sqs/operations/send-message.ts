// SendMessage: body, per-message delay (standard queues only), message attributes of every
// type, the AWSTraceHeader system attribute (explicit or from X-Amzn-Trace-Id), FIFO group
// and dedup ids (content-based = SHA-256 of the body). Returns the exact MD5s SDKs verify.

import { sendOne, type SendInput } from '../model/send.js';
import type { Handler, Output } from './types.js';

export interface SendMessageInput extends SendInput {
  QueueUrl: string;
}

export const sendMessage: Handler<SendMessageInput> = (ctx, input, req) => {
  const q = ctx.resolve(input.QueueUrl, req);
  // The result object is fresh per call: returned as is (no copy).
  const out: Output = sendOne(q, input, req, ctx.clock.now(), false);
  // With --data-dir SQS answers once the message is durable (concurrent sends share a commit).
  return q.durable ? q.durable.committed().then(() => out) : out;
};
