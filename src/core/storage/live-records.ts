// Which records of a journal are still live, per segment, and the compaction that keeps disk
// use proportional to them: a sealed segment with nothing live is deleted; when dead bytes
// dominate, the live records of the oldest segment are rewritten forward by the owner and the
// segment is deleted once the copies are fsync'd. Only the oldest segment is ever deleted,
// because a later one may hold removals of records in an earlier one. Used by the queue
// journal (keys are message keys) and the key-value journal (keys are strings).

import { crc32 } from './crc32.js';
import { RECORD_HEADER_BYTES } from './format.js';
import type { SegmentJournal } from './segment-journal.js';
import type { StorageIssue } from './segment-scan.js';

export interface LiveRecord<X> {
  segment: number;
  position: number;
  /** Header plus payload. */
  bytes: number;
  /** Owner data replayed with the record when it is rewritten (e.g. the latest state). */
  extra: X;
}

interface SegmentStat {
  count: number;
  bytes: number;
}

/** Rewrites a live record forward (same key) and calls `track` with its new location. */
export type Rewrite<K, X> = (key: K, payload: Buffer, extra: X) => void;

export class LiveRecords<K, X> {
  private live = new Map<K, LiveRecord<X>>();
  private stats = new Map<number, SegmentStat>();
  private total = 0;
  private compacting: Promise<void> | undefined;
  private stopped = false;
  readonly issues: StorageIssue[] = [];

  constructor(
    private readonly journal: SegmentJournal,
    private readonly segmentBytes: number,
    private readonly rewrite: Rewrite<K, X>,
  ) {}

  get size(): number {
    return this.live.size;
  }

  /** Bytes of the live records (headers included). */
  get bytes(): number {
    return this.total;
  }

  get(key: K): LiveRecord<X> | undefined {
    return this.live.get(key);
  }

  keys(): IterableIterator<K> {
    return this.live.keys();
  }

  /** Records `key` as live at `rec` (replacing its previous location, if any). */
  track(key: K, rec: LiveRecord<X>): void {
    this.untrack(key);
    this.live.set(key, rec);
    let s = this.stats.get(rec.segment);
    if (!s) this.stats.set(rec.segment, (s = { count: 0, bytes: 0 }));
    s.count++;
    s.bytes += rec.bytes;
    this.total += rec.bytes;
  }

  untrack(key: K): void {
    const rec = this.live.get(key);
    if (!rec) return;
    this.live.delete(key);
    const s = this.stats.get(rec.segment);
    if (s) {
      s.count--;
      s.bytes -= rec.bytes;
    }
    this.total -= rec.bytes;
  }

  /** Starts compaction in the background if the oldest segment is worth deleting or rewriting. */
  maybeCompact(): void {
    if (this.compacting || this.stopped || this.headToCompact() === undefined) return;
    this.compacting = (async () => {
      // Deleting an empty segment is always progress; rewriting live records is bounded to
      // one pass over the segments, so a journal full of live data cannot spin.
      let rewrites = 0;
      while (!this.stopped) {
        const base = this.headToCompact();
        if (base === undefined) break;
        if ((this.stats.get(base)?.count ?? 0) > 0 && ++rewrites > this.journal.segments.length) break;
        if (!(await this.compactSegment(base))) break;
      }
    })()
      .catch((err: unknown) => {
        this.issues.push({ kind: 'corruption', file: this.journal.dir, offset: 0, length: 0, message: `compaction stopped: ${(err as Error).message}` });
      })
      .finally(() => {
        this.compacting = undefined;
      });
  }

  /** Resolves when the compaction in progress (if any) is done. */
  async compacted(): Promise<void> {
    while (this.compacting) await this.compacting;
  }

  /** No more compaction (closing); waits for the current one. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.compacted();
  }

  private headToCompact(): number | undefined {
    const head = this.journal.segments[0];
    if (!head || !head.sealed) return undefined;
    if ((this.stats.get(head.base)?.count ?? 0) === 0) return head.base;
    return this.journal.totalBytes > 2 * this.total + 2 * this.segmentBytes ? head.base : undefined;
  }

  private async compactSegment(base: number): Promise<boolean> {
    const seg = this.journal.segments.find((s) => s.base === base);
    if (!seg) return false;
    if ((this.stats.get(base)?.count ?? 0) > 0) {
      const data = await this.journal.read(base, 0, seg.size);
      for (const [key, rec] of this.live) {
        if (rec.segment !== base) continue;
        const payload = data.subarray(rec.position + RECORD_HEADER_BYTES, rec.position + rec.bytes);
        if (crc32(payload, crc32(data.subarray(rec.position, rec.position + 8), seg.salt)) !== data.readUInt32LE(rec.position + 8)) {
          this.issues.push({ kind: 'corruption', file: seg.path, offset: rec.position, length: rec.bytes, message: `${seg.path}: record at byte ${rec.position} no longer matches its checksum; segment kept` });
          return false;
        }
        this.rewrite(key, payload, rec.extra);
      }
      // The copies must be on disk before the originals go.
      await this.journal.sync();
    }
    await this.journal.remove(base);
    this.stats.delete(base);
    return true;
  }
}
