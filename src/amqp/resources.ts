// The "amqp" section of --config: users, vhosts and predeclared exchanges, queues and bindings,
// in the shape of RabbitMQ's definitions export (names and keys as there). checkResources
// validates it with JSON paths; applyResources declares everything at start.

import type { Broker, ExchangeKind } from '../core/index.js';
import { expectArray, expectBoolean, expectObject, expectString, optional, ShapeError } from '../shared/json-shape.js';
import { tableFrom } from './codec.js';
import type { AmqpUser } from './connection.js';
import { rqueue } from './errors.js';
import { attachDeadLettering } from './dead-letter.js';
import { parseQueueArgs } from './methods/queue-args.js';
import { Stream } from './stream.js';
import { Vhost, type QueueInfo } from './vhost.js';

export interface AmqpResources {
  users: Map<string, AmqpUser>;
  vhosts: string[];
  exchanges: { vhost: string; name: string; type: ExchangeKind; durable: boolean; autoDelete: boolean; internal: boolean; arguments: Record<string, unknown> }[];
  queues: { vhost: string; name: string; durable: boolean; autoDelete: boolean; arguments: Record<string, unknown> }[];
  bindings: { vhost: string; source: string; destination: string; destinationType: 'queue' | 'exchange'; routingKey: string; arguments: Record<string, unknown> }[];
}

const TYPES = ['direct', 'fanout', 'topic', 'headers'];

export function parseResources(section: unknown, path: string): AmqpResources {
  const out: AmqpResources = { users: new Map([['guest', { password: 'guest', vhosts: undefined }]]), vhosts: ['/'], exchanges: [], queues: [], bindings: [] };
  if (section === undefined) return out;
  const s = expectObject(section, path, ['users', 'vhosts', 'exchanges', 'queues', 'bindings']);
  const list = (key: string): { item: Record<string, unknown>; p: string }[] =>
    (optional(s, key, path, expectArray) ?? []).map((v, i) => ({ item: expectObject(v, `${path}.${key}[${i}]`), p: `${path}.${key}[${i}]` }));
  const vhosts = optional(s, 'vhosts', path, expectArray);
  if (vhosts) out.vhosts = vhosts.map((v, i) => expectString(v, `${path}.vhosts[${i}]`));
  const vhostOf = (o: Record<string, unknown>, p: string): string => {
    const v = optional(o, 'vhost', p, expectString) ?? '/';
    if (!out.vhosts.includes(v)) throw new ShapeError(`${p}.vhost`, `vhost '${v}' is not listed in ${path}.vhosts`);
    return v;
  };
  const args = (o: Record<string, unknown>, p: string): Record<string, unknown> => optional(o, 'arguments', p, expectObject) ?? {};
  if (s['users'] !== undefined) out.users.clear();
  for (const { item, p } of list('users')) {
    const u = expectObject(item, p, ['name', 'password', 'vhosts']);
    const vh = optional(u, 'vhosts', p, expectArray)?.map((v, i) => expectString(v, `${p}.vhosts[${i}]`));
    out.users.set(expectString(u['name'], `${p}.name`), { password: expectString(u['password'], `${p}.password`), vhosts: vh });
  }
  for (const { item, p } of list('exchanges')) {
    expectObject(item, p, ['vhost', 'name', 'type', 'durable', 'auto_delete', 'internal', 'arguments']);
    const type = expectString(item['type'], `${p}.type`);
    if (!TYPES.includes(type)) throw new ShapeError(`${p}.type`, `expected one of ${TYPES.join(', ')}`);
    const name = expectString(item['name'], `${p}.name`);
    if (name === '' || name.startsWith('amq.')) throw new ShapeError(`${p}.name`, "the default exchange and 'amq.*' names are reserved");
    out.exchanges.push({
      vhost: vhostOf(item, p), name, type: type as ExchangeKind,
      durable: optional(item, 'durable', p, expectBoolean) ?? true,
      autoDelete: optional(item, 'auto_delete', p, expectBoolean) ?? false,
      internal: optional(item, 'internal', p, expectBoolean) ?? false,
      arguments: args(item, p),
    });
  }
  for (const { item, p } of list('queues')) {
    expectObject(item, p, ['vhost', 'name', 'durable', 'auto_delete', 'arguments']);
    const name = expectString(item['name'], `${p}.name`);
    if (name === '' || name.startsWith('amq.')) throw new ShapeError(`${p}.name`, "queue names must be non-empty and not start with 'amq.'");
    const q = { vhost: vhostOf(item, p), name, durable: optional(item, 'durable', p, expectBoolean) ?? true, autoDelete: optional(item, 'auto_delete', p, expectBoolean) ?? false, arguments: args(item, p) };
    try {
      parseQueueArgs(tableFrom(q.arguments), rqueue(name, q.vhost));
    } catch (e) {
      throw new ShapeError(`${p}.arguments`, (e as Error).message);
    }
    out.queues.push(q);
  }
  for (const { item, p } of list('bindings')) {
    expectObject(item, p, ['vhost', 'source', 'destination', 'destination_type', 'routing_key', 'arguments']);
    const dt = optional(item, 'destination_type', p, expectString) ?? 'queue';
    if (dt !== 'queue' && dt !== 'exchange') throw new ShapeError(`${p}.destination_type`, "expected 'queue' or 'exchange'");
    out.bindings.push({
      vhost: vhostOf(item, p),
      source: expectString(item['source'], `${p}.source`),
      destination: expectString(item['destination'], `${p}.destination`),
      destinationType: dt,
      routingKey: optional(item, 'routing_key', p, expectString) ?? '',
      arguments: args(item, p),
    });
  }
  return out;
}

