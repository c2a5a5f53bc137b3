// AddPartitionsToTxn (key 24), v0-5. v0-3 (clients): one transaction, per-partition results;
// unknown partitions get UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED, as
// Kafka answers. v4+ (broker-to-broker batching, KIP-890): several transactions, and
// verifyOnly answers INVALID_TXN_STATE for partitions not in the open transaction.
// With an authorizer: TRANSACTIONAL_ID WRITE (TRANSACTIONAL_ID_AUTHORIZATION_FAILED everywhere),
// TOPIC WRITE (TOPIC_AUTHORIZATION_FAILED, the other partitions OPERATION_NOT_ATTEMPTED).
// Coordinator errors: INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED (v2+; INVALID_PRODUCER_EPOCH before).
import type { Msg } from '../codec.js';
import type { ApiModule, RequestContext } from '../api.js';
import { code } from '../errors.js';
import { exactlyOnce } from '../exactly-once.js';
import { clusterAllowed, OP, topicAllowed, transactionalIdAllowed } from '../acl/check.js';

function addOne(ctx: RequestContext, txnId: string, producerId: number, epoch: number, topics: Msg[], verifyOnly: boolean): Msg[] {
  const eos = exactlyOnce(ctx.broker);
  const { error, txn } = eos.txns.check(txnId, producerId, epoch, ctx.version >= 2 ? 'PRODUCER_FENCED' : 'INVALID_PRODUCER_EPOCH');
  const all = (errorOf: (topic: string, partition: number) => number): Msg[] =>
    topics.map((t) => ({ name: t.name, resultsByPartition: (t.partitions as number[]).map((partitionIndex) => ({ partitionIndex, partitionErrorCode: errorOf(t.name as string, partitionIndex) })) }));
  // v4+ comes from brokers (checked for CLUSTER_ACTION instead), as in KafkaApis.
  if (ctx.version < 4 && !transactionalIdAllowed(ctx, OP.WRITE, txnId)) return all(() => code('TRANSACTIONAL_ID_AUTHORIZATION_FAILED'));
  if (ctx.broker.authorizer && topics.some((t) => !topicAllowed(ctx, OP.WRITE, t.name as string))) {
    return all((topic) => (topicAllowed(ctx, OP.WRITE, topic) ? code('OPERATION_NOT_ATTEMPTED') : code('TOPIC_AUTHORIZATION_FAILED')));
  }
  if (error !== 'NONE' || !txn) return all(() => code(error as 'INVALID_PRODUCER_ID_MAPPING'));
  if (verifyOnly) return all((topic, p) => (eos.txns.hasPartition(txn, topic, p) ? 0 : code('INVALID_TXN_STATE')));
  const unknown = (topic: string, p: number): boolean => !ctx.broker.core.topics.get(topic)?.partitions[p];
  if (topics.some((t) => (t.partitions as number[]).some((p) => unknown(t.name as string, p)))) {
    return all((topic, p) => (unknown(topic, p) ? code('UNKNOWN_TOPIC_OR_PARTITION') : code('OPERATION_NOT_ATTEMPTED')));
  }
  eos.txns.addPartitions(txn, topics.flatMap((t) => (t.partitions as number[]).map((partition) => ({ topic: t.name as string, partition }))));
  return all(() => 0);
}

export const addPartitionsToTxnApi: ApiModule = {
  key: 24,
  name: 'AddPartitionsToTxn',
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    if (ctx.version >= 4) {
      // The batched form is broker-to-broker: Kafka requires CLUSTER_ACTION for it.
      if (!clusterAllowed(ctx, OP.CLUSTER_ACTION)) return { throttleTimeMs: 0, errorCode: code('CLUSTER_AUTHORIZATION_FAILED'), resultsByTransaction: [] };
      return ctx.broker.durable({
        throttleTimeMs: 0,
        errorCode: 0,
        resultsByTransaction: (req.transactions as Msg[]).map((t) => ({
          transactionalId: t.transactionalId,
          topicResults: addOne(ctx, t.transactionalId as string, t.producerId as number, t.producerEpoch as number, t.topics as Msg[], t.verifyOnly as boolean),
        })),
      });
    }
    // With --data-dir the answer waits for the coordinator's record of the partitions, so an
    // abort after a crash reaches every partition the producer may write to.
    return ctx.broker.durable({
      throttleTimeMs: 0,
      resultsByTopicV3AndBelow: addOne(ctx, req.v3AndBelowTransactionalId as string, req.v3AndBelowProducerId as number, req.v3AndBelowProducerEpoch as number, req.v3AndBelowTopics as Msg[], false),
    });
  },
};
