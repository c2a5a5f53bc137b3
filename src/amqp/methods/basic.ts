// basic.* handlers: qos (per-consumer and RabbitMQ's per-channel global; prefetch_size -> 540),
// consume (amq.ctag-* tags, exclusive consumers, x-priority, single-active-consumer queues),
// cancel, publish (content assembled by the channel), get, ack / nack / reject with multiple
// and requeue, recover (requeue=false -> 540, as RabbitMQ). no-local is ignored (as RabbitMQ).

import { randomBytes } from 'node:crypto';
import type { AmqpMeta, Channel } from '../channel.js';
import { ChannelConsumer } from '../consumer.js';
import { plain, tableGet, type FieldTable, type MethodArgs } from '../codec.js';
import { headerFor } from '../delivery-count.js';
import { err, rqueue } from '../errors.js';
import { contentFrames } from '../output.js';
import { methodByName } from '../spec.js';
import { REPLY_TO, startReplyConsumer, stopReplyConsumer } from '../reply-to.js';
import { findQueue, touchQueue } from './queue.js';
import { consumeStream, Stream } from '../stream.js';

type Handler = (ch: Channel, args: MethodArgs) => void;

const GET_OK = methodByName('basic.get-ok');

const qos: Handler = (ch, a) => {
  const size = a['prefetchSize'] as number;
  if (size !== 0) throw err('NOT_IMPLEMENTED', `prefetch_size!=0 (${size})`);
  const count = a['prefetchCount'] as number;
  if (a['global'] === true) ch.globalPrefetch = count;
  else ch.prefetchCount = count;
  ch.conn.sendMethod(ch.id, 'basic.qos-ok', {});
  ch.drainConsumers();
};

/** Single-active-consumer queues: only the earliest registered consumer gets credit. */
class SingleActiveConsumer extends ChannelConsumer {
  override credit(): number {
    return this.queue.consumerList()[0] === this ? super.credit() : 0;
  }
}

const consume: Handler = (ch, a) => {
  const vh = ch.vhost;
  if (a['queue'] === REPLY_TO) {
    const tag = (a['consumerTag'] as string) || 'amq.ctag-' + randomBytes(16).toString('base64url');
    startReplyConsumer(ch, tag, a['noAck'] === true);
    if (a['nowait'] !== true) ch.conn.sendMethod(ch.id, 'basic.consume-ok', { consumerTag: tag });
    return;
  }
  ch.authorize('read', 'queue', (a['queue'] as string) || ch.lastQueue);
  const q = findQueue(ch, a['queue'] as string);
  let tag = a['consumerTag'] as string;
  if (tag === '') tag = 'amq.ctag-' + randomBytes(16).toString('base64url');
  else if (ch.consumers.has(tag) || ch.streamConsumers.has(tag)) throw err('NOT_ALLOWED', `attempt to reuse consumer tag '${tag}'`);
  if (q instanceof Stream) return consumeStream(ch, q, tag, a);
  // rabbit_quorum_queue:consume refuses a channel with global QoS (limiter_active).
  if (ch.globalPrefetch > 0 && vh.info(q).type === 'quorum') throw err('NOT_IMPLEMENTED', `${rqueue(q.name, vh.name)} does not support global qos`);
  // Quorum queues ignore the exclusive flag of basic.consume (RabbitMQ 4.x).
  const exclusive = a['exclusive'] === true && vh.info(q).type !== 'quorum';
  const others = q.consumerList() as ChannelConsumer[];
  if (others.some((c) => c.exclusive) || (exclusive && others.length > 0)) {
    throw err('ACCESS_REFUSED', `${rqueue(q.name, vh.name)} in exclusive use`);
  }
  const args = a['arguments'] as FieldTable;
  const prio = tableGet(args, 'x-priority');
  let priority = 0;
  if (prio) {
    if (!'bBsuIil'.includes(prio.type)) throw err('PRECONDITION_FAILED', `invalid arg 'x-priority' for ${rqueue(q.name, vh.name)}: "expected integer, got ${prio.type === 'S' ? 'longstr' : prio.type}"`);
    priority = Number(plain(prio));
  }
  const info = vh.info(q);
  const Kind = info.singleActive ? SingleActiveConsumer : ChannelConsumer;
  const c = new Kind(ch, tag, q, a['noAck'] === true, priority, ch.prefetchCount, exclusive);
  ch.consumers.set(tag, c);
  info.hadConsumer = true;
  // consume-ok must precede the first delivery, and addConsumer delivers at once.
  if (a['nowait'] !== true) ch.conn.sendMethod(ch.id, 'basic.consume-ok', { consumerTag: tag });
  q.addConsumer(c);
  touchQueue(vh, q);
};

