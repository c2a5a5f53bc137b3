// Reads the "amqp" section of --config, and the RabbitMQ definitions export it may name with
// `load_definitions` (RabbitMQ's own setting name), into one validated AmqpResources. Both use
// the export's JSON keys: users (password or password_hash + hashing_algorithm), vhosts,
// permissions, parameters (vhost-limits), policies, queues, exchanges, bindings. Every problem
// is a ShapeError naming its JSON path (for the file: "<file> $.users[0].password_hash").
// Shorthand kept from part 1: a user may list `vhosts` (full permissions there); without any
// `permissions` anywhere, a user without `vhosts` may use every vhost. Unsupported parts
// (topic permissions, other parameter components, mirroring policies) are startup errors.

import { readFileSync } from 'node:fs';
import type { ExchangeKind } from '../core/index.js';
import { expectArray, expectBoolean, expectInteger, expectObject, expectString, optional, ShapeError } from '../shared/json-shape.js';
import { AmqpUser, HASHING_MODULES, type Permission } from './access.js';
import { tableFrom } from './codec.js';
import { rqueue } from './errors.js';
import { parseQueueArgs } from './methods/queue-args.js';
import { POLICY_KEYS, type Policy } from './policies.js';

export interface VhostDef {
  maxConnections: number | undefined;
  maxQueues: number | undefined;
  policies: Policy[];
}

export interface ExchangeDef { vhost: string; name: string; type: ExchangeKind | 'x-delayed-message'; durable: boolean; autoDelete: boolean; internal: boolean; arguments: Record<string, unknown> }
export interface QueueDef { vhost: string; name: string; durable: boolean; autoDelete: boolean; arguments: Record<string, unknown> }
export interface BindingDef { vhost: string; source: string; destination: string; destinationType: 'queue' | 'exchange'; routingKey: string; arguments: Record<string, unknown> }

export interface AmqpResources {
  users: Map<string, AmqpUser>;
  vhosts: Map<string, VhostDef>;
  loopbackUsers: string[];
  exchanges: ExchangeDef[];
  queues: QueueDef[];
  bindings: BindingDef[];
  /** The '/' vhost and guest user were added because the config names none (first boot only). */
  defaultVhost: boolean;
  defaultUser: boolean;
}

const DOC_KEYS = ['users', 'vhosts', 'permissions', 'topic_permissions', 'parameters', 'global_parameters', 'policies', 'queues', 'exchanges', 'bindings', 'rabbit_version', 'rabbitmq_version', 'product_name', 'product_version', 'explicit_id'];
const SECTION_KEYS = [...DOC_KEYS, 'load_definitions', 'loopback_users'];
const EXCHANGE_TYPES = ['direct', 'fanout', 'topic', 'headers', 'x-delayed-message'];

interface Raw {
  users: { item: Record<string, unknown>; p: string }[];
  vhosts: { item: unknown; p: string }[];
  permissions: { item: Record<string, unknown>; p: string }[];
  parameters: { item: Record<string, unknown>; p: string }[];
  policies: { item: Record<string, unknown>; p: string }[];
  queues: { item: Record<string, unknown>; p: string }[];
  exchanges: { item: Record<string, unknown>; p: string }[];
  bindings: { item: Record<string, unknown>; p: string }[];
  sawUsers: boolean;
  sawVhosts: boolean;
  sawPermissions: boolean;
}

function collect(raw: Raw, doc: Record<string, unknown>, path: string): void {
  const list = <T>(key: string, read: (v: unknown, p: string) => T): { item: T; p: string }[] =>
    (optional(doc, key, path, expectArray) ?? []).map((v, i) => ({ item: read(v, `${path}.${key}[${i}]`), p: `${path}.${key}[${i}]` }));
  const obj = (v: unknown, p: string): Record<string, unknown> => expectObject(v, p);
  if (doc['users'] !== undefined) raw.sawUsers = true;
  if (doc['vhosts'] !== undefined) raw.sawVhosts = true;
  if (doc['permissions'] !== undefined) raw.sawPermissions = true;
  raw.users.push(...list('users', obj));
  raw.vhosts.push(...list('vhosts', (v) => v));
  raw.permissions.push(...list('permissions', obj));
  raw.parameters.push(...list('parameters', obj));
  raw.policies.push(...list('policies', obj));
  raw.queues.push(...list('queues', obj));
  raw.exchanges.push(...list('exchanges', obj));
  raw.bindings.push(...list('bindings', obj));
  const topic = optional(doc, 'topic_permissions', path, expectArray);
  if (topic && topic.length > 0) throw new ShapeError(`${path}.topic_permissions`, 'topic permissions are not supported by omnibroker');
}

