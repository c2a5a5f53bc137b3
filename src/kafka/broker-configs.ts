// Broker-level configs as DescribeConfigs reports them for the BROKER resource (name "1" or
// ""): the settings this broker actually runs with, under Kafka's names, with the source
// STATIC_BROKER_CONFIG when they came from the environment/--set and DEFAULT_CONFIG otherwise.
// None can be changed at runtime (dynamic broker configs are not supported), so all are
// read-only. Values that differ from Apache Kafka's defaults on purpose are this emulator's
// defaults (group.initial.rebalance.delay.ms 0, replication factors 1: one broker).
import type { KafkaBroker } from './broker.js';
import { CONFIG_SOURCE, CONFIG_TYPE, type ConfigEntry } from './apis/config-entries.js';
import { TOPIC_CONFIGS, type ConfigType } from './topic-configs.js';

interface Row {
  name: string;
  value: string | null;
  type: ConfigType | 'password' | 'class';
  /** The KAFKA_* key that sets it, when one does. */
  env?: string;
}

export function brokerConfigs(b: KafkaBroker): ConfigEntry[] {
  const s = b.settings;
  const rows: Row[] = [
    { name: 'node.id', value: String(b.nodeId), type: 'int' },
    { name: 'broker.id', value: String(b.nodeId), type: 'int' },
    { name: 'process.roles', value: 'broker,controller', type: 'list' },
    { name: 'listeners', value: b.listenersText.listeners, type: 'string' },
    { name: 'advertised.listeners', value: b.listenersText.advertised, type: 'string' },
    { name: 'listener.security.protocol.map', value: b.listenersText.protocolMap, type: 'string' },
    { name: 'inter.broker.listener.name', value: b.listenersText.primary, type: 'string' },
    { name: 'auto.create.topics.enable', value: String(s.autoCreateTopics), type: 'boolean', env: 'KAFKA_AUTO_CREATE_TOPICS_ENABLE' },
    { name: 'num.partitions', value: String(s.numPartitions), type: 'int', env: 'KAFKA_NUM_PARTITIONS' },
    { name: 'default.replication.factor', value: '1', type: 'int' },
    { name: 'offsets.topic.replication.factor', value: '1', type: 'int' },
    { name: 'transaction.state.log.replication.factor', value: '1', type: 'int' },
    { name: 'delete.topic.enable', value: 'true', type: 'boolean' },
    { name: 'authorizer.class.name', value: b.authorizer?.settings.className ?? '', type: 'class', env: 'KAFKA_AUTHORIZER_CLASS_NAME' },
    { name: 'socket.request.max.bytes', value: String(s.maxRequestBytes), type: 'int', env: 'KAFKA_SOCKET_REQUEST_MAX_BYTES' },
    { name: 'group.initial.rebalance.delay.ms', value: String(s.groupInitialRebalanceDelayMs), type: 'int', env: 'KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS' },
    { name: 'group.min.session.timeout.ms', value: String(s.groupMinSessionTimeoutMs), type: 'int', env: 'KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS' },
    { name: 'group.max.session.timeout.ms', value: String(s.groupMaxSessionTimeoutMs), type: 'int', env: 'KAFKA_GROUP_MAX_SESSION_TIMEOUT_MS' },
    { name: 'group.consumer.session.timeout.ms', value: String(s.consumerGroupSessionTimeoutMs), type: 'int', env: 'KAFKA_GROUP_CONSUMER_SESSION_TIMEOUT_MS' },
    { name: 'group.consumer.heartbeat.interval.ms', value: String(s.consumerGroupHeartbeatIntervalMs), type: 'int', env: 'KAFKA_GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS' },
    { name: 'group.consumer.assignors', value: s.consumerGroupAssignors.join(','), type: 'list', env: 'KAFKA_GROUP_CONSUMER_ASSIGNORS' },
    { name: 'log.retention.check.interval.ms', value: String(s.retentionCheckIntervalMs), type: 'long', env: 'KAFKA_LOG_RETENTION_CHECK_INTERVAL_MS' },
    { name: 'log.dirs', value: s.logDir ?? null, type: 'string' },
    { name: 'log.retention.hours', value: '168', type: 'int' },
    { name: 'log.retention.minutes', value: null, type: 'int' },
  ];
  // Broker defaults behind every topic config (log.retention.ms, message.max.bytes, ...).
  const seen = new Set(rows.map((r) => r.name));
  for (const d of TOPIC_CONFIGS) {
    if (seen.has(d.brokerName)) continue;
    seen.add(d.brokerName);
    rows.push({ name: d.brokerName, value: d.defaultValue, type: d.type });
  }
  return rows.map((r) => {
    const explicit = r.env !== undefined && s.explicit.has(r.env);
    const fixed = r.name === 'node.id' || r.name === 'broker.id' || r.name.includes('listener') || r.name === 'process.roles' || r.name === 'log.dirs';
    const source = explicit || (fixed && r.value !== null) ? CONFIG_SOURCE.STATIC_BROKER_CONFIG : CONFIG_SOURCE.DEFAULT_CONFIG;
    return {
      name: r.name,
      value: r.value,
      isDefault: source === CONFIG_SOURCE.DEFAULT_CONFIG,
      configSource: source,
      configType: r.type === 'password' ? 9 : r.type === 'class' ? 8 : CONFIG_TYPE[r.type],
      brokerName: r.name,
      defaultValue: r.value,
      readOnly: true,
    };
  });
}
