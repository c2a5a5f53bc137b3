// ConsumerGroupDescribe (key 69), v0-1 (KIP-848). Group state (Empty, Assigning, Reconciling,
// Stable), group and assignment epochs, the assignor that computed the target, and per member
// its epoch, subscription, current assignment and target assignment (topic id and name);
// v1 adds the member type (1: consumer protocol; classic members never join these groups
// here). Unknown or classic groups: GROUP_ID_NOT_FOUND with Kafka's messages. Authorized
// operations when asked (every group operation without an authorizer, else what the principal
// may do). With an authorizer: GROUP DESCRIBE per group (GROUP_AUTHORIZATION_FAILED).
import type { Msg } from '../codec.js';
import type { ApiModule, RequestContext } from '../api.js';
import { E } from '../errors.js';
import type { Assignment } from '../consumer-groups/assignment.js';
import { groupState, type ConsumerGroup } from '../consumer-groups/types.js';
import { groupOperations, NOT_REQUESTED } from './authorized-operations.js';
import { groupAllowed, OP } from '../acl/check.js';

function described(ctx: RequestContext, a: Assignment): Msg {
  const topicPartitions: Msg[] = [];
  for (const [topicId, partitions] of a) {
    const topic = ctx.broker.core.topics.byId(topicId);
    if (topic) topicPartitions.push({ topicId, topicName: topic.name, partitions: [...partitions] });
  }
  return { topicPartitions };
}

function describeGroup(ctx: RequestContext, g: ConsumerGroup, withOps: boolean): Msg {
  return {
    errorCode: E.NONE,
    errorMessage: null,
    groupId: g.id,
    groupState: groupState(g),
    groupEpoch: g.groupEpoch,
    assignmentEpoch: g.assignmentEpoch,
    assignorName: g.assignor,
    members: [...g.members.values()].map((m) => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      rackId: m.rackId,
      memberEpoch: m.memberEpoch,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicNames: [...m.subscribedTopicNames],
      subscribedTopicRegex: m.subscribedTopicRegex,
      assignment: described(ctx, m.assigned),
      targetAssignment: described(ctx, g.target.get(m.memberId) ?? new Map()),
      memberType: 1,
    })),
    authorizedOperations: withOps ? groupOperations(ctx, g.id) : NOT_REQUESTED,
  };
}

/** A group answered with an error only (no state, no members). */
function failed(groupId: string, errorCode: number, errorMessage: string | null): Msg {
  return { errorCode, errorMessage, groupId, groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [], authorizedOperations: NOT_REQUESTED };
}

export const consumerGroupDescribeApi: ApiModule = {
  key: 69,
  name: 'ConsumerGroupDescribe',
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const b = ctx.broker;
    const groups = (req.groupIds as string[]).map((groupId) => {
      if (!groupAllowed(ctx, OP.DESCRIBE, groupId)) return failed(groupId, E.GROUP_AUTHORIZATION_FAILED, null);
      const g = b.consumerGroups.get(groupId);
      if (g) return describeGroup(ctx, g, req.includeAuthorizedOperations as boolean);
      if (groupId === '') return failed(groupId, E.INVALID_GROUP_ID, null);
      return failed(groupId, E.GROUP_ID_NOT_FOUND, b.groups.get(groupId) ? `Group ${groupId} is not a consumer group` : `Group ${groupId} not found.`);
    });
    return { throttleTimeMs: 0, groups };
  },
};
