// Typed configuration from flags, environment and defaults (flags win over environment).
// Each option is one row of OPTIONS; parse errors are StartupErrors naming the flag.

import { readFileSync } from 'node:fs';
import { parseFsyncOption } from './core/index.js';
import { LOG_LEVELS, type LogLevel } from './shared/logger.js';
import { expectObject, ShapeError } from './shared/json-shape.js';
import { StartupError } from './shared/startup-error.js';

export const PROTOCOLS = ['sqs', 'amqp', 'kafka'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export interface Config {
  host: string;
  sqsPort: number;
  amqpPort: number;
  kafkaPort: number;
  httpPort: number;
  protocols: Protocol[];
  dataDir: string | undefined;
  /** fsync policy of the durable store: always | interval | interval:MS | never. */
  fsync: string;
  configFile: string | undefined;
  /** The parsed --config document (validated per section by each front-end). */
  resources: Record<string, unknown>;
  advertisedHost: string;
  /** True when --advertised-host / OMNIBROKER_ADVERTISED_HOST was given: SQS queue URLs then
   *  name that host instead of the request's Host header. */
  advertisedHostFixed: boolean;
  logLevel: LogLevel;
  /** Raw values of protocol-specific options (KAFKA_*, AMQP_*), read by the front-ends. */
  extra: Record<string, string>;
}

interface OptionRow {
  flag: string;
  env: string;
  key: keyof Config;
  parse: (raw: string, flag: string) => unknown;
  fallback: unknown;
  help: string;
}

function port(raw: string, flag: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 65535) throw new StartupError(`invalid value '${raw}' for ${flag}: expected a port number 0-65535`);
  return n;
}

function text(raw: string, flag: string): string {
  if (raw.trim() === '') throw new StartupError(`invalid value for ${flag}: expected a non-empty value`);
  return raw;
}

function protocols(raw: string, flag: string): Protocol[] {
  const list = raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const p of list) {
    if (!(PROTOCOLS as readonly string[]).includes(p)) {
      throw new StartupError(`invalid value '${raw}' for ${flag}: '${p}' is not one of ${PROTOCOLS.join(', ')}`);
    }
  }
  if (list.length === 0) throw new StartupError(`invalid value for ${flag}: name at least one of ${PROTOCOLS.join(', ')}`);
  return [...new Set(list)] as Protocol[];
}

function fsyncPolicy(raw: string): string {
  parseFsyncOption(raw); // throws a StartupError naming the accepted values
  return raw;
}

function logLevel(raw: string, flag: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new StartupError(`invalid value '${raw}' for ${flag}: expected one of ${LOG_LEVELS.join(', ')}`);
  }
  return raw as LogLevel;
}

export const OPTIONS: OptionRow[] = [
  { flag: '--host', env: 'OMNIBROKER_HOST', key: 'host', parse: text, fallback: '127.0.0.1', help: 'bind address' },
  { flag: '--sqs-port', env: 'OMNIBROKER_SQS_PORT', key: 'sqsPort', parse: port, fallback: 9324, help: 'SQS HTTP API port' },
  { flag: '--amqp-port', env: 'OMNIBROKER_AMQP_PORT', key: 'amqpPort', parse: port, fallback: 5672, help: 'AMQP 0-9-1 port' },
  { flag: '--kafka-port', env: 'OMNIBROKER_KAFKA_PORT', key: 'kafkaPort', parse: port, fallback: 9092, help: 'Kafka port' },
  { flag: '--http-port', env: 'OMNIBROKER_HTTP_PORT', key: 'httpPort', parse: port, fallback: 15672, help: 'HTTP admin port (health, metrics)' },
  { flag: '--protocols', env: 'OMNIBROKER_PROTOCOLS', key: 'protocols', parse: protocols, fallback: [...PROTOCOLS], help: 'front-ends to run, e.g. sqs,amqp' },
  { flag: '--data-dir', env: 'OMNIBROKER_DATA_DIR', key: 'dataDir', parse: text, fallback: undefined, help: 'durable storage directory (unset = in memory)' },
  { flag: '--fsync', env: 'OMNIBROKER_FSYNC', key: 'fsync', parse: fsyncPolicy, fallback: 'interval', help: 'with --data-dir: always | interval[:MS] | never' },
  { flag: '--config', env: 'OMNIBROKER_CONFIG', key: 'configFile', parse: text, fallback: undefined, help: 'JSON file of predeclared resources' },
  { flag: '--advertised-host', env: 'OMNIBROKER_ADVERTISED_HOST', key: 'advertisedHost', parse: text, fallback: undefined, help: 'host put in SQS queue URLs and Kafka metadata' },
  { flag: '--log-level', env: 'OMNIBROKER_LOG_LEVEL', key: 'logLevel', parse: logLevel, fallback: 'info', help: `one of ${LOG_LEVELS.join(', ')}` },
];

