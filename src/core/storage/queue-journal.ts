// The durable journal of one queue: enqueue records carry the whole message, update records
// its changing state (receive count, redelivered flag, visibility), remove records its
// acknowledgement or deletion. Recovery replays them and returns the live messages in
// enqueue order. Disk use follows live data: a sealed segment with no live message is
// deleted, and when dead bytes dominate, the live messages of the oldest segment are copied
// forward (same key, latest state) and that segment is deleted. Only the oldest segment is
// ever deleted, because a later one may hold removals of messages in an earlier one.

import { crc32 } from './crc32.js';
import { RECORD_HEADER_BYTES, SegmentKind } from './format.js';
import {
  applyUpdate,
  decodeEnqueue,
  decodeRemove,
  encodeEnqueueHead,
  encodeRemove,
  encodeUpdate,
  enqueueKey,
  ENQUEUE,
  ENQUEUE_HEADER,
  PURGE,
  REMOVE,
  UPDATE,
  UPDATE_BYTES,
  type JournalMessage,
  type MessageState,
} from './queue-record.js';
import { DEFAULT_DURABILITY, segmentFileName, SegmentJournal, type DurabilityOptions, type RecordLocation } from './segment-journal.js';
import type { StorageIssue } from './segment-scan.js';

export type { JournalMessage, MessageState } from './queue-record.js';

export interface RecoveredQueueMessage {
  /** The journal's key for the message: pass it to update/remove. */
  key: number;
  message: JournalMessage;
}

export interface RecoveredQueue {
  journal: QueueJournal;
  /** Live messages in enqueue order. */
  messages: RecoveredQueueMessage[];
  issues: StorageIssue[];
}

interface Live {
  segment: number;
  position: number;
  bytes: number;
  /** The latest update payload, replayed after the message when it is copied forward. */
  state: Buffer | undefined;
}

interface SegmentStat {
  liveCount: number;
  liveBytes: number;
}

export const QUEUE_SEGMENT_BYTES = 16 * 1024 * 1024;

const MIN_PAYLOAD: Record<number, number> = { [ENQUEUE]: ENQUEUE_HEADER, [UPDATE]: UPDATE_BYTES, [REMOVE]: 4, [PURGE]: 8 };

export class QueueJournal {
  private live = new Map<number, Live>();
  private stats = new Map<number, SegmentStat>();
  private nextKey = 0;
  private liveBytesTotal = 0;
  private compacting: Promise<void> | undefined;
  private closed = false;
  /** Problems met while compacting (a segment that no longer reads back as written). */
  readonly issues: StorageIssue[] = [];

  private constructor(private readonly journal: SegmentJournal, private readonly segmentBytes: number) {}

  static open(dir: string, options: Partial<DurabilityOptions> = {}): RecoveredQueue {
    const opts = { ...DEFAULT_DURABILITY, segmentBytes: QUEUE_SEGMENT_BYTES, ...options };
    const found = new Map<number, { payload: Buffer; loc: Live }>();
    let nextKey = 0;
    let q: QueueJournal | undefined;
    const bad: StorageIssue[] = [];
    const journal = SegmentJournal.open(dir, SegmentKind.queue, opts, (previous) => Math.max(q ? q.nextKey : nextKey, (previous ?? -1) + 1), (segment, type, payload, position, bytes) => {
      // A record with a valid checksum but an impossible shape is reported, never trusted.
      if (payload.length < (MIN_PAYLOAD[type] ?? 0)) {
        bad.push({ kind: 'corruption', file: `${dir}/${segmentFileName(segment)}`, offset: position, length: bytes, message: `${dir}: record of type ${type} at byte ${position} of segment ${segment} is too short; skipped` });
        return;
      }
      switch (type) {
        case ENQUEUE: {
          const key = enqueueKey(payload);
          // A copy made by compaction replaces the original (same key, same message).
          found.set(key, { payload, loc: { segment, position, bytes, state: undefined } });
          nextKey = Math.max(nextKey, key + 1);
          break;
        }
        case UPDATE: {
          const f = found.get(payload.readDoubleLE(0));
          if (f) f.loc.state = Buffer.from(payload);
          break;
        }
        case REMOVE:
          for (const key of decodeRemove(payload)) found.delete(key);
          break;
        case PURGE: {
          const upTo = payload.readDoubleLE(0);
          for (const key of found.keys()) if (key <= upTo) found.delete(key);
          nextKey = Math.max(nextKey, upTo + 1);
          break;
        }
      }
    });
    q = new QueueJournal(journal, opts.segmentBytes);
    q.nextKey = nextKey;
    const messages: RecoveredQueueMessage[] = [];
    for (const [key, f] of [...found.entries()].sort((a, b) => a[0] - b[0])) {
      let message: JournalMessage;
      try {
        message = decodeEnqueue(f.payload);
        if (f.loc.state) applyUpdate(f.loc.state, message);
      } catch (err) {
        bad.push({ kind: 'corruption', file: `${dir}/${segmentFileName(f.loc.segment)}`, offset: f.loc.position, length: f.loc.bytes, message: `${dir}: message record at byte ${f.loc.position} cannot be decoded (${(err as Error).message}); skipped` });
        continue;
      }
      messages.push({ key, message });
      q.track(key, f.loc);
    }
    q.maybeCompact();
    return { journal: q, messages, issues: [...journal.issues, ...bad] };
  }

