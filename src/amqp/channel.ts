// One AMQP channel: the publish state machine (idle -> header -> body, anything out of order is
// 505 UNEXPECTED_FRAME), consumers bound to core queues with prefetch credit, unacked
// deliveries by per-channel delivery tag, publisher confirms and tx buffers, and the close
// handshake. A channel error (soft reply code) closes only this channel; its unacked messages
// go back to their queues, as when the connection dies.

import type { Lease, Queue } from '../core/index.js';
import { authorize } from './access.js';
import type { ChannelConsumer } from './consumer.js';
import type { StreamConsumer } from './stream.js';
import { CodecError, decodeMethod, scanContentHeader, type HeaderScan, type MethodArgs } from './codec.js';
import type { Connection } from './connection.js';
import { AmqpError, err } from './errors.js';
import { CHANNEL_METHODS } from './methods/index.js';
import { contentFrames } from './output.js';
import { headerFor } from './delivery-count.js';
import { completePublish, type PendingPublish } from './publish.js';
import { stopReplyConsumer } from './reply-to.js';
import { DurableReplies } from './persistence/durable-replies.js';
import { FRAME, methodByName, type MethodDef } from './spec.js';
import type { QueueInfo, Vhost } from './vhost.js';

/** Methods that change exchanges, queues or bindings (saved under --data-dir). */
const DEFINITION_METHODS = new Set(['exchange.declare', 'exchange.delete', 'exchange.bind', 'exchange.unbind', 'queue.declare', 'queue.bind', 'queue.unbind', 'queue.delete']);

/** What the AMQP front-end stores with each message in the core (opaque to the core). */
export interface AmqpMeta {
  readonly exchange: string;
  readonly routingKey: string;
  /** The content-header payload as published, passed through to consumers verbatim. */
  readonly header: Buffer;
  /** CC/BCC routing keys of the publish (RabbitMQ lists them in x-death routing-keys). */
  readonly extraKeys?: readonly string[];
  /**
   * Dead-letter history kept with the message, most recent first (RabbitMQ 4.x keeps it in
   * message annotations: a client-supplied x-death header is never read back).
   */
  readonly deaths?: readonly Death[];
}

/** One {queue, reason} record of a message's dead-letter history. */
export interface Death {
  readonly queue: string;
  readonly reason: string;
  readonly count: number;
  readonly exchange: string;
  readonly routingKeys: readonly string[];
  /** When it first died this way (ms); x-death 'time' is this, in seconds. */
  readonly firstTime: number;
  readonly lastTime: number;
  /** The per-message expiration it had when it first died this way. */
  readonly ttl: string | undefined;
}

/** Where an unacked delivery is settled: a core queue, or a stream (acks only free credit). */
export interface AckTarget {
  readonly isDeleted: boolean;
  readonly meta: Record<string, unknown>;
  ack(leaseId: number): boolean;
  release(leaseId: number, requeue: boolean): boolean;
  drain(): void;
}

export interface Unacked {
  readonly queue: AckTarget;
  readonly leaseId: number;
  readonly consumer: { unacked: number } | undefined;
  /** When it was delivered (Date.now()), for the consumer timeout. */
  readonly at: number;
}

const DELIVER = methodByName('basic.deliver');
const PUBLISH = methodByName('basic.publish');

export class Channel {
  state: 'open' | 'closing' = 'open';
  private publishing: 'idle' | 'header' | 'body' = 'idle';
  private pubArgs: MethodArgs = {};
  private pubHeader: Buffer | undefined;
  private pubScan: HeaderScan | undefined;
  private pubBody: Buffer | undefined;
  private pubFilled = 0;
  /** The method being handled (its ids go into close frames). */
  current: MethodDef | undefined;

  readonly consumers = new Map<string, ChannelConsumer>();
  readonly streamConsumers = new Map<string, StreamConsumer>();
  readonly unacked = new Map<number, Unacked>();
  private nextTag = 0;
  private timeoutTimer: NodeJS.Timeout | undefined;
  private timeoutEvery = Infinity;
  /** basic.qos global=false: limit for consumers created afterwards. */
  prefetchCount = 0;
  /** basic.qos global=true: limit shared by the channel's consumers (RabbitMQ 4.2). */
  globalPrefetch = 0;
  mode: 'none' | 'confirm' | 'tx' = 'none';
  publishSeq = 0;
  private ackFrom = 0;
  private ackTo = 0;
  readonly txPublishes: PendingPublish[] = [];
  readonly txSettles: { tag: number; u: Unacked; requeue: boolean | 'ack' }[] = [];
  /** The last queue declared on this channel (the empty queue name refers to it). */
  lastQueue = '';
  /** Direct reply-to: this channel's opaque key and reply consumer tag, when it has one. */
  replyKey: string | undefined;
  replyTag: string | undefined;

