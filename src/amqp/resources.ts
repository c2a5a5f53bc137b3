// Applies the validated "amqp" resources (definitions.ts) to the broker: vhosts with their
// predeclared exchanges, limits and policies, then exchanges, queues (through the same
// creation path as queue.declare, so policies apply) and bindings. Over definitions restored
// from --data-dir (persistence/) it merges as RabbitMQ's definitions import does: vhost limits
// and policies, users and permissions named in the config replace the stored ones; exchanges,
// queues and bindings are only created when missing (an existing queue keeps its messages);
// the default '/' vhost and guest user are only made on a first boot.

import type { Broker } from '../core/index.js';
import type { AmqpUser } from './access.js';
import { tableFrom } from './codec.js';
import { DELAYED_TYPE, delayedKind } from './delayed.js';
import type { AmqpResources } from './definitions.js';
import { rqueue } from './errors.js';
import { parseQueueArgs } from './methods/queue-args.js';
import { createQueue } from './queue-create.js';
import { Vhost } from './vhost.js';

export { parseResources, type AmqpResources } from './definitions.js';

/** Definitions restored from --data-dir; `fresh` when nothing was stored yet. */
export interface RestoredDefinitions {
  vhosts: Map<string, Vhost>;
  users: Map<string, AmqpUser>;
  fresh: boolean;
}

export function applyResources(core: Broker, r: AmqpResources, into?: RestoredDefinitions): { vhosts: Map<string, Vhost>; users: Map<string, AmqpUser> } {
  const vhosts = into?.vhosts ?? new Map<string, Vhost>();
  const users = into?.users ?? new Map<string, AmqpUser>();
  const firstBoot = !into || into.fresh;
  for (const [name, def] of r.vhosts) {
    if (r.defaultVhost && !firstBoot && vhosts.has(name)) continue;
    let vh = vhosts.get(name);
    if (!vh) {
      vh = new Vhost(name, core);
      vhosts.set(name, vh);
    }
    vh.policies = def.policies;
    vh.maxConnections = def.maxConnections;
    vh.maxQueues = def.maxQueues;
  }
  for (const [name, user] of r.users) {
    if (r.defaultUser && !firstBoot) continue;
    users.set(name, user);
  }
  for (const x of r.exchanges) {
    const vh = vhosts.get(x.vhost) as Vhost;
    if (vh.router.get(x.name)) continue;
    const args = tableFrom(x.arguments);
    const ae = x.arguments['alternate-exchange'];
    const kind = x.type === DELAYED_TYPE ? delayedKind(args) : x.type;
    vh.router.declare(x.name, { kind, durable: x.durable, autoDelete: x.autoDelete, internal: x.internal, alternate: typeof ae === 'string' ? ae : undefined, meta: args });
    if (x.type === DELAYED_TYPE) vh.delayed.declare(x.name);
  }
  for (const q of r.queues) {
    const vh = vhosts.get(q.vhost) as Vhost;
    if (vh.target(q.name)) continue;
    const table = tableFrom(q.arguments);
    createQueue(vh, q.name, table, parseQueueArgs(table, rqueue(q.name, q.vhost)), { durable: q.durable, autoDelete: q.autoDelete, exclusiveOwner: undefined });
  }
  for (const b of r.bindings) {
    (vhosts.get(b.vhost) as Vhost).router.bind(b.source, b.destinationType, b.destination, b.routingKey, b.arguments);
  }
  return { vhosts, users };
}
