// Dead-lettering (x-dead-letter-exchange / -routing-key) as RabbitMQ 4.x: the message is
// republished to the DLX with an x-death entry (queue, reason, count, time, exchange,
// routing-keys; entries compressed by queue+reason, most recent first), x-first-death-* and
// x-last-death-* headers; a per-message expiration moves to original-expiration. Cycles
// (the message already died in the target queue) are dropped unless a rejection caused them.

import type { DeadLetterReason, Queue, StoredMessage } from '../core/index.js';
import type { AmqpMeta } from './channel.js';
import { decodeProperties, encodeContentHeader, fieldFrom, plain, Writer, type FieldTable, type FieldValue } from './codec.js';
import { enqueueAll } from './publish.js';
import type { Vhost } from './vhost.js';

const w = new Writer(1024);

const REASONS: Record<DeadLetterReason, string> = { rejected: 'rejected', expired: 'expired', maxlen: 'maxlen', delivery_limit: 'delivery_limit' };

export function attachDeadLettering(vh: Vhost, q: Queue): void {
  const info = vh.info(q);
  if (info.deadLetterExchange === undefined) return;
  q.deadLetterSink = (m, reason) => deadLetter(vh, q, m, REASONS[reason]);
}

function str(v: FieldValue | undefined): string | undefined {
  return v && v.type === 'S' ? v.value.toString('utf8') : undefined;
}

function deadLetter(vh: Vhost, q: Queue, m: StoredMessage, reason: string): void {
  const info = vh.info(q);
  const dlx = info.deadLetterExchange as string;
  const meta = m.meta as AmqpMeta;
  const { bodySize, properties } = decodeProperties(meta.header);
  const headers: FieldTable = ((properties['headers'] as FieldTable | undefined) ?? []).filter(([k]) => !k.startsWith('x-last-death-'));
  const deaths = headers.find(([k]) => k === 'x-death')?.[1];
  const entries: FieldValue[] = deaths?.type === 'A' ? [...deaths.value] : [];
  const routingKeys = [meta.routingKey];
  let count = 1;
  const same = entries.findIndex((e) => e.type === 'F' && str(e.value.find(([k]) => k === 'queue')?.[1]) === q.name && str(e.value.find(([k]) => k === 'reason')?.[1]) === reason);
  if (same >= 0) {
    const old = entries.splice(same, 1)[0] as Extract<FieldValue, { type: 'F' }>;
    count = Number(plain(old.value.find(([k]) => k === 'count')?.[1] ?? { type: 'l', value: 0n })) + 1;
  }
  const entry: FieldTable = [
    ['count', { type: 'l', value: BigInt(count) }],
    ['reason', fieldFrom(reason)],
    ['queue', fieldFrom(q.name)],
    ['time', { type: 'T', value: Math.floor(Date.now() / 1000) }],
    ['exchange', fieldFrom(meta.exchange)],
    ['routing-keys', { type: 'A', value: routingKeys.map((k) => fieldFrom(k)) }],
  ];
  if (properties['expiration'] !== undefined) {
    entry.push(['original-expiration', fieldFrom(properties['expiration'])]);
    delete properties['expiration'];
  }
  entries.unshift({ type: 'F', value: entry });
  const out: FieldTable = headers.filter(([k]) => k !== 'x-death');
  out.push(['x-death', { type: 'A', value: entries }]);
  if (!out.some(([k]) => k === 'x-first-death-queue')) {
    out.push(['x-first-death-exchange', fieldFrom(meta.exchange)], ['x-first-death-queue', fieldFrom(q.name)], ['x-first-death-reason', fieldFrom(reason)]);
  }
  out.push(['x-last-death-exchange', fieldFrom(meta.exchange)], ['x-last-death-queue', fieldFrom(q.name)], ['x-last-death-reason', fieldFrom(reason)]);
  properties['headers'] = out;
  w.reset();
  encodeContentHeader(w, bodySize, properties);
  const key = info.deadLetterRoutingKey ?? meta.routingKey;
  const newMeta: AmqpMeta = { exchange: dlx, routingKey: key, header: w.take() };
  const targets = dlx === '' ? [vh.queues.get(key)] : [...vh.router.route(dlx, key, () => plainHeaders(out)).queues].map((n) => vh.queues.get(n));
  const queues = targets.filter((t): t is Queue => t !== undefined && !t.isDeleted && !isCycle(entries, t.name));
  if (queues.length > 0) enqueueAll(undefined, queues, newMeta, m.body, m.priority, undefined);
}

/** RabbitMQ drops a dead letter that comes back to a queue it died in, unless a rejection happened on the way. */
function isCycle(entries: FieldValue[], target: string): boolean {
  for (const e of entries) {
    if (e.type !== 'F') continue;
    if (str(e.value.find(([k]) => k === 'reason')?.[1]) === 'rejected') return false;
    if (str(e.value.find(([k]) => k === 'queue')?.[1]) === target) return true;
  }
  return false;
}

function plainHeaders(t: FieldTable): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of t) o[k] = plain(v);
  return o;
}
