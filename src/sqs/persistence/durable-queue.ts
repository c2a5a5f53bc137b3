// One SQS queue's durable side (--data-dir only): its queue journal, the journal key of every
// stored message, and what a restart restored (in-flight leases reachable by old receipt
// handles, FIFO dedup entries of messages sent before the restart). Handlers call these
// methods right after the synchronous core change and await `committed()` before answering
// when the action must be durable (send, delete, purge). In memory mode a queue has none.

import { journalMessageOf, messageStateOf, type Clock, type QueueJournal, type StoredMessage } from '../../core/index.js';
import { metaOf } from '../model/message-meta.js';
import { encodeMeta } from './message-codec.js';
import type { SqsState } from './sqs-state.js';

/** A FIFO dedup entry that outlives its message (SQS keeps the 5-minute window after deletes). */
export interface DedupEntry {
  expiresAt: number;
  messageId: string;
  sequenceNumber: string | undefined;
}

export class DurableQueue {
  private readonly keys = new Map<StoredMessage, number>();
  /** Restored in-flight messages: message id -> lease id, so pre-restart receipt handles work. */
  readonly restoredLeases = new Map<string, number>();
  /** Messages restored at startup got new seqs below this (their handles carry the old seq). */
  restoredCount = 0;
  /** Dedup entries from before the restart (newer ones are in the core queue). */
  readonly restoredDedup = new Map<string, DedupEntry>();
  /** Every dedup key written for this queue with its expiry, oldest first (pruning, purge). */
  private readonly dedupKeys = new Map<string, number>();
  private closed = false;

  constructor(readonly name: string, private readonly fifo: boolean, readonly journal: QueueJournal, private readonly state: SqsState, private readonly clock: Clock) {}

  /** Refuses a write while the disk is failing (answered as HTTP 500 InternalError). */
  checkWritable(): void {
    const failure = this.journal.failure ?? this.state.failure;
    if (failure) throw failure;
  }

  enqueued(m: StoredMessage, dedupKey: string | undefined): void {
    const key = this.journal.enqueue(journalMessageOf(m, encodeMeta(metaOf(m))));
    this.keys.set(m, key);
    const seq = metaOf(m).sequenceNumber;
    if (seq !== undefined) this.state.noteSequence(BigInt(seq));
    if (dedupKey !== undefined) this.rememberDedup(dedupKey, { expiresAt: m.enqueuedAt + this.state.dedupWindowMs, messageId: m.id, sequenceNumber: seq });
  }

  /**
   * A copy arriving from another queue (dead-letter move, move task): never throws, as it
   * runs inside a core state change; resolves when the copy is durable, rejects if it is not.
   */
  copied(m: StoredMessage): Promise<void> {
    try {
      this.enqueued(m, undefined);
      return this.journal.commit();
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  /** Tracks a message restored from the journal under its key. */
  adopt(m: StoredMessage, key: number): void {
    this.keys.set(m, key);
  }

  /**
   * The message's state changed (received, visibility changed): `visibleAt` is when it can
   * be received again (the lease deadline while in flight).
   */
  changed(m: StoredMessage, visibleAt: number): void {
    const key = this.keys.get(m);
    if (key === undefined || this.journal.failure) return; // receives go on while the disk fails
    this.journal.update(key, messageStateOf(m, { availableAt: visibleAt }));
  }

  /**
   * Deleted, expired or moved away for good. Never throws (expiry runs in a core timer):
   * deletes check `checkWritable()` first; an expiry the failing disk missed happens again
   * after a restart.
   */
  removed(m: StoredMessage): void {
    const key = this.keys.get(m);
    if (key === undefined) return;
    this.keys.delete(m);
    if (this.journal.failure) return;
    this.journal.remove(key);
  }

  /**
   * Moved to another queue (dead-letter move, move task): the removal is written only once
   * the copy is durable there, so a crash in between leaves a duplicate, never a loss.
   */
  movedTo(m: StoredMessage, copyDurable: Promise<void> | undefined): void {
    const key = this.keys.get(m);
    if (key === undefined) return;
    this.keys.delete(m);
    if (!copyDurable) {
      this.removeLate(key);
      return;
    }
    this.state.track(copyDurable.then(() => this.removeLate(key), () => {})); // on failure both copies stay
  }

  /** The queue was deleted: late removals are dropped. */
  close(): void {
    this.closed = true;
  }

  private removeLate(key: number): void {
    if (this.closed) return;
    try {
      this.journal.remove(key);
    } catch {
      // The journal failed meanwhile: the message stays in both queues (a duplicate, not a loss).
    }
  }

  purged(): void {
    this.journal.purge();
    this.keys.clear();
    this.restoredLeases.clear();
    this.forgetDedup();
  }

  /** Resolves when everything written so far for this queue (and FIFO state) is durable. */
  committed(): Promise<void> {
    // FIFO sends also wrote a dedup entry (and maybe a sequence reservation) to the state journal.
    return this.fifo ? Promise.all([this.journal.commit(), this.state.commit()]).then(() => undefined) : this.journal.commit();
  }

  /** A dedup entry from before the restart still in force, if any. */
  restoredDuplicate(dedupKey: string): DedupEntry | undefined {
    const e = this.restoredDedup.get(dedupKey);
    if (!e) return undefined;
    if (e.expiresAt > this.clock.now()) return e;
    this.restoredDedup.delete(dedupKey);
    return undefined;
  }

  restoreDedup(dedupKey: string, e: DedupEntry): void {
    this.restoredDedup.set(dedupKey, e);
    this.dedupKeys.set(dedupKey, e.expiresAt);
  }

  /** The queue was deleted: its dedup entries go; the journal is dropped by the caller. */
  forgetDedup(): void {
    for (const k of this.dedupKeys.keys()) this.state.deleteDedup(this.name, k);
    this.dedupKeys.clear();
    this.restoredDedup.clear();
  }

  private rememberDedup(dedupKey: string, e: DedupEntry): void {
    // Entries go in in time order with one window, so the expired ones are at the front.
    const now = this.clock.now();
    for (const [k, expiresAt] of this.dedupKeys) {
      if (expiresAt > now) break;
      this.dedupKeys.delete(k);
      this.state.deleteDedup(this.name, k);
    }
    this.dedupKeys.delete(dedupKey);
    this.dedupKeys.set(dedupKey, e.expiresAt);
    this.state.putDedup(this.name, dedupKey, e);
  }
}
