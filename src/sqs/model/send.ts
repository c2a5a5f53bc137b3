// The shared body of SendMessage and SendMessageBatch entries: validate one message against
// its queue (body characters, size, delay, FIFO group/dedup rules), then enqueue it in the
// core and report the ids and digests SQS returns.

import { createHash } from 'node:crypto';
import { SqsError, TEXT, invalidBody, invalidValue, missingParameter, tooLongMessage } from '../errors.js';
import type { EnqueueInput } from '../../core/index.js';
import type { RequestInfo } from '../context.js';
import { md5Hex, md5OfAttributes } from './md5.js';
import { hasInvalidChars, validateAttributes, type RawAttributeValue } from './message-attributes.js';
import { metaOf, type SqsMessageMeta } from './message-meta.js';
import { ACCOUNT_ID, type SqsQueue } from './sqs-queue.js';

export interface SendInput {
  MessageBody?: string;
  DelaySeconds?: number;
  MessageAttributes?: Record<string, RawAttributeValue>;
  MessageSystemAttributes?: Record<string, RawAttributeValue>;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}

// A type, not an interface: it is an Output (a plain record) as it stands.
export type SendResult = {
  MessageId: string;
  MD5OfMessageBody: string;
  MD5OfMessageAttributes?: string;
  MD5OfMessageSystemAttributes?: string;
  SequenceNumber?: string;
};

// AWS sequence numbers are large decimal strings (~20 digits); clients treat them as text.
let sequence = 18_000_000_000_000_000_000n;

/** After a restart (--data-dir): numbers continue at or above `floor`, never repeating. */
export function raiseSequence(floor: bigint): void {
  if (floor - 1n > sequence) sequence = floor - 1n;
}

const ID_SYNTAX = /^[\x21-\x7E]{1,128}$/;

/** FIFO rules that SendMessageBatch checks for the whole request before any entry. */
export function checkFifoIds(q: SqsQueue, input: SendInput, batch: boolean, entryPath = ''): void {
  if (input.MessageGroupId !== undefined && !ID_SYNTAX.test(input.MessageGroupId)) throw invalidValue('MessageGroupId', input.MessageGroupId, TEXT.groupIdSyntax);
  if (!q.fifo) return;
  if (batch && (input.MessageBody === undefined || input.MessageBody === '')) throw missingParameter(`${entryPath}MessageBody`);
  if (input.MessageDeduplicationId !== undefined && !ID_SYNTAX.test(input.MessageDeduplicationId)) {
    throw invalidValue('MessageDeduplicationId', input.MessageDeduplicationId, TEXT.dedupIdSyntax);
  }
  if (input.MessageGroupId === undefined) {
    throw batch ? new SqsError('InvalidParameterValue', TEXT.batchGroupId) : missingParameter('MessageGroupId');
  }
  if (input.MessageDeduplicationId === undefined && !q.contentBasedDedup) throw new SqsError('InvalidParameterValue', TEXT.noDedup);
}

export interface PreparedSend {
  readonly enqueue: EnqueueInput;
  readonly meta: SqsMessageMeta;
  readonly md5System: string | undefined;
}

/**
 * Validates one message against its queue and builds what will be enqueued; nothing is
 * stored yet. `entryPath` names a batch entry in texts ("SendMessageBatchRequestEntry.2.").
 */
