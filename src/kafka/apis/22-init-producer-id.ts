// InitProducerId (key 22), v0-5. Without a transactional id: a new producer id with epoch 0
// for an idempotent producer (every call, as Kafka does since KIP-360). With one: the
// transaction coordinator's id and a bumped epoch, aborting the open transaction and fencing
// older producers; v3+ resume checks the presented id/epoch. Fenced callers get
// PRODUCER_FENCED from v4, INVALID_PRODUCER_EPOCH before (KIP-588). Skips: v6 (2PC, KIP-939).
// With an authorizer: TRANSACTIONAL_ID WRITE (TRANSACTIONAL_ID_AUTHORIZATION_FAILED); without a
// transactional id, CLUSTER IDEMPOTENT_WRITE or WRITE on some topic (CLUSTER_AUTHORIZATION_FAILED).
import type { ApiModule } from '../api.js';
import { code } from '../errors.js';
import { exactlyOnce } from '../exactly-once.js';
import { idempotentWriteAllowed, OP, transactionalIdAllowed } from '../acl/check.js';

export const initProducerIdApi: ApiModule = {
  key: 22,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    const eos = exactlyOnce(ctx.broker);
    const txnId = req.transactionalId as string | null;
    if (txnId === null) {
      if (!idempotentWriteAllowed(ctx)) return { throttleTimeMs: 0, errorCode: code('CLUSTER_AUTHORIZATION_FAILED'), producerId: -1, producerEpoch: -1 };
      return ctx.broker.durable({ throttleTimeMs: 0, errorCode: 0, producerId: eos.producers.allocate(ctx.broker.core.clock.now()), producerEpoch: 0 });
    }
    if (!transactionalIdAllowed(ctx, OP.WRITE, txnId)) return { throttleTimeMs: 0, errorCode: code('TRANSACTIONAL_ID_AUTHORIZATION_FAILED'), producerId: -1, producerEpoch: -1 };
    if (txnId === '') return { throttleTimeMs: 0, errorCode: code('INVALID_REQUEST'), producerId: -1, producerEpoch: -1 };
    const r = eos.txns.init(txnId, req.transactionTimeoutMs as number, { producerId: req.producerId as number, epoch: req.producerEpoch as number }, ctx.version >= 4 ? 'PRODUCER_FENCED' : 'INVALID_PRODUCER_EPOCH');
    return ctx.broker.durable({ throttleTimeMs: 0, errorCode: r.error === 'NONE' ? 0 : code(r.error), producerId: r.producerId, producerEpoch: r.epoch });
  },
};
