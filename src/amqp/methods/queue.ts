// queue.declare / bind / unbind / purge / delete as RabbitMQ 4.2: server-named amq.gen-*
// queues, passive declares, exclusive queues locked to their connection (405), auto-delete,
// the empty name meaning the channel's last declared queue, equivalence checks on durable,
// auto_delete and the arguments RabbitMQ compares (406), idempotent delete and unbind.
// Quorum queues and streams follow rabbit_queue_type_util's declare rules; streams live in
// core Logs (stream.ts): purge on a stream is 540, delete ignores if-unused / if-empty.

import type { Queue } from '../../core/index.js';
import type { Channel } from '../channel.js';
import { plainTable, tableGet, type FieldTable, type MethodArgs } from '../codec.js';
import { err, rexchange, rqueue } from '../errors.js';
import { isReplyName, replyTargetExists } from '../reply-to.js';
import { Stream } from '../stream.js';
import { createQueue } from '../queue-create.js';
import { serverName, type Vhost } from '../vhost.js';
import { inequivalent, sameArg } from './equivalence.js';
import { COMPARED_ARGS, parseQueueArgs } from './queue-args.js';

type Handler = (ch: Channel, args: MethodArgs) => void;

const locked = (name: string, vhost: string): string =>
  `cannot obtain exclusive access to locked ${rqueue(name, vhost)}. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.`;

/** The queue (or stream) a method names ('' = last declared on the channel), checked for exclusivity. */
export function findQueue(ch: Channel, name: string): Queue | Stream {
  const vh = ch.vhost;
  if (name === '') {
    if (ch.lastQueue === '') throw err('NOT_FOUND', 'no previously declared queue');
    name = ch.lastQueue;
  }
  const q = vh.target(name);
  if (!q) throw err('NOT_FOUND', `no ${rqueue(name, vh.name)}`);
  checkExclusive(ch, q);
  return q;
}

function checkExclusive(ch: Channel, q: { meta: Record<string, unknown>; name: string }): void {
  const owner = ch.vhost.info(q).exclusiveOwner;
  if (owner && owner !== ch.conn) throw err('RESOURCE_LOCKED', locked(q.name, ch.vhost.name));
}

/** Restarts a queue's x-expires countdown (declare, get, consumer changes count as use). */
export function touchQueue(vh: Vhost, q: Queue | Stream): void {
  if (q instanceof Stream) return; // streams do not support x-expires
  const info = vh.info(q);
  if (info.expiresMs === undefined) return;
  if (info.expiryTimer) clearTimeout(info.expiryTimer);
  info.expiryTimer = setTimeout(() => {
    info.expiryTimer = undefined;
    if (q.isDeleted) return;
    if (q.consumerCount > 0) return touchQueue(vh, q);
    vh.deleteQueue(q);
  }, info.expiresMs);
  info.expiryTimer.unref();
}

function declareOk(ch: Channel, a: MethodArgs, q: Queue | Stream): void {
  ch.lastQueue = q.name;
  const messageCount = q instanceof Stream ? q.messageCount : q.counts().ready;
  if (a['nowait'] !== true) ch.conn.sendMethod(ch.id, 'queue.declare-ok', { queue: q.name, messageCount, consumerCount: q.consumerCount });
}

const declare: Handler = (ch, a) => {
  const vh = ch.vhost;
  // RabbitMQ strips CR and LF from queue names.
  let name = (a['queue'] as string).replace(/[\r\n]/g, '');
  const args = a['arguments'] as FieldTable;
  const durable = a['durable'] === true;
  const exclusive = a['exclusive'] === true;
  const autoDelete = a['autoDelete'] === true;
  if (a['passive'] === true) {
    // A direct reply-to name: 0 messages and 1 consumer while its requester listens.
    if (isReplyName(name) && replyTargetExists(vh, name)) {
      if (a['nowait'] !== true) ch.conn.sendMethod(ch.id, 'queue.declare-ok', { queue: name, messageCount: 0, consumerCount: 1 });
      return;
    }
    const q = findQueue(ch, name);
    touchQueue(vh, q);
    return declareOk(ch, a, q);
  }
  if (name === '') name = serverName('amq.gen-');
  const res = rqueue(name, vh.name);
  ch.authorize('configure', 'queue', name);
  const existing = vh.target(name);
  if (existing) {
    const info = vh.info(existing);
    if (info.exclusiveOwner ? info.exclusiveOwner !== ch.conn || !exclusive : exclusive) throw err('RESOURCE_LOCKED', locked(name, vh.name));
    if (info.durable !== durable) throw inequivalent('durable', res, `'${durable}'`, `'${info.durable}'`);
    if (info.autoDelete !== autoDelete) throw inequivalent('auto_delete', res, `'${autoDelete}'`, `'${info.autoDelete}'`);
    for (const key of COMPARED_ARGS) sameArg(key, res, info.arguments, args);
    // x-queue-type: a different type is 406 (texts as RabbitMQ); leaving it out matches any
    // type (RabbitMQ 4.x no longer fails redeclares that omit it).
    const askedType = tableGet(args, 'x-queue-type');
    if (askedType && !(askedType.type === 'S' && askedType.value.toString('utf8') === info.type)) sameArg('x-queue-type', res, info.arguments, args);
    touchQueue(vh, existing);
    return declareOk(ch, a, existing);
  }
  // As rabbit_channel: an existing queue is found first; the reserved prefix only blocks creation.
  if (name.startsWith('amq.') && (a['queue'] as string) !== '') throw err('ACCESS_REFUSED', `queue name '${name}' contains reserved prefix 'amq.*'`);
  if (vh.maxQueues !== undefined && vh.queues.list().length + vh.streams.size >= vh.maxQueues) {
    throw err('PRECONDITION_FAILED', `cannot declare queue '${name}': queue limit in vhost '${vh.name}' (${vh.maxQueues}) is reached`);
  }
  const parsed = parseQueueArgs(args, res);
  if (parsed.deadLetterExchange !== undefined) {
    // rabbit_channel: dead-lettering reads from this queue and writes to the DLX.
    ch.authorize('read', 'queue', name);
    ch.authorize('write', 'exchange', parsed.deadLetterExchange);
  }
  if (parsed.type !== 'classic') {
    // rabbit_queue_type_util: quorum queues and streams must be durable, shared, not auto-delete, named.
    if ((a['queue'] as string) === '') throw err('PRECONDITION_FAILED', `Cannot declare a server-named queue for type rabbit_${parsed.type}_queue`);
    if (!durable) throw err('PRECONDITION_FAILED', `invalid property 'non-durable' for ${res}`);
    if (exclusive) throw err('PRECONDITION_FAILED', `invalid property 'exclusive-owner' for ${res}`);
    if (autoDelete) throw err('PRECONDITION_FAILED', `invalid property 'auto-delete' for ${res}`);
  }
  const q = createQueue(vh, name, args, parsed, { durable, autoDelete, exclusiveOwner: exclusive ? ch.conn : undefined });
  touchQueue(vh, q);
  declareOk(ch, a, q);
};

