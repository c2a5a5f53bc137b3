// Dead-lettering (x-dead-letter-exchange / -routing-key) as RabbitMQ 4.2: the message is
// republished to the DLX carrying its death history. As in 4.x (mc:record_death), the history
// lives with the stored message, not in its headers: a client-supplied x-death is never read
// back, and the broker's x-death / x-first-death-* / x-last-death-* replace any the client set.
// x-death: one table per {queue, reason} (count, reason, queue, time = first death, exchange,
// routing-keys, original-expiration first when the message had one), most recent first.
// Cycles (the message already died in the target queue, no rejection since) are dropped.
// A missing DLX drops the message silently, as RabbitMQ does.

import type { DeadLetterReason, Queue, StoredMessage } from '../core/index.js';
import type { AmqpMeta, Death } from './channel.js';
import { decodeProperties, encodeContentHeader, fieldFrom, plain, Writer, type FieldTable, type FieldValue } from './codec.js';
import { enqueueAll } from './publish.js';
import type { Stream } from './stream.js';
import type { Vhost } from './vhost.js';

const w = new Writer(1024);

const BROKER_HEADERS = new Set([
  'x-death', 'x-first-death-exchange', 'x-first-death-queue', 'x-first-death-reason',
  'x-last-death-exchange', 'x-last-death-queue', 'x-last-death-reason',
]);

export function attachDeadLettering(vh: Vhost, q: Queue): void {
  const info = vh.info(q);
  // A durable queue's journal forgets a message leaving this way (expired, rejected, dropped
  // by max-length, over the delivery limit). Like RabbitMQ's classic queues, dead-lettering is
  // at most once: a crash between the removal and the copy's write can lose the copy.
  const store = info.store;
  if (info.deadLetterExchange === undefined) {
    q.deadLetterSink = store ? (m) => store.removed(m) : undefined;
    return;
  }
  q.deadLetterSink = store
    ? (m, reason) => {
      store.removed(m);
      deadLetter(vh, q, m, reason);
    }
    : (m, reason) => deadLetter(vh, q, m, reason);
}

/** The death history after one more death of `meta`'s message in `queue` (mc:record_death). */
function recordDeath(meta: AmqpMeta, queue: string, reason: DeadLetterReason, ttl: string | undefined, now: number): Death[] {
  const deaths = [...(meta.deaths ?? [])];
  const i = deaths.findIndex((d) => d.queue === queue && d.reason === reason);
  if (i >= 0) {
    const old = deaths.splice(i, 1)[0] as Death;
    deaths.unshift({ ...old, count: old.count + 1, lastTime: now });
  } else {
    const routingKeys = meta.extraKeys ? [meta.routingKey, ...meta.extraKeys] : [meta.routingKey];
    deaths.unshift({ queue, reason, count: 1, exchange: meta.exchange, routingKeys, firstTime: now, lastTime: now, ttl });
  }
  return deaths;
}

/** mc_amqpl:death_table, field order included. */
function deathTable(d: Death): FieldValue {
  const t: FieldTable = [
    ['count', { type: 'l', value: BigInt(d.count) }],
    ['reason', fieldFrom(d.reason)],
    ['queue', fieldFrom(d.queue)],
    ['time', { type: 'T', value: Math.floor(d.firstTime / 1000) }],
    ['exchange', fieldFrom(d.exchange)],
    ['routing-keys', { type: 'A', value: d.routingKeys.map((k) => fieldFrom(k)) }],
  ];
  if (d.ttl !== undefined) t.unshift(['original-expiration', fieldFrom(d.ttl)]);
  return { type: 'F', value: t };
}

/** The headers a dead-lettered message carries: the client's, with the broker's death headers replacing any of the same names, sorted by key as RabbitMQ does. */
function deathHeaders(client: FieldTable, deaths: readonly Death[]): FieldTable {
  const first = deaths[deaths.length - 1] as Death;
  const last = deaths[0] as Death;
  const out: FieldTable = client.filter(([k]) => !BROKER_HEADERS.has(k));
  out.push(
    ['x-death', { type: 'A', value: deaths.map(deathTable) }],
    ['x-first-death-exchange', fieldFrom(first.exchange)],
    ['x-first-death-queue', fieldFrom(first.queue)],
    ['x-first-death-reason', fieldFrom(first.reason)],
    ['x-last-death-exchange', fieldFrom(last.exchange)],
    ['x-last-death-queue', fieldFrom(last.queue)],
    ['x-last-death-reason', fieldFrom(last.reason)],
  );
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function deadLetter(vh: Vhost, q: Queue, m: StoredMessage, reason: DeadLetterReason): void {
  const info = vh.info(q);
  const dlx = info.deadLetterExchange as string;
  const meta = m.meta as AmqpMeta;
  const { bodySize, properties } = decodeProperties(meta.header);
  const expiration = properties['expiration'] as string | undefined;
  const deaths = recordDeath(meta, q.name, reason, expiration, vh.clock.now());
  const headers = deathHeaders((properties['headers'] as FieldTable | undefined) ?? [], deaths);
  // The per-message TTL does not follow the message (it moved to original-expiration).
  delete properties['expiration'];
  properties['headers'] = headers;
  w.reset();
  encodeContentHeader(w, bodySize, properties);
  // rabbit_dead_letter: the DLX routing key, or else all the keys it was published with (CC too).
  const dlrk = info.deadLetterRoutingKey;
  const key = dlrk ?? meta.routingKey;
  const keys = dlrk === undefined && meta.extraKeys ? [key, ...meta.extraKeys] : [key];
  const newMeta: AmqpMeta = dlrk === undefined && meta.extraKeys ? { exchange: dlx, routingKey: key, header: w.take(), deaths, extraKeys: meta.extraKeys } : { exchange: dlx, routingKey: key, header: w.take(), deaths };
  if (dlx !== '' && !vh.router.get(dlx)) return;
  const names = new Set<string>();
  for (const k of keys) {
    if (dlx === '') names.add(k);
    else for (const n of vh.router.route(dlx, k, () => plainHeaders(headers)).queues) names.add(n);
  }
  const queues = [...names].map((n) => vh.target(n)).filter((t): t is Queue | Stream => t !== undefined && !t.isDeleted && !isCycle(deaths, t.name));
  if (queues.length > 0) enqueueAll(undefined, queues, newMeta, m.body, properties['priority'] as number | undefined, undefined);
}

/**
 * RabbitMQ 4.x (mc is_cycle_v2): the target queue appears in the history and no death from
 * the most recent one back to (and including) that one was a rejection.
 */
function isCycle(deaths: readonly Death[], target: string): boolean {
  for (const d of deaths) {
    if (d.reason === 'rejected') return false;
    if (d.queue === target) return true;
  }
  return false;
}

function plainHeaders(t: FieldTable): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of t) o[k] = plain(v);
  return o;
}
