// Direct reply-to (RabbitMQ's amq.rabbitmq.reply-to pseudo-queue): a requester consumes
// "amq.rabbitmq.reply-to" in no-ack mode; its requests' reply-to property is rewritten to
// "amq.rabbitmq.reply-to.<key>", and replies published to that name through the default
// exchange are delivered straight to the requester's channel, bypassing queues (at most once).

import { randomBytes } from 'node:crypto';
import type { Channel } from './channel.js';
import { decodeProperties, encodeContentHeader, Writer } from './codec.js';
import { err } from './errors.js';
import { contentFrames } from './output.js';
import { methodByName } from './spec.js';

export const REPLY_TO = 'amq.rabbitmq.reply-to';
const PREFIX = REPLY_TO + '.';
const DELIVER = methodByName('basic.deliver');
const w = new Writer(512);

/** Channels with a reply consumer, by the opaque key in their reply-to names. */
const targets = new Map<string, { ch: Channel; tag: string }>();

export function isReplyName(name: string): boolean {
  return name.startsWith(PREFIX);
}

export function startReplyConsumer(ch: Channel, tag: string, noAck: boolean): void {
  if (!noAck) throw err('PRECONDITION_FAILED', 'reply consumer cannot acknowledge');
  if (ch.replyKey !== undefined) throw err('PRECONDITION_FAILED', 'reply consumer already set');
  ch.replyKey = `${ch.vhost.name}|${randomBytes(12).toString('base64url')}`;
  ch.replyTag = tag;
  targets.set(ch.replyKey, { ch, tag });
}

export function stopReplyConsumer(ch: Channel): void {
  if (ch.replyKey !== undefined) targets.delete(ch.replyKey);
  ch.replyKey = undefined;
  ch.replyTag = undefined;
}

/** The request's content header with reply-to rewritten to this channel's reply name. */
export function rewriteReplyTo(ch: Channel, header: Buffer): Buffer {
  if (ch.replyKey === undefined) throw err('PRECONDITION_FAILED', 'fast reply consumer does not exist');
  const { bodySize, properties } = decodeProperties(header);
  properties['replyTo'] = PREFIX + (ch.replyKey.split('|')[1] as string);
  w.reset();
  encodeContentHeader(w, bodySize, properties);
  return w.take();
}

function target(vhost: string, name: string): { ch: Channel; tag: string } | undefined {
  const t = targets.get(`${vhost}|${name.slice(PREFIX.length)}`);
  return t && t.ch.state === 'open' ? t : undefined;
}

/** Whether a reply name has a live consumer (passive declare answers 1 consumer or 404). */
export function replyTargetExists(vhost: string, name: string): boolean {
  return target(vhost, name) !== undefined;
}

/** Delivers a reply; false when the requester is gone (the reply is unroutable). */
export function deliverReply(vhost: string, routingKey: string, header: Buffer, body: Buffer): boolean {
  const t = target(vhost, routingKey);
  if (!t) return false;
  const tag = t.ch.nextDeliveryTag();
  t.ch.conn.write(contentFrames(t.ch.id, DELIVER, { consumerTag: t.tag, deliveryTag: tag, redelivered: false, exchange: '', routingKey }, header, body, t.ch.conn.frameMax));
  return true;
}
