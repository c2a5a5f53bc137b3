// Shared by AlterConfigs and IncrementalAlterConfigs: validating and storing a topic's new
// explicit config map, and the answers for resources whose configs cannot change here.
import type { Msg } from './codec.js';
import type { KafkaBroker } from './broker.js';
import { RESOURCE } from './apis/config-entries.js';
import { brokerConfigs } from './broker-configs.js';
import { E } from './errors.js';
import { validateTopicConfig } from './topic-configs.js';
import type { RequestContext } from './api.js';
import { clusterAllowed, OP, topicAllowed } from './acl/check.js';

export interface ChangeResult {
  errorCode: number;
  errorMessage: string | null;
}

const OK: ChangeResult = { errorCode: E.NONE, errorMessage: null };

/**
 * Works out the result for one resource: `next` computes the topic's new explicit configs
 * from its current ones (or returns an error). Broker configs are all read-only here, which
 * Kafka answers with INVALID_REQUEST "Cannot update these configs dynamically".
 */
export function changeResource(b: KafkaBroker, resource: Msg, validateOnly: boolean, next: (current: Map<string, string>) => Map<string, string> | ChangeResult): ChangeResult {
  const type = resource.resourceType as number;
  const name = resource.resourceName as string;
  if (type === RESOURCE.BROKER || type === RESOURCE.BROKER_LOGGER) {
    if (name !== '' && name !== String(b.nodeId)) return { errorCode: E.INVALID_REQUEST, errorMessage: `Unexpected broker id, expected ${b.nodeId} or empty string, but received ${name}` };
    const names = (resource.configs as Msg[]).map((c) => c.name as string);
    if (names.length === 0) return OK;
    const known = new Set(brokerConfigs(b).map((e) => e.name));
    const unknown = names.filter((n) => !known.has(n));
    if (unknown.length > 0 && type === RESOURCE.BROKER) return { errorCode: E.INVALID_CONFIG, errorMessage: `Unknown broker config name(s): ${unknown.join(', ')}` };
    return { errorCode: E.INVALID_REQUEST, errorMessage: `Cannot update these configs dynamically: Set(${names.join(', ')})` };
  }
  if (type !== RESOURCE.TOPIC) return { errorCode: E.INVALID_REQUEST, errorMessage: `Unsupported resource type ${type}` };
  const topic = b.core.topics.get(name);
  if (!topic) return { errorCode: E.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${name} does not exist.` };
  const names = (resource.configs as Msg[]).map((c) => c.name as string);
  if (new Set(names).size !== names.length) return { errorCode: E.INVALID_REQUEST, errorMessage: 'Error due to duplicate config keys' };
  const result = next(new Map(topic.configs));
  if (!(result instanceof Map)) return result;
  for (const [k, v] of result) {
    const problem = validateTopicConfig(k, v);
    if (problem) return { errorCode: E.INVALID_CONFIG, errorMessage: problem };
  }
  if (!validateOnly) {
    topic.configs = result;
    b.persistence?.topicsChanged();
  }
  return OK;
}

/**
 * With an authorizer: ALTER_CONFIGS on the topic, or on the cluster for broker resources;
 * refused with Kafka's configsAuthorizationApiError (no message).
 */
export function alterConfigsDenied(ctx: RequestContext, resource: Msg): ChangeResult | null {
  const type = resource.resourceType as number;
  if (type === RESOURCE.TOPIC) return topicAllowed(ctx, OP.ALTER_CONFIGS, resource.resourceName as string) ? null : { errorCode: E.TOPIC_AUTHORIZATION_FAILED, errorMessage: null };
  if (type === RESOURCE.BROKER || type === RESOURCE.BROKER_LOGGER) return clusterAllowed(ctx, OP.ALTER_CONFIGS) ? null : { errorCode: E.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null };
  return null;
}

export function unknownTopicConfig(name: string): ChangeResult | null {
  const problem = validateTopicConfig(name, null);
  return problem ? { errorCode: E.INVALID_CONFIG, errorMessage: problem } : null;
}
