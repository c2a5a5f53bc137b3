// The log primitive: an append-only sequence of opaque entries (a Kafka record batch, a
// stream chunk), each covering `recordCount` consecutive offsets. It owns offsets, the high
// watermark, the log start offset and retention; what is inside an entry is the front-end's.

import type { Clock } from './clock.js';
import { BrokerError } from './errors.js';
import { WaiterList } from './waiters.js';

export interface LogEntry {
  readonly baseOffset: number;
  /** Offset of the last record in the entry (baseOffset + recordCount - 1). */
  readonly lastOffset: number;
  readonly bytes: Buffer;
  readonly maxTimestamp: number;
  /** When the entry was appended (drives time retention). */
  readonly appendedAt: number;
  /** Front-end data about the entry (producer ids, control-batch flag), never read here. */
  readonly meta: unknown;
}

/**
 * Bytes of a restored entry that stay in their file until read (index-only recovery of a big
 * log): the core keeps only offsets and the size. `read` serves a consumer without blocking;
 * `readSync(length)` is for rare whole-log scans (compaction, recovery) and may read a prefix.
 */
export interface StoredBytes {
  readonly size: number;
  read(): Promise<Buffer>;
  readSync(length?: number): Buffer;
}

/** An entry restored with `restoreStored`: `bytes` reads the file on each access. */
interface StoredEntry extends LogEntry {
  readonly stored: StoredBytes;
}

function storedEntry(e: Omit<LogEntry, 'bytes'>, stored: StoredBytes): StoredEntry {
  return {
    baseOffset: e.baseOffset,
    lastOffset: e.lastOffset,
    maxTimestamp: e.maxTimestamp,
    appendedAt: e.appendedAt,
    meta: e.meta,
    stored,
    get bytes(): Buffer {
      return stored.readSync();
    },
  };
}

/** The entry's bytes' location when they were left in a file (restoreStored), else undefined. */
export function storedBytes(e: LogEntry): StoredBytes | undefined {
  return (e as Partial<StoredEntry>).stored;
}

/** The entry's byte length without loading bytes left in a file. */
export function entrySize(e: LogEntry): number {
  return storedBytes(e)?.size ?? e.bytes.length;
}

export interface AppendInput {
  bytes: Buffer;
  recordCount: number;
  maxTimestamp: number;
  meta?: unknown;
  /** Called with the assigned base offset before the entry becomes visible (header rewrite). */
  stamp?: (baseOffset: number, bytes: Buffer) => void;
}

export interface RetentionPolicy {
  /** Entries appended longer ago than this are removed; Infinity/negative = keep. */
  retentionMs: number;
  /** Oldest entries removed while the log is larger than this; Infinity/negative = keep. */
  retentionBytes: number;
  /**
   * Keep the newest entry even when it breaks the policy (default true). Kafka passes false:
   * it rolls and deletes the active segment too once it has expired, emptying the log.
   */
  keepNewest?: boolean;
}

/**
 * Told about every change to a log's contents after it happens, synchronously (a durable
 * store writes it through). Unset in memory mode, so the hot path pays one property check.
 */
export interface LogObserver {
  appended(entry: LogEntry): void;
  /** The log start offset moved forward (DeleteRecords, retention). */
  truncated(logStartOffset: number): void;
}

export class Log {
  /** Set by a front-end that persists this log; restore() is never reported. */
  observer: LogObserver | undefined = undefined;
  private entries: LogEntry[] = [];
  /** Index of the first live entry in `entries` (removed entries are compacted lazily). */
  private first = 0;
  private nextOffset = 0;
  private startOffset = 0;
  private bytes = 0;
  readonly waiters = new WaiterList();

  constructor(private readonly clock: Clock) {}

