// Durable partitioned logs (a Kafka partition, a stream queue): entries are appended as
// opaque bytes with their offsets, record count, timestamps and caller metadata, kept in
// segment files named by their first offset, and indexed in memory so a read by offset can
// be served from a file range. The log start offset moves forward with a small record and
// whole segments below it are deleted. The offsets themselves are assigned by the core's Log.
//
//  entry payload (type 1): 0 f64 baseOffset | 8 f64 maxTimestamp | 16 f64 appendedAt |
//                          24 u32 recordCount | 28 u32 metaLength | 32 meta | bytes
//  log start (type 2):     0 f64 logStartOffset

import { BrokerError } from '../errors.js';
import { RECORD_HEADER_BYTES, SegmentKind } from './format.js';
import { DEFAULT_DURABILITY, SegmentJournal, type DurabilityOptions, type RecordLocation } from './segment-journal.js';
import type { StorageIssue } from './segment-scan.js';

const ENTRY = 1;
const LOG_START = 2;
const ENTRY_HEADER = 32;

export interface LogStoreEntry {
  baseOffset: number;
  recordCount: number;
  maxTimestamp: number;
  appendedAt: number;
  /** Front-end data about the entry, serialised by the caller. */
  meta?: Buffer | undefined;
  bytes: Buffer;
}

/** Where an entry's bytes live: serve a read with `store.readBytes(location)`. */
export interface EntryLocation {
  segment: number;
  /** Offset of the entry's bytes (not the record header) in the segment file. */
  position: number;
  length: number;
}

export interface RecoveredLogEntry {
  baseOffset: number;
  lastOffset: number;
  recordCount: number;
  maxTimestamp: number;
  appendedAt: number;
  meta: Buffer | undefined;
  /**
   * A view into the recovery read buffers (no copy); undefined when the log was opened with
   * `loadBytes: false` (then read it from its file range with `store.readBytes(location)`).
   */
  bytes: Buffer | undefined;
  location: EntryLocation;
}

export interface RecoveredLog {
  store: LogStore;
  /** Live entries (at or above the log start offset), in offset order. */
  entries: RecoveredLogEntry[];
  logStartOffset: number;
  /** The offset the next append must use. */
  nextOffset: number;
  issues: StorageIssue[];
}

/** A growable dense index: entry i covers [base[i], base[i+1]) and lives at (seg[i], pos[i]). */
class OffsetIndex {
  base = new Float64Array(1024);
  seg = new Float64Array(1024);
  pos = new Float64Array(1024);
  len = new Float64Array(1024);
  first = 0;
  end = 0;

  push(baseOffset: number, loc: EntryLocation): void {
    if (this.end === this.base.length) this.grow();
    this.base[this.end] = baseOffset;
    this.seg[this.end] = loc.segment;
    this.pos[this.end] = loc.position;
    this.len[this.end] = loc.length;
    this.end++;
  }

  /** Index of the entry holding `offset` (the last with base <= offset), or -1. */
  find(offset: number): number {
    let lo = this.first;
    let hi = this.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.base[mid] as number) <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1 >= this.first ? lo - 1 : -1;
  }

  dropBelow(i: number): void {
    this.first = Math.max(this.first, i);
  }

  private grow(): void {
    const keep = this.end - this.first;
    const size = Math.max(1024, keep * 2);
    for (const k of ['base', 'seg', 'pos', 'len'] as const) {
      const next = new Float64Array(size);
      next.set(this[k].subarray(this.first, this.end));
      this[k] = next;
    }
    this.first = 0;
    this.end = keep;
  }
}

export class LogStore {
  private readonly index = new OffsetIndex();
  private next = 0;
  private start = 0;
  /** Last offset held by each segment (for deleting segments below the log start). */
  private segmentLast = new Map<number, number>();
  /** Segment deletions, one truncation after the other, so no segment goes before an older one. */
  private removals: Promise<void> = Promise.resolve();

  private constructor(private journal: SegmentJournal) {}