function readDefinitionsFile(file: string, path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ShapeError(path, `cannot read definitions file ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ShapeError(`${file}`, `not valid JSON: ${(e as Error).message}`);
  }
  return expectObject(json, `${file} $`, DOC_KEYS);
}

export function parseResources(section: unknown, path: string): AmqpResources {
  const raw: Raw = { users: [], vhosts: [], permissions: [], parameters: [], policies: [], queues: [], exchanges: [], bindings: [], sawUsers: false, sawVhosts: false, sawPermissions: false };
  let loopbackUsers = ['guest'];
  if (section !== undefined) {
    const s = expectObject(section, path, SECTION_KEYS);
    const file = optional(s, 'load_definitions', path, expectString);
    if (file !== undefined) collect(raw, readDefinitionsFile(file, `${path}.load_definitions`), `${file} $`);
    collect(raw, s, path);
    const lb = optional(s, 'loopback_users', path, expectArray);
    if (lb) loopbackUsers = lb.map((v, i) => expectString(v, `${path}.loopback_users[${i}]`));
  }
  const out: AmqpResources = { users: new Map(), vhosts: new Map(), loopbackUsers, exchanges: [], queues: [], bindings: [], defaultVhost: !raw.sawVhosts, defaultUser: !raw.sawUsers };

  for (const { item, p } of raw.vhosts) {
    const v = typeof item === 'string' ? { name: item } : expectObject(item, p, ['name', 'description', 'tags', 'metadata', 'default_queue_type', 'limits', 'tracing']);
    const name = expectString(v['name'], `${p}.name`);
    const meta = v['metadata'] === undefined ? {} : expectObject(v['metadata'], `${p}.metadata`);
    const dqt = v['default_queue_type'] ?? meta['default_queue_type'];
    if (dqt !== undefined && dqt !== 'classic' && dqt !== 'undefined') throw new ShapeError(`${p}.default_queue_type`, `default queue type '${String(dqt)}' is not supported (only classic)`);
    // Exports write limits as [[key, value], ...] (3.x) or as an object.
    const rawLimits = Array.isArray(v['limits'])
      ? Object.fromEntries(v['limits'].map((pair, i) => {
        const kv = expectArray(pair, `${p}.limits[${i}]`);
        return [expectString(kv[0], `${p}.limits[${i}][0]`), kv[1]];
      }))
      : v['limits'];
    const limits = rawLimits === undefined ? {} : expectObject(rawLimits, `${p}.limits`, ['max-connections', 'max-queues']);
    out.vhosts.set(name, { maxConnections: limit(limits, 'max-connections', `${p}.limits`), maxQueues: limit(limits, 'max-queues', `${p}.limits`), policies: [] });
  }
  if (!raw.sawVhosts) out.vhosts.set('/', { maxConnections: undefined, maxQueues: undefined, policies: [] });
  const vhostOf = (o: Record<string, unknown>, p: string): string => {
    const v = optional(o, 'vhost', p, expectString) ?? '/';
    if (!out.vhosts.has(v)) throw new ShapeError(`${p}.vhost`, `vhost '${v}' is not defined`);
    return v;
  };

  for (const { item, p } of raw.users) {
    const u = expectObject(item, p, ['name', 'password', 'password_hash', 'hashing_algorithm', 'tags', 'limits', 'vhosts']);
    const name = expectString(u['name'], `${p}.name`);
    const tagsRaw = u['tags'];
    const tags = tagsRaw === undefined ? [] : Array.isArray(tagsRaw) ? tagsRaw.map((t, i) => expectString(t, `${p}.tags[${i}]`)) : expectString(tagsRaw, `${p}.tags`).split(',').filter(Boolean);
    const userLimits = u['limits'] === undefined ? {} : expectObject(u['limits'], `${p}.limits`, ['max-connections', 'max-channels']);
    let user: AmqpUser;
    if (u['password'] !== undefined) {
      user = AmqpUser.withPassword(name, expectString(u['password'], `${p}.password`), tags);
    } else {
      const hash = expectString(u['password_hash'], `${p}.password_hash`);
      const module = optional(u, 'hashing_algorithm', p, expectString) ?? 'rabbit_password_hashing_sha256';
      const algorithm = HASHING_MODULES[module];
      if (!algorithm) throw new ShapeError(`${p}.hashing_algorithm`, `expected one of ${Object.keys(HASHING_MODULES).join(', ')}`);
      const bytes = Buffer.from(hash, 'base64');
      // An empty hash is RabbitMQ's "no password" user: it can never log in with a password.
      if (hash !== '' && (bytes.length <= 4 || bytes.toString('base64') !== hash)) throw new ShapeError(`${p}.password_hash`, 'expected base64 of a 4-byte salt and a digest');
      user = new AmqpUser(name, hash === '' ? undefined : bytes, algorithm, tags);
    }
    const vhosts = optional(u, 'vhosts', p, expectArray)?.map((v, i) => expectString(v, `${p}.vhosts[${i}]`));
    if (vhosts) {
      for (const [i, v] of vhosts.entries()) {
        if (!out.vhosts.has(v)) throw new ShapeError(`${p}.vhosts[${i}]`, `vhost '${v}' is not defined`);
        user.setPermission(v, { configure: '.*', write: '.*', read: '.*' });
      }
    } else if (!raw.sawPermissions) {
      user.allVhosts = true;
    }
    user.maxConnections = limit(userLimits, 'max-connections', `${p}.limits`);
    user.maxChannels = limit(userLimits, 'max-channels', `${p}.limits`);
    out.users.set(name, user);
  }
  if (!raw.sawUsers) {
    // RabbitMQ's default user.
    const guest = AmqpUser.withPassword('guest', 'guest', ['administrator']);
    guest.allVhosts = true;
    out.users.set('guest', guest);
  }

  for (const { item, p } of raw.permissions) {
    expectObject(item, p, ['user', 'vhost', 'configure', 'write', 'read']);
    const name = expectString(item['user'], `${p}.user`);
    const user = out.users.get(name);
    if (!user) throw new ShapeError(`${p}.user`, `user '${name}' is not defined`);
    const perm: Record<keyof Permission, string> = { configure: '', write: '', read: '' };
    for (const k of ['configure', 'write', 'read'] as const) {
      perm[k] = expectString(item[k], `${p}.${k}`);
      try {
        new RegExp(perm[k]);
      } catch (e) {
        throw new ShapeError(`${p}.${k}`, `invalid regular expression: ${(e as Error).message}`);
      }
    }
    user.setPermission(vhostOf(item, p), perm);
  }

  for (const { item, p } of raw.parameters) {
    expectObject(item, p, ['vhost', 'component', 'name', 'value']);
    const component = expectString(item['component'], `${p}.component`);
    if (component !== 'vhost-limits') throw new ShapeError(`${p}.component`, `parameter component '${component}' is not supported (only vhost-limits)`);
    const value = expectObject(item['value'], `${p}.value`, ['max-connections', 'max-queues']);
    const vh = out.vhosts.get(vhostOf(item, p)) as VhostDef;
    vh.maxConnections = limit(value, 'max-connections', `${p}.value`) ?? vh.maxConnections;
    vh.maxQueues = limit(value, 'max-queues', `${p}.value`) ?? vh.maxQueues;
  }

  for (const { item, p } of raw.policies) {
    expectObject(item, p, ['vhost', 'name', 'pattern', 'apply-to', 'definition', 'priority']);
    const applyTo = optional(item, 'apply-to', p, expectString) ?? 'all';
    if (!['queues', 'classic_queues', 'quorum_queues', 'streams', 'exchanges', 'all'].includes(applyTo)) throw new ShapeError(`${p}.apply-to`, `unknown apply-to '${applyTo}'`);
    const source = expectString(item['pattern'], `${p}.pattern`);
    let pattern: RegExp;
    try {
      pattern = new RegExp(source);
    } catch (e) {
      throw new ShapeError(`${p}.pattern`, `invalid regular expression: ${(e as Error).message}`);
    }
    const definition = expectObject(item['definition'], `${p}.definition`);
    for (const [k, v] of Object.entries(definition)) {
      if (k.startsWith('ha-')) throw new ShapeError(`${p}.definition.${k}`, 'classic queue mirroring was removed in RabbitMQ 4.0');
      if (!(POLICY_KEYS as readonly string[]).includes(k)) throw new ShapeError(`${p}.definition.${k}`, `policy key not supported (supported: ${POLICY_KEYS.join(', ')})`);
      const isString = ['overflow', 'dead-letter-exchange', 'dead-letter-routing-key', 'max-age', 'alternate-exchange', 'queue-mode'].includes(k);
      if (isString) expectString(v, `${p}.definition.${k}`);
      else expectInteger(v, `${p}.definition.${k}`, k === 'delivery-limit' ? -1 : 0);
    }
    const vh = out.vhosts.get(vhostOf(item, p)) as VhostDef;
    vh.policies.push({ name: expectString(item['name'], `${p}.name`), pattern, applyTo: applyTo as Policy['applyTo'], priority: optional(item, 'priority', p, (v, q) => expectInteger(v, q)) ?? 0, definition });
  }

  const args = (o: Record<string, unknown>, p: string): Record<string, unknown> => optional(o, 'arguments', p, expectObject) ?? {};
  for (const { item, p } of raw.exchanges) {
    expectObject(item, p, ['vhost', 'name', 'type', 'durable', 'auto_delete', 'internal', 'arguments']);
    const type = expectString(item['type'], `${p}.type`);
    if (!EXCHANGE_TYPES.includes(type)) throw new ShapeError(`${p}.type`, `expected one of ${EXCHANGE_TYPES.join(', ')}`);
    const name = expectString(item['name'], `${p}.name`);
    if (name === '' || name.startsWith('amq.')) throw new ShapeError(`${p}.name`, "the default exchange and 'amq.*' names are reserved");
    if (type === 'x-delayed-message') {
      const delayed = (args(item, p))['x-delayed-type'];
      if (typeof delayed !== 'string' || !EXCHANGE_TYPES.slice(0, 4).includes(delayed)) throw new ShapeError(`${p}.arguments.x-delayed-type`, "Invalid argument, 'x-delayed-type' must be an existing exchange type");
    }
    out.exchanges.push({
      vhost: vhostOf(item, p), name, type: type as ExchangeDef['type'],
      durable: optional(item, 'durable', p, expectBoolean) ?? true,
      autoDelete: optional(item, 'auto_delete', p, expectBoolean) ?? false,
      internal: optional(item, 'internal', p, expectBoolean) ?? false,
      arguments: args(item, p),
    });
  }
  for (const { item, p } of raw.queues) {
    expectObject(item, p, ['vhost', 'name', 'durable', 'auto_delete', 'arguments', 'type', 'exclusive']);
    const name = expectString(item['name'], `${p}.name`);
    if (name === '' || name.startsWith('amq.')) throw new ShapeError(`${p}.name`, "queue names must be non-empty and not start with 'amq.'");
    const q: QueueDef = { vhost: vhostOf(item, p), name, durable: optional(item, 'durable', p, expectBoolean) ?? true, autoDelete: optional(item, 'auto_delete', p, expectBoolean) ?? false, arguments: { ...args(item, p) } };
    // Newer exports carry the queue type as a key of its own too.
    const type = optional(item, 'type', p, expectString);
    if (type !== undefined && q.arguments['x-queue-type'] === undefined && type !== 'classic') q.arguments['x-queue-type'] = type;
    try {
      parseQueueArgs(tableFrom(q.arguments), rqueue(name, q.vhost));
    } catch (e) {
      throw new ShapeError(`${p}.arguments`, (e as Error).message);
    }
    out.queues.push(q);
  }
  for (const { item, p } of raw.bindings) {
    expectObject(item, p, ['vhost', 'source', 'destination', 'destination_type', 'routing_key', 'arguments', 'properties_key']);
    const dt = optional(item, 'destination_type', p, expectString) ?? 'queue';
    if (dt !== 'queue' && dt !== 'exchange') throw new ShapeError(`${p}.destination_type`, "expected 'queue' or 'exchange'");
    const vhost = vhostOf(item, p);
    const source = expectString(item['source'], `${p}.source`);
    const destination = expectString(item['destination'], `${p}.destination`);
    const declared = (kind: string, n: string): boolean =>
      kind === 'exchange' ? n.startsWith('amq.') || out.exchanges.some((x) => x.vhost === vhost && x.name === n) : out.queues.some((x) => x.vhost === vhost && x.name === n);
    if (!declared('exchange', source)) throw new ShapeError(`${p}.source`, `exchange '${source}' in vhost '${vhost}' is not defined`);
    if (!declared(dt, destination)) throw new ShapeError(`${p}.destination`, `${dt} '${destination}' in vhost '${vhost}' is not defined`);
    out.bindings.push({ vhost, source, destination, destinationType: dt, routingKey: optional(item, 'routing_key', p, expectString) ?? '', arguments: args(item, p) });
  }
  return out;
}

function limit(o: Record<string, unknown>, key: string, p: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  const n = expectInteger(v, `${p}.${key}`, -1);
  // RabbitMQ: a negative limit means no limit.
  return n < 0 ? undefined : n;
}
