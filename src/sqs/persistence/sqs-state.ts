// Small SQS state kept in the key-value journal `sqs-state` (last write wins):
//   d\0<queue>\0<dedup key>  -> {"e": expiresAt, "i": MessageId, "s": SequenceNumber}
//                                FIFO dedup entries, kept for the 5-minute window even after
//                                the message is deleted (SQS answers a resend with the first
//                                copy's MessageId and SequenceNumber)
//   sequence                 -> decimal: every FIFO SequenceNumber issued is below it
// Sequence numbers are reserved in blocks, so one small record covers many sends and a
// restarted server continues above anything it ever returned.

import type { KeyValueJournal } from '../../core/index.js';
import type { DedupEntry } from './durable-queue.js';

const SEQUENCE_KEY = 'sequence';
const SEQUENCE_BLOCK = 1_000_000n;

export class SqsState {
  private reserved: bigint;
  /** Removals waiting for a moved copy to become durable (a clean shutdown waits for them). */
  private readonly moves = new Set<Promise<void>>();

  constructor(private readonly kv: KeyValueJournal, readonly dedupWindowMs: number, reserved: bigint) {
    this.reserved = reserved;
  }

  get failure() {
    return this.kv.failure;
  }

  /** The first sequence number a restarted server may issue. */
  get sequenceFloor(): bigint {
    return this.reserved;
  }

  noteSequence(n: bigint): void {
    if (n < this.reserved) return;
    this.reserved = n + SEQUENCE_BLOCK;
    this.kv.put(SEQUENCE_KEY, Buffer.from(String(this.reserved)));
  }

  putDedup(queue: string, dedupKey: string, e: DedupEntry): void {
    this.kv.put(dedupRecordKey(queue, dedupKey), Buffer.from(JSON.stringify({ e: e.expiresAt, i: e.messageId, ...(e.sequenceNumber !== undefined ? { s: e.sequenceNumber } : {}) })));
  }

  deleteDedup(queue: string, dedupKey: string): void {
    this.kv.delete(dedupRecordKey(queue, dedupKey));
  }

  commit(): Promise<void> {
    return this.kv.commit();
  }

  track(move: Promise<void>): void {
    this.moves.add(move);
    void move.finally(() => this.moves.delete(move));
  }

  /** Resolves once every pending move has written its removal. */
  async settled(): Promise<void> {
    while (this.moves.size > 0) await Promise.all([...this.moves]);
  }
}

export function dedupRecordKey(queue: string, dedupKey: string): string {
  return `d\u0000${queue}\u0000${dedupKey}`;
}

/** Splits the journal's entries into the sequence reservation and dedup entries per queue. */
export function readState(entries: Map<string, Buffer>): { reserved: bigint; dedup: Map<string, Map<string, DedupEntry>>; bad: string[] } {
  let reserved = 0n;
  const dedup = new Map<string, Map<string, DedupEntry>>();
  const bad: string[] = [];
  for (const [key, value] of entries) {
    try {
      if (key === SEQUENCE_KEY) {
        reserved = BigInt(value.toString('utf8'));
        continue;
      }
      const sep = key.indexOf('\u0000', 2);
      if (!key.startsWith('d\u0000') || sep < 0) throw new Error('unknown key');
      const v = JSON.parse(value.toString('utf8')) as { e: number; i: string; s?: string };
      if (typeof v.e !== 'number' || typeof v.i !== 'string') throw new Error('bad dedup entry');
      const queue = key.slice(2, sep);
      let m = dedup.get(queue);
      if (!m) dedup.set(queue, (m = new Map()));
      m.set(key.slice(sep + 1), { expiresAt: v.e, messageId: v.i, sequenceNumber: v.s });
    } catch {
      bad.push(key);
    }
  }
  return { reserved, dedup, bad };
}