  static open(dir: string, options: Partial<DurabilityOptions> & { loadBytes?: boolean } = {}): RecoveredLog {
    const { loadBytes = true, ...rest } = options;
    const opts = { ...DEFAULT_DURABILITY, ...rest };
    const entries: RecoveredLogEntry[] = [];
    const issues: StorageIssue[] = [];
    /** Offsets missing between two recovered entries: damage only if they are at or above the log start. */
    const gaps: Array<{ to: number; issue: StorageIssue }> = [];
    let store: LogStore | undefined;
    let next = 0;
    let start = 0;
    let minSegment = Infinity;
    const journal = SegmentJournal.open(dir, SegmentKind.log, opts, () => (store ? store.next : next), (segment, type, payload, position) => {
      minSegment = Math.min(minSegment, segment);
      if (type === LOG_START && payload.length >= 8) {
        start = Math.max(start, payload.readDoubleLE(0));
        return;
      }
      if (type !== ENTRY || payload.length < ENTRY_HEADER) return;
      const baseOffset = payload.readDoubleLE(0);
      const recordCount = payload.readUInt32LE(24);
      const metaLength = payload.readUInt32LE(28);
      if (baseOffset < next) {
        issues.push({ kind: 'corruption', file: `${dir}/segment ${segment}`, offset: position, length: 0, message: `${dir}: entry at offset ${baseOffset} overlaps offsets already recovered (next is ${next}); skipped` });
        return;
      }
      if (baseOffset > next && entries.length > 0) {
        gaps.push({ to: baseOffset - 1, issue: { kind: 'corruption', file: `${dir}/segment ${segment}`, offset: position, length: 0, message: `${dir}: offsets ${next}-${baseOffset - 1} are missing (lost to the damage reported above)` } });
      }
      const bytesAt = ENTRY_HEADER + metaLength;
      entries.push({
        baseOffset,
        lastOffset: baseOffset + recordCount - 1,
        recordCount,
        maxTimestamp: payload.readDoubleLE(8),
        appendedAt: payload.readDoubleLE(16),
        meta: metaLength === 0 ? undefined : loadBytes ? payload.subarray(ENTRY_HEADER, bytesAt) : Buffer.from(payload.subarray(ENTRY_HEADER, bytesAt)),
        bytes: loadBytes ? payload.subarray(bytesAt) : undefined,
        location: { segment, position: position + RECORD_HEADER_BYTES + bytesAt, length: payload.length - bytesAt },
      });
      next = baseOffset + recordCount;
    }, !loadBytes);
    issues.unshift(...journal.issues);
    // Segments deleted by truncation take their offsets with them.
    if (Number.isFinite(minSegment)) start = Math.max(start, Math.min(minSegment, next));
    // Below the log start nothing is missed: a segment there may be gone before an older one
    // (a crash while they were being deleted).
    for (const g of gaps) if (g.to >= start) issues.push(g.issue);
    // A segment is named by the next offset when it was started: offsets below it were
    // assigned, even if their entries were lost (never fsync'd before a power loss). They are
    // not reused, as Kafka never hands out an offset twice.
    const lastBase = journal.segments.at(-1)?.base ?? 0;
    if (lastBase > next) {
      issues.push({ kind: 'torn_tail', file: dir, offset: 0, length: 0, message: `${dir}: offsets ${next}-${lastBase - 1} were lost before they reached the disk` });
      next = lastBase;
    }
    next = Math.max(next, start);
    store = new LogStore(journal);
    store.next = next;
    store.start = start;
    for (const e of entries) store.track(e.baseOffset, e.lastOffset, e.location);
    const live = entries.filter((e) => e.lastOffset >= start);
    store.index.dropBelow(store.index.find(start) < 0 ? 0 : store.index.find(start));
    return { store, entries: live, logStartOffset: start, nextOffset: next, issues };
  }

  /** A new, empty log made at runtime (a topic created, partitions added): no synchronous I/O. */
  static create(dir: string, options: Partial<DurabilityOptions> = {}, prepare: () => Promise<void> = () => Promise.resolve()): LogStore {
    let store: LogStore | undefined;
    const journal = SegmentJournal.create(dir, SegmentKind.log, { ...DEFAULT_DURABILITY, ...options }, () => (store ? store.next : 0), prepare);
    store = new LogStore(journal);
    return store;
  }

  get nextOffset(): number {
    return this.next;
  }

  get logStartOffset(): number {
    return this.start;
  }

  /** Bytes on disk, all segments. */
  get diskBytes(): number {
    return this.journal.totalBytes;
  }

  get failure(): BrokerError | undefined {
    return this.journal.failure;
  }

  /**
   * Queues an entry (synchronously; no copy of `bytes`). Its offsets must follow the previous
   * entry's; `commit()` says when it is durable.
   */
  append(e: LogStoreEntry): EntryLocation {
    if (e.baseOffset < this.next) throw new BrokerError('invalid_argument', `offset ${e.baseOffset} was already written (next is ${this.next})`);
    if (e.recordCount < 1) throw new BrokerError('invalid_argument', 'an entry must hold at least one record');
    const metaLength = e.meta?.length ?? 0;
    const h = Buffer.allocUnsafe(ENTRY_HEADER);
    h.writeDoubleLE(e.baseOffset, 0);
    h.writeDoubleLE(e.maxTimestamp, 8);
    h.writeDoubleLE(e.appendedAt, 16);
    h.writeUInt32LE(e.recordCount, 24);
    h.writeUInt32LE(metaLength, 28);
    // The segment is named by its first offset: let a roll see this entry's base.
    const before = this.next;
    this.next = e.baseOffset;
    let loc: RecordLocation;
    try {
      loc = this.journal.write(ENTRY, metaLength > 0 ? [h, e.meta as Buffer, e.bytes] : [h, e.bytes]);
    } catch (err) {
      this.next = before;
      throw err;
    }
    const where = { segment: loc.segment, position: loc.position + RECORD_HEADER_BYTES + ENTRY_HEADER + metaLength, length: e.bytes.length };
    this.next = e.baseOffset + e.recordCount;
    this.track(e.baseOffset, this.next - 1, where);
    return where;
  }

