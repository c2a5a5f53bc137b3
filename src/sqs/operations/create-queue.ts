// CreateQueue: standard and FIFO (.fifo + FifoQueue=true) queues with attributes and tags.
// Idempotent when the name exists with equal (current) attribute values; otherwise
// QueueAlreadyExists. A deleted name cannot be reused for 60 seconds (QueueDeletedRecently).
// Both flavours; the URL is minted from the request's Host.

import { SqsError, TEXT } from '../errors.js';
import { attachDeadLetter } from '../model/dead-letter.js';
import { checkThroughput, firstDifference, storeAttributes, validateAttributes } from '../model/queue-attributes.js';
import { SqsQueue } from '../model/sqs-queue.js';
import type { Handler } from './types.js';

export interface CreateQueueInput {
  QueueName?: string;
  Attributes?: Record<string, string>;
  tags?: Record<string, string>;
}

const NAME_REUSE_MS = 60_000;

export const createQueue: Handler<CreateQueueInput> = (ctx, input, req) => {
  const name = input.QueueName;
  if (name === undefined) throw new SqsError('InvalidParameterValue', TEXT.noQueueName);
  if (name === '') throw new SqsError('InvalidParameterValue', TEXT.emptyQueueName);
  const attrs = input.Attributes ?? {};
  const fifo = attrs.FifoQueue === 'true';
  // Attribute names are checked before the name (SQS answers "Unknown Attribute FifoQueue."
  // for `x.fifo` with FifoQueue=false, not a name error).
  if (!fifo && !ctx.queues.has(name)) validateAttributes(ctx, attrs, false, name, true);
  if (fifo) {
    if (!/^[A-Za-z0-9_-]{1,75}\.fifo$/.test(name)) throw new SqsError('InvalidParameterValue', TEXT.fifoName);
  } else if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
    throw new SqsError('InvalidParameterValue', TEXT.queueName);
  }
  const existing = ctx.queues.get(name);
  if (existing) {
    validateAttributes(ctx, attrs, existing.fifo, name, true);
    const diff = firstDifference(existing, attrs);
    if (diff !== undefined) throw new SqsError('QueueNameExists', TEXT.sameAttributes(diff));
    return { QueueUrl: ctx.url(req, name) };
  }
  const now = ctx.clock.now();
  const deletedAt = ctx.deletedAt.get(name);
  if (deletedAt !== undefined && now - deletedAt < NAME_REUSE_MS) throw new SqsError('QueueDeletedRecently');
  ctx.deletedAt.delete(name);
  validateAttributes(ctx, attrs, fifo, name, true);
  if (fifo) checkThroughput(undefined, attrs);
  const core = ctx.space.create(name, { grouped: fifo });
  const q = new SqsQueue(name, req.region, core, now);
  try {
    storeAttributes(ctx, q, attrs);
  } catch (err) {
    ctx.space.delete(name);
    throw err;
  }
  q.lastModified = now;
  for (const [k, v] of Object.entries(input.tags ?? {})) q.tags.set(k, v);
  attachDeadLetter(ctx, q);
  ctx.durable?.attach(q);
  ctx.queues.set(name, q);
  return { QueueUrl: ctx.url(req, name) };
};
