// Stream queues (x-queue-type: stream) over AMQP 0-9-1, as RabbitMQ 4.2 serves them to 0-9-1
// clients: messages are appended to a core Log (one entry per message, the same primitive Kafka
// topics use) and never removed by consumption; each consumer reads from its own offset
// (x-stream-offset: first, last, next, an offset, a timestamp or an interval like "1h"), with
// manual acks that only free prefetch credit. Deliveries carry the x-stream-offset header.
// Retention: x-max-age and x-max-length-bytes, applied on append and on attach (RabbitMQ
// applies them per segment; here an entry is the unit). Not supported: stream filtering.

import type { Clock, LogEntry, LogStore } from '../core/index.js';
import { Log } from '../core/index.js';
import type { AmqpMeta, Channel } from './channel.js';
import { plain, tableGet, withLongHeader, type FieldTable, type FieldValue, type MethodArgs } from './codec.js';
import { err, rqueue } from './errors.js';
import { contentFrames } from './output.js';
import { methodByName } from './spec.js';
import { TYPE_NAMES } from './methods/queue-args.js';
import { encodeMeta } from './persistence/message-codec.js';
import type { QueueInfo } from './vhost.js';

const DELIVER = methodByName('basic.deliver');
const AGE_UNITS: Record<string, number> = { Y: 365 * 86400e3, M: 30 * 86400e3, D: 86400e3, h: 3600e3, m: 60e3, s: 1e3 };

export class Stream {
  readonly log: Log;
  readonly meta: Record<string, unknown> = {};
  readonly consumers = new Set<StreamConsumer>();
  /** Unacked deliveries (delivery "lease" id -> consumer), so an ack refills the right consumer. */
  private readonly leases = new Map<number, StreamConsumer>();
  private nextLease = 1;
  isDeleted = false;
  /** Under --data-dir: the stream's log on disk (RabbitMQ streams keep every message). */
  store: LogStore | undefined;

  constructor(readonly name: string, readonly vhost: string, private readonly clock: Clock, info: QueueInfo, readonly maxAgeMs: number | undefined, readonly maxLengthBytes: number | undefined) {
    this.log = new Log(clock);
    this.meta['amqp'] = info;
  }

  get messageCount(): number {
    return this.log.highWatermark - this.log.logStartOffset;
  }

  /**
   * Appends one message; its content header gains the x-stream-offset it will be read with.
   * Under --data-dir, resolves when the message is durable (per --fsync).
   */
  append(meta: AmqpMeta, body: Buffer): Promise<void> | undefined {
    const offset = this.log.highWatermark;
    const stored: AmqpMeta = { exchange: meta.exchange, routingKey: meta.routingKey, header: withLongHeader(meta.header, 'x-stream-offset', offset) };
    const entry = this.log.append({ bytes: body, recordCount: 1, maxTimestamp: this.clock.now(), meta: stored });
    const durable = this.store ? this.persist(entry, stored, body) : undefined;
    this.retain();
    for (const c of this.consumers) c.pump();
    return durable;
  }

