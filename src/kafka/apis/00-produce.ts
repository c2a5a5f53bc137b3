// Produce (key 0): advertised v0-11, served v3-11. v0-2 (message formats 0/1) answer
// UNSUPPORTED_VERSION per partition, as Kafka 4 does (KAFKA-18659 keeps v0 advertised only
// for librdkafka's compression feature check). Each partition must carry exactly one magic-2
// batch with a valid CRC; it is stored as sent, only its header rewritten (records.ts).
// acks 0 (no response), 1 and -1 (identical on a single broker); max.message.bytes ->
// MESSAGE_TOO_LARGE; LogAppendTime topics. Batches with a producer id go through the
// idempotence and transaction checks of produce-checks.ts (duplicates answer their original
// base offset). With --data-dir the answer waits until the batches are durable
// (produce-durable.ts). With an authorizer: TRANSACTIONAL_ID WRITE for a transactional
// producer (TRANSACTIONAL_ID_AUTHORIZATION_FAILED everywhere), TOPIC WRITE per topic
// (TOPIC_AUTHORIZATION_FAILED, checked before the topic's existence as Kafka does).
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import { E } from '../errors.js';
import { BatchError, setLogAppendTime, stampBatch, validateProduceBatch } from '../records.js';
import { CARVED_MIN_BYTES, ownCopy } from '../frame-memory.js';
import { numericConfig } from '../topic-configs.js';
import { afterProduce, checkProduce } from './produce-checks.js';
import { OP, topicAllowed, transactionalIdAllowed } from '../acl/check.js';
import { acknowledgeDurable, KAFKA_STORAGE_ERROR, STORAGE_ERROR_MESSAGE } from '../produce-durable.js';

export const produceApi: ApiModule = {
  key: 0,
  name: 'Produce',
  minVersion: 0,
  maxVersion: 11,
  handle(req, ctx) {
    const b = ctx.broker;
    const acks = req.acks as number;
    const now = b.core.clock.now();
    const txnId = req.transactionalId as string | null;
    const txnDenied = txnId !== null && !transactionalIdAllowed(ctx, OP.WRITE, txnId);
    const responses = (req.topicData as Msg[]).map((td) => {
      const topic = b.core.topics.get(td.name as string);
      const writable = !txnDenied && topicAllowed(ctx, OP.WRITE, td.name as string);
      const retention = topic ? b.retentionPolicy(topic) : null;
      return {
        name: td.name,
        partitionResponses: (td.partitionData as Msg[]).map((pd): Msg => {
          const index = pd.index as number;
          const fail = (errorCode: number, errorMessage: string | null = null): Msg => ({ index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, errorMessage });
          if (ctx.version < 3) return fail(E.UNSUPPORTED_VERSION);
          if (acks !== 0 && acks !== 1 && acks !== -1) return fail(E.INVALID_REQUIRED_ACKS);
          if (!writable) return fail(txnDenied ? E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED : E.TOPIC_AUTHORIZATION_FAILED);
          const log = topic?.partitions[index];
          if (!topic || !log) return fail(E.UNKNOWN_TOPIC_OR_PARTITION);
          if (b.persistence?.refuses(log)) return fail(KAFKA_STORAGE_ERROR, STORAGE_ERROR_MESSAGE);
          const records = pd.records as Buffer | null;
          if (records === null || records.length === 0) return fail(E.CORRUPT_MESSAGE, 'Produce request has no records');
          if (records.length > numericConfig(topic.configs, 'max.message.bytes')) {
            return fail(E.MESSAGE_TOO_LARGE, `The request included a message larger than the max message size the server will accept.`);
          }
          let info;
          try {
            info = validateProduceBatch(records, ctx.version);
          } catch (e) {
            if (e instanceof BatchError) return fail(E[e.code], e.message);
            throw e;
          }
          const verdict = checkProduce(ctx, topic.name, index, log, info);
          if (verdict.kind === 'error') return { ...fail(verdict.errorCode, verdict.message), recordErrors: verdict.recordErrors ?? [] };
          if (verdict.kind === 'duplicate') return { index, errorCode: E.NONE, baseOffset: verdict.baseOffset, logAppendTimeMs: -1, logStartOffset: log.logStartOffset, errorMessage: null };
          // Keep a copy when a small batch is a small part of a larger buffer (Node's pooled slab,
          // or a shared chunk when it came in a large request with other partitions' batches), so
          // it does not pin that buffer; batches from CARVED_MIN_BYTES up are kept in place (large
          // frames are carved from shared chunks on purpose, frame-memory.ts).
          const bytes = records.byteLength < CARVED_MIN_BYTES && records.byteLength * 4 < records.buffer.byteLength ? ownCopy(records) : records;
          const appendTime = b.logAppendTime(topic);
          if (appendTime) setLogAppendTime(bytes, now);
          const entry = log.append({
            bytes,
            recordCount: info.recordCount,
            maxTimestamp: appendTime ? now : info.maxTimestamp,
            meta: { producerId: info.producerId, transactional: info.transactional },
            stamp: (base, buf) => stampBatch(buf, base),
          });
          afterProduce(ctx, log, info, entry.baseOffset);
          // Only this partition: the topic's other partitions were not touched by this append.
          if (retention) log.applyRetention(retention);
          return { index, errorCode: E.NONE, baseOffset: entry.baseOffset, logAppendTimeMs: appendTime ? now : -1, logStartOffset: log.logStartOffset, errorMessage: null };
        }),
      };
    });
    if (acks === 0) return null;
    // With --data-dir, acks=1/-1 are answered once the batches are durable per --fsync.
    return b.persistence ? acknowledgeDurable(b.persistence, responses) : { responses, throttleTimeMs: 0 };
  },
};
