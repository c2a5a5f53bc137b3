// Config entries as DescribeConfigs/CreateTopics report them: every topic config with its
// value, whether it is the default, and its source (Kafka's ConfigSource ids).
import { TOPIC_CONFIGS, type ConfigType } from '../topic-configs.js';

export const CONFIG_SOURCE = { DYNAMIC_TOPIC_CONFIG: 1, DYNAMIC_BROKER_CONFIG: 2, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const;

/** DescribeConfigs v3+ config type ids. */
export const CONFIG_TYPE: Record<ConfigType, number> = { boolean: 1, string: 2, int: 3, long: 5, double: 6, list: 7 };

export interface ConfigEntry {
  name: string;
  value: string | null;
  isDefault: boolean;
  configSource: number;
  configType: number;
  /** The broker config behind a topic config's default (its synonym). */
  brokerName: string;
  defaultValue: string | null;
  readOnly?: boolean;
}

/** Kafka's ConfigResource.Type ids. */
export const RESOURCE = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, CLIENT_METRICS: 16, GROUP: 32 } as const;

export function describeTopicConfigs(configs: Map<string, string>): ConfigEntry[] {
  return TOPIC_CONFIGS.map((d) => {
    const set = configs.get(d.name);
    return {
      name: d.name,
      value: set ?? d.defaultValue,
      isDefault: set === undefined,
      configSource: set === undefined ? CONFIG_SOURCE.DEFAULT_CONFIG : CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG,
      configType: CONFIG_TYPE[d.type],
      brokerName: d.brokerName,
      defaultValue: d.defaultValue,
    };
  });
}
