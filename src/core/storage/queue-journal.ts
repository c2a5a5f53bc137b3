// The durable journal of one queue: enqueue records carry the whole message, update records
// its changing state (receive count, redelivered flag, visibility), remove records its
// acknowledgement or deletion. Recovery replays them and returns the live messages in
// enqueue order. Disk use follows live data (live-records.ts): when a segment is compacted,
// its live messages are copied forward with the same key, followed by their latest state.

import { SegmentKind } from './format.js';
import { LiveRecords, type LiveRecord } from './live-records.js';
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
import { DEFAULT_DURABILITY, segmentFileName, SegmentJournal, type DurabilityOptions } from './segment-journal.js';
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

/** A live message's record; `extra` is its latest update payload, replayed when it is copied. */
type Live = LiveRecord<Buffer | undefined>;

export const QUEUE_SEGMENT_BYTES = 16 * 1024 * 1024;

const MIN_PAYLOAD: Record<number, number> = { [ENQUEUE]: ENQUEUE_HEADER, [UPDATE]: UPDATE_BYTES, [REMOVE]: 4, [PURGE]: 8 };

export class QueueJournal {
  private readonly live: LiveRecords<number, Buffer | undefined>;
  private nextKey = 0;

  private constructor(private readonly journal: SegmentJournal, segmentBytes: number) {
    this.live = new LiveRecords(journal, segmentBytes, (key, payload, state) => {
      const loc = this.journal.write(ENQUEUE, [payload]);
      this.live.track(key, { segment: loc.segment, position: loc.position, bytes: loc.bytes, extra: state });
      if (state) this.journal.write(UPDATE, [state]);
    });
  }

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
          found.set(key, { payload, loc: { segment, position, bytes, extra: undefined } });
          nextKey = Math.max(nextKey, key + 1);
          break;
        }
        case UPDATE: {
          const f = found.get(payload.readDoubleLE(0));
          if (f) f.loc.extra = Buffer.from(payload);
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
        if (f.loc.extra) applyUpdate(f.loc.extra, message);
      } catch (err) {
        bad.push({ kind: 'corruption', file: `${dir}/${segmentFileName(f.loc.segment)}`, offset: f.loc.position, length: f.loc.bytes, message: `${dir}: message record at byte ${f.loc.position} cannot be decoded (${(err as Error).message}); skipped` });
        continue;
      }
      messages.push({ key, message });
      q.live.track(key, f.loc);
    }
    q.live.maybeCompact();
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
    return this.live.bytes;
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
    this.live.track(key, { segment: loc.segment, position: loc.position, bytes: loc.bytes, extra: undefined });
    return key;
  }

  /** Records the message's new state (a receive, a return, a visibility change). */
  update(key: number, state: MessageState): void {
    const l = this.live.get(key);
    if (!l) return;
    const encoded = encodeUpdate(key, state);
    this.journal.write(UPDATE, [encoded]);
    l.extra = encoded;
  }

  /** Acknowledged or deleted: one record for any number of keys. */
  remove(keys: number | readonly number[]): void {
    const list = (typeof keys === 'number' ? [keys] : keys).filter((k) => this.live.get(k) !== undefined);
    if (list.length === 0) return;
    this.journal.write(REMOVE, [encodeRemove(list)]);
    for (const k of list) this.live.untrack(k);
    this.live.maybeCompact();
  }

  /** Removes every message enqueued so far. */
  purge(): void {
    if (this.nextKey === 0) return;
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleLE(this.nextKey - 1, 0);
    this.journal.write(PURGE, [b]);
    for (const k of [...this.live.keys()]) this.live.untrack(k);
    this.live.maybeCompact();
  }

  commit(): Promise<void> {
    return this.journal.commit();
  }

  sync(): Promise<void> {
    return this.journal.sync();
  }

  /** Resolves when the compaction in progress (if any) is done. */
  compacted(): Promise<void> {
    return this.live.compacted();
  }

  /** Problems met while compacting (a segment that no longer reads back as written). */
  get issues(): readonly StorageIssue[] {
    return this.live.issues;
  }

  async close(): Promise<void> {
    await this.live.stop();
    await this.journal.close();
  }

  async destroy(): Promise<void> {
    await this.live.stop();
    await this.journal.destroy();
  }
}