  get highWatermark(): number {
    return this.nextOffset;
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  get entryCount(): number {
    return this.entries.length - this.first;
  }

  append(input: AppendInput): LogEntry {
    if (input.recordCount < 1) throw new BrokerError('invalid_argument', 'an entry must hold at least one record');
    const baseOffset = this.nextOffset;
    input.stamp?.(baseOffset, input.bytes);
    const entry: LogEntry = {
      baseOffset,
      lastOffset: baseOffset + input.recordCount - 1,
      bytes: input.bytes,
      maxTimestamp: input.maxTimestamp,
      appendedAt: this.clock.now(),
      meta: input.meta,
    };
    this.entries.push(entry);
    this.nextOffset = entry.lastOffset + 1;
    this.bytes += input.bytes.length;
    if (this.observer !== undefined) this.observer.appended(entry);
    this.waiters.wake();
    return entry;
  }

  /**
   * Puts back an entry recovered from durable storage, with its original offsets and append
   * time (startup only: waiters are not woken). Offsets must increase; a gap (entries lost to
   * reported corruption) is kept, never renumbered.
   */
  restore(entry: Omit<LogEntry, 'lastOffset'> & { recordCount: number }): LogEntry {
    if (entry.recordCount < 1 || entry.baseOffset < this.nextOffset) {
      throw new BrokerError('invalid_argument', `cannot restore offset ${entry.baseOffset}: the log is at ${this.nextOffset}`);
    }
    const restored: LogEntry = {
      baseOffset: entry.baseOffset,
      lastOffset: entry.baseOffset + entry.recordCount - 1,
      bytes: entry.bytes,
      maxTimestamp: entry.maxTimestamp,
      appendedAt: entry.appendedAt,
      meta: entry.meta,
    };
    if (this.entryCount === 0 && this.nextOffset === 0) this.startOffset = entry.baseOffset;
    this.entries.push(restored);
    this.nextOffset = restored.lastOffset + 1;
    this.bytes += restored.bytes.length;
    return restored;
  }

  /**
   * Like restore(), but the bytes stay where `stored` says (index-only recovery): only the
   * offsets, timestamps, meta and size are held in memory.
   */
  restoreStored(entry: Omit<LogEntry, 'lastOffset' | 'bytes'> & { recordCount: number }, stored: StoredBytes): LogEntry {
    if (entry.recordCount < 1 || entry.baseOffset < this.nextOffset) {
      throw new BrokerError('invalid_argument', `cannot restore offset ${entry.baseOffset}: the log is at ${this.nextOffset}`);
    }
    const restored = storedEntry({ ...entry, lastOffset: entry.baseOffset + entry.recordCount - 1 }, stored);
    if (this.entryCount === 0 && this.nextOffset === 0) this.startOffset = entry.baseOffset;
    this.entries.push(restored);
    this.nextOffset = restored.lastOffset + 1;
    this.bytes += stored.size;
    return restored;
  }

  /**
   * Lets go of the bytes of `entry` (still live, unchanged since it was appended) once they
   * are durable in a file: later reads go to `stored`. False when the entry is gone (retention)
   * or was rewritten (compaction). Keeps a durable log's memory bounded.
   */
  storeBytes(entry: LogEntry, stored: StoredBytes): boolean {
    const i = this.indexOf(entry.baseOffset);
    if (this.entries[i] !== entry || storedBytes(entry) !== undefined || stored.size !== entry.bytes.length) return false;
    this.entries[i] = storedEntry(entry, stored);
    return true;
  }

  /** After restore(): the recovered log start and next offset (they may lie past the last entry). */
  restoreBounds(logStartOffset: number, nextOffset: number): void {
    this.nextOffset = Math.max(this.nextOffset, nextOffset);
    if (logStartOffset > this.startOffset) this.truncateBefore(Math.min(logStartOffset, this.nextOffset));
  }

  /**
   * Entries from the one containing `offset`, up to `maxBytes` in total; the first entry is
   * returned even when it alone is larger (so a consumer can always make progress).
   * `endOffset` (exclusive) stops before entries that start at or after it (last stable offset).
   */
  read(offset: number, maxBytes: number, endOffset = this.nextOffset): LogEntry[] {
    const out: LogEntry[] = [];
    let i = this.indexOf(offset);
    let total = 0;
    for (; i < this.entries.length; i++) {
      const e = this.entries[i] as LogEntry;
      if (e.baseOffset >= endOffset) break;
      const size = entrySize(e);
      if (out.length > 0 && total + size > maxBytes) break;
      out.push(e);
      total += size;
    }
    return out;
  }

  /** Index of the first live entry whose lastOffset >= offset (binary search). */
  private indexOf(offset: number): number {
    let lo = this.first;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.entries[mid] as LogEntry).lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first entry holding a timestamp >= `timestamp`, or undefined. */
  entryForTimestamp(timestamp: number): LogEntry | undefined {
    for (let i = this.first; i < this.entries.length; i++) {
      const e = this.entries[i] as LogEntry;
      if (e.maxTimestamp >= timestamp) return e;
    }
    return undefined;
  }

  /** The entry holding the largest timestamp (the earliest such entry on ties). */
  entryWithMaxTimestamp(): LogEntry | undefined {
    let best: LogEntry | undefined;
    for (let i = this.first; i < this.entries.length; i++) {
      const e = this.entries[i] as LogEntry;
      if (!best || e.maxTimestamp > best.maxTimestamp) best = e;
    }
    return best;
  }

  /** Moves the log start forward (DeleteRecords); entries wholly below it are dropped. */
  truncateBefore(offset: number): void {
    if (offset > this.nextOffset || offset < 0) {
      throw new BrokerError('invalid_argument', `offset ${offset} is outside [0, ${this.nextOffset}]`, 'offset_out_of_range');
    }
    if (offset <= this.startOffset) return;
    this.startOffset = offset;
    while (this.first < this.entries.length && (this.entries[this.first] as LogEntry).lastOffset < offset) this.dropFirst();
    this.compact();
    this.observer?.truncated(offset);
  }

  /** Applies time and size retention; returns how many entries were removed. */
  applyRetention(policy: RetentionPolicy): number {
    let removed = 0;
    const now = this.clock.now();
    const keepsTime = Number.isFinite(policy.retentionMs) && policy.retentionMs >= 0;
    const keepsSize = Number.isFinite(policy.retentionBytes) && policy.retentionBytes >= 0;
    const floor = policy.keepNewest === false ? 0 : 1;
    while (this.entryCount > floor) {
      const e = this.entries[this.first] as LogEntry;
      const tooOld = keepsTime && now - Math.max(e.appendedAt, e.maxTimestamp) > policy.retentionMs;
      const tooBig = keepsSize && this.bytes - entrySize(e) >= policy.retentionBytes && this.bytes > policy.retentionBytes;
      if (!tooOld && !tooBig) break;
      this.dropFirst();
      this.startOffset = e.lastOffset + 1;
      removed++;
    }
    this.compact();
    if (removed > 0) this.observer?.truncated(this.startOffset);
    return removed;
  }

  /**
   * Rewrites entries in place without moving offsets (log compaction): for each live entry
   * with baseOffset < `upTo`, `fn` returns undefined (keep), null (drop) or new bytes (same
   * baseOffset/lastOffset, fewer records inside). The log start offset and high watermark never
   * change, so readers land inside the gaps. Synchronous, like every core mutation.
   */
  rewriteEntries(upTo: number, fn: (e: LogEntry) => Buffer | null | undefined): void {
    const kept: LogEntry[] = [];
    for (let i = this.first; i < this.entries.length; i++) {
      const e = this.entries[i] as LogEntry;
      const r = e.baseOffset < upTo ? fn(e) : undefined;
      if (r === undefined) kept.push(e);
      else if (r === null) this.bytes -= entrySize(e);
      else {
        this.bytes += r.length - entrySize(e);
        // Built field by field: a spread would carry a stored entry's file location along.
        kept.push({ baseOffset: e.baseOffset, lastOffset: e.lastOffset, bytes: r, maxTimestamp: e.maxTimestamp, appendedAt: e.appendedAt, meta: e.meta });
      }
    }
    this.entries = kept;
    this.first = 0;
  }

  /** Every live entry, oldest first. */
  *all(): IterableIterator<LogEntry> {
    for (let i = this.first; i < this.entries.length; i++) yield this.entries[i] as LogEntry;
  }

  private dropFirst(): void {
    const e = this.entries[this.first] as LogEntry;
    this.bytes -= entrySize(e);
    // Clear the slot now: compact() shortens the array only after 1024 drops, and until then a
    // dropped entry would keep its batch bytes (up to 1 GB of 1 MB batches) reachable.
    (this.entries as (LogEntry | undefined)[])[this.first] = undefined;
    this.first++;
  }

  private compact(): void {
    if (this.first > 1024 && this.first * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.first);
      this.first = 0;
    }
  }
}