  /** Resolves when every append so far is durable per the fsync policy. */
  commit(): Promise<void> {
    return this.journal.commit();
  }

  /** Resolves when every append so far is fsync'd. */
  sync(): Promise<void> {
    return this.journal.sync();
  }

  /** Where the entry holding `offset` lives, if it is in the log. */
  locate(offset: number): EntryLocation | undefined {
    if (offset < this.start || offset >= this.next) return undefined;
    const i = this.index.find(offset);
    if (i < 0) return undefined;
    return { segment: this.index.seg[i] as number, position: this.index.pos[i] as number, length: this.index.len[i] as number };
  }

  /** An entry's bytes read back from its file range. */
  readBytes(loc: EntryLocation): Promise<Buffer> {
    return this.journal.read(loc.segment, loc.position, loc.length);
  }

  /** The first `length` bytes (default: all) of an entry, read synchronously (see SegmentJournal.readSync). */
  readBytesSync(loc: EntryLocation, length = loc.length): Buffer {
    return this.journal.readSync(loc.segment, loc.position, Math.min(length, loc.length));
  }

  /**
   * Entries from the one holding `offset`, up to `maxBytes` of entry bytes (the first entry
   * always, so a consumer makes progress), read with one file read per segment touched; each
   * entry's bytes are a view into that read (no copy). A Kafka Fetch served from disk.
   */
  async readEntries(offset: number, maxBytes: number): Promise<Array<{ baseOffset: number; bytes: Buffer }>> {
    if (offset < this.start || offset >= this.next) return [];
    let i = this.index.find(offset);
    if (i < 0) return [];
    const out: Array<{ baseOffset: number; bytes: Buffer }> = [];
    let total = 0;
    while (i < this.index.end) {
      // One span per segment: from the first entry's bytes to the last one's end.
      const seg = this.index.seg[i] as number;
      const from = this.index.pos[i] as number;
      let j = i;
      let end = from;
      while (j < this.index.end && this.index.seg[j] === seg) {
        const len = this.index.len[j] as number;
        if ((out.length > 0 || j > i) && total + len > maxBytes) break;
        total += len;
        end = (this.index.pos[j] as number) + len;
        j++;
      }
      if (j === i) break;
      const span = await this.journal.read(seg, from, end - from);
      for (let k = i; k < j; k++) {
        const at = (this.index.pos[k] as number) - from;
        out.push({ baseOffset: this.index.base[k] as number, bytes: span.subarray(at, at + (this.index.len[k] as number)) });
      }
      if (j < this.index.end && this.index.seg[j] === seg) break; // stopped by maxBytes
      i = j;
    }
    return out;
  }

  /**
   * Moves the log start forward (DeleteRecords, retention): a small durable record, then
   * every sealed segment wholly below the new start is deleted in the background. When the
   * new start is the end of the log, the active segment is sealed first so that it goes too:
   * an emptied log keeps no dead bytes (up to a whole segment) on disk.
   */
  truncateBefore(offset: number): Promise<void> {
    if (offset <= this.start) return Promise.resolve();
    if (offset > this.next) throw new BrokerError('invalid_argument', `offset ${offset} is past the end of the log (${this.next})`);
    this.start = offset;
    // The next segment is named `offset` (the end), so the log-start record below lands in it.
    if (offset === this.next) this.journal.roll();
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleLE(offset, 0);
    this.journal.write(LOG_START, [b]);
    const i = this.index.find(offset);
    if (i >= 0) this.index.dropBelow(i);
    const doomed = this.journal.segments.filter((s) => s.sealed && (this.segmentLast.get(s.base) ?? -1) < offset).map((s) => s.base);
    const done = this.removals.then(async () => {
      await this.journal.commit();
      for (const base of doomed) {
        await this.journal.remove(base);
        this.segmentLast.delete(base);
      }
    });
    this.removals = done.catch(() => {});
    return done;
  }

  close(): Promise<void> {
    return this.journal.close();
  }

  /** Deletes the log's files (topic deleted). */
  destroy(): Promise<void> {
    return this.journal.destroy();
  }

  private track(baseOffset: number, lastOffset: number, loc: EntryLocation): void {
    this.index.push(baseOffset, loc);
    this.segmentLast.set(loc.segment, lastOffset);
  }
}
