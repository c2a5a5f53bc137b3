// Idempotent-producer state per partition (KIP-98), as Kafka's ProducerStateManager keeps it:
// for each (producer id, partition) the current epoch and the metadata of the last 5 batches.
// A retried batch that matches one of them is a duplicate (answered with its original base
// offset, not an error); a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER; an older epoch
// INVALID_PRODUCER_EPOCH; a producer id this broker never issued (or that expired after
// producer.id.expiration.ms idle) UNKNOWN_PRODUCER_ID. Also the per-partition transaction
// index: first offsets of open transactions (the last stable offset) and aborted ranges.
// State lives in memory; with --data-dir it is rebuilt from the stored batches at startup
// (producer-recovery.ts), and issued ids are reserved in blocks through `reserve` (as Kafka's
// controller hands out producer id blocks) so an id is never issued twice across restarts.
import type { Log } from '../core/index.js';
import type { KafkaErrorName } from './errors.js';
import type { BatchInfo } from './records.js';

/** Kafka keeps the metadata of this many batches per producer and partition (NUM_BATCHES_TO_RETAIN). */
const BATCHES_TO_RETAIN = 5;
/** producer.id.expiration.ms default (1 day). */
export const PRODUCER_ID_EXPIRATION_MS = 86_400_000;
const INT32_MAX = 0x7fffffff;
/** Producer ids reserved per durable write (Kafka's ProducerIdManager blocks hold 1000). */
export const PRODUCER_ID_BLOCK = 1000;

interface BatchMeta {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
}

interface ProducerEntry {
  epoch: number;
  batches: BatchMeta[];
}

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  /** Offset of the abort marker. */
  lastOffset: number;
}

export interface PartitionProducers {
  producers: Map<number, ProducerEntry>;
  /** producer id -> first offset of its open transaction in this partition. */
  open: Map<number, number>;
  aborted: AbortedTxn[];
}

export type AppendCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; baseOffset: number }
  | { kind: 'error'; error: KafkaErrorName; message: string };

interface IssuedProducer {
  epoch: number;
  lastUsed: number;
}

