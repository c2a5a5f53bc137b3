// CreateTopics (key 19), v2-7. Per-topic errors: TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION,
// INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR (only 1 broker), INVALID_CONFIG, INVALID_REQUEST
// (duplicate names). -1 partitions / replication factor take the broker defaults (v4+).
// validateOnly checks without creating. v5+ report the resulting configs (every topic config
// with its default or given value). Manual replica assignments must name broker 1.
// More than 10,000 partitions in one request -> POLICY_VIOLATION, as Kafka's controller.
// With an authorizer (ControllerApis.createTopics): CREATE on the cluster or on the topic
// (TOPIC_AUTHORIZATION_FAILED "Authorization failed."); without DESCRIBE_CONFIGS on the topic
// the configs are withheld (topicConfigErrorCode TOPIC_AUTHORIZATION_FAILED).
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import { invalidTopicName, MAX_NEW_PARTITIONS_PER_REQUEST, TOO_MANY_PARTITIONS } from '../broker.js';
import { E } from '../errors.js';
import { clusterAllowed, OP, topicAllowed } from '../acl/check.js';
import { describeTopicConfigs } from './config-entries.js';
import { validateTopicConfig } from '../topic-configs.js';

export const createTopicsApi: ApiModule = {
  key: 19,
  name: 'CreateTopics',
  minVersion: 2,
  maxVersion: 7,
  handle(req, ctx) {
    const b = ctx.broker;
    const names = (req.topics as Msg[]).map((t) => t.name as string);
    let budget = MAX_NEW_PARTITIONS_PER_REQUEST;
    const clusterCreate = clusterAllowed(ctx, OP.CREATE);
    const topics = (req.topics as Msg[]).map((t): Msg => {
      const name = t.name as string;
      const fail = (errorCode: number, errorMessage: string): Msg => ({ name, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1, configs: null });
      if (names.indexOf(name) !== names.lastIndexOf(name)) return fail(E.INVALID_REQUEST, `Create topics request from client \`${ctx.clientId}\` contains multiple entries for the following topics: ${name}`);
      if (!clusterCreate && !topicAllowed(ctx, OP.CREATE, name)) return fail(E.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.');
      const invalid = invalidTopicName(name);
      if (invalid) return fail(E.INVALID_TOPIC_EXCEPTION, invalid);
      if (b.core.topics.get(name)) return fail(E.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
      const assignments = t.assignments as Msg[];
      let partitions = t.numPartitions as number;
      const rf = t.replicationFactor as number;
      if (assignments.length > 0) {
        if (partitions !== -1 || rf !== -1) return fail(E.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.');
        for (const a of assignments) {
          const ids = a.brokerIds as number[];
          if (ids.length !== 1 || ids[0] !== b.nodeId) return fail(E.INVALID_REPLICATION_FACTOR, `Unable to replicate the partition ${ids.length} time(s): The target replication factor of ${ids.length} cannot be reached because only 1 broker(s) are registered.`);
        }
        partitions = assignments.length;
      }
      if (partitions === -1) partitions = b.settings.numPartitions;
      if (partitions <= 0) return fail(E.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.');
      if (partitions > budget) return fail(E.POLICY_VIOLATION, TOO_MANY_PARTITIONS);
      if (rf === 0 || rf < -1) return fail(E.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.');
      if (rf > 1) return fail(E.INVALID_REPLICATION_FACTOR, `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only 1 broker(s) are registered.`);
      const configs = new Map<string, string>();
      for (const c of t.configs as Msg[]) {
        const problem = validateTopicConfig(c.name as string, c.value as string | null);
        if (problem) return fail(E.INVALID_CONFIG, problem);
        if (c.value !== null) configs.set(c.name as string, c.value as string);
      }
      const result = { name, errorCode: E.NONE, errorMessage: null, numPartitions: partitions, replicationFactor: 1, configs: describeTopicConfigs(configs).map((e) => ({ name: e.name, value: e.value, readOnly: false, configSource: e.configSource, isSensitive: false })) };
      if (!topicAllowed(ctx, OP.DESCRIBE_CONFIGS, name)) Object.assign(result, { configs: null, topicConfigErrorCode: E.TOPIC_AUTHORIZATION_FAILED });
      budget -= partitions;
      if (req.validateOnly) return { ...result, topicId: '00000000-0000-0000-0000-000000000000' };
      const topic = b.core.topics.create(name, partitions, configs);
      return { ...result, topicId: topic.id };
    });
    return b.durable({ throttleTimeMs: 0, topics });
  },
};
