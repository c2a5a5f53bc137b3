// Durable key -> value state, last write wins: committed offsets per group and partition,
// producer-id state, dedup windows, anything a front-end keeps as small keyed records that
// change often (a snapshot per change would rewrite everything). Each put or delete is one
// appended record; recovery replays them; disk use follows the live entries (live-records.ts).
//
//  put    (type 1): 0 u16 keyLength | 2 key (UTF-8) | value
//  delete (type 2): 0 u16 keyLength | 2 key (UTF-8)

import { BrokerError } from '../errors.js';
import { SegmentKind } from './format.js';
import { LiveRecords, type LiveRecord } from './live-records.js';
import { DEFAULT_DURABILITY, segmentFileName, SegmentJournal, type DurabilityOptions } from './segment-journal.js';
import type { StorageIssue } from './segment-scan.js';

const PUT = 1;
const DELETE = 2;

export const KV_SEGMENT_BYTES = 4 * 1024 * 1024;

export interface RecoveredKeyValues {
  journal: KeyValueJournal;
  /** The live entries (values are copies, safe to keep). */
  entries: Map<string, Buffer>;
  issues: StorageIssue[];
}

function keyBytes(key: string): Buffer {
  const k = Buffer.from(key, 'utf8');
  if (k.length > 0xffff) throw new BrokerError('invalid_argument', `key of ${k.length} bytes is longer than 65535`);
  const b = Buffer.allocUnsafe(2 + k.length);
  b.writeUInt16LE(k.length, 0);
  k.copy(b, 2);
  return b;
}

export class KeyValueJournal {
  private readonly live: LiveRecords<string, undefined>;

  private constructor(private readonly journal: SegmentJournal, segmentBytes: number) {
    this.live = new LiveRecords(journal, segmentBytes, (key, payload) => {
      const loc = this.journal.write(PUT, [payload]);
      this.live.track(key, { segment: loc.segment, position: loc.position, bytes: loc.bytes, extra: undefined });
    });
  }

  static open(dir: string, options: Partial<DurabilityOptions> = {}): RecoveredKeyValues {
    const opts = { ...DEFAULT_DURABILITY, segmentBytes: KV_SEGMENT_BYTES, ...options };
    const found = new Map<string, { value: Buffer; loc: LiveRecord<undefined> }>();
    const issues: StorageIssue[] = [];
    const journal = SegmentJournal.open(dir, SegmentKind.keyValue, opts, (previous) => (previous ?? -1) + 1, (segment, type, payload, position, bytes) => {
      const keyLength = payload.length >= 2 ? payload.readUInt16LE(0) : -1;
      if (keyLength < 0 || 2 + keyLength > payload.length || (type !== PUT && type !== DELETE)) {
        issues.push({ kind: 'corruption', file: `${dir}/${segmentFileName(segment)}`, offset: position, length: bytes, message: `${dir}: record of type ${type} at byte ${position} of segment ${segment} has an impossible shape; skipped` });
        return;
      }
      const key = payload.toString('utf8', 2, 2 + keyLength);
      if (type === DELETE) found.delete(key);
      else {
        found.delete(key); // keep map order = order of the latest writes
        found.set(key, { value: payload.subarray(2 + keyLength), loc: { segment, position, bytes, extra: undefined } });
      }
    });
    const kv = new KeyValueJournal(journal, opts.segmentBytes);
    const entries = new Map<string, Buffer>();
    for (const [key, f] of found) {
      entries.set(key, Buffer.from(f.value));
      kv.live.track(key, f.loc);
    }
    kv.live.maybeCompact();
    return { journal: kv, entries, issues: [...journal.issues, ...issues] };
  }

  /** A new, empty journal made at runtime: no synchronous I/O. */
  static create(dir: string, options: Partial<DurabilityOptions> = {}, prepare: () => Promise<void> = () => Promise.resolve()): KeyValueJournal {
    const opts = { ...DEFAULT_DURABILITY, segmentBytes: KV_SEGMENT_BYTES, ...options };
    return new KeyValueJournal(SegmentJournal.create(dir, SegmentKind.keyValue, opts, (previous) => (previous ?? -1) + 1, prepare), opts.segmentBytes);
  }

  get size(): number {
    return this.live.size;
  }

  get diskBytes(): number {
    return this.journal.totalBytes;
  }

  get failure(): BrokerError | undefined {
    return this.journal.failure;
  }

  get issues(): readonly StorageIssue[] {
    return this.live.issues;
  }

  /** Queues `key = value` (synchronously; `commit()` says when it is durable). */
  put(key: string, value: Buffer): void {
    const loc = this.journal.write(PUT, [keyBytes(key), value]);
    this.live.track(key, { segment: loc.segment, position: loc.position, bytes: loc.bytes, extra: undefined });
    this.live.maybeCompact();
  }

  delete(key: string): void {
    if (this.live.get(key) === undefined) return;
    this.journal.write(DELETE, [keyBytes(key)]);
    this.live.untrack(key);
    this.live.maybeCompact();
  }

  commit(): Promise<void> {
    return this.journal.commit();
  }

  sync(): Promise<void> {
    return this.journal.sync();
  }

  compacted(): Promise<void> {
    return this.live.compacted();
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
