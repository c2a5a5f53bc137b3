// Log compaction (cleanup.policy=compact), as Kafka's LogCleaner: keep the latest record of
// each key, drop tombstones (null values) once they are older than delete.retention.ms, never
// move offsets (batches keep their base and last offset, so fetches land inside the gaps).
// Only the cleanable part of the log is touched: below the last stable offset and older than
// min.compaction.lag.ms. Work is split into slices between which the event loop runs, and
// the result is swapped in with one synchronous Log.rewriteEntries.
// Limits: compressed batches (never inflated here) and transactional/control batches are
// kept as they are and their keys do not supersede older records.
import type { Log, LogEntry } from '../core/index.js';
import { Reader } from './bytes.js';
import { crc32c } from './crc32c.js';
import { BATCH_HEADER } from './records.js';

export interface RecordSpan {
  offsetDelta: number;
  key: Buffer | null;
  tombstone: boolean;
  /** The record's bytes including its length prefix. */
  start: number;
  end: number;
}

/** Records of an uncompressed batch, or null when the batch is compressed or unreadable. */
export function recordSpans(bytes: Buffer): RecordSpan[] | null {
  if ((bytes.readInt16BE(21) & 7) !== 0) return null;
  const count = bytes.readInt32BE(57);
  const r = new Reader(bytes, BATCH_HEADER);
  const out: RecordSpan[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const start = r.pos;
      const len = r.varint();
      const end = r.pos + len;
      r.int8();
      r.varlong();
      const offsetDelta = r.varint();
      const keyLen = r.varint();
      const key = keyLen < 0 ? null : r.slice(keyLen);
      const valueLen = r.varint();
      out.push({ offsetDelta, key, tombstone: valueLen < 0, start, end });
      r.pos = end;
    }
  } catch {
    return null;
  }
  return out;
}

/** Indexes of keyless records in a batch (rejected on compacted topics); [] for compressed batches. */
export function keylessRecords(bytes: Buffer): number[] {
  const spans = recordSpans(bytes);
  if (!spans) return [];
  const out: number[] = [];
  spans.forEach((s, i) => {
    if (s.key === null) out.push(i);
  });
  return out;
}

/** A copy of the batch holding only `keep` (header kept: base offset, lastOffsetDelta, timestamps; count and CRC updated). */
function rebuild(bytes: Buffer, keep: RecordSpan[]): Buffer {
  let size = BATCH_HEADER;
  for (const s of keep) size += s.end - s.start;
  const out = Buffer.allocUnsafe(size);
  bytes.copy(out, 0, 0, BATCH_HEADER);
  let pos = BATCH_HEADER;
  for (const s of keep) pos += bytes.copy(out, pos, s.start, s.end);
  out.writeInt32BE(size - 12, 8);
  out.writeInt32BE(keep.length, 57);
  out.writeUInt32BE(crc32c(out, 21), 17);
  return out;
}

const compactable = (bytes: Buffer): boolean => (bytes.readInt16BE(21) & 0x37) === 0; // uncompressed, not transactional, not control

const SLICE = 2000;
const yieldLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export interface CompactionLimits {
  /** Exclusive end of the cleanable range (last stable offset). */
  upTo: number;
  now: number;
  deleteRetentionMs: number;
  minCompactionLagMs: number;
}

/** Compacts one partition; resolves with the number of records removed. */
export async function compactLog(log: Log, limits: CompactionLimits): Promise<number> {
  const entries: LogEntry[] = [];
  for (const e of log.all()) {
    if (e.baseOffset >= limits.upTo || e.appendedAt > limits.now - limits.minCompactionLagMs) break;
    entries.push(e);
  }
  const latest = new Map<string, number>();
  // Bytes read once per entry: a batch recovered from --data-dir is read back from its file.
  const spans = new Map<LogEntry, { bytes: Buffer; records: RecordSpan[] }>();
  for (let i = 0; i < entries.length; i++) {
    if (i % SLICE === SLICE - 1) await yieldLoop();
    const e = entries[i] as LogEntry;
    const bytes = e.bytes;
    if (!compactable(bytes)) continue;
    const s = recordSpans(bytes);
    if (!s) continue;
    spans.set(e, { bytes, records: s });
    for (const r of s) if (r.key !== null) latest.set(r.key.toString('latin1'), e.baseOffset + r.offsetDelta);
  }
  const replace = new Map<LogEntry, Buffer | null>();
  let removed = 0;
  let i = 0;
  for (const [e, { bytes, records: s }] of spans) {
    if (++i % SLICE === 0) await yieldLoop();
    const tombstonesExpired = e.appendedAt + limits.deleteRetentionMs <= limits.now;
    const keep = s.filter((r) => r.key !== null && latest.get(r.key.toString('latin1')) === e.baseOffset + r.offsetDelta && !(r.tombstone && tombstonesExpired));
    if (keep.length === s.length) continue;
    removed += s.length - keep.length;
    replace.set(e, keep.length === 0 ? null : rebuild(bytes, keep));
  }
  if (replace.size > 0) log.rewriteEntries(limits.upTo, (e) => replace.get(e));
  return removed;
}