  private persist(entry: LogEntry, meta: AmqpMeta, body: Buffer): Promise<void> {
    const store = this.store as LogStore;
    try {
      store.append({ baseOffset: entry.baseOffset, recordCount: 1, maxTimestamp: entry.maxTimestamp, appendedAt: entry.appendedAt, meta: encodeMeta(meta), bytes: body });
      return store.commit();
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  retain(): void {
    if (this.maxAgeMs === undefined && this.maxLengthBytes === undefined) return;
    this.log.applyRetention({ retentionMs: this.maxAgeMs ?? Infinity, retentionBytes: this.maxLengthBytes ?? Infinity });
    // Whole segments below the new start are deleted on disk too.
    if (this.store && this.log.logStartOffset > this.store.logStartOffset && !this.store.failure) {
      this.store.truncateBefore(this.log.logStartOffset).catch(() => {});
    }
  }

  /** Where a consumer starts for its x-stream-offset argument (default: next). */
  startOffset(arg: FieldValue | undefined): number {
    this.retain();
    const log = this.log;
    if (!arg) return log.highWatermark;
    const invalid = (): never => {
      const shown = arg.type === 'S' ? `{longstr,<<"${arg.value.toString('utf8')}">>}` : `{${TYPE_NAMES[arg.type] ?? arg.type},${JSON.stringify(plain(arg))}}`;
      throw err('PRECONDITION_FAILED', `invalid arg 'x-stream-offset' for ${rqueue(this.name, this.vhost)}: {invalid_stream_offset_arg,${shown}}`);
    };
    if ('bBsuIil'.includes(arg.type)) return Math.max(log.logStartOffset, Number(plain(arg)));
    if (arg.type === 'T') return this.offsetAt(Number(arg.value) * 1000);
    if (arg.type !== 'S') return invalid();
    const s = arg.value.toString('utf8');
    if (s === 'first') return log.logStartOffset;
    if (s === 'next') return log.highWatermark;
    if (s === 'last') {
      // The start of the last chunk; one message is one entry here.
      const last: LogEntry | undefined = log.highWatermark > log.logStartOffset ? log.read(log.highWatermark - 1, 1)[0] : undefined;
      return last ? last.baseOffset : log.highWatermark;
    }
    const m = /^(\d+)([YMDhms])$/.exec(s);
    if (!m) return invalid();
    return this.offsetAt(this.clock.now() - Number(m[1]) * (AGE_UNITS[m[2] as string] as number));
  }

  private offsetAt(time: number): number {
    const e = this.log.entryForTimestamp(time);
    return e ? e.baseOffset : this.log.highWatermark;
  }

  // ---- the ack-target side, shared with core queues in the channel's unacked map ----------

  track(c: StreamConsumer): number {
    const id = this.nextLease++;
    this.leases.set(id, c);
    return id;
  }

  /** Streams keep messages: an ack, nack or reject only frees the consumer's credit. */
  ack(leaseId: number): boolean {
    const c = this.leases.get(leaseId);
    this.leases.delete(leaseId);
    return c !== undefined;
  }

  release(leaseId: number): boolean {
    return this.ack(leaseId);
  }

  drain(): void {
    for (const c of this.consumers) c.pump();
  }

  get consumerCount(): number {
    return this.consumers.size;
  }
}

/**
 * basic.consume on a stream, with RabbitMQ's refusals in its order (rabbit_stream_queue:consume):
 * no per-consumer prefetch -> 406, no-ack -> 540, global qos -> 540.
 */
export function consumeStream(ch: Channel, s: Stream, tag: string, args: MethodArgs): void {
  const res = rqueue(s.name, s.vhost);
  if (ch.prefetchCount === 0) throw err('PRECONDITION_FAILED', `consumer prefetch count is not set for stream ${res}`);
  if (args['noAck'] === true) throw err('NOT_IMPLEMENTED', `automatic acknowledgement not supported by stream queues ${res}`);
  if (ch.globalPrefetch > 0) throw err('NOT_IMPLEMENTED', `${res} does not support global qos`);
  const offset = s.startOffset(tableGet(args['arguments'] as FieldTable, 'x-stream-offset'));
  const c = new StreamConsumer(ch, tag, s, ch.prefetchCount, offset);
  ch.streamConsumers.set(tag, c);
  s.consumers.add(c);
  if (args['nowait'] !== true) ch.conn.sendMethod(ch.id, 'basic.consume-ok', { consumerTag: tag });
  c.pump();
}

/** One basic.consume on a stream: its own read position and prefetch window. */
export class StreamConsumer {
  unacked = 0;
  constructor(readonly ch: Channel, readonly tag: string, readonly stream: Stream, readonly prefetch: number, public offset: number) {}

  pump(): void {
    const log = this.stream.log;
    const conn = this.ch.conn;
    while (this.unacked < this.prefetch && this.ch.state === 'open' && !conn.outputBlocked && !this.stream.isDeleted) {
      if (this.offset < log.logStartOffset) this.offset = log.logStartOffset;
      if (this.offset >= log.highWatermark) return;
      const [entry] = log.read(this.offset, 1);
      if (!entry) return;
      this.offset = entry.lastOffset + 1;
      const meta = entry.meta as AmqpMeta;
      const tag = this.ch.nextDeliveryTag();
      this.ch.track(tag, { queue: this.stream, leaseId: this.stream.track(this), consumer: this, at: Date.now() });
      this.unacked++;
      conn.write(contentFrames(this.ch.id, DELIVER, { consumerTag: this.tag, deliveryTag: tag, redelivered: false, exchange: meta.exchange, routingKey: meta.routingKey }, meta.header, entry.bytes, conn.frameMax));
    }
  }

  cancel(): void {
    this.ch.streamConsumers.delete(this.tag);
    this.stream.consumers.delete(this);
  }

  serverCancel(): void {
    this.ch.streamConsumers.delete(this.tag);
    if (this.ch.state === 'open' && this.ch.conn.capabilities['consumer_cancel_notify'] === true) {
      this.ch.conn.sendMethod(this.ch.id, 'basic.cancel', { consumerTag: this.tag, nowait: true });
    }
  }
}
