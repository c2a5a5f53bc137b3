// The SQS part of a journalled message: the opaque `meta` bytes of a queue-journal enqueue
// record. Everything a restarted server must answer exactly as before is kept: attributes
// (binary values as base64), the MD5s computed at send, trace header, SentTimestamp, sender,
// FIFO group / dedup id / sequence number, dead-letter source and the receive count carried
// over from a dead-letter move. Lease bookkeeping (current lease, lease start) is not: a
// restarted server rebuilds it from the journal's receive count and visibility deadline.

import type { AttributeValue, SqsMessageMeta } from '../model/message-meta.js';

interface Encoded {
  a?: [string, string, string, 0 | 1][]; // name, DataType, value, 1 = binary (base64)
  b: string;
  m?: string;
  t?: string;
  s: number;
  u: string;
  g?: string;
  d?: string;
  q?: string;
  l?: string;
  r?: number;
  f?: number;
}

export function encodeMeta(meta: SqsMessageMeta): Buffer {
  const e: Encoded = { b: meta.md5Body, s: meta.sentAt, u: meta.senderId };
  if (meta.attributes) {
    e.a = Object.entries(meta.attributes).map(([name, v]) => (v.BinaryValue !== undefined ? [name, v.DataType, v.BinaryValue.toString('base64'), 1] : [name, v.DataType, v.StringValue ?? '', 0]));
  }
  if (meta.md5Attributes !== undefined) e.m = meta.md5Attributes;
  if (meta.traceHeader !== undefined) e.t = meta.traceHeader;
  if (meta.groupId !== undefined) e.g = meta.groupId;
  if (meta.dedupId !== undefined) e.d = meta.dedupId;
  if (meta.sequenceNumber !== undefined) e.q = meta.sequenceNumber;
  if (meta.deadLetterSourceArn !== undefined) e.l = meta.deadLetterSourceArn;
  if (meta.baseReceiveCount !== 0) e.r = meta.baseReceiveCount;
  if (meta.firstReceiveAt !== undefined) e.f = meta.firstReceiveAt;
  return Buffer.from(JSON.stringify(e), 'utf8');
}

/** Throws on bytes that are not an encoded meta (the caller reports and skips the message). */
export function decodeMeta(bytes: Buffer | undefined): SqsMessageMeta {
  if (!bytes) throw new Error('message record has no SQS metadata');
  const e = JSON.parse(bytes.toString('utf8')) as Encoded;
  if (typeof e.b !== 'string' || typeof e.s !== 'number' || typeof e.u !== 'string') throw new Error('SQS metadata lacks MD5, SentTimestamp or SenderId');
  let attributes: Record<string, AttributeValue> | undefined;
  if (e.a) {
    // Names are data ("__proto__" too), as when the attributes were first decoded.
    attributes = Object.create(null) as Record<string, AttributeValue>;
    for (const [name, type, value, binary] of e.a) {
      attributes[name] = binary === 1 ? { DataType: type, BinaryValue: Buffer.from(value, 'base64') } : { DataType: type, StringValue: value };
    }
  }
  return {
    attributes,
    md5Body: e.b,
    md5Attributes: e.m,
    traceHeader: e.t,
    sentAt: e.s,
    senderId: e.u,
    groupId: e.g,
    dedupId: e.d,
    sequenceNumber: e.q,
    deadLetterSourceArn: e.l,
    baseReceiveCount: e.r ?? 0,
    firstReceiveAt: e.f,
    leasedAt: 0,
    currentLease: 0,
  };
}