const cancel: Handler = (ch, a) => {
  const tag = a['consumerTag'] as string;
  if (tag === ch.replyTag) stopReplyConsumer(ch);
  ch.streamConsumers.get(tag)?.cancel();
  const c = ch.consumers.get(tag);
  if (c) {
    ch.removeConsumer(c);
    if (!c.queue.isDeleted) {
      touchQueue(ch.vhost, c.queue);
      c.queue.drain(); // a single-active queue hands over to the next consumer
    }
  }
  if (a['nowait'] !== true) ch.conn.sendMethod(ch.id, 'basic.cancel-ok', { consumerTag: tag });
};

const publish: Handler = (ch, a) => {
  if (a['immediate'] === true) throw err('NOT_IMPLEMENTED', 'immediate=true');
  ch.startPublish(a);
};

const get: Handler = (ch, a) => {
  ch.authorize('read', 'queue', (a['queue'] as string) || ch.lastQueue);
  const q = findQueue(ch, a['queue'] as string);
  if (q instanceof Stream) throw err('NOT_IMPLEMENTED', `basic.get not supported by stream queues ${rqueue(q.name, ch.vhost.name)}`);
  touchQueue(ch.vhost, q);
  const [lease] = q.lease(1, Infinity);
  if (!lease) {
    ch.conn.sendMethod(ch.id, 'basic.get-empty', { clusterId: '' });
    return;
  }
  const tag = ch.nextDeliveryTag();
  const m = lease.message;
  const store = ch.vhost.info(q).store;
  if (a['noAck'] === true) {
    store?.removed(m);
    q.ack(lease.id);
  } else {
    ch.track(tag, { queue: q, leaseId: lease.id, consumer: undefined, at: Date.now() });
    store?.delivered(m);
  }
  const meta = m.meta as AmqpMeta;
  const args = { deliveryTag: tag, redelivered: m.redelivered, exchange: meta.exchange, routingKey: meta.routingKey, messageCount: q.counts().ready };
  ch.conn.write(contentFrames(ch.id, GET_OK, args, headerFor(ch.vhost, q, m), m.body, ch.conn.frameMax));
};

function settle(ch: Channel, tag: number, multiple: boolean, requeue: boolean | 'ack'): void {
  const taken = ch.takeUnacked(tag, multiple);
  if (ch.mode === 'tx') {
    // Inside a transaction acks and rejections take effect at tx.commit.
    for (const t of taken) ch.txSettles.push({ ...t, requeue });
    return;
  }
  ch.settle(taken.map((t) => ({ u: t.u, requeue })));
}

const recover = (reply: boolean): Handler => (ch, a) => {
  if (a['requeue'] !== true) throw err('NOT_IMPLEMENTED', 'requeue=false');
  const entries = [...ch.unacked.values()].map((u) => ({ u, requeue: true as const }));
  for (const u of ch.unacked.values()) if (u.consumer) u.consumer.unacked--;
  ch.unacked.clear();
  ch.settle(entries);
  if (reply) ch.conn.sendMethod(ch.id, 'basic.recover-ok', {});
};

export const BASIC_CLASS: Record<string, Handler> = {
  'basic.qos': qos,
  'basic.consume': consume,
  'basic.cancel': cancel,
  'basic.publish': publish,
  'basic.get': get,
  'basic.ack': (ch, a) => settle(ch, a['deliveryTag'] as number, a['multiple'] === true, 'ack'),
  'basic.nack': (ch, a) => settle(ch, a['deliveryTag'] as number, a['multiple'] === true, a['requeue'] === true),
  'basic.reject': (ch, a) => settle(ch, a['deliveryTag'] as number, false, a['requeue'] === true),
  'basic.recover': recover(true),
  'basic.recover-async': recover(false),
};
