// Idempotence and transaction state after a restart on --data-dir, rebuilt from the recovered
// logs as Kafka's ProducerStateManager rebuilds it by scanning the log: every data batch with a
// producer id feeds that producer's sequence window in its partition (so a producer that
// survives the restart continues its sequences, and a retried batch is still answered with its
// original offset); every transaction marker closes the producer's open transaction there,
// and aborts are remembered for read_committed. A transaction still open after the scan lost
// no end with the restart: the coordinator aborts the transactions it recorded as open (epoch
// bumped, markers to every partition they added, staged offsets dropped; issue 8), and any
// transactional batch still open after that (its coordinator record was not yet durable) gets
// an abort marker too, so the last stable offset moves on.
import { storedBytes } from '../core/index.js';
import { Reader } from './bytes.js';
import type { KafkaBroker } from './broker.js';
import { controlBatch } from './control-batch.js';
import { exactlyOnce } from './exactly-once.js';
import { BATCH_HEADER, stampBatch } from './records.js';

const CONTROL = 0x20;
const TRANSACTIONAL = 0x10;

/** 1 = commit, 0 = abort (ControlRecordType in the control record's key), -1 unreadable. */
function controlType(bytes: Buffer): number {
  try {
    const r = new Reader(bytes.subarray(BATCH_HEADER));
    r.varint(); // record length
    r.int8(); // attributes
    r.varint(); // timestamp delta
    r.varint(); // offset delta
    if (r.varint() < 4) return -1;
    r.int16(); // key version
    return r.int16();
  } catch {
    return -1;
  }
}

/** Rebuilds producer state from every partition; returns how many open transactions were aborted. */
export function recoverProducerState(b: KafkaBroker): number {
  const eos = exactlyOnce(b);
  const now = b.core.clock.now();
  const epochs = new Map<number, number>();
  for (const topic of b.core.topics.list()) {
    for (const log of topic.partitions) {
      for (const e of log.all()) {
        // The produce path records the producer id in the entry's meta: batches without one
        // (the bulk of most logs) are skipped without reading their bytes back from the file.
        const metaPid = (e.meta as { producerId?: number } | undefined)?.producerId;
        if (metaPid !== undefined && metaPid < 0) continue;
        const stored = storedBytes(e);
        // Only the header is needed, except for a control batch's record (its type).
        let bytes = stored ? stored.readSync(BATCH_HEADER) : e.bytes;
        if (bytes.length < BATCH_HEADER) continue;
        if (stored && bytes.readInt16BE(21) & CONTROL) bytes = stored.readSync();
        const producerId = Number(bytes.readBigInt64BE(43));
        if (producerId < 0) continue;
        const attributes = bytes.readInt16BE(21);
        const producerEpoch = bytes.readInt16BE(51);
        epochs.set(producerId, Math.max(epochs.get(producerId) ?? -1, producerEpoch));
        if (attributes & CONTROL) {
          const type = controlType(bytes);
          if (type >= 0) eos.producers.markerWritten(log, producerId, producerEpoch, type === 1, e.baseOffset);
          continue;
        }
        eos.producers.appended(log, { bytes, recordCount: bytes.readInt32BE(57), maxTimestamp: e.maxTimestamp, codec: attributes & 7, producerId, producerEpoch, baseSequence: bytes.readInt32BE(53), transactional: (attributes & TRANSACTIONAL) !== 0 }, e.baseOffset);
      }
    }
  }
  for (const [producerId, epoch] of epochs) eos.producers.restore(producerId, epoch, now);
  let aborted = eos.txns.abortRecovered();
  for (const topic of b.core.topics.list()) {
    for (const log of topic.partitions) {
      const state = eos.producers.of(log);
      for (const producerId of [...state.open.keys()]) {
        const epoch = state.producers.get(producerId)?.epoch ?? epochs.get(producerId) ?? 0;
        // The coordinator recorded the commit but this partition's marker did not reach the
        // disk before the crash (separate files): finish the commit, as Kafka's coordinator
        // completes a transaction in PrepareCommit on load.
        const txn = eos.txns.ofProducer(producerId);
        const commit = txn !== undefined && txn.state === 'CompleteCommit' && txn.epoch === epoch;
        const entry = log.append({
          bytes: controlBatch(producerId, epoch, commit, now),
          recordCount: 1,
          maxTimestamp: now,
          meta: { producerId, transactional: true, control: true },
          stamp: (base, buf) => stampBatch(buf, base),
        });
        eos.producers.markerWritten(log, producerId, epoch, commit, entry.baseOffset);
        if (!commit) aborted++;
      }
    }
  }
  return aborted;
}
