// Creating a queue or stream in a vhost, shared by queue.declare and the --config /
// definitions import: the declared arguments, then the vhost's applicable policy
// (policies.ts), then a core Queue (dead-lettering attached) or a Stream over a core Log.

import type { Queue } from '../core/index.js';
import type { FieldTable } from './codec.js';
import { attachDeadLettering } from './dead-letter.js';
import type { ParsedQueueArgs } from './methods/queue-args.js';
import { applyPolicy } from './policies.js';
import { Stream } from './stream.js';
import type { QueueInfo, QueueOwner, Vhost } from './vhost.js';

export interface QueueProps {
  durable: boolean;
  autoDelete: boolean;
  exclusiveOwner: QueueOwner | undefined;
}

export function createQueue(vh: Vhost, name: string, args: FieldTable, declared: ParsedQueueArgs, props: QueueProps): Queue | Stream {
  const parsed = applyPolicy(vh.policies, name, declared, new Set(args.map(([k]) => k)));
  const info: QueueInfo = {
    durable: props.durable,
    autoDelete: props.autoDelete,
    exclusiveOwner: props.exclusiveOwner,
    arguments: args,
    hadConsumer: false,
    expiresMs: parsed.expiresMs,
    expiryTimer: undefined,
    deadLetterExchange: parsed.deadLetterExchange,
    deadLetterRoutingKey: parsed.deadLetterRoutingKey,
    singleActive: parsed.singleActive,
    consumerTimeoutMs: parsed.consumerTimeoutMs,
    type: parsed.type,
  };
  if (parsed.type === 'stream') {
    const s = new Stream(name, vh.name, vh.clock, info, parsed.maxAgeMs, parsed.maxLengthBytes);
    vh.streams.set(name, s);
    vh.persistence?.created(vh, s);
    return s;
  }
  const q = vh.queues.create(name, parsed.options);
  q.meta['amqp'] = info;
  // Exclusive queues are deleted with their connection, so RabbitMQ never recovers them.
  if (props.durable && !props.exclusiveOwner) vh.persistence?.created(vh, q);
  attachDeadLettering(vh, q);
  return q;
}
