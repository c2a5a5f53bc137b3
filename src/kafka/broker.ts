// The Kafka front-end's shared state: settings from config.extra, this broker's identity
// (one node, id 1, which is also the controller and every group's coordinator), the loaded
// message definitions, the group coordinators (classic and KIP-848), and topic helpers (auto-create, name rules).

import type { Broker, RetentionPolicy, TimerHandle, Topic } from '../core/index.js';
import type { Logger } from '../shared/logger.js';
import type { MessageDef } from './codec.js';
import { ConsumerGroupCoordinator } from './consumer-groups/coordinator.js';
import { GroupCoordinator } from './groups.js';
import { CredentialStore } from './sasl/credentials.js';
import type { KafkaPersistence } from './persistence.js';
import type { Authorizer } from './acl/authorizer.js';
import { numericConfig, topicConfig } from './topic-configs.js';

export interface KafkaSettings {
  autoCreateTopics: boolean;
  numPartitions: number;
  /** socket.request.max.bytes (Kafka default 100 MiB). */
  maxRequestBytes: number;
  groupInitialRebalanceDelayMs: number;
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;
  /** group.consumer.session.timeout.ms (KIP-848 groups; the broker decides, not the client). */
  consumerGroupSessionTimeoutMs: number;
  /** group.consumer.heartbeat.interval.ms, sent to KIP-848 members in every heartbeat response. */
  consumerGroupHeartbeatIntervalMs: number;
  /** group.consumer.assignors by name; the first is the default. */
  consumerGroupAssignors: string[];
  /** log.retention.check.interval.ms: how often retention runs over every partition. */
  retentionCheckIntervalMs: number;
  /**
   * With --data-dir: how many bytes of the newest produced batches stay in memory besides
   * their files (KAFKA_LOG_MEMORY_CACHE_BYTES, omnibroker's own; Kafka leaves this to the page
   * cache). Older batches are read back from their file ranges.
   */
  memoryCacheBytes: number;
  /** The directory reported by DescribeLogDirs (the --data-dir), undefined in memory. */
  logDir: string | undefined;
  /** Environment keys (KAFKA_...) that were set explicitly: their configs are STATIC_BROKER_CONFIG. */
  explicit: ReadonlySet<string>;
}

export function settingsFrom(extra: Record<string, string>, logDir?: string): KafkaSettings {
  const explicit = new Set<string>();
  const num = (key: string, fallback: number): number => {
    const raw = extra[key] ?? extra[`OMNIBROKER_${key}`];
    if (raw === undefined || raw.trim() === '' || !Number.isFinite(Number(raw))) return fallback;
    explicit.add(key);
    return Number(raw);
  };
  if (extra.KAFKA_AUTO_CREATE_TOPICS_ENABLE !== undefined) explicit.add('KAFKA_AUTO_CREATE_TOPICS_ENABLE');
  if ((extra.KAFKA_AUTHORIZER_CLASS_NAME ?? '').trim() !== '') explicit.add('KAFKA_AUTHORIZER_CLASS_NAME');
  const assignors = (extra.KAFKA_GROUP_CONSUMER_ASSIGNORS ?? 'uniform,range').split(',').map((a) => a.trim()).filter((a) => a === 'uniform' || a === 'range');
  if (extra.KAFKA_GROUP_CONSUMER_ASSIGNORS !== undefined) explicit.add('KAFKA_GROUP_CONSUMER_ASSIGNORS');
  const auto = (extra.KAFKA_AUTO_CREATE_TOPICS_ENABLE ?? 'true').trim().toLowerCase();
  return {
    logDir,
    explicit,
    retentionCheckIntervalMs: Math.max(1, num('KAFKA_LOG_RETENTION_CHECK_INTERVAL_MS', 300_000)),
    autoCreateTopics: auto !== 'false',
    numPartitions: Math.max(1, num('KAFKA_NUM_PARTITIONS', 1)),
    maxRequestBytes: num('KAFKA_SOCKET_REQUEST_MAX_BYTES', 104_857_600),
    groupInitialRebalanceDelayMs: num('KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS', 0),
    groupMinSessionTimeoutMs: num('KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS', 6000),
    groupMaxSessionTimeoutMs: num('KAFKA_GROUP_MAX_SESSION_TIMEOUT_MS', 1_800_000),
    consumerGroupSessionTimeoutMs: Math.max(1, num('KAFKA_GROUP_CONSUMER_SESSION_TIMEOUT_MS', 45_000)),
    consumerGroupHeartbeatIntervalMs: Math.max(1, num('KAFKA_GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS', 5_000)),
    consumerGroupAssignors: assignors.length > 0 ? assignors : ['uniform', 'range'],
    memoryCacheBytes: Math.max(0, num('KAFKA_LOG_MEMORY_CACHE_BYTES', 64 * 1024 * 1024)),
  };
}

const LEGAL = /^[a-zA-Z0-9._-]+$/;