/** Declares the configured vhosts, exchanges, queues and bindings in a fresh broker. */
export function applyResources(core: Broker, r: AmqpResources): Map<string, Vhost> {
  const vhosts = new Map<string, Vhost>();
  for (const name of r.vhosts) vhosts.set(name, new Vhost(name, core));
  for (const x of r.exchanges) {
    const vh = vhosts.get(x.vhost) as Vhost;
    const ae = x.arguments['alternate-exchange'];
    vh.router.declare(x.name, { kind: x.type, durable: x.durable, autoDelete: x.autoDelete, internal: x.internal, alternate: typeof ae === 'string' ? ae : undefined, meta: tableFrom(x.arguments) });
  }
  for (const q of r.queues) {
    const vh = vhosts.get(q.vhost) as Vhost;
    const table = tableFrom(q.arguments);
    const parsed = parseQueueArgs(table, rqueue(q.name, q.vhost));
    const info: QueueInfo = {
      durable: q.durable, autoDelete: q.autoDelete, exclusiveOwner: undefined, arguments: table, hadConsumer: false,
      expiresMs: parsed.expiresMs, expiryTimer: undefined, deadLetterExchange: parsed.deadLetterExchange,
      deadLetterRoutingKey: parsed.deadLetterRoutingKey, singleActive: parsed.singleActive,
      consumerTimeoutMs: parsed.consumerTimeoutMs, type: parsed.type,
    };
    if (parsed.type === 'stream') {
      vh.streams.set(q.name, new Stream(q.name, q.vhost, vh.clock, info, parsed.maxAgeMs, parsed.maxLengthBytes));
      continue;
    }
    const queue = vh.queues.create(q.name, parsed.options);
    queue.meta['amqp'] = info;
    attachDeadLettering(vh, queue);
  }
  for (const b of r.bindings) {
    const vh = vhosts.get(b.vhost) as Vhost;
    if (!vh.router.get(b.source)) throw new ShapeError('amqp.bindings', `binding source exchange '${b.source}' in vhost '${b.vhost}' is not declared`);
    const exists = b.destinationType === 'queue' ? vh.target(b.destination) !== undefined : vh.router.get(b.destination) !== undefined;
    if (!exists) throw new ShapeError('amqp.bindings', `binding destination ${b.destinationType} '${b.destination}' in vhost '${b.vhost}' is not declared`);
    vh.router.bind(b.source, b.destinationType, b.destination, b.routingKey, b.arguments);
  }
  return vhosts;
}