  constructor(readonly conn: Connection, readonly id: number) {}

  get vhost(): Vhost {
    return this.conn.vhost as Vhost;
  }

  /** 403 unless the connection's user has the permission on the resource (access.ts). */
  authorize(what: 'configure' | 'write' | 'read', kind: 'queue' | 'exchange', name: string): void {
    authorize(this.conn.account, this.vhost.name, what, kind, name);
  }

  // ---- frames ---------------------------------------------------------------------------

  frame(type: number, payload: Buffer): void {
    try {
      if (this.state === 'closing') return this.whileClosing(type, payload);
      if (type === FRAME.method) {
        if (this.publishing === 'header') throw err('UNEXPECTED_FRAME', 'expected content header for class 60, got non content header frame instead');
        if (this.publishing === 'body') throw err('UNEXPECTED_FRAME', 'expected content body, got non content body frame instead');
        const m = decodeMethod(payload);
        this.current = m.def;
        const handler = CHANNEL_METHODS[m.def.name];
        if (!handler) throw err('COMMAND_INVALID', `unimplemented method '${m.def.name}'`);
        handler(this, m.args);
        if (this.vhost.persistence && DEFINITION_METHODS.has(m.def.name)) this.vhost.persistence.changed();
      } else if (type === FRAME.header) {
        if (this.publishing !== 'header') throw err('UNEXPECTED_FRAME', 'expected method frame, got non method frame instead');
        this.onHeader(payload);
      } else {
        if (this.publishing !== 'body') throw err('UNEXPECTED_FRAME', 'expected method frame, got non method frame instead');
        this.onBody(payload);
      }
    } catch (e) {
      if (e instanceof AmqpError && e.classId === 0 && this.current) {
        e.classId = this.current.classId;
        e.methodId = this.current.methodId;
      }
      this.publishing = 'idle';
      this.conn.onError(e, this.id);
    }
  }

  private whileClosing(type: number, payload: Buffer): void {
    // After channel.close only close-ok (or a crossing close) is meaningful (spec 2.2.4).
    if (type !== FRAME.method) return;
    const name = decodeMethod(payload).def.name;
    if (name === 'channel.close-ok') this.conn.channels.delete(this.id);
    else if (name === 'channel.close') this.conn.sendMethod(this.id, 'channel.close-ok', {});
  }

  startPublish(args: MethodArgs): void {
    this.pubArgs = args;
    this.publishing = 'header';
  }

  private onHeader(payload: Buffer): void {
    let scan: HeaderScan;
    try {
      scan = scanContentHeader(payload);
    } catch (e) {
      throw e instanceof CodecError ? err('FRAME_ERROR', 'content header is malformed') : e;
    }
    if (scan.classId !== 60) throw err('UNEXPECTED_FRAME', `expected content header for class 60, got one for class ${scan.classId} instead`);
    const max = this.conn.ctx.settings.maxMessageSize;
    if (scan.bodySize > max) {
      this.current = PUBLISH;
      throw err('PRECONDITION_FAILED', `message size ${scan.bodySize} is larger than configured max size ${max}`);
    }
    // Copied: the frame lies in a socket chunk we must not pin for the message's lifetime.
    this.pubHeader = Buffer.from(payload);
    this.pubScan = scan;
    this.pubBody = undefined;
    this.pubFilled = 0;
    if (scan.bodySize === 0) this.finishPublish(Buffer.alloc(0));
    else this.publishing = 'body';
  }

  private onBody(payload: Buffer): void {
    const size = (this.pubScan as HeaderScan).bodySize;
    if (this.pubFilled + payload.length > size) throw err('FRAME_ERROR', `content body is larger than the declared body size ${size}`);
    if (this.pubFilled === 0 && payload.length === size) return this.finishPublish(Buffer.from(payload));
    this.pubBody ??= Buffer.allocUnsafe(size);
    payload.copy(this.pubBody, this.pubFilled);
    this.pubFilled += payload.length;
    if (this.pubFilled === size) this.finishPublish(this.pubBody);
  }