/**
 * Kafka's controller refuses to create more than 10,000 partitions in one request
 * (ReplicationControlManager MAX_PARTITIONS_PER_BATCH, POLICY_VIOLATION); the same cap keeps
 * one request from allocating millions of logs here.
 */
export const MAX_NEW_PARTITIONS_PER_REQUEST = 10_000;
export const TOO_MANY_PARTITIONS = 'Excessively large number of partitions per request.';

/** offset.metadata.max.bytes: longer commit metadata gets OFFSET_METADATA_TOO_LARGE (OffsetCommit and TxnOffsetCommit alike). */
export const MAX_OFFSET_METADATA = 4096;

/** Kafka's Topic.validate: null when fine, otherwise the reason. */
export function invalidTopicName(name: string | null): string | null {
  if (name === null || name.length === 0) return 'Topic name is illegal, it can\'t be empty';
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > 249) return `Topic name is illegal, it can't be longer than 249 characters, topic name: ${name}`;
  if (!LEGAL.test(name)) return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  return null;
}

export class KafkaBroker {
  readonly nodeId = 1;
  readonly groups: GroupCoordinator;
  /** KIP-848 "consumer" type groups; a group id is either here or in `groups`. */
  readonly consumerGroups: ConsumerGroupCoordinator;
  /** Writes state through to --data-dir; undefined in memory mode (nothing to wait for). */
  persistence: KafkaPersistence | undefined = undefined;
  /** Set when authorizer.class.name is configured (acl/authorizer.ts); undefined: no ACL checks. */
  authorizer: Authorizer | undefined = undefined;
  private retentionTimer: TimerHandle | null = null;
  /** listeners / advertised.listeners as DescribeConfigs reports them (set once bound). */
  listenersText = { listeners: '', advertised: '', protocolMap: 'PLAINTEXT:PLAINTEXT', primary: 'PLAINTEXT' };
  /** SASL users (PLAIN digests, SCRAM credentials), filled from --config / env at startup. */
  credentials = new CredentialStore();

  constructor(
    readonly core: Broker,
    readonly settings: KafkaSettings,
    readonly messages: Map<number, MessageDef>,
    readonly log: Logger,
    readonly host: string,
    public port: number,
    readonly clusterId: string,
  ) {
    this.groups = new GroupCoordinator(core, settings, log);
    this.consumerGroups = new ConsumerGroupCoordinator(core, settings, log, this.groups);
  }

  /** The topic, auto-created if allowed (Metadata with auto-create; like Kafka, never on Produce). */
  topicOrCreate(name: string, allowAutoCreate: boolean): Topic | undefined {
    const existing = this.core.topics.get(name);
    if (existing || !allowAutoCreate || !this.settings.autoCreateTopics) return existing;
    if (invalidTopicName(name) !== null) return undefined;
    return this.core.topics.create(name, this.settings.numPartitions);
  }

  /**
   * Runs retention over every topic every log.retention.check.interval.ms (Kafka's
   * LogManager cleanupLogs task), so log start offsets advance without traffic too.
   */
  startRetention(): void {
    const tick = (): void => {
      for (const topic of this.core.topics.list()) this.applyRetention(topic);
      this.retentionTimer = this.core.clock.at(this.core.clock.now() + this.settings.retentionCheckIntervalMs, tick);
    };
    this.retentionTimer = this.core.clock.at(this.core.clock.now() + this.settings.retentionCheckIntervalMs, tick);
  }

  stopRetention(): void {
    this.retentionTimer?.cancel();
    this.retentionTimer = null;
  }

  /** Applies retention.ms / retention.bytes of the topic to every partition. */
  applyRetention(topic: Topic): void {
    const policy = this.retentionPolicy(topic);
    if (policy) for (const log of topic.partitions) log.applyRetention(policy);
  }

  /**
   * The topic's retention.ms / retention.bytes as a Log policy, null when nothing is to be
   * removed. Produce and Fetch read it once per topic and apply it to the partitions they touch
   * (the retention timer covers the rest).
   */
  retentionPolicy(topic: Topic): RetentionPolicy | null {
    const retentionMs = numericConfig(topic.configs, 'retention.ms');
    const retentionBytes = numericConfig(topic.configs, 'retention.bytes');
    if (retentionMs < 0 && retentionBytes < 0) return null;
    // Time and size retention apply only with the delete policy (compact-only topics keep everything).
    if (!topicConfig(topic.configs, 'cleanup.policy').split(',').some((p) => p.trim() === 'delete')) return null;
    return { retentionMs, retentionBytes, keepNewest: false };
  }

  /**
   * The response once every write made so far is durable (with --data-dir), as Kafka answers
   * admin and commit requests only after their metadata or offsets records are written.
   * In memory mode the response itself, with no await.
   */
  durable<T>(response: T): T | Promise<T> {
    return this.persistence ? this.persistence.settle().then(() => response) : response;
  }

  logAppendTime(topic: Topic): boolean {
    return topicConfig(topic.configs, 'message.timestamp.type') === 'LogAppendTime';
  }
}
