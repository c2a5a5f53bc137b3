// Direct reply-to (RabbitMQ's amq.rabbitmq.reply-to pseudo-queue): a requester consumes
// "amq.rabbitmq.reply-to" in no-ack mode; its requests' reply-to property is rewritten to
// "amq.rabbitmq.reply-to.<key>", and replies published to that name through the default
// exchange are delivered straight to the requester's channel, bypassing queues (at most once).

import { randomBytes } from 'node:crypto';
import type { Channel } from './channel.js';
import { rewriteContentHeader } from './codec.js';
import { err } from './errors.js';
import { contentFrames } from './output.js';
import { methodByName } from './spec.js';
import type { Vhost } from './vhost.js';

export const REPLY_TO = 'amq.rabbitmq.reply-to';
const PREFIX = REPLY_TO + '.';
const DELIVER = methodByName('basic.deliver');

/** Channels with a reply consumer, per vhost (so servers in one process stay apart), by opaque key. */
const byVhost = new WeakMap<Vhost, Map<string, { ch: Channel; tag: string }>>();

function targetsOf(vh: Vhost): Map<string, { ch: Channel; tag: string }> {
  let m = byVhost.get(vh);
  if (!m) {
    m = new Map();
    byVhost.set(vh, m);
  }
  return m;
}

export function isReplyName(name: string): boolean {
  return name.startsWith(PREFIX);
}

export function startReplyConsumer(ch: Channel, tag: string, noAck: boolean): void {
  if (!noAck) throw err('PRECONDITION_FAILED', 'reply consumer cannot acknowledge');
  if (ch.replyKey !== undefined) throw err('PRECONDITION_FAILED', 'reply consumer already set');
  ch.replyKey = randomBytes(12).toString('base64url');
  ch.replyTag = tag;
  targetsOf(ch.vhost).set(ch.replyKey, { ch, tag });
}

export function stopReplyConsumer(ch: Channel): void {
  if (ch.replyKey !== undefined && ch.conn.vhost) targetsOf(ch.vhost).delete(ch.replyKey);
  ch.replyKey = undefined;
  ch.replyTag = undefined;
}

/** The request's content header with reply-to rewritten to this channel's reply name. */
export function rewriteReplyTo(ch: Channel, header: Buffer): Buffer {
  if (ch.replyKey === undefined) throw err('PRECONDITION_FAILED', 'fast reply consumer does not exist');
  const replyTo = PREFIX + ch.replyKey;
  return rewriteContentHeader(header, (properties) => {
    properties['replyTo'] = replyTo;
  });
}

function target(vhost: Vhost, name: string): { ch: Channel; tag: string } | undefined {
  const t = targetsOf(vhost).get(name.slice(PREFIX.length));
  return t && t.ch.state === 'open' ? t : undefined;
}

/** Whether a reply name has a live consumer (passive declare answers 1 consumer or 404). */
export function replyTargetExists(vhost: Vhost, name: string): boolean {
  return target(vhost, name) !== undefined;
}

/** Delivers a reply; false when the requester is gone (the reply is unroutable). */
export function deliverReply(vhost: Vhost, routingKey: string, header: Buffer, body: Buffer): boolean {
  const t = target(vhost, routingKey);
  if (!t) return false;
  const tag = t.ch.nextDeliveryTag();
  t.ch.conn.write(contentFrames(t.ch.id, DELIVER, { consumerTag: t.tag, deliveryTag: tag, redelivered: false, exchange: '', routingKey }, header, body, t.ch.conn.frameMax));
  return true;
}
