// Produce's idempotence and transaction checks for one partition's batch (Kafka's
// ProducerStateManager + transaction verification, KIP-890 part 1): sequence window and epoch
// via producers.ts; a transactional batch must come from the current epoch of a transactional
// producer whose open transaction contains the partition (INVALID_TXN_STATE otherwise,
// INVALID_PRODUCER_EPOCH for an older epoch). On compacted topics keyless records are rejected
// per record (INVALID_RECORD with record_errors), as Kafka's LogValidator does.
import type { Log } from '../../core/index.js';
import type { RequestContext } from '../api.js';
import { code } from '../errors.js';
import { exactlyOnce } from '../exactly-once.js';
import type { BatchInfo } from '../records.js';
import { keylessRecords } from '../compaction.js';
import { isCompacted } from '../log-cleaner.js';

export type ProduceVerdict =
  | { kind: 'append' }
  | { kind: 'duplicate'; baseOffset: number }
  | { kind: 'error'; errorCode: number; message: string; recordErrors?: { batchIndex: number; batchIndexErrorMessage: string | null }[] };

export function checkProduce(ctx: RequestContext, topic: string, partition: number, log: Log, info: BatchInfo): ProduceVerdict {
  const configs = ctx.broker.core.topics.get(topic)?.configs;
  if (configs && isCompacted(configs)) {
    // LogValidator: a compacted topic rejects keyless records, each listed in record_errors.
    const keyless = keylessRecords(info.bytes);
    if (keyless.length > 0) {
      const message = `Compacted topic cannot accept message without key in topic partition ${topic}-${partition}.`;
      return { kind: 'error', errorCode: code('INVALID_RECORD'), message, recordErrors: keyless.map((batchIndex) => ({ batchIndex, batchIndexErrorMessage: message })) };
    }
  }
  if (info.producerId < 0) {
    if (info.transactional) return { kind: 'error', errorCode: code('INVALID_RECORD'), message: 'Transactional records require a producer id' };
    return { kind: 'append' };
  }
  const eos = exactlyOnce(ctx.broker);
  if (info.transactional) {
    const txn = eos.txns.ofProducer(info.producerId);
    if (!txn) return { kind: 'error', errorCode: code('INVALID_PRODUCER_ID_MAPPING'), message: `Producer ${info.producerId} has no transactional id` };
    if (info.producerEpoch < txn.epoch) {
      return { kind: 'error', errorCode: code('INVALID_PRODUCER_EPOCH'), message: `Producer ${info.producerId} with epoch ${info.producerEpoch} is fenced by epoch ${txn.epoch}` };
    }
    if (info.producerEpoch !== txn.epoch || !eos.txns.hasPartition(txn, topic, partition)) {
      return { kind: 'error', errorCode: code('INVALID_TXN_STATE'), message: `Partition ${topic}-${partition} was not added to the transaction of producer ${info.producerId}` };
    }
  }
  const r = eos.producers.check(log, info, ctx.broker.core.clock.now());
  if (r.kind === 'error') return { kind: 'error', errorCode: code(r.error), message: r.message };
  return r;
}

export function afterProduce(ctx: RequestContext, log: Log, info: BatchInfo, baseOffset: number): void {
  if (info.producerId >= 0) exactlyOnce(ctx.broker).producers.appended(log, info, baseOffset);
}
