// ConsumerGroupHeartbeat (key 68), v0-1 (KIP-848). Join (epoch 0), heartbeat, leave (-1) and
// static leave (-2) of "consumer" type groups through consumer-groups/coordinator.ts, with the
// server-side assignors of group.consumer.assignors. Request checks follow Kafka's
// throwIfConsumerGroupHeartbeatRequestIsInvalid (INVALID_REQUEST with Kafka's messages,
// UNSUPPORTED_ASSIGNOR). v1 requires a client-generated member id; v0 lets the coordinator
// name a joining member. Rack ids are stored and reported, not used by the assignors.
// With an authorizer (KafkaApis.handleConsumerGroupHeartbeat): GROUP READ, then TOPIC DESCRIBE
// on every subscribed topic name (GROUP_ / TOPIC_AUTHORIZATION_FAILED).
import type { Msg } from '../codec.js';
import type { ApiModule, RequestContext } from '../api.js';
import { code, E } from '../errors.js';
import { fromWire, toWire } from '../consumer-groups/assignment.js';
import { GroupError } from '../consumer-groups/coordinator.js';
import { groupAllowed, OP, topicAllowed } from '../acl/check.js';

function validate(req: Msg, version: number, assignors: string[]): GroupError | null {
  const invalid = (m: string): GroupError => new GroupError(E.INVALID_REQUEST, m);
  const epoch = req.memberEpoch as number;
  if ((version >= 1 || epoch > 0 || epoch === -1) && req.memberId === '') return invalid("MemberId can't be empty.");
  if (req.groupId === '') return invalid("GroupId can't be empty.");
  if (req.instanceId === '') return invalid("InstanceId can't be empty.");
  if (req.rackId === '') return invalid("RackId can't be empty.");
  if (epoch === 0) {
    if (req.rebalanceTimeoutMs === -1) return invalid('RebalanceTimeoutMs must be provided in first request.');
    if (req.topicPartitions === null || (req.topicPartitions as Msg[]).length > 0) return invalid('TopicPartitions must be empty when (re-)joining.');
    if (req.subscribedTopicNames === null && (req.subscribedTopicRegex ?? null) === null) {
      return invalid('Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.');
    }
  } else if (epoch === -2) {
    if (req.instanceId === null) return invalid("InstanceId can't be null.");
  } else if (epoch < -2) return invalid('MemberEpoch is invalid.');
  const assignor = req.serverAssignor as string | null;
  if (assignor !== null && !assignors.includes(assignor)) {
    return new GroupError(code('UNSUPPORTED_ASSIGNOR'), `ServerAssignor ${assignor} is not supported. Supported assignors: ${assignors.join(', ')}.`);
  }
  return null;
}

function authorize(req: Msg, ctx: RequestContext): GroupError | null {
  if (!groupAllowed(ctx, OP.READ, req.groupId as string)) return new GroupError(E.GROUP_AUTHORIZATION_FAILED, 'Group authorization failed.');
  const names = req.subscribedTopicNames as string[] | null;
  if (names && names.some((t) => !topicAllowed(ctx, OP.DESCRIBE, t))) return new GroupError(E.TOPIC_AUTHORIZATION_FAILED, 'Topic authorization failed.');
  return null;
}

export const consumerGroupHeartbeatApi: ApiModule = {
  key: 68,
  name: 'ConsumerGroupHeartbeat',
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const b = ctx.broker;
    const bad = authorize(req, ctx) ?? validate(req, ctx.version, b.settings.consumerGroupAssignors);
    if (bad) return { throttleTimeMs: 0, errorCode: bad.errorCode, errorMessage: bad.message, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
    const r = b.consumerGroups.heartbeat({
      groupId: req.groupId as string,
      memberId: req.memberId as string,
      memberEpoch: req.memberEpoch as number,
      instanceId: req.instanceId as string | null,
      rackId: req.rackId as string | null,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs as number,
      subscribedTopicNames: req.subscribedTopicNames as string[] | null,
      subscribedTopicRegex: (req.subscribedTopicRegex ?? null) as string | null,
      serverAssignor: req.serverAssignor as string | null,
      owned: fromWire(req.topicPartitions as { topicId: string; partitions: number[] }[] | null),
      clientId: ctx.clientId ?? '',
      clientHost: ctx.clientHost,
    });
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
      memberId: r.memberId,
      memberEpoch: r.memberEpoch,
      heartbeatIntervalMs: r.heartbeatIntervalMs,
      assignment: r.assignment === null ? null : { topicPartitions: toWire(r.assignment) },
    };
  },
};