  /** A new, empty journal made at runtime (a queue declared): no synchronous I/O. */
  static create(dir: string, options: Partial<DurabilityOptions> = {}, prepare: () => Promise<void> = () => Promise.resolve()): QueueJournal {
    const opts = { ...DEFAULT_DURABILITY, segmentBytes: QUEUE_SEGMENT_BYTES, ...options };
    let q: QueueJournal | undefined;
    const journal = SegmentJournal.create(dir, SegmentKind.queue, opts, (previous) => Math.max(q ? q.nextKey : 0, (previous ?? -1) + 1), prepare);
    q = new QueueJournal(journal, opts.segmentBytes);
    return q;
  }

  get liveCount(): number {
    return this.live.size;
  }

  /** Bytes of the live messages' enqueue records. */
  get liveBytes(): number {
    return this.liveBytesTotal;
  }

  get diskBytes(): number {
    return this.journal.totalBytes;
  }

  get segmentCount(): number {
    return this.journal.segments.length;
  }

  get failure() {
    return this.journal.failure;
  }

  /** Queues the message (synchronously, body not copied when large) and returns its key. */
  enqueue(m: JournalMessage): number {
    const key = this.nextKey;
    const head = encodeEnqueueHead(key, m);
    // A roll names the new segment after the key being written.
    const loc = this.journal.write(ENQUEUE, m.meta && m.meta.length > 0 ? [head, m.meta, m.body] : [head, m.body]);
    this.nextKey++;
    this.track(key, { segment: loc.segment, position: loc.position, bytes: loc.bytes, state: undefined });
    return key;
  }

  /** Records the message's new state (a receive, a return, a visibility change). */
  update(key: number, state: MessageState): void {
    const l = this.live.get(key);
    if (!l) return;
    const encoded = encodeUpdate(key, state);
    this.journal.write(UPDATE, [encoded]);
    l.state = encoded;
  }

  /** Acknowledged or deleted: one record for any number of keys. */
  remove(keys: number | readonly number[]): void {
    const list = (typeof keys === 'number' ? [keys] : keys).filter((k) => this.live.has(k));
    if (list.length === 0) return;
    this.journal.write(REMOVE, [encodeRemove(list)]);
    for (const k of list) this.untrack(k);
    this.maybeCompact();
  }

  /** Removes every message enqueued so far. */
  purge(): void {
    if (this.nextKey === 0) return;
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleLE(this.nextKey - 1, 0);
    this.journal.write(PURGE, [b]);
    for (const k of [...this.live.keys()]) this.untrack(k);
    this.maybeCompact();
  }

  commit(): Promise<void> {
    return this.journal.commit();
  }

  sync(): Promise<void> {
    return this.journal.sync();
  }

  /** Resolves when the compaction in progress (if any) and any it triggers are done. */
  async compacted(): Promise<void> {
    while (this.compacting) await this.compacting;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.compacted();
    await this.journal.close();
  }

  async destroy(): Promise<void> {
    this.closed = true;
    await this.compacted();
    await this.journal.destroy();
  }

  private track(key: number, l: Live): void {
    this.live.set(key, l);
    let s = this.stats.get(l.segment);
    if (!s) this.stats.set(l.segment, (s = { liveCount: 0, liveBytes: 0 }));
    s.liveCount++;
    s.liveBytes += l.bytes;
    this.liveBytesTotal += l.bytes;
  }

  private untrack(key: number): void {
    const l = this.live.get(key);
    if (!l) return;
    this.live.delete(key);
    const s = this.stats.get(l.segment);
    if (s) {
      s.liveCount--;
      s.liveBytes -= l.bytes;
    }
    this.liveBytesTotal -= l.bytes;
  }

  /** The oldest sealed segment, when deleting it (or copying it forward) is worth it. */
  private headToCompact(): number | undefined {
    const head = this.journal.segments[0];
    if (!head || !head.sealed) return undefined;
    const live = this.stats.get(head.base)?.liveCount ?? 0;
    if (live === 0) return head.base;
    const slack = 2 * this.liveBytesTotal + 2 * this.segmentBytes;
    return this.journal.totalBytes > slack ? head.base : undefined;
  }

  private maybeCompact(): void {
    if (this.compacting || this.closed || this.headToCompact() === undefined) return;
    this.compacting = (async () => {
      // Deleting an empty segment is always progress; copying live messages forward is
      // bounded to one pass over the segments, so a queue full of live data cannot spin.
      let copies = 0;
      while (!this.closed) {
        const base = this.headToCompact();
        if (base === undefined) break;
        if ((this.stats.get(base)?.liveCount ?? 0) > 0 && ++copies > this.journal.segments.length) break;
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

  /** Copies the segment's live messages forward, makes the copies durable, deletes it. */
  private async compactSegment(base: number): Promise<boolean> {
    const seg = this.journal.segments.find((s) => s.base === base);
    if (!seg) return false;
    if ((this.stats.get(base)?.liveCount ?? 0) > 0) {
      const data = await this.journal.read(base, 0, seg.size);
      for (const [key, l] of this.live) {
        if (l.segment !== base) continue;
        const payload = data.subarray(l.position + RECORD_HEADER_BYTES, l.position + l.bytes);
        const sum = crc32(payload, crc32(data.subarray(l.position, l.position + 8)));
        if (sum !== data.readUInt32LE(l.position + 8)) {
          this.issues.push({ kind: 'corruption', file: seg.path, offset: l.position, length: l.bytes, message: `${seg.path}: message record at byte ${l.position} no longer matches its checksum; segment kept` });
          return false;
        }
        const loc: RecordLocation = this.journal.write(ENQUEUE, [payload]);
        const state = l.state;
        this.untrack(key);
        this.track(key, { segment: loc.segment, position: loc.position, bytes: loc.bytes, state });
        if (state) this.journal.write(UPDATE, [state]);
      }
      // The copies must be on disk before the originals go.
      await this.journal.sync();
    }
    await this.journal.remove(base);
    this.stats.delete(base);
    return true;
  }
}
