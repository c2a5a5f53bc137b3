// Applies the validated "amqp" resources (definitions.ts) to a fresh broker: vhosts with their
// predeclared exchanges, limits and policies, then exchanges, queues (through the same
// creation path as queue.declare, so policies apply) and bindings.

import type { Broker } from '../core/index.js';
import { tableFrom } from './codec.js';
import { DELAYED_TYPE, delayedKind } from './delayed.js';
import type { AmqpResources } from './definitions.js';
import { rqueue } from './errors.js';
import { parseQueueArgs } from './methods/queue-args.js';
import { createQueue } from './queue-create.js';
import { Vhost } from './vhost.js';

export { parseResources, type AmqpResources } from './definitions.js';

export function applyResources(core: Broker, r: AmqpResources): Map<string, Vhost> {
  const vhosts = new Map<string, Vhost>();
  for (const [name, def] of r.vhosts) {
    const vh = new Vhost(name, core);
    vh.policies = def.policies;
    vh.maxConnections = def.maxConnections;
    vh.maxQueues = def.maxQueues;
    vhosts.set(name, vh);
  }
  for (const x of r.exchanges) {
    const vh = vhosts.get(x.vhost) as Vhost;
    const args = tableFrom(x.arguments);
    const ae = x.arguments['alternate-exchange'];
    const kind = x.type === DELAYED_TYPE ? delayedKind(args) : x.type;
    vh.router.declare(x.name, { kind, durable: x.durable, autoDelete: x.autoDelete, internal: x.internal, alternate: typeof ae === 'string' ? ae : undefined, meta: args });
    if (x.type === DELAYED_TYPE) vh.delayed.declare(x.name);
  }
  for (const q of r.queues) {
    const vh = vhosts.get(q.vhost) as Vhost;
    const table = tableFrom(q.arguments);
    createQueue(vh, q.name, table, parseQueueArgs(table, rqueue(q.name, q.vhost)), { durable: q.durable, autoDelete: q.autoDelete, exclusiveOwner: undefined });
  }
  for (const b of r.bindings) {
    (vhosts.get(b.vhost) as Vhost).router.bind(b.source, b.destinationType, b.destination, b.routingKey, b.arguments);
  }
  return vhosts;
}
