// basic.publish once its content is assembled: checks (exchange exists and is not internal,
// expiration, user-id), routing through the vhost's exchanges (the default exchange goes
// straight to the queue named by the routing key), enqueue into core queues with the
// content-header bytes as message meta, mandatory -> basic.return 312 NO_ROUTE, confirms, tx.
// Publishers feeding a consumed queue that is over its high-water mark stop being read.

import type { Queue } from '../core/index.js';
import type { AmqpMeta, Channel } from './channel.js';
import { headersOf, plainTable, rewriteContentHeader, scanContentHeader, type FieldTable, type HeaderScan, type MethodArgs } from './codec.js';
import { err, rexchange } from './errors.js';
import { contentFrames } from './output.js';
import { methodByName } from './spec.js';
import { deliverReply, isReplyName, REPLY_TO, rewriteReplyTo } from './reply-to.js';
import { Stream } from './stream.js';
import type { QueueInfo, Vhost } from './vhost.js';
import { isPersistent } from './persistence/message-codec.js';

export interface PendingPublish {
  readonly exchange: string;
  readonly routingKey: string;
  readonly mandatory: boolean;
  readonly header: Buffer;
  readonly scan: HeaderScan;
  readonly body: Buffer;
  readonly ttlMs: number | undefined;
  /** CC/BCC routing keys (sender-selected distribution), set by senderSelected(). */
  readonly extraKeys?: readonly string[];
}

const RETURN = methodByName('basic.return');

export function completePublish(ch: Channel, args: MethodArgs, header: Buffer, scan: HeaderScan, body: Buffer): void {
  const exchange = args['exchange'] as string;
  const vh = ch.vhost;
  ch.authorize('write', 'exchange', exchange);
  if (exchange !== '') {
    const ex = vh.router.get(exchange);
    if (!ex) throw err('NOT_FOUND', `no ${rexchange(exchange, vh.name)}`);
    if (ex.options.internal) throw err('ACCESS_REFUSED', `cannot publish to internal ${rexchange(exchange, vh.name)}`);
  }
  const ttlMs = scan.expiration === undefined ? undefined : parseExpiration(scan.expiration);
  if (scan.userId !== undefined && scan.userId !== ch.conn.user) {
    throw err('PRECONDITION_FAILED', `user_id property set to '${scan.userId}' but authenticated user was '${ch.conn.user}'`);
  }
  if (!ch.conn.publisher) ch.conn.markPublisher();
  if (scan.replyTo === REPLY_TO) header = rewriteReplyTo(ch, header);
  const p: PendingPublish = { exchange, routingKey: args['routingKey'] as string, mandatory: args['mandatory'] === true, header, scan, body, ttlMs };
  if (ch.mode === 'tx') {
    ch.txPublishes.push(p);
    return;
  }
  const seq = ch.mode === 'confirm' ? ++ch.publishSeq : 0;
  if (seq === 0) {
    routeAndEnqueue(ch, p);
    return;
  }
  // Persistent messages routed to durable queues (--data-dir) are confirmed once on disk.
  const waits: Promise<void>[] | undefined = ch.conn.ctx.durable ? [] : undefined;
  const ok = routeAndEnqueue(ch, p, waits);
  if (!waits || (waits.length === 0 && !ch.confirmsWaiting)) ch.confirm(seq, ok);
  else ch.durable.confirm(seq, ok, waits);
}

/** RabbitMQ's rabbit_basic:parse_expiration: a string holding a non-negative integer (ms). */
function parseExpiration(s: string): number {
  // Erlang's string:to_integer: an optional sign and digits, then anything left over is an error.
  const m = /^[+-]?\d+/.exec(s);
  if (!m) throw err('PRECONDITION_FAILED', `invalid expiration '${s}': no_integer`);
  if (m[0].length < s.length) throw err('PRECONDITION_FAILED', `invalid expiration '${s}': {leftover_string,"${s.slice(m[0].length)}"}`);
  const n = Number(m[0]);
  if (n < 0) throw err('PRECONDITION_FAILED', `invalid expiration '${s}': {value_negative,${n}}`);
  return n;
}

/** Routes and enqueues; false when some queue refused the message (confirm nack). */
export function routeAndEnqueue(ch: Channel, p: PendingPublish, waits?: Promise<void>[]): boolean {
  const vh = ch.vhost;
  const selected = senderSelected(p);
  if (selected) p = selected;
  if (p.exchange === '' && isReplyName(p.routingKey) && deliverReply(vh, p.routingKey, p.header, p.body)) return true;
  // x-delayed-message: a held message is routed later, so right now it routes nowhere.
  const held = vh.delayed.isDelayed(p.exchange) && vh.delayed.hold(vh, p, (later) => routeLater(vh, later), waits);
  const queues = held ? [] : destinations(vh, p);
  if (queues.length === 0) {
    if (p.mandatory) {
      ch.conn.write(contentFrames(ch.id, RETURN, { replyCode: 312, replyText: 'NO_ROUTE', exchange: p.exchange, routingKey: p.routingKey }, p.header, p.body, ch.conn.frameMax));
    }
    return true;
  }
  return enqueueAll(ch, queues, metaOf(p), p.body, p.scan.priority, p.ttlMs, waits);
}

/**
 * Routes a message whose delay is over (no publisher any more: no returns, no confirms);
 * returns the promises of its journalled copies being durable (--data-dir).
 */
