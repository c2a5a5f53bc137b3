// AddOffsetsToTxn (key 25), v0-4. Adds a consumer group to the open transaction (Kafka adds
// the group's __consumer_offsets partition), so TxnOffsetCommit may stage offsets for it.
// Errors: INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED (v2+; INVALID_PRODUCER_EPOCH before),
// INVALID_GROUP_ID for an empty group id. With an authorizer: TRANSACTIONAL_ID WRITE
// (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), then GROUP READ (GROUP_AUTHORIZATION_FAILED).
import type { ApiModule } from '../api.js';
import { code } from '../errors.js';
import { exactlyOnce } from '../exactly-once.js';
import { groupAllowed, OP, transactionalIdAllowed } from '../acl/check.js';

export const addOffsetsToTxnApi: ApiModule = {
  key: 25,
  name: 'AddOffsetsToTxn',
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    const eos = exactlyOnce(ctx.broker);
    const groupId = req.groupId as string;
    if (!transactionalIdAllowed(ctx, OP.WRITE, req.transactionalId as string)) return { throttleTimeMs: 0, errorCode: code('TRANSACTIONAL_ID_AUTHORIZATION_FAILED') };
    if (!groupAllowed(ctx, OP.READ, groupId)) return { throttleTimeMs: 0, errorCode: code('GROUP_AUTHORIZATION_FAILED') };
    if (groupId === '') return { throttleTimeMs: 0, errorCode: code('INVALID_GROUP_ID') };
    const { error, txn } = eos.txns.check(req.transactionalId as string, req.producerId as number, req.producerEpoch as number, ctx.version >= 2 ? 'PRODUCER_FENCED' : 'INVALID_PRODUCER_EPOCH');
    if (error !== 'NONE' || !txn) return { throttleTimeMs: 0, errorCode: code(error as 'INVALID_PRODUCER_ID_MAPPING') };
    eos.txns.addGroup(txn, groupId);
    return ctx.broker.durable({ throttleTimeMs: 0, errorCode: 0 });
  },
};