/** Environment variables passed through to front-ends as `extra` (e.g. KAFKA_NUM_PARTITIONS). */
const EXTRA_ENV_PREFIXES = ['KAFKA_', 'AMQP_', 'SQS_', 'OMNIBROKER_KAFKA_', 'OMNIBROKER_AMQP_', 'OMNIBROKER_SQS_'];

export function usage(): string {
  const lines = OPTIONS.map((o) => `  ${o.flag.padEnd(20)} ${o.env.padEnd(28)} ${o.help}${o.fallback !== undefined ? ` (default ${String(o.fallback)})` : ''}`);
  return ['usage: omnibroker [options]', '', '  flag                 environment', ...lines, '  --set KEY=VALUE      protocol option, same as the environment variable KEY', '  --help'].join('\n');
}

/** Builds the configuration; throws StartupError on the first bad flag, env value or file. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): Config {
  const values = new Map<keyof Config, unknown>();
  const extra: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && EXTRA_ENV_PREFIXES.some((p) => name.startsWith(p))) extra[name] = value;
  }
  for (const o of OPTIONS) {
    const raw = env[o.env];
    if (raw !== undefined && raw !== '') values.set(o.key, o.parse(raw, o.env));
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined) throw new StartupError(`missing value for ${flag}`);
      i++;
      return next;
    };
    if (flag === '--set') {
      const kv = takeValue();
      const sep = kv.indexOf('=');
      if (sep <= 0) throw new StartupError(`invalid value '${kv}' for --set: expected KEY=VALUE`);
      extra[kv.slice(0, sep)] = kv.slice(sep + 1);
      continue;
    }
    const row = OPTIONS.find((o) => o.flag === flag);
    if (!row) throw new StartupError(`unknown option '${arg}' (see --help)`);
    values.set(row.key, row.parse(takeValue(), flag));
  }
  const get = <K extends keyof Config>(key: K): Config[K] => {
    const row = OPTIONS.find((o) => o.key === key) as OptionRow;
    return (values.has(key) ? values.get(key) : row.fallback) as Config[K];
  };
  const host = get('host');
  const configFile = get('configFile');
  return {
    host,
    sqsPort: get('sqsPort'),
    amqpPort: get('amqpPort'),
    kafkaPort: get('kafkaPort'),
    httpPort: get('httpPort'),
    protocols: get('protocols'),
    dataDir: get('dataDir'),
    fsync: get('fsync'),
    configFile,
    resources: configFile ? readResourceFile(configFile) : {},
    advertisedHost: (values.get('advertisedHost') as string | undefined) ?? (host === '0.0.0.0' || host === '::' ? 'localhost' : host),
    advertisedHostFixed: values.get('advertisedHost') !== undefined,
    logLevel: get('logLevel'),
    extra,
  };
}

/** Config for tests and embedding: everything on port 0, silent, in memory. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    host: '127.0.0.1',
    sqsPort: 0,
    amqpPort: 0,
    kafkaPort: 0,
    httpPort: 0,
    protocols: [...PROTOCOLS],
    dataDir: undefined,
    fsync: 'interval',
    configFile: undefined,
    resources: {},
    advertisedHost: '127.0.0.1',
    advertisedHostFixed: false,
    logLevel: 'silent',
    extra: {},
    ...overrides,
  };
}

export const RESOURCE_SECTIONS = ['sqs', 'amqp', 'kafka'] as const;

export function readResourceFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new StartupError(`cannot read --config file ${file}: ${code === 'ENOENT' ? 'no such file' : code}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new StartupError(`--config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  try {
    return expectObject(doc, '$', RESOURCE_SECTIONS);
  } catch (err) {
    if (err instanceof ShapeError) throw new StartupError(`--config file ${file}: ${err.message}`);
    throw err;
  }
}
