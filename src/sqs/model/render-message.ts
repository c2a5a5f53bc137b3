// How a received message is written: the system attributes selected by AttributeNames and
// MessageSystemAttributeNames (union; `All`), the message attributes selected by
// MessageAttributeNames (`All`, `.*`, `*`, `Prefix.*` = names starting with Prefix, as the
// recorded AWS run shows `Hel.*` matching `Hello`; exact names) and the MD5 over exactly
// the returned subset. Message timestamps are epoch milliseconds.

import type { Lease } from '../../core/index.js';
import { md5OfAttributes } from './md5.js';
import { renderAttributes } from './message-attributes.js';
import { metaOf, type AttributeValue } from './message-meta.js';
import { encodeReceipt } from './receipt.js';

export interface WireMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes?: Record<string, string>;
  MD5OfMessageAttributes?: string;
  MessageAttributes?: Record<string, Record<string, string>>;
}

function systemAttributes(lease: Lease, fifo: boolean): Record<string, string> {
  const m = lease.message;
  const meta = metaOf(m);
  const out: Record<string, string> = {
    SenderId: meta.senderId,
    ApproximateFirstReceiveTimestamp: String(meta.firstReceiveAt ?? m.firstLeasedAt ?? m.enqueuedAt),
    ApproximateReceiveCount: String(m.receiveCount + meta.baseReceiveCount),
    SentTimestamp: String(meta.sentAt),
  };
  if (meta.traceHeader !== undefined) out.AWSTraceHeader = meta.traceHeader;
  if (meta.deadLetterSourceArn !== undefined) out.DeadLetterQueueSourceArn = meta.deadLetterSourceArn;
  if (meta.groupId !== undefined) out.MessageGroupId = meta.groupId;
  if (fifo) {
    if (meta.dedupId !== undefined) out.MessageDeduplicationId = meta.dedupId;
    if (meta.sequenceNumber !== undefined) out.SequenceNumber = meta.sequenceNumber;
  }
  return out;
}

function selectUserAttributes(attrs: Record<string, AttributeValue> | undefined, names: readonly string[]): Record<string, AttributeValue> | undefined {
  if (!attrs || names.length === 0) return undefined;
  if (names.some((n) => n === 'All' || n === '.*' || n === '*')) return attrs;
  const out: Record<string, AttributeValue> = Object.create(null) as Record<string, AttributeValue>;
  for (const [name, v] of Object.entries(attrs)) {
    const hit = names.some((n) => (n.endsWith('.*') ? name.startsWith(n.slice(0, -2)) : n === name));
    if (hit) out[name] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function renderMessage(lease: Lease, fifo: boolean, systemNames: readonly string[], userNames: readonly string[]): WireMessage {
  const m = lease.message;
  const meta = metaOf(m);
  const out: WireMessage = {
    MessageId: m.id,
    ReceiptHandle: encodeReceipt({ leaseId: lease.id, seq: m.seq, messageId: m.id, receive: m.receiveCount }),
    MD5OfBody: meta.md5Body,
    Body: m.body.toString('utf8'),
  };
  if (systemNames.length > 0) {
    const all = systemAttributes(lease, fifo);
    const pick = systemNames.includes('All') ? all : Object.fromEntries(Object.entries(all).filter(([k]) => systemNames.includes(k)));
    if (Object.keys(pick).length > 0) out.Attributes = pick;
  }
  const user = selectUserAttributes(meta.attributes, userNames);
  if (user) {
    out.MD5OfMessageAttributes = user === meta.attributes ? (meta.md5Attributes as string) : (md5OfAttributes(user) as string);
    out.MessageAttributes = renderAttributes(user);
  }
  return out;
}
