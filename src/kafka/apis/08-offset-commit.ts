// OffsetCommit (key 8), v2-9. Stores offsets with their metadata string (round-trips) and
// leader epoch in the core's OffsetStore, per group and partition. Commits from a group member
// are checked against its generation (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID,
// REBALANCE_IN_PROGRESS, FENCED_INSTANCE_ID); generation -1 with an empty member id is an
// admin/simple-consumer commit, allowed while the group has no members. Unknown topics or
// partitions get UNKNOWN_TOPIC_OR_PARTITION; metadata over 4096 chars OFFSET_METADATA_TOO_LARGE.
// With an authorizer: GROUP READ (GROUP_AUTHORIZATION_FAILED for every partition), then TOPIC
// READ per topic (TOPIC_AUTHORIZATION_FAILED), as KafkaApis.handleOffsetCommitRequest.
// retention_time_ms (v2-4) is accepted and not applied: offsets are kept until deleted.
// KIP-848 consumer groups check the member id and member epoch instead (v9+: UNKNOWN_MEMBER_ID,
// STALE_MEMBER_EPOCH, FENCED_MEMBER_EPOCH; members using v8 or older: UNSUPPORTED_VERSION).
// v9 answers GROUP_ID_NOT_FOUND for a member commit (epoch >= 0) to an unknown group.
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import { code, E } from '../errors.js';
import { groupAllowed, OP, topicAllowed } from '../acl/check.js';
import { MAX_OFFSET_METADATA } from '../broker.js';

export const offsetCommitApi: ApiModule = {
  key: 8,
  name: 'OffsetCommit',
  minVersion: 2,
  maxVersion: 9,
  handle(req, ctx) {
    const b = ctx.broker;
    const groupId = req.groupId as string;
    const memberId = req.memberId as string;
    const epoch = req.generationIdOrMemberEpoch as number;
    const groupDenied = !groupAllowed(ctx, OP.READ, groupId);
    const modern = b.consumerGroups.get(groupId);
    let groupError: number;
    if (groupDenied) groupError = E.GROUP_AUTHORIZATION_FAILED;
    else if (groupId === '') groupError = E.INVALID_GROUP_ID;
    else if (modern) groupError = b.consumerGroups.validateCommit(modern, memberId, epoch, ctx.version);
    else if (ctx.version >= 9 && epoch >= 0 && !b.groups.get(groupId)) groupError = E.GROUP_ID_NOT_FOUND;
    else groupError = b.groups.validateCommit(groupId, memberId, req.groupInstanceId as string | null, epoch);
    const now = b.core.clock.now();
    let stored = false;
    const topics = (req.topics as Msg[]).map((t) => {
      const topic = b.core.topics.get(t.name as string);
      const readable = groupDenied || topicAllowed(ctx, OP.READ, t.name as string);
      return {
        name: t.name,
        partitions: (t.partitions as Msg[]).map((p) => {
          const partitionIndex = p.partitionIndex as number;
          if (!readable) return { partitionIndex, errorCode: E.TOPIC_AUTHORIZATION_FAILED };
          if (groupError !== E.NONE) return { partitionIndex, errorCode: groupError };
          if (!topic || !topic.partitions[partitionIndex]) return { partitionIndex, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION };
          const metadata = p.committedMetadata as string | null;
          if (metadata !== null && metadata.length > MAX_OFFSET_METADATA) return { partitionIndex, errorCode: code('OFFSET_METADATA_TOO_LARGE') };
          b.core.offsets.commit(groupId, topic.name, partitionIndex, { offset: p.committedOffset as number, metadata, committedAt: now, epoch: p.committedLeaderEpoch as number });
          stored = true;
          return { partitionIndex, errorCode: E.NONE };
        }),
      };
    });
    if (stored && !modern) b.groups.ensure(groupId);
    return b.durable({ throttleTimeMs: 0, topics });
  },
};