  private finishPublish(body: Buffer): void {
    this.publishing = 'idle';
    this.current = PUBLISH;
    completePublish(this, this.pubArgs, this.pubHeader as Buffer, this.pubScan as HeaderScan, body);
  }

  // ---- deliveries -------------------------------------------------------------------------

  nextDeliveryTag(): number {
    return ++this.nextTag;
  }

  deliver(c: ChannelConsumer, lease: Lease): void {
    const tag = ++this.nextTag;
    const m = lease.message;
    const store = (c.queue.meta['amqp'] as QueueInfo).store;
    if (!c.noAck) {
      this.track(tag, { queue: c.queue, leaseId: lease.id, consumer: c, at: Date.now() });
      c.unacked++;
      store?.delivered(m);
    } else store?.removed(m);
    const meta = m.meta as AmqpMeta;
    this.conn.write(
      contentFrames(this.id, DELIVER, { consumerTag: c.tag, deliveryTag: tag, redelivered: m.redelivered, exchange: meta.exchange, routingKey: meta.routingKey }, headerFor(this.vhost, c.queue, m), m.body, this.conn.frameMax),
    );
  }

  /** Records an unacked delivery and makes sure the consumer-timeout check runs. */
  track(tag: number, u: Unacked): void {
    this.unacked.set(tag, u);
    const limit = this.vhost.info(u.queue).consumerTimeoutMs ?? this.conn.ctx.settings.consumerTimeoutMs;
    if (limit <= 0) return;
    // Checked every minute like RabbitMQ, or more often for short timeouts.
    const every = Math.min(60000, Math.max(10, limit / 2));
    if (this.timeoutTimer !== undefined && this.timeoutEvery <= every) return;
    if (this.timeoutTimer) clearInterval(this.timeoutTimer);
    this.timeoutEvery = every;
    this.timeoutTimer = setInterval(() => this.checkTimeouts(), every);
    this.timeoutTimer.unref();
  }

  /**
   * RabbitMQ's consumer (delivery acknowledgement) timeout: an unacked delivery older than the
   * queue's x-consumer-timeout or the server default closes the channel with 406.
   */
  private checkTimeouts(): void {
    const now = Date.now();
    for (const u of this.unacked.values()) {
      const limit = u.queue.isDeleted ? undefined : (this.vhost.info(u.queue).consumerTimeoutMs ?? this.conn.ctx.settings.consumerTimeoutMs);
      if (limit !== undefined && limit > 0 && now - u.at > limit) {
        const e = err('PRECONDITION_FAILED', `delivery acknowledgement on channel ${this.id} timed out. Timeout value used: ${limit} ms. This timeout value can be configured, see consumers doc guide to learn more`);
        this.closeWithError(e);
        return;
      }
    }
  }

  /** Lets queues push again after credit grew (acks, qos change, socket drained). */
  drainConsumers(): void {
    const seen = new Set<Queue>();
    for (const c of this.consumers.values()) {
      if (seen.has(c.queue)) continue;
      seen.add(c.queue);
      if (!c.queue.isDeleted) c.queue.drain();
    }
    for (const c of this.streamConsumers.values()) c.pump();
  }

  /** Takes unacked entries for tag (or all up to it with multiple; 0+multiple = all). */
  takeUnacked(tag: number, multiple: boolean): { tag: number; u: Unacked }[] {
    const out: { tag: number; u: Unacked }[] = [];
    if (multiple) {
      // rabbit_channel:collect_acks: take tags up to `tag`; running out before reaching it
      // (no entry with a larger tag either) means the tag is unknown.
      let passed = tag === 0 || this.unacked.has(tag);
      for (const [t, u] of this.unacked) {
        if (tag !== 0 && t > tag) {
          passed = true;
          break;
        }
        out.push({ tag: t, u });
      }
      if (!passed) throw err('PRECONDITION_FAILED', `unknown delivery tag ${tag}`);
    } else {
      const u = this.unacked.get(tag);
      if (!u) throw err('PRECONDITION_FAILED', `unknown delivery tag ${tag}`);
      out.push({ tag, u });
    }
    for (const e of out) {
      this.unacked.delete(e.tag);
      if (e.u.consumer) e.u.consumer.unacked--;
    }
    return out;
  }