function lastSeqOf(firstSeq: number, count: number): number {
  // Sequences wrap from Int32.MAX to 0 (DefaultRecordBatch.incrementSequence).
  const last = firstSeq + count - 1;
  return last > INT32_MAX ? last - INT32_MAX - 1 : last;
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

export class ProducerStates {
  private readonly partitions = new WeakMap<Log, PartitionProducers>();
  private readonly issued = new Map<number, IssuedProducer>();
  private nextId = 0;
  /** Ids below this are reserved durably; undefined in memory mode (nothing to reserve). */
  private reservedUpTo: number | undefined = undefined;
  /** With --data-dir: told the new end of the reserved block before an id from it is issued. */
  reserve: ((upTo: number) => void) | undefined = undefined;

  /** Recovery: ids below `upTo` may have been issued before the restart; continue above them. */
  reservedBefore(upTo: number): void {
    if (upTo > this.nextId) this.nextId = upTo;
    this.reservedUpTo = this.nextId;
  }

  /** A fresh producer id (InitProducerId), epoch 0. */
  allocate(now: number): number {
    const id = this.nextId++;
    if (this.reserve && (this.reservedUpTo === undefined || id >= this.reservedUpTo)) {
      this.reservedUpTo = id + PRODUCER_ID_BLOCK;
      this.reserve(this.reservedUpTo);
    }
    // Every 1024 ids, forget the expired ones, so a client looping on InitProducerId cannot
    // grow the table without bound beyond producer.id.expiration.ms.
    if ((id & 1023) === 1023) for (const [pid, p] of this.issued) if (now - p.lastUsed > PRODUCER_ID_EXPIRATION_MS) this.issued.delete(pid);
    this.issued.set(id, { epoch: 0, lastUsed: now });
    return id;
  }

  /** Records the epoch the coordinator handed out for a producer id. */
  setEpoch(producerId: number, epoch: number, now: number): void {
    this.issued.set(producerId, { epoch, lastUsed: now });
  }

  /**
   * A producer id found in a recovered log (--data-dir): known again with its latest epoch,
   * and never handed out to another producer.
   */
  restore(producerId: number, epoch: number, now: number): void {
    const p = this.issued.get(producerId);
    if (!p || p.epoch < epoch) this.issued.set(producerId, { epoch, lastUsed: now });
    if (producerId >= this.nextId) this.nextId = producerId + 1;
  }

  isKnown(producerId: number, now: number): boolean {
    const p = this.issued.get(producerId);
    if (!p) return false;
    if (now - p.lastUsed > PRODUCER_ID_EXPIRATION_MS) {
      this.issued.delete(producerId);
      return false;
    }
    return true;
  }

  of(log: Log): PartitionProducers {
    let s = this.partitions.get(log);
    if (!s) {
      s = { producers: new Map(), open: new Map(), aborted: [] };
      this.partitions.set(log, s);
    }
    return s;
  }

  /** Last stable offset: the first offset of the oldest open transaction, else the high watermark. */
  lastStableOffset(log: Log): number {
    const s = this.partitions.get(log);
    let lso = log.highWatermark;
    if (s) for (const first of s.open.values()) if (first < lso) lso = first;
    return lso;
  }

  /** Sequence and epoch checks of one produced batch (Kafka's ProducerAppendInfo). */
  check(log: Log, info: BatchInfo, now: number): AppendCheck {
    const pid = info.producerId;
    if (pid < 0) return { kind: 'append' };
    if (!this.isKnown(pid, now)) {
      return { kind: 'error', error: 'UNKNOWN_PRODUCER_ID', message: `Found no record of producerId=${pid} on the broker. It is possible that the last message with the producerId=${pid} has been removed due to hitting the retention limit.` };
    }
    (this.issued.get(pid) as IssuedProducer).lastUsed = now;
    const entry = this.partitions.get(log)?.producers.get(pid);
    if (!entry) return { kind: 'append' }; // no state yet: any sequence starts it (as Kafka after KIP-360)
    const epoch = info.producerEpoch;
    if (epoch < entry.epoch) {
      return { kind: 'error', error: 'INVALID_PRODUCER_EPOCH', message: `Epoch of producer ${pid} at offset ${log.highWatermark} is ${epoch}, which is smaller than the last seen epoch ${entry.epoch}` };
    }
    const firstSeq = info.baseSequence;
    if (epoch > entry.epoch) {
      if (firstSeq !== 0) return { kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER', message: `Invalid sequence number for new epoch of producer ${pid}: ${epoch} (request epoch), ${firstSeq} (seq. number), ${entry.epoch} (current producer epoch)` };
      return { kind: 'append' };
    }
    const lastSeq = lastSeqOf(firstSeq, info.recordCount);
    const dup = entry.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
    if (dup) return { kind: 'duplicate', baseOffset: dup.baseOffset };
    const current = entry.batches.length > 0 ? (entry.batches[entry.batches.length - 1] as BatchMeta).lastSeq : -1;
    if (!inSequence(current, firstSeq)) {
      return { kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER', message: `Out of order sequence number for producer ${pid}: ${firstSeq} (incoming seq. number), ${current} (current end sequence number)` };
    }
    return { kind: 'append' };
  }

  /** After a checked batch was appended at `baseOffset`. */
  appended(log: Log, info: BatchInfo, baseOffset: number): void {
    const pid = info.producerId;
    if (pid < 0) return;
    const s = this.of(log);
    let entry = s.producers.get(pid);
    if (!entry || info.producerEpoch !== entry.epoch) {
      entry = { epoch: info.producerEpoch, batches: [] };
      s.producers.set(pid, entry);
    }
    entry.batches.push({ firstSeq: info.baseSequence, lastSeq: lastSeqOf(info.baseSequence, info.recordCount), baseOffset });
    if (entry.batches.length > BATCHES_TO_RETAIN) entry.batches.shift();
    if (info.transactional && !s.open.has(pid)) s.open.set(pid, baseOffset);
  }

  /**
   * After a transaction marker was appended at `markerOffset`: closes the producer's open
   * transaction in this partition and, for an abort, remembers the aborted range for
   * read_committed fetches. A new epoch clears the sequence window (Kafka's
   * maybeUpdateProducerEpoch).
   */
  markerWritten(log: Log, producerId: number, epoch: number, commit: boolean, markerOffset: number): void {
    const s = this.of(log);
    const entry = s.producers.get(producerId);
    if (!entry || entry.epoch !== epoch) s.producers.set(producerId, { epoch, batches: [] });
    const first = s.open.get(producerId);
    if (first === undefined) return;
    s.open.delete(producerId);
    if (!commit) s.aborted.push({ producerId, firstOffset: first, lastOffset: markerOffset });
  }

  /** Aborted transactions overlapping [fetchOffset, upTo) (FetchResponse AbortedTransactions). */
  abortedIn(log: Log, fetchOffset: number, upTo: number): { producerId: number; firstOffset: number }[] {
    const s = this.partitions.get(log);
    if (!s || s.aborted.length === 0) return [];
    // Ranges wholly before the log start offset can never be fetched again.
    if ((s.aborted[0] as AbortedTxn).lastOffset < log.logStartOffset) s.aborted = s.aborted.filter((a) => a.lastOffset >= log.logStartOffset);
    const out: { producerId: number; firstOffset: number }[] = [];
    for (const a of s.aborted) if (a.lastOffset >= fetchOffset && a.firstOffset < upTo) out.push({ producerId: a.producerId, firstOffset: a.firstOffset });
    return out;
  }
}