export function prepareSend(q: SqsQueue, input: SendInput, req: RequestInfo, now: number, batch: boolean, entryPath = ''): PreparedSend {
  const body = input.MessageBody;
  if (body === undefined || body === '') throw missingParameter(`${entryPath}MessageBody`);
  if (!q.fifo && input.MessageDeduplicationId !== undefined) {
    throw new SqsError('InvalidParameterValue', batch ? TEXT.notForQueueTypeBatch : TEXT.notForQueueType('MessageDeduplicationId'));
  }
  if (hasInvalidChars(body)) throw invalidBody();
  const user = validateAttributes(input.MessageAttributes, 'user');
  const system = validateAttributes(input.MessageSystemAttributes, 'system');
  const bodyBytes = Buffer.from(body, 'utf8');
  const size = bodyBytes.length + user.bytes;
  const limit = q.num('MaximumMessageSize');
  // Standard batches report this per entry ("cannot be validated"); FIFO batches fail whole.
  if (size > limit) throw tooLongMessage(limit, batch && !q.fifo);
  if (input.DelaySeconds !== undefined) {
    if (input.DelaySeconds < 0 || input.DelaySeconds > 900) throw invalidValue('DelaySeconds', input.DelaySeconds, TEXT.delayRange);
    if (q.fifo && input.DelaySeconds !== 0) throw invalidValue('DelaySeconds', input.DelaySeconds, TEXT.fifoDelay);
  }
  if (!batch) checkFifoIds(q, input, false);
  const trace = system.attrs?.AWSTraceHeader?.StringValue ?? req.traceHeader;
  const dedupId = q.fifo ? input.MessageDeduplicationId ?? createHash('sha256').update(bodyBytes).digest('hex') : undefined;
  const meta: SqsMessageMeta = {
    attributes: user.attrs,
    md5Body: md5Hex(bodyBytes),
    md5Attributes: md5OfAttributes(user.attrs),
    traceHeader: trace,
    sentAt: now,
    senderId: ACCOUNT_ID,
    groupId: input.MessageGroupId,
    dedupId,
    sequenceNumber: undefined,
    deadLetterSourceArn: undefined,
    baseReceiveCount: 0,
    firstReceiveAt: undefined,
    leasedAt: 0,
    currentLease: 0,
  };
  // Built by assignment, not object spreads: this runs for every message sent.
  const enqueue: EnqueueInput = { body: bodyBytes, meta, size };
  if (q.fifo) {
    enqueue.groupKey = input.MessageGroupId as string;
    enqueue.dedupKey = q.dedupPerGroup ? `${input.MessageGroupId}\u0000${dedupId}` : (dedupId as string);
  } else if (input.DelaySeconds !== undefined) {
    enqueue.delayMs = input.DelaySeconds * 1000;
  }
  return { meta, md5System: system.attrs !== undefined ? md5OfAttributes(system.attrs) : undefined, enqueue };
}

/** Enqueues a prepared message and reports what SQS returns for it. */
export function commitSend(q: SqsQueue, p: PreparedSend): SendResult {
  const durable = q.durable;
  if (durable) {
    durable.checkWritable();
    // A dedup entry from before a restart is still in force (the core only knows newer ones).
    const earlier = p.enqueue.dedupKey !== undefined ? durable.restoredDuplicate(p.enqueue.dedupKey) : undefined;
    if (earlier) return result(p, earlier.messageId, earlier.sequenceNumber);
  }
  if (q.fifo) p.meta.sequenceNumber = String(++sequence);
  const r = q.queue.enqueue(p.enqueue);
  if (durable && (r.status === 'ready' || r.status === 'delayed')) durable.enqueued(r.message, p.enqueue.dedupKey);
  // SQS queues set no core max length, so 'rejected' does not happen; answered without an id.
  if (r.status === 'rejected') return result(p, '', undefined);
  // A duplicate within the dedup window is accepted but not stored: r.message is the first
  // copy, and SQS answers with its MessageId and SequenceNumber.
  return result(p, r.message.id, metaOf(r.message).sequenceNumber);
}

function result(p: PreparedSend, messageId: string, sequenceNumber: string | undefined): SendResult {
  const out: SendResult = { MessageId: messageId, MD5OfMessageBody: p.meta.md5Body };
  if (p.meta.md5Attributes !== undefined) out.MD5OfMessageAttributes = p.meta.md5Attributes;
  if (p.md5System !== undefined) out.MD5OfMessageSystemAttributes = p.md5System;
  if (sequenceNumber !== undefined) out.SequenceNumber = sequenceNumber;
  return out;
}

export function sendOne(q: SqsQueue, input: SendInput, req: RequestInfo, now: number, batch: boolean, entryPath = ''): SendResult {
  return commitSend(q, prepareSend(q, input, req, now, batch, entryPath));
}
