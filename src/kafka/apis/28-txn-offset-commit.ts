// TxnOffsetCommit (key 28), v0-5, at the group coordinator: offsets staged in the producer's
// open transaction, visible to OffsetFetch only once EndTxn commits (require_stable callers
// get UNSTABLE_OFFSET_COMMIT meanwhile). Member checks as Kafka's handleTxnCommitOffsets: a
// named member must exist (UNKNOWN_MEMBER_ID), a generation >= 0 must match
// (ILLEGAL_GENERATION). The group must have been added with AddOffsetsToTxn (INVALID_TXN_STATE);
// stale epochs PRODUCER_FENCED (v2+; INVALID_PRODUCER_EPOCH before). With an authorizer:
// TRANSACTIONAL_ID WRITE, then GROUP READ (for every partition), then TOPIC READ per topic.
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import { code } from '../errors.js';
import { exactlyOnce } from '../exactly-once.js';
import { groupAllowed, OP, topicAllowed, transactionalIdAllowed } from '../acl/check.js';
import { MAX_OFFSET_METADATA } from '../broker.js';

export const txnOffsetCommitApi: ApiModule = {
  key: 28,
  name: 'TxnOffsetCommit',
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    const b = ctx.broker;
    const eos = exactlyOnce(b);
    const groupId = req.groupId as string;
    let groupError = 0;
    const { error, txn } = eos.txns.check(req.transactionalId as string, req.producerId as number, req.producerEpoch as number, ctx.version >= 2 ? 'PRODUCER_FENCED' : 'INVALID_PRODUCER_EPOCH');
    const group = b.groups.get(groupId);
    const modern = b.consumerGroups.get(groupId); // KIP-848 group: member id and epoch are checked
    const memberId = req.memberId as string;
    const generation = req.generationId as number;
    if (!transactionalIdAllowed(ctx, OP.WRITE, req.transactionalId as string)) groupError = code('TRANSACTIONAL_ID_AUTHORIZATION_FAILED');
    else if (!groupAllowed(ctx, OP.READ, groupId)) groupError = code('GROUP_AUTHORIZATION_FAILED');
    else if (groupId === '') groupError = code('INVALID_GROUP_ID');
    else if (error !== 'NONE' || !txn) groupError = code(error as 'INVALID_PRODUCER_ID_MAPPING');
    else if (!txn.groups.has(groupId) || txn.state !== 'Ongoing') groupError = code('INVALID_TXN_STATE');
    else if (modern) groupError = memberId === '' && generation < 0 ? 0 : b.consumerGroups.validateCommit(modern, memberId, generation, 9);
    else if (memberId !== '' && !group?.members.has(memberId)) groupError = code('UNKNOWN_MEMBER_ID');
    else if (generation >= 0 && generation !== group?.generation) groupError = code('ILLEGAL_GENERATION');
    return {
      throttleTimeMs: 0,
      topics: (req.topics as Msg[]).map((t) => {
        const topic = b.core.topics.get(t.name as string);
        // Judged once per topic, and only when the request got past the group checks.
        const readable = groupError !== 0 || topicAllowed(ctx, OP.READ, t.name as string);
        return {
          name: t.name,
          partitions: (t.partitions as Msg[]).map((p) => {
            const partitionIndex = p.partitionIndex as number;
            if (!readable) return { partitionIndex, errorCode: code('TOPIC_AUTHORIZATION_FAILED') };
            if (groupError !== 0 || !txn) return { partitionIndex, errorCode: groupError };
            if (!topic?.partitions[partitionIndex]) return { partitionIndex, errorCode: code('UNKNOWN_TOPIC_OR_PARTITION') };
            const metadata = p.committedMetadata as string | null;
            if (metadata !== null && metadata.length > MAX_OFFSET_METADATA) return { partitionIndex, errorCode: code('OFFSET_METADATA_TOO_LARGE') };
            eos.txns.stageOffset(txn, groupId, { topic: topic.name, partition: partitionIndex, offset: p.committedOffset as number, metadata, epoch: p.committedLeaderEpoch as number });
            return { partitionIndex, errorCode: 0 };
          }),
        };
      }),
    };
  },
};
