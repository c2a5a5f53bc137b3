// The AMQP part of a journalled message: the opaque `meta` bytes of a queue-journal enqueue
// record. The content header is kept byte for byte as published (properties and headers come
// back exactly), after a small JSON part with the publish exchange and routing key, CC/BCC
// keys and the dead-letter history (RabbitMQ keeps x-death in message annotations, which
// survive a restart with the message).
//   0 u32 jsonLength | 4 JSON {e, r, x?, d?} | content-header payload

import type { AmqpMeta, Death } from '../channel.js';

interface Encoded {
  e: string;
  r: string;
  x?: readonly string[];
  d?: readonly Death[];
}

export function encodeMeta(meta: AmqpMeta): Buffer {
  const e: Encoded = { e: meta.exchange, r: meta.routingKey };
  if (meta.extraKeys && meta.extraKeys.length > 0) e.x = meta.extraKeys;
  if (meta.deaths && meta.deaths.length > 0) e.d = meta.deaths;
  return frameJsonAndHeader(e, meta.header);
}

/**
 * The framing shared by every AMQP journal record that keeps a content header: a small JSON part
 * (routing facts) then the content-header payload byte for byte, so properties come back exactly.
 */
export function frameJsonAndHeader(json: object, header: Buffer): Buffer {
  const text = Buffer.from(JSON.stringify(json), 'utf8');
  const out = Buffer.allocUnsafe(4 + text.length + header.length);
  out.writeUInt32LE(text.length, 0);
  text.copy(out, 4);
  header.copy(out, 4 + text.length);
  return out;
}

/** Reads frameJsonAndHeader's bytes back; throws on bytes that are not framed that way. */
export function splitJsonAndHeader(bytes: Buffer | undefined): { json: unknown; header: Buffer } {
  if (!bytes || bytes.length < 4) throw new Error('message record has no AMQP metadata');
  const n = bytes.readUInt32LE(0);
  if (4 + n > bytes.length) throw new Error('AMQP metadata is truncated');
  const json: unknown = JSON.parse(bytes.toString('utf8', 4, 4 + n));
  // A copy: the journal's buffer may be reused by compaction.
  return { json, header: Buffer.from(bytes.subarray(4 + n)) };
}

/** Throws on bytes that are not an encoded meta (the caller reports and skips the message). */
export function decodeMeta(bytes: Buffer | undefined): AmqpMeta {
  const { json, header } = splitJsonAndHeader(bytes);
  const e = json as Encoded;
  if (typeof e.e !== 'string' || typeof e.r !== 'string') throw new Error('AMQP metadata lacks exchange or routing key');
  const meta: { -readonly [K in keyof AmqpMeta]: AmqpMeta[K] } = { exchange: e.e, routingKey: e.r, header };
  if (e.x) meta.extraKeys = e.x;
  if (e.d) meta.deaths = e.d;
  return meta;
}

/** delivery-mode 2 (persistent) in a content-header payload, read without decoding the rest. */
export function isPersistent(header: Buffer): boolean {
  // class u16, weight u16, body size u64, flags u16; delivery-mode is property 3 (bit 12),
  // preceded by content-type, content-encoding (shortstr) and headers (table).
  if (header.length < 14) return false;
  const flags = header.readUInt16BE(12);
  if ((flags & 0x1000) === 0) return false;
  let pos = 14;
  if (flags & 0x8000) pos += 1 + (header[pos] ?? 0);
  if (flags & 0x4000) pos += 1 + (header[pos] ?? 0);
  if (flags & 0x2000) {
    if (pos + 4 > header.length) return false;
    pos += 4 + header.readUInt32BE(pos);
  }
  return header[pos] === 2;
}
