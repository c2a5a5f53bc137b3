// Metadata (key 3), v0-12. One broker (node id 1, also the controller) at the advertised
// host/port of the listener the request came in on; every partition led by it with leader epoch 0; topic ids from the core.
// Auto-creates unknown topics when auto.create.topics.enable is on and the request allows it
// (v4+ flag; always allowed before v4). A null topic list (v1+) or an empty one in v0 means all.
// Authorized operations (v8+) when asked: all the resource type supports without an authorizer,
// else what the principal may do. With an authorizer (as KafkaApis.handleTopicMetadataRequest):
// topics without DESCRIBE are left out of an all-topics answer and answered
// TOPIC_AUTHORIZATION_FAILED when named; auto-creation needs CREATE on the cluster or the topic.
// Skips: racks (none).
import type { Topic } from '../../core/index.js';
import type { ApiModule } from '../api.js';
import type { Msg } from '../codec.js';
import { invalidTopicName } from '../broker.js';
import { E } from '../errors.js';
import { clusterAllowed, OP, topicAllowed } from '../acl/check.js';
import { clusterOperations, NOT_REQUESTED, topicOperations } from './authorized-operations.js';

export function topicMetadata(topic: Topic, nodeId: number): Msg {
  return {
    errorCode: E.NONE,
    name: topic.name,
    topicId: topic.id,
    isInternal: false,
    partitions: topic.partitions.map((_, i) => ({
      errorCode: E.NONE,
      partitionIndex: i,
      leaderId: nodeId,
      leaderEpoch: 0,
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      offlineReplicas: [],
    })),
  };
}

export const metadataApi: ApiModule = {
  key: 3,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 12,
  handle(req, ctx) {
    const b = ctx.broker;
    const requested = req.topics as Msg[] | null;
    let topics: Msg[];
    if (requested === null || (ctx.version === 0 && requested.length === 0)) {
      const all = b.core.topics.list();
      topics = (b.authorizer ? all.filter((t) => topicAllowed(ctx, OP.DESCRIBE, t.name)) : all).map((t) => topicMetadata(t, b.nodeId));
    } else {
      const allowCreate = ctx.version < 4 ? true : Boolean(req.allowAutoTopicCreation);
      topics = requested.map((rt) => {
        const name = rt.name as string | null;
        const byId = name === null && ctx.version >= 10 ? b.core.topics.byId(rt.topicId as string) : undefined;
        if (byId) return topicAllowed(ctx, OP.DESCRIBE, byId.name) ? topicMetadata(byId, b.nodeId) : { errorCode: E.TOPIC_AUTHORIZATION_FAILED, name: null, topicId: rt.topicId, partitions: [] };
        if (name === null) return { errorCode: E.UNKNOWN_TOPIC_ID, name: null, topicId: rt.topicId, partitions: [] };
        if (!topicAllowed(ctx, OP.DESCRIBE, name)) return { errorCode: E.TOPIC_AUTHORIZATION_FAILED, name, partitions: [] };
        if (invalidTopicName(name) !== null) return { errorCode: E.INVALID_TOPIC_EXCEPTION, name, partitions: [] };
        const mayCreate = allowCreate && (b.core.topics.get(name) !== undefined || clusterAllowed(ctx, OP.CREATE) || topicAllowed(ctx, OP.CREATE, name));
        if (allowCreate && !mayCreate && b.settings.autoCreateTopics) return { errorCode: E.TOPIC_AUTHORIZATION_FAILED, name, partitions: [] };
        const topic = b.topicOrCreate(name, mayCreate);
        if (!topic) return { errorCode: E.UNKNOWN_TOPIC_OR_PARTITION, name, partitions: [] };
        return topicMetadata(topic, b.nodeId);
      });
    }
    if (req.includeTopicAuthorizedOperations) for (const t of topics) if (t.errorCode === E.NONE) t.topicAuthorizedOperations = topicOperations(ctx, t.name as string);
    return {
      throttleTimeMs: 0,
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? clusterOperations(ctx) : NOT_REQUESTED,
      brokers: [{ nodeId: b.nodeId, host: ctx.listener.host, port: ctx.listener.port, rack: null }],
      clusterId: b.clusterId,
      controllerId: b.nodeId,
      topics,
    };
  },
};