export function routeLater(vh: Vhost, p: PendingPublish): Promise<void>[] {
  const waits: Promise<void>[] = [];
  if (!vh.router.get(p.exchange)) return waits;
  const queues = destinations(vh, p).filter((q) => !q.isDeleted);
  if (queues.length === 0) return waits;
  enqueueAll(undefined, queues, metaOf(p), p.body, p.scan.priority, p.ttlMs, waits);
  return waits;
}

/** The message meta every queue copy shares (extraKeys only when CC/BCC added some). */
function metaOf(p: PendingPublish): AmqpMeta {
  const extra = p.extraKeys;
  return extra && extra.length > 0 ? { exchange: p.exchange, routingKey: p.routingKey, header: p.header, extraKeys: extra } : { exchange: p.exchange, routingKey: p.routingKey, header: p.header };
}

/**
 * Enqueues into every queue. Under --data-dir a persistent message entering a durable queue is
 * journalled; `waits` (when given) collects the promises of it being durable.
 */
export function enqueueAll(ch: Channel | undefined, queues: (Queue | Stream)[], meta: AmqpMeta, body: Buffer, priority: number | undefined, ttlMs: number | undefined, waits?: Promise<void>[]): boolean {
  let ok = true;
  let persistent: boolean | undefined;
  for (const q of queues) {
    if (q instanceof Stream) {
      const durable = q.append(meta, body);
      if (durable) {
        if (waits) waits.push(durable);
        else durable.catch(() => {});
      }
      continue;
    }
    const store = (q.meta['amqp'] as QueueInfo).store;
    const journal = store !== undefined && (persistent ??= isPersistent(meta.header));
    if (journal) store.expect();
    const r = q.enqueue(priority === undefined ? (ttlMs === undefined ? { body, meta } : { body, meta, ttlMs }) : ttlMs === undefined ? { body, meta, priority } : { body, meta, priority, ttlMs });
    if (r.status === 'rejected') ok = false;
    if (journal) {
      const durable = store.enqueued(r.status === 'rejected' || r.status === 'duplicate' ? undefined : r.message);
      if (waits) waits.push(durable);
      else durable.catch(() => {}); // no publisher waits (dead-letter copy, delayed message)
    }
    // Only pure publisher connections are paused: a connection that also consumes must keep
    // reading, or its own acks could never arrive to drain the queue.
    if (ch && q.consumerCount > 0 && !ch.conn.consumes()) {
      const high = ch.conn.ctx.settings.queueHighWater;
      if (queueMemory(q) > high) ch.conn.pauseInput(() => q.isDeleted || queueMemory(q) <= high / 2);
    }
  }
  return ok;
}

// Sender-selected distribution (RabbitMQ extension): CC and BCC headers (arrays of strings)
// add routing keys; BCC is removed from the message. A byte search keeps the common case free.
const CC_KEY = Buffer.from('\x02CCA', 'latin1');
const BCC_KEY = Buffer.from('\x03BCCA', 'latin1');

function senderSelected(p: PendingPublish): PendingPublish | undefined {
  if (p.scan.headersAt < 0) return undefined;
  const end = p.scan.headersAt + 4 + p.header.readUInt32BE(p.scan.headersAt);
  const hasCc = p.header.subarray(p.scan.headersAt, end).indexOf(CC_KEY) >= 0;
  const hasBcc = p.header.subarray(p.scan.headersAt, end).indexOf(BCC_KEY) >= 0;
  if (!hasCc && !hasBcc) return undefined;
  const headers = headersOf(p.header, p.scan) as FieldTable;
  const keys: string[] = [];
  for (const [k, v] of headers) {
    if ((k === 'CC' || k === 'BCC') && v.type === 'A') for (const x of v.value) if (x.type === 'S') keys.push(x.value.toString('utf8'));
  }
  let header = p.header;
  if (hasBcc) {
    header = rewriteContentHeader(p.header, (properties) => {
      properties['headers'] = headers.filter(([k]) => k !== 'BCC');
    });
  }
  return { ...p, header, scan: hasBcc ? scanContentHeader(header) : p.scan, extraKeys: keys };
}

/** Approximate memory held by a queue's ready messages: bodies plus per-message overhead. */
function queueMemory(q: Queue): number {
  const c = q.counts();
  return c.readyBytes + c.ready * MESSAGE_OVERHEAD;
}

/** Bytes a stored message costs beyond its body (objects, header copy), measured roughly. */
const MESSAGE_OVERHEAD = 320;

function destinations(vh: Vhost, p: PendingPublish): (Queue | Stream)[] {
  const extra = p.extraKeys;
  if (extra && extra.length > 0) {
    const all = new Set<Queue | Stream>();
    for (const key of [p.routingKey, ...extra]) for (const q of destinations(vh, { ...p, routingKey: key, extraKeys: [] })) all.add(q);
    return [...all];
  }
  if (p.exchange === '') {
    const q = vh.target(p.routingKey);
    return q ? [q] : [];
  }
  let headers: Record<string, unknown> | undefined | null = null;
  const routed = vh.router.route(p.exchange, p.routingKey, () => {
    if (headers === null) {
      const t = headersOf(p.header, p.scan);
      headers = t ? plainTable(t) : undefined;
    }
    return headers;
  });
  const out: (Queue | Stream)[] = [];
  for (const name of routed.queues) {
    const q = vh.target(name);
    if (q) out.push(q);
  }
  return out;
}