  /** Applies acks (requeue='ack') or rejections to the core and refills consumers. */
  settle(entries: { u: Unacked; requeue: boolean | 'ack' }[]): void {
    const queues = new Set<AckTarget>();
    for (const { u, requeue } of entries) {
      if (u.queue.isDeleted) continue;
      if (requeue === 'ack') {
        const store = (u.queue.meta['amqp'] as QueueInfo | undefined)?.store;
        if (store) {
          const lease = (u.queue as Queue).getLease(u.leaseId);
          if (lease) store.removed(lease.message);
        }
        u.queue.ack(u.leaseId);
      } else {
        const store = requeue ? (u.queue.meta['amqp'] as QueueInfo | undefined)?.store : undefined;
        const m = store ? (u.queue as Queue).getLease(u.leaseId)?.message : undefined;
        u.queue.release(u.leaseId, requeue);
        // Still queued (not dead-lettered over a delivery limit): keep its return count.
        if (store && m) store.returned(m);
      }
      queues.add(u.queue);
    }
    for (const q of queues) if (!q.isDeleted) q.drain();
    if (this.globalPrefetch > 0) this.drainConsumers();
  }

  // ---- confirms ----------------------------------------------------------------------------

  confirm(seq: number, ok: boolean): void {
    if (ok) {
      if (this.ackTo === 0) this.ackFrom = seq;
      this.ackTo = seq;
      this.conn.confirmDirty.add(this);
      return;
    }
    this.flushConfirms();
    this.conn.sendMethod(this.id, 'basic.nack', { deliveryTag: seq, multiple: false, requeue: false });
  }

  /** Confirms and tx.commit-ok waiting for the disk (--data-dir only; made on first use). */
  get durable(): DurableReplies {
    return (this.durableReplies ??= new DurableReplies(this));
  }

  private durableReplies: DurableReplies | undefined;

  get confirmsWaiting(): boolean {
    return this.durableReplies !== undefined && this.durableReplies.waiting;
  }

  /** One (multiple) basic.ack for the confirms gathered while handling a chunk of input. */
  flushConfirms(): void {
    if (this.ackTo === 0) return;
    if (this.state === 'open') this.conn.sendMethod(this.id, 'basic.ack', { deliveryTag: this.ackTo, multiple: this.ackTo > this.ackFrom });
    this.ackTo = 0;
  }

  // ---- cancel and close ------------------------------------------------------------------------

  /** Removes a consumer; an auto-delete queue goes with its last consumer. */
  removeConsumer(c: ChannelConsumer): void {
    this.consumers.delete(c.tag);
    if (c.queue.isDeleted) return;
    c.queue.removeConsumer(c.tag);
    const info = this.vhost.info(c.queue);
    if (info.autoDelete && info.hadConsumer && c.queue.consumerCount === 0) this.vhost.deleteQueue(c.queue);
  }

  serverCancel(c: ChannelConsumer): void {
    this.consumers.delete(c.tag);
    if (this.state === 'open' && this.conn.capabilities['consumer_cancel_notify'] === true) {
      this.conn.sendMethod(this.id, 'basic.cancel', { consumerTag: c.tag, nowait: true });
    }
  }

  /** Drops consumers, requeues unacked deliveries, discards tx and partial publishes. */
  release(): void {
    stopReplyConsumer(this);
    if (this.timeoutTimer) clearInterval(this.timeoutTimer);
    this.timeoutTimer = undefined;
    for (const c of [...this.consumers.values()]) this.removeConsumer(c);
    for (const c of this.streamConsumers.values()) c.stream.consumers.delete(c);
    this.streamConsumers.clear();
    this.flushConfirms();
    const entries = [...this.unacked.values()].map((u) => ({ u, requeue: true as const }));
    this.unacked.clear();
    this.settle(entries);
    this.txPublishes.length = 0;
    this.txSettles.length = 0;
    this.publishing = 'idle';
  }

  closeWithError(e: AmqpError): void {
    if (this.state === 'closing') return;
    this.conn.log.info({ channel: this.id, code: e.code, text: e.text }, 'closing channel on error');
    this.release();
    this.state = 'closing';
    this.conn.sendMethod(this.id, 'channel.close', { replyCode: e.code, replyText: e.text, classId: e.classId, methodId: e.methodId });
  }
}
