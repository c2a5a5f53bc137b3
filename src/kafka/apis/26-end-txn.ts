// EndTxn (key 26), v0-5. Commits or aborts the open transaction: a control batch (commit or
// abort marker) goes to every partition of it, staged offsets are applied on commit. A retry
// of the same outcome answers NONE; other calls outside an open transaction INVALID_TXN_STATE.
// Errors: INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED (v2+; INVALID_PRODUCER_EPOCH before).
// With an authorizer: TRANSACTIONAL_ID WRITE (TRANSACTIONAL_ID_AUTHORIZATION_FAILED).
// v5 answers the producer id and epoch unchanged (transaction version 1: no per-transaction bump).
import type { ApiModule } from '../api.js';
import { code } from '../errors.js';
import { exactlyOnce } from '../exactly-once.js';
import { OP, transactionalIdAllowed } from '../acl/check.js';

export const endTxnApi: ApiModule = {
  key: 26,
  name: 'EndTxn',
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    if (!transactionalIdAllowed(ctx, OP.WRITE, req.transactionalId as string)) return { throttleTimeMs: 0, errorCode: code('TRANSACTIONAL_ID_AUTHORIZATION_FAILED'), producerId: -1, producerEpoch: -1 };
    const eos = exactlyOnce(ctx.broker);
    const { error, txn } = eos.txns.check(req.transactionalId as string, req.producerId as number, req.producerEpoch as number, ctx.version >= 2 ? 'PRODUCER_FENCED' : 'INVALID_PRODUCER_EPOCH');
    if (error !== 'NONE' || !txn) return { throttleTimeMs: 0, errorCode: code(error as 'INVALID_PRODUCER_ID_MAPPING'), producerId: -1, producerEpoch: -1 };
    const r = eos.txns.end(txn, req.committed as boolean);
    return ctx.broker.durable({ throttleTimeMs: 0, errorCode: r === 'NONE' ? 0 : code(r), producerId: txn.producerId, producerEpoch: txn.epoch });
  },
};
