// The transaction coordinator (KIP-98) of this single broker: transactional ids with their
// producer id and epoch, the partitions and groups of the open transaction, its pending offset
// commits, and its timeout. Ending a transaction writes a commit or abort marker to every
// partition of it and applies (or drops) its offsets; InitProducerId on a transactional id
// with an open transaction aborts it and bumps the epoch, fencing the older producer; a
// transaction older than its transaction.timeout.ms is aborted with an epoch bump, as Kafka's
// coordinator does. Transaction version 1 only (no KIP-890 part 2 implicit adds or per-
// transaction epoch bumps). Coordinator state lives in memory; with --data-dir every change is
// reported to `observer` (kept as Kafka keeps __transaction_state) and `restore` rebuilds it.
import type { Broker, TimerHandle } from '../core/index.js';
import { controlBatch } from './control-batch.js';
import type { KafkaErrorName } from './errors.js';
import type { ProducerStates } from './producers.js';
import { stampBatch } from './records.js';

/** transaction.max.timeout.ms default (15 minutes). */
export const TRANSACTION_MAX_TIMEOUT_MS = 900_000;
/** Epochs are int16; Kafka starts a new producer id once the epoch would reach Short.MAX_VALUE - 1. */
const MAX_EPOCH = 32_766;

type TxnState = 'Empty' | 'Ongoing' | 'CompleteCommit' | 'CompleteAbort';

interface PendingOffset {
  topic: string;
  partition: number;
  offset: number;
  metadata: string | null;
  epoch: number;
}

export interface Txn {
  readonly id: string;
  producerId: number;
  epoch: number;
  timeoutMs: number;
  state: TxnState;
  partitions: Map<string, { topic: string; partition: number }>;
  groups: Set<string>;
  offsets: Map<string, Map<string, PendingOffset>>;
  timer: TimerHandle | null;
}

export type TxnResult = KafkaErrorName | 'NONE';

/** What survives a restart of one transactional id (pending offsets do not: an open transaction is aborted). */
export interface TxnRecord {
  id: string;
  producerId: number;
  epoch: number;
  timeoutMs: number;
  state: TxnState;
  partitions: [string, number][];
}

export interface TxnObserver {
  changed(record: TxnRecord): void;
}

