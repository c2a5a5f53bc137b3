// One AMQP virtual host: its exchanges (a core Router), its queues (the core QueueSpace
// "amqp:<vhost>") and the AMQP facts the core does not keep (durable, exclusive owner,
// auto-delete, declared arguments). Deleting a queue here also drops its bindings and tells
// its consumers (server-sent basic.cancel), as RabbitMQ does.

import { randomBytes } from 'node:crypto';
import type { Broker, Clock, Queue, QueueConsumer, QueueSpace } from '../core/index.js';
import { Router } from '../core/index.js';
import type { FieldTable } from './codec.js';
import { DelayedMessages } from './delayed.js';
import type { Policy } from './policies.js';
import type { QueueType } from './methods/queue-args.js';
import type { DurableQueue } from './persistence/durable-queue.js';
import type { Stream } from './stream.js';

/** What a queue's owner connection must offer (kept abstract to avoid an import cycle). */
export interface QueueOwner {
  readonly id: number;
}

export interface QueueInfo {
  durable: boolean;
  autoDelete: boolean;
  exclusiveOwner: QueueOwner | undefined;
  arguments: FieldTable;
  /** Set once a consumer attached; auto-delete applies only after that. */
  hadConsumer: boolean;
  /** x-expires: idle lifetime and the timer that enforces it. */
  expiresMs: number | undefined;
  expiryTimer: NodeJS.Timeout | undefined;
  deadLetterExchange: string | undefined;
  deadLetterRoutingKey: string | undefined;
  singleActive: boolean;
  /** x-consumer-timeout (ms), overriding the server's consumer timeout. */
  consumerTimeoutMs: number | undefined;
  type: QueueType;
  /** The journal of a durable queue under --data-dir (persistence/); undefined in memory. */
  store?: DurableQueue | undefined;
}

/** What a vhost tells the durable definitions (--data-dir only). */
export interface VhostPersistence {
  /** A durable queue or stream was created at runtime: it gets its journal or log. */
  created(vh: Vhost, q: Queue | Stream): void;
  /** Exchanges, queues or bindings changed: the definitions are saved. */
  changed(): void;
  /** A durable queue or stream was deleted: its journal or log goes. */
  dropped(vh: Vhost, q: Queue | Stream): void;
}

/** A consumer the vhost can cancel when its queue goes away. */
export interface CancellableConsumer extends QueueConsumer {
  serverCancel(): void;
}

const PREDECLARED: readonly [string, 'direct' | 'fanout' | 'topic' | 'headers'][] = [
  ['amq.direct', 'direct'],
  ['amq.fanout', 'fanout'],
  ['amq.topic', 'topic'],
  ['amq.headers', 'headers'],
  ['amq.match', 'headers'],
];

/** RabbitMQ also predeclares the internal topic exchange used by the firehose tracer. */
const TRACE_EXCHANGE = 'amq.rabbitmq.trace';

export class Vhost {
  readonly router = new Router();
  readonly queues: QueueSpace;
  readonly clock: Clock;
  /** Set under --data-dir once the stored definitions are restored. */
  persistence: VhostPersistence | undefined;

  constructor(readonly name: string, core: Broker) {
    this.queues = core.queues('amqp:' + name);
    this.clock = core.clock;
    for (const [x, kind] of PREDECLARED) this.router.declare(x, { kind, durable: true, meta: [] as FieldTable });
    this.router.declare(TRACE_EXCHANGE, { kind: 'topic', durable: true, internal: true, meta: [] as FieldTable });
  }

  info(q: { meta: Record<string, unknown> }): QueueInfo {
    return q.meta['amqp'] as QueueInfo;
  }

  /** Policies (highest priority match applies at declaration) and limits from --config. */
  policies: Policy[] = [];
  maxConnections: number | undefined;
  maxQueues: number | undefined;

  /** Messages held by x-delayed-message exchanges. */
  readonly delayed = new DelayedMessages();

  /** Stream queues of this vhost (they live in core Logs, not core Queues). */
  readonly streams = new Map<string, Stream>();

  /** A queue or stream by name. */
  target(name: string): Queue | Stream | undefined {
    return this.queues.get(name) ?? this.streams.get(name);
  }

  /** Deletes a stream: bindings, consumers (server-cancelled), its log. */
  deleteStream(s: Stream): void {
    s.isDeleted = true;
    this.router.removeQueue(s.name);
    this.streams.delete(s.name);
    for (const c of [...s.consumers]) c.serverCancel();
    s.consumers.clear();
    this.persistence?.dropped(this, s);
  }

  /** Deletes a queue: bindings, consumers (server-cancelled), timers, storage. */
  deleteQueue(q: Queue): number {
    const count = q.counts().ready;
    const info = this.info(q);
    if (info.expiryTimer) clearTimeout(info.expiryTimer);
    const consumers = [...q.consumerList()];
    this.router.removeQueue(q.name);
    this.queues.delete(q.name);
    for (const c of consumers) (c as CancellableConsumer).serverCancel();
    if (info.store) this.persistence?.dropped(this, q);
    else if (info.durable) this.persistence?.changed();
    return count;
  }
}

export function serverName(prefix: string): string {
  return prefix + randomBytes(16).toString('base64url');
}
