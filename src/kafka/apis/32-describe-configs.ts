// DescribeConfigs (key 32), v1-4. TOPIC resources: every topic config (topic-configs.ts) with
// its value, default flag, source (DYNAMIC_TOPIC_CONFIG when set on the topic, else
// DEFAULT_CONFIG) and, when asked, synonyms (the topic override, then the broker config behind
// the default), as librdkafka's and the Java Admin's describe calls and UIs expect. BROKER
// resources ("1" or "" for the cluster default): broker-configs.ts. BROKER_LOGGER: no loggers
// are exposed (empty list). Other types: INVALID_REQUEST. configurationKeys filters by name.
// With an authorizer: DESCRIBE_CONFIGS on the topic (TOPIC_AUTHORIZATION_FAILED) or, for broker
// resources, on the cluster (CLUSTER_AUTHORIZATION_FAILED).
// Skips: documentation strings (null even when requested).
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import { brokerConfigs } from '../broker-configs.js';
import { E, message } from '../errors.js';
import { clusterAllowed, OP, topicAllowed } from '../acl/check.js';
import { CONFIG_SOURCE, describeTopicConfigs, RESOURCE, type ConfigEntry } from './config-entries.js';

function wire(e: ConfigEntry, synonyms: boolean, topicLevel: boolean): Msg {
  const list: Msg[] = [];
  if (synonyms) {
    if (topicLevel && !e.isDefault) list.push({ name: e.name, value: e.value, source: e.configSource });
    list.push({ name: e.brokerName, value: e.defaultValue, source: topicLevel ? CONFIG_SOURCE.DEFAULT_CONFIG : e.configSource });
  }
  return {
    name: e.name,
    value: e.value,
    readOnly: e.readOnly ?? false,
    configSource: e.configSource,
    isSensitive: false,
    synonyms: list,
    configType: e.configType,
    documentation: null,
  };
}

export const describeConfigsApi: ApiModule = {
  key: 32,
  name: 'DescribeConfigs',
  minVersion: 1,
  maxVersion: 4,
  handle(req, ctx) {
    const b = ctx.broker;
    const synonyms = Boolean(req.includeSynonyms);
    const results = (req.resources as Msg[]).map((r) => {
      const resourceType = r.resourceType as number;
      const resourceName = r.resourceName as string;
      const keys = r.configurationKeys as string[] | null;
      const pick = (entries: ConfigEntry[]): ConfigEntry[] => (keys === null ? entries : entries.filter((e) => keys.includes(e.name)));
      const fail = (errorCode: number, errorMessage: string): Msg => ({ errorCode, errorMessage, resourceType, resourceName, configs: [] });
      const ok = (configs: Msg[]): Msg => ({ errorCode: E.NONE, errorMessage: null, resourceType, resourceName, configs });
      switch (resourceType) {
        case RESOURCE.TOPIC: {
          if (resourceName === '') return fail(E.INVALID_REQUEST, 'Topic name must not be empty.');
          if (!topicAllowed(ctx, OP.DESCRIBE_CONFIGS, resourceName)) return fail(E.TOPIC_AUTHORIZATION_FAILED, message('TOPIC_AUTHORIZATION_FAILED'));
          const topic = b.core.topics.get(resourceName);
          if (!topic) return fail(E.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${resourceName} does not exist.`);
          return ok(pick(describeTopicConfigs(topic.configs)).map((e) => wire(e, synonyms, true)));
        }
        case RESOURCE.BROKER:
          if (!clusterAllowed(ctx, OP.DESCRIBE_CONFIGS)) return fail(E.CLUSTER_AUTHORIZATION_FAILED, message('CLUSTER_AUTHORIZATION_FAILED'));
          if (resourceName !== '' && resourceName !== String(b.nodeId)) return fail(E.INVALID_REQUEST, `Unexpected broker id, expected ${b.nodeId} or empty string, but received ${resourceName}`);
          return ok(pick(brokerConfigs(b)).map((e) => wire(e, synonyms, false)));
        case RESOURCE.BROKER_LOGGER:
          if (!clusterAllowed(ctx, OP.DESCRIBE_CONFIGS)) return fail(E.CLUSTER_AUTHORIZATION_FAILED, message('CLUSTER_AUTHORIZATION_FAILED'));
          if (resourceName !== String(b.nodeId)) return fail(E.INVALID_REQUEST, `Unexpected broker id, expected ${b.nodeId}, but received ${resourceName}`);
          return ok([]);
        default:
          return fail(E.INVALID_REQUEST, `Unsupported resource type ${resourceType}`);
      }
    });
    return { throttleTimeMs: 0, results };
  },
};