const pkey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class TransactionCoordinator {
  private readonly txns = new Map<string, Txn>();
  private readonly byProducer = new Map<number, Txn>();

  /** Set with --data-dir: told every change of a transactional id's mapping or state. */
  observer: TxnObserver | undefined = undefined;

  constructor(private readonly core: Broker, private readonly producers: ProducerStates) {}

  private changed(txn: Txn): void {
    this.observer?.changed({ id: txn.id, producerId: txn.producerId, epoch: txn.epoch, timeoutMs: txn.timeoutMs, state: txn.state, partitions: [...txn.partitions.values()].map((p) => [p.topic, p.partition]) });
  }

  /** A transactional id read back from the data directory (before any client is served). */
  restore(r: TxnRecord): void {
    const txn: Txn = { id: r.id, producerId: r.producerId, epoch: r.epoch, timeoutMs: r.timeoutMs, state: r.state, partitions: new Map(r.partitions.map(([topic, partition]) => [pkey(topic, partition), { topic, partition }])), groups: new Set(), offsets: new Map(), timer: null };
    this.txns.set(r.id, txn);
    this.byProducer.set(r.producerId, txn);
    this.producers.restore(r.producerId, r.epoch, this.core.clock.now());
  }

  /**
   * Issue 8: a transaction open when the broker stopped is aborted on recovery, as its
   * timeout would have aborted it: the epoch is bumped (fencing the producer that began it)
   * and abort markers go to every partition it had added. Its staged offsets were never
   * applied. Returns how many were aborted.
   */
  abortRecovered(): number {
    let aborted = 0;
    for (const txn of this.txns.values()) {
      if (txn.state !== 'Ongoing') continue;
      this.bump(txn, this.core.clock.now());
      this.complete(txn, false);
      aborted++;
    }
    return aborted;
  }

  get(id: string): Txn | undefined {
    return this.txns.get(id);
  }

  /** InitProducerId for a transactional id; `fencedError` is the version-dependent fencing code. */
  init(id: string, timeoutMs: number, expected: { producerId: number; epoch: number }, fencedError: KafkaErrorName): { error: TxnResult; producerId: number; epoch: number } {
    const now = this.core.clock.now();
    if (timeoutMs <= 0 || timeoutMs > TRANSACTION_MAX_TIMEOUT_MS) return { error: 'INVALID_TRANSACTION_TIMEOUT', producerId: -1, epoch: -1 };
    let txn = this.txns.get(id);
    if (!txn) {
      const producerId = this.producers.allocate(now);
      txn = { id, producerId, epoch: 0, timeoutMs, state: 'Empty', partitions: new Map(), groups: new Set(), offsets: new Map(), timer: null };
      this.txns.set(id, txn);
      this.byProducer.set(producerId, txn);
      this.changed(txn);
      return { error: 'NONE', producerId, epoch: 0 };
    }
    // KIP-360: a producer resuming with its id and epoch must present the current ones.
    if (expected.producerId >= 0 && (expected.producerId !== txn.producerId || expected.epoch !== txn.epoch)) {
      return { error: fencedError, producerId: -1, epoch: -1 };
    }
    this.bump(txn, now);
    if (txn.state === 'Ongoing') this.complete(txn, false);
    txn.timeoutMs = timeoutMs;
    txn.state = 'Empty';
    this.changed(txn);
    return { error: 'NONE', producerId: txn.producerId, epoch: txn.epoch };
  }

  private bump(txn: Txn, now: number): void {
    if (txn.epoch >= MAX_EPOCH) {
      this.byProducer.delete(txn.producerId);
      txn.producerId = this.producers.allocate(now);
      txn.epoch = 0;
      this.byProducer.set(txn.producerId, txn);
    } else {
      txn.epoch += 1;
      this.producers.setEpoch(txn.producerId, txn.epoch, now);
    }
  }

  /** Common checks of AddPartitionsToTxn/AddOffsetsToTxn/EndTxn (TransactionCoordinator). */
  check(id: string, producerId: number, epoch: number, fencedError: KafkaErrorName): { error: TxnResult; txn?: Txn } {
    const txn = this.txns.get(id);
    if (!txn || txn.producerId !== producerId) return { error: 'INVALID_PRODUCER_ID_MAPPING' };
    if (txn.epoch !== epoch) return { error: fencedError };
    return { error: 'NONE', txn };
  }

  private begin(txn: Txn): void {
    if (txn.state === 'Ongoing') return;
    txn.state = 'Ongoing';
    txn.partitions.clear();
    txn.groups.clear();
    txn.offsets.clear();
    this.changed(txn);
    // Kafka's coordinator aborts transactions open longer than their timeout, bumping the
    // epoch so the producer that let it expire is fenced.
    txn.timer = this.core.clock.at(this.core.clock.now() + txn.timeoutMs, () => {
      txn.timer = null;
      if (txn.state !== 'Ongoing') return;
      this.bump(txn, this.core.clock.now());
      this.complete(txn, false);
    });
  }

  addPartitions(txn: Txn, partitions: { topic: string; partition: number }[]): void {
    this.begin(txn);
    const before = txn.partitions.size;
    for (const p of partitions) txn.partitions.set(pkey(p.topic, p.partition), p);
    if (txn.partitions.size !== before) this.changed(txn);
  }

  hasPartition(txn: Txn, topic: string, partition: number): boolean {
    return txn.state === 'Ongoing' && txn.partitions.has(pkey(topic, partition));
  }

  addGroup(txn: Txn, groupId: string): void {
    this.begin(txn);
    txn.groups.add(groupId);
  }

  /** TxnOffsetCommit: offsets wait in the transaction until it commits. */
  stageOffset(txn: Txn, groupId: string, o: PendingOffset): void {
    let g = txn.offsets.get(groupId);
    if (!g) txn.offsets.set(groupId, (g = new Map()));
    g.set(pkey(o.topic, o.partition), o);
  }

  /** The open transaction of a producer id (Produce with the transactional bit). */
  ofProducer(producerId: number): Txn | undefined {
    return this.byProducer.get(producerId);
  }

  /** Does an open transaction hold offsets for this group partition (OffsetFetch require_stable)? */
  hasPendingOffset(groupId: string, topic: string, partition: number): boolean {
    for (const txn of this.txns.values()) if (txn.state === 'Ongoing' && txn.offsets.get(groupId)?.has(pkey(topic, partition))) return true;
    return false;
  }

  /** EndTxn: markers to each partition; committed offsets applied on commit. */
  end(txn: Txn, commit: boolean): TxnResult {
    if (txn.state === 'CompleteCommit' && commit) return 'NONE'; // a retried EndTxn
    if (txn.state === 'CompleteAbort' && !commit) return 'NONE';
    if (txn.state !== 'Ongoing') return 'INVALID_TXN_STATE';
    this.complete(txn, commit);
    return 'NONE';
  }

  private complete(txn: Txn, commit: boolean): void {
    txn.timer?.cancel();
    txn.timer = null;
    const now = this.core.clock.now();
    for (const { topic: name, partition } of txn.partitions.values()) {
      const log = this.core.topics.get(name)?.partitions[partition];
      if (!log) continue; // deleted while the transaction was open
      const entry = log.append({
        bytes: controlBatch(txn.producerId, txn.epoch, commit, now),
        recordCount: 1,
        maxTimestamp: now,
        meta: { producerId: txn.producerId, transactional: true, control: true },
        stamp: (base, buf) => stampBatch(buf, base),
      });
      this.producers.markerWritten(log, txn.producerId, txn.epoch, commit, entry.baseOffset);
    }
    if (commit) {
      for (const [groupId, offsets] of txn.offsets) {
        for (const o of offsets.values()) {
          if (!this.core.topics.get(o.topic)?.partitions[o.partition]) continue;
          this.core.offsets.commit(groupId, o.topic, o.partition, { offset: o.offset, metadata: o.metadata, committedAt: now, epoch: o.epoch });
        }
      }
    }
    txn.partitions.clear();
    txn.groups.clear();
    txn.offsets.clear();
    txn.state = commit ? 'CompleteCommit' : 'CompleteAbort';
    this.changed(txn);
  }

  /** Stops every timeout timer (server shutdown). */
  close(): void {
    for (const txn of this.txns.values()) {
      txn.timer?.cancel();
      txn.timer = null;
    }
  }
}