function bindArgs(ch: Channel, a: MethodArgs): { q: Queue | Stream; exchange: string; key: string; args: Record<string, unknown> } {
  const exchange = a['exchange'] as string;
  if (exchange === '') throw err('ACCESS_REFUSED', 'operation not permitted on the default exchange');
  ch.authorize('write', 'queue', (a['queue'] as string) || ch.lastQueue);
  ch.authorize('read', 'exchange', exchange);
  // RabbitMQ looks the source exchange up before the queue.
  if (!ch.vhost.router.get(exchange)) throw err('NOT_FOUND', `no ${rexchange(exchange, ch.vhost.name)}`);
  const q = findQueue(ch, a['queue'] as string);
  let key = a['routingKey'] as string;
  // An empty routing key with an empty queue name binds with the queue's name (spec 1.7.2.3).
  if (key === '' && (a['queue'] as string) === '') key = q.name;
  return { q, exchange, key, args: plainTable(a['arguments'] as FieldTable) };
}

const bind: Handler = (ch, a) => {
  const { q, exchange, key, args } = bindArgs(ch, a);
  ch.vhost.router.bind(exchange, 'queue', q.name, key, args);
  if (a['nowait'] !== true) ch.conn.sendMethod(ch.id, 'queue.bind-ok', {});
};

const unbind: Handler = (ch, a) => {
  const exchange = a['exchange'] as string;
  if (exchange === '') throw err('ACCESS_REFUSED', 'operation not permitted on the default exchange');
  const vh = ch.vhost;
  ch.authorize('write', 'queue', (a['queue'] as string) || ch.lastQueue);
  ch.authorize('read', 'exchange', exchange);
  const q = vh.target((a['queue'] as string) || ch.lastQueue);
  if (q) {
    checkExclusive(ch, q);
    vh.router.unbindMatching(exchange, 'queue', q.name, a['routingKey'] as string, plainTable(a['arguments'] as FieldTable));
  }
  ch.conn.sendMethod(ch.id, 'queue.unbind-ok', {});
};

const purge: Handler = (ch, a) => {
  ch.authorize('read', 'queue', (a['queue'] as string) || ch.lastQueue);
  const q = findQueue(ch, a['queue'] as string);
  if (q instanceof Stream) throw err('NOT_IMPLEMENTED', `queue.purge not supported by stream queues ${rqueue(q.name, ch.vhost.name)}`);
  ch.vhost.info(q).store?.purging(q);
  const n = q.purge();
  if (a['nowait'] !== true) ch.conn.sendMethod(ch.id, 'queue.purge-ok', { messageCount: n });
};

const del: Handler = (ch, a) => {
  const vh = ch.vhost;
  const name = (a['queue'] as string) || ch.lastQueue;
  ch.authorize('configure', 'queue', name);
  const q = vh.target(name);
  let count = 0;
  if (q instanceof Stream) {
    // rabbit_stream_queue:delete ignores if-unused and if-empty.
    vh.deleteStream(q);
  } else if (q) {
    checkExclusive(ch, q);
    if (a['ifUnused'] === true && q.consumerCount > 0) throw err('PRECONDITION_FAILED', `${rqueue(name, vh.name)} in use`);
    if (a['ifEmpty'] === true && q.counts().ready > 0) throw err('PRECONDITION_FAILED', `${rqueue(name, vh.name)} not empty`);
    count = vh.deleteQueue(q);
  }
  if (a['nowait'] !== true) ch.conn.sendMethod(ch.id, 'queue.delete-ok', { messageCount: count });
};

export const QUEUE_CLASS: Record<string, Handler> = {
  'queue.declare': declare,
  'queue.bind': bind,
  'queue.unbind': unbind,
  'queue.purge': purge,
  'queue.delete': del,
};
