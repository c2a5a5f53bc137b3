// Byte layout of queue journal records (numbers little-endian; f64 holds integer times and
// keys exactly, Infinity for "never expires", NaN for "not set").
//
//  enqueue (type 1): 0 f64 key | 8 f64 enqueuedAt | 16 f64 availableAt | 24 f64 expiresAt |
//    32 f64 firstLeasedAt | 40 u32 receiveCount | 44 u32 returnCount | 48 u32 size |
//    52 u8 priority | 53 u8 flags (1 redelivered, 2 has groupKey) | 54 u16 idLength |
//    56 u16 groupKeyLength | 58 u32 metaLength | 62 id | groupKey | meta | body
//  update (type 2):  0 f64 key | 8 f64 availableAt | 16 f64 expiresAt | 24 f64 firstLeasedAt |
//    32 u32 receiveCount | 36 u32 returnCount | 40 u8 flags
//  remove (type 3):  0 u32 count | 4 f64 key × count
//  purge (type 4):   0 f64 every key up to and including this one is removed

import type { StoredMessage } from '../message.js';

export const ENQUEUE = 1;
export const UPDATE = 2;
export const REMOVE = 3;
export const PURGE = 4;

export const ENQUEUE_HEADER = 62;
export const UPDATE_BYTES = 41;


/**
 * The fields of a queued message that survive a restart: StoredMessage minus seq, with the
 * front-end's meta already serialised (derived so that a field added there is not missed here).
 */
export interface JournalMessage extends Omit<StoredMessage, 'seq' | 'meta'> {
  /** The front-end's opaque data, serialised by the front-end. */
  meta: Buffer | undefined;
}

/** The fields that change while a message waits (receipts, returns, visibility). */
export type MessageState = Pick<JournalMessage, 'availableAt' | 'expiresAt' | 'receiveCount' | 'returnCount' | 'firstLeasedAt' | 'redelivered'>;

/** What a journal keeps of a stored message; the front-end supplies its serialised meta. */
export function journalMessageOf(m: StoredMessage, meta: Buffer | undefined, overrides: Partial<MessageState> = {}): JournalMessage {
  return {
    id: m.id,
    body: m.body,
    meta,
    size: m.size,
    priority: m.priority,
    groupKey: m.groupKey,
    enqueuedAt: m.enqueuedAt,
    ...messageStateOf(m, overrides),
  };
}

/** The changing part of a stored message, as an update record carries it. */
export function messageStateOf(m: StoredMessage, overrides: Partial<MessageState> = {}): MessageState {
  return {
    availableAt: m.availableAt,
    expiresAt: m.expiresAt,
    receiveCount: m.receiveCount,
    returnCount: m.returnCount,
    firstLeasedAt: m.firstLeasedAt,
    redelivered: m.redelivered,
    ...overrides,
  };
}

/** The enqueue record's fixed part plus its strings; the caller appends meta and body as further parts. */
export function encodeEnqueueHead(key: number, m: JournalMessage): Buffer {
  const id = Buffer.from(m.id, 'utf8');
  const group = m.groupKey === undefined ? undefined : Buffer.from(m.groupKey, 'utf8');
  const h = Buffer.allocUnsafe(ENQUEUE_HEADER + id.length + (group?.length ?? 0));
  h.writeDoubleLE(key, 0);
  h.writeDoubleLE(m.enqueuedAt, 8);
  h.writeDoubleLE(m.availableAt, 16);
  h.writeDoubleLE(m.expiresAt, 24);
  h.writeDoubleLE(m.firstLeasedAt ?? NaN, 32);
  h.writeUInt32LE(m.receiveCount, 40);
  h.writeUInt32LE(m.returnCount, 44);
  h.writeUInt32LE(m.size, 48);
  h.writeUInt8(m.priority, 52);
  h.writeUInt8((m.redelivered ? 1 : 0) | (group ? 2 : 0), 53);
  h.writeUInt16LE(id.length, 54);
  h.writeUInt16LE(group?.length ?? 0, 56);
  h.writeUInt32LE(m.meta?.length ?? 0, 58);
  id.copy(h, ENQUEUE_HEADER);
  group?.copy(h, ENQUEUE_HEADER + id.length);
  return h;
}

export const enqueueKey = (payload: Buffer): number => payload.readDoubleLE(0);

/** Decodes an enqueue payload; body and meta are copied so recovery buffers can be freed. */
export function decodeEnqueue(p: Buffer): JournalMessage {
  const idLength = p.readUInt16LE(54);
  const groupLength = p.readUInt16LE(56);
  const metaLength = p.readUInt32LE(58);
  const flags = p.readUInt8(53);
  let at = ENQUEUE_HEADER;
  const id = p.toString('utf8', at, at + idLength);
  at += idLength;
  const groupKey = flags & 2 ? p.toString('utf8', at, at + groupLength) : undefined;
  at += groupLength;
  const meta = metaLength > 0 ? Buffer.from(p.subarray(at, at + metaLength)) : undefined;
  at += metaLength;
  const firstLeasedAt = p.readDoubleLE(32);
  return {
    id,
    body: Buffer.from(p.subarray(at)),
    meta,
    size: p.readUInt32LE(48),
    priority: p.readUInt8(52),
    groupKey,
    enqueuedAt: p.readDoubleLE(8),
    availableAt: p.readDoubleLE(16),
    expiresAt: p.readDoubleLE(24),
    receiveCount: p.readUInt32LE(40),
    returnCount: p.readUInt32LE(44),
    firstLeasedAt: Number.isNaN(firstLeasedAt) ? undefined : firstLeasedAt,
    redelivered: (flags & 1) !== 0,
  };
}

export function encodeUpdate(key: number, s: MessageState): Buffer {
  const b = Buffer.allocUnsafe(UPDATE_BYTES);
  b.writeDoubleLE(key, 0);
  b.writeDoubleLE(s.availableAt, 8);
  b.writeDoubleLE(s.expiresAt, 16);
  b.writeDoubleLE(s.firstLeasedAt ?? NaN, 24);
  b.writeUInt32LE(s.receiveCount, 32);
  b.writeUInt32LE(s.returnCount, 36);
  b.writeUInt8(s.redelivered ? 1 : 0, 40);
  return b;
}

export function applyUpdate(p: Buffer, m: MessageState): void {
  m.availableAt = p.readDoubleLE(8);
  m.expiresAt = p.readDoubleLE(16);
  const first = p.readDoubleLE(24);
  m.firstLeasedAt = Number.isNaN(first) ? undefined : first;
  m.receiveCount = p.readUInt32LE(32);
  m.returnCount = p.readUInt32LE(36);
  m.redelivered = (p.readUInt8(40) & 1) !== 0;
}

export function encodeRemove(keys: readonly number[]): Buffer {
  const b = Buffer.allocUnsafe(4 + 8 * keys.length);
  b.writeUInt32LE(keys.length, 0);
  keys.forEach((k, i) => b.writeDoubleLE(k, 4 + 8 * i));
  return b;
}

export function decodeRemove(p: Buffer): number[] {
  const n = Math.min(p.readUInt32LE(0), Math.floor((p.length - 4) / 8));
  const keys: number[] = [];
  for (let i = 0; i < n; i++) keys.push(p.readDoubleLE(4 + 8 * i));
  return keys;
}
