// Topic-level configs with Kafka 4.1's defaults (TopicConfig / LogConfig), the broker config
// each one falls back to, and value validation. Topics store only what was set explicitly
// (core Topic.configs); everything else reports its default with source DEFAULT_CONFIG.
// Honoured locally: retention.ms, retention.bytes, max.message.bytes, message.timestamp.type,
// segment.bytes with --data-dir (persistence.ts sizes the partition's segment files with it).

export type ConfigType = 'boolean' | 'string' | 'int' | 'long' | 'double' | 'list';

export interface ConfigDef {
  name: string;
  type: ConfigType;
  defaultValue: string;
  brokerName: string;
  allowed?: readonly string[];
  min?: number;
}

const LONG_MAX = '9223372036854775807';

export const TOPIC_CONFIGS: readonly ConfigDef[] = [
  { name: 'cleanup.policy', type: 'list', defaultValue: 'delete', brokerName: 'log.cleanup.policy', allowed: ['delete', 'compact'] },
  { name: 'compression.type', type: 'string', defaultValue: 'producer', brokerName: 'compression.type', allowed: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] },
  { name: 'delete.retention.ms', type: 'long', defaultValue: '86400000', brokerName: 'log.cleaner.delete.retention.ms', min: 0 },
  { name: 'file.delete.delay.ms', type: 'long', defaultValue: '60000', brokerName: 'log.segment.delete.delay.ms', min: 0 },
  { name: 'flush.messages', type: 'long', defaultValue: LONG_MAX, brokerName: 'log.flush.interval.messages', min: 1 },
  { name: 'flush.ms', type: 'long', defaultValue: LONG_MAX, brokerName: 'log.flush.interval.ms', min: 0 },
  { name: 'index.interval.bytes', type: 'int', defaultValue: '4096', brokerName: 'log.index.interval.bytes', min: 0 },
  { name: 'max.compaction.lag.ms', type: 'long', defaultValue: LONG_MAX, brokerName: 'log.cleaner.max.compaction.lag.ms', min: 1 },
  { name: 'max.message.bytes', type: 'int', defaultValue: '1048588', brokerName: 'message.max.bytes', min: 0 },
  { name: 'message.timestamp.after.max.ms', type: 'long', defaultValue: '3600000', brokerName: 'log.message.timestamp.after.max.ms', min: 0 },
  { name: 'message.timestamp.before.max.ms', type: 'long', defaultValue: LONG_MAX, brokerName: 'log.message.timestamp.before.max.ms', min: 0 },
  { name: 'message.timestamp.type', type: 'string', defaultValue: 'CreateTime', brokerName: 'log.message.timestamp.type', allowed: ['CreateTime', 'LogAppendTime'] },
  { name: 'min.cleanable.dirty.ratio', type: 'double', defaultValue: '0.5', brokerName: 'log.cleaner.min.cleanable.ratio', min: 0 },
  { name: 'min.compaction.lag.ms', type: 'long', defaultValue: '0', brokerName: 'log.cleaner.min.compaction.lag.ms', min: 0 },
  { name: 'min.insync.replicas', type: 'int', defaultValue: '1', brokerName: 'min.insync.replicas', min: 1 },
  { name: 'preallocate', type: 'boolean', defaultValue: 'false', brokerName: 'log.preallocate' },
  { name: 'retention.bytes', type: 'long', defaultValue: '-1', brokerName: 'log.retention.bytes' },
  { name: 'retention.ms', type: 'long', defaultValue: '604800000', brokerName: 'log.retention.ms', min: -1 },
  { name: 'segment.bytes', type: 'int', defaultValue: '1073741824', brokerName: 'log.segment.bytes', min: 14 },
  { name: 'segment.index.bytes', type: 'int', defaultValue: '10485760', brokerName: 'log.index.size.max.bytes', min: 4 },
  { name: 'segment.jitter.ms', type: 'long', defaultValue: '0', brokerName: 'log.roll.jitter.ms', min: 0 },
  { name: 'segment.ms', type: 'long', defaultValue: '604800000', brokerName: 'log.roll.ms', min: 1 },
  { name: 'unclean.leader.election.enable', type: 'boolean', defaultValue: 'false', brokerName: 'unclean.leader.election.enable' },
];

const BY_NAME = new Map(TOPIC_CONFIGS.map((c) => [c.name, c]));

export function topicConfigDef(name: string): ConfigDef | undefined {
  return BY_NAME.get(name);
}

/** Returns an error text (Kafka's InvalidConfigurationException wording) or null when valid. */
export function validateTopicConfig(name: string, value: string | null): string | null {
  const def = BY_NAME.get(name);
  if (!def) return `Unknown topic config name: ${name}`;
  if (value === null) return null;
  const bad = `Invalid value ${value} for configuration ${name}`;
  switch (def.type) {
    case 'boolean':
      if (!/^(true|false)$/i.test(value)) return `${bad}: Expected value to be either true or false`;
      break;
    case 'int':
    case 'long':
      if (!/^-?\d+$/.test(value.trim())) return `${bad}: Not a number of type ${def.type.toUpperCase()}`;
      if (def.min !== undefined && Number(value) < def.min) return `${bad}: Value must be at least ${def.min}`;
      break;
    case 'double':
      if (Number.isNaN(Number(value))) return `${bad}: Not a number of type DOUBLE`;
      break;
    case 'list':
      for (const item of value.split(',').map((s) => s.trim())) {
        if (def.allowed && !def.allowed.includes(item)) return `${bad}: String must be one of: ${def.allowed.join(', ')}`;
      }
      return null;
    case 'string':
      break;
  }
  if (def.allowed && !def.allowed.includes(value)) return `${bad}: String must be one of: ${def.allowed.join(', ')}`;
  return null;
}

/** The effective value (explicit or default). */
export function topicConfig(configs: Map<string, string>, name: string): string {
  return configs.get(name) ?? BY_NAME.get(name)?.defaultValue ?? '';
}

export function numericConfig(configs: Map<string, string>, name: string): number {
  return Number(topicConfig(configs, name));
}
