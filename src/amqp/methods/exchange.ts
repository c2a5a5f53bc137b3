// exchange.declare / delete / bind / unbind as RabbitMQ 4.2: types direct, fanout, topic and
// headers (other types: 406 unknown exchange type); the default exchange and amq.* names are
// reserved (403); redeclare checks type, durable, auto_delete, internal and alternate-exchange
// (406 "inequivalent arg"); delete and unbind are idempotent. Of the plugin types only
// x-delayed-message is built in (delayed.ts); others are 406 as on a RabbitMQ without plugins.

import type { ExchangeKind } from '../../core/index.js';
import type { Channel } from '../channel.js';
import { plainTable, tableGet, type FieldTable, type MethodArgs } from '../codec.js';
import { err, rexchange } from '../errors.js';
import { inequivalent, sameArg } from './equivalence.js';
import { DELAYED_TYPE, delayedKind } from '../delayed.js';
import { policyFor } from '../policies.js';

type Handler = (ch: Channel, args: MethodArgs) => void;

const KINDS = new Set(['direct', 'fanout', 'topic', 'headers']);
const DEFAULT_EXCHANGE = 'operation not permitted on the default exchange';

function reply(ch: Channel, a: MethodArgs, name: string): void {
  if (a['nowait'] !== true) ch.conn.sendMethod(ch.id, name, {});
}

const declare: Handler = (ch, a) => {
  const name = a['exchange'] as string;
  const vh = ch.vhost;
  const type = a['type'] as string;
  const args = a['arguments'] as FieldTable;
  if (name === '') throw err('ACCESS_REFUSED', DEFAULT_EXCHANGE);
  const existing = vh.router.get(name);
  if (a['passive'] === true) {
    if (!existing) throw err('NOT_FOUND', `no ${rexchange(name, vh.name)}`);
    return reply(ch, a, 'exchange.declare-ok');
  }
  const plugin = type === DELAYED_TYPE;
  if (!KINDS.has(type) && !plugin) throw err('PRECONDITION_FAILED', `unknown exchange type '${type}'`);
  ch.authorize('configure', 'exchange', name);
  if (existing) {
    const o = existing.options;
    const res = rexchange(name, vh.name);
    const current = vh.delayed.isDelayed(name) ? DELAYED_TYPE : o.kind;
    if (current !== type) throw inequivalent('type', res, `'${type}'`, `'${current}'`);
    if ((o.durable ?? false) !== (a['durable'] === true)) throw inequivalent('durable', res, `'${a['durable'] === true}'`, `'${o.durable ?? false}'`);
    if ((o.autoDelete ?? false) !== (a['autoDelete'] === true)) throw inequivalent('auto_delete', res, `'${a['autoDelete'] === true}'`, `'${o.autoDelete ?? false}'`);
    if ((o.internal ?? false) !== (a['internal'] === true)) throw inequivalent('internal', res, `'${a['internal'] === true}'`, `'${o.internal ?? false}'`);
    // RabbitMQ compares only alternate-exchange among exchange arguments.
    sameArg('alternate-exchange', res, existing.options.meta as FieldTable, args);
    return reply(ch, a, 'exchange.declare-ok');
  }
  if (name.startsWith('amq.')) throw err('ACCESS_REFUSED', `exchange name '${name}' contains reserved prefix 'amq.*'`);
  const aeArg = tableGet(args, 'alternate-exchange');
  // An alternate-exchange policy applies when the argument is absent (as RabbitMQ).
  const aePolicy = policyFor(vh.policies, name, undefined)?.definition['alternate-exchange'];
  const ae = aeArg && aeArg.type === 'S' ? aeArg.value.toString('utf8') : typeof aePolicy === 'string' ? aePolicy : undefined;
  if (ae !== undefined) {
    // rabbit_channel: declaring with an AE needs read on this exchange and write on the AE.
    ch.authorize('read', 'exchange', name);
    ch.authorize('write', 'exchange', ae);
  }
  // x-delayed-message routes like its x-delayed-type; the delay happens before routing.
  const kind = plugin ? delayedKind(args) : (type as ExchangeKind);
  vh.router.declare(name, {
    kind,
    durable: a['durable'] === true,
    autoDelete: a['autoDelete'] === true,
    internal: a['internal'] === true,
    alternate: ae,
    meta: args,
  });
  if (plugin) vh.delayed.declare(name);
  reply(ch, a, 'exchange.declare-ok');
};

const del: Handler = (ch, a) => {
  const name = a['exchange'] as string;
  const vh = ch.vhost;
  if (name === '') throw err('ACCESS_REFUSED', DEFAULT_EXCHANGE);
  if (name.startsWith('amq.')) throw err('ACCESS_REFUSED', `deletion of system ${rexchange(name, vh.name)} not allowed`);
  ch.authorize('configure', 'exchange', name);
  const ex = vh.router.get(name);
  if (ex) {
    if (a['ifUnused'] === true && ex.bindings.size > 0) throw err('PRECONDITION_FAILED', `${rexchange(name, vh.name)} in use`);
    vh.router.delete(name);
    vh.delayed.remove(name);
  }
  reply(ch, a, 'exchange.delete-ok');
};

function e2e(ch: Channel, a: MethodArgs, bind: boolean): void {
  const vh = ch.vhost;
  const source = a['source'] as string;
  const destination = a['destination'] as string;
  if (source === '' || destination === '') throw err('ACCESS_REFUSED', DEFAULT_EXCHANGE);
  ch.authorize('write', 'exchange', destination);
  ch.authorize('read', 'exchange', source);
  const key = a['routingKey'] as string;
  const args = plainTable(a['arguments'] as FieldTable);
  if (bind) {
    if (!vh.router.get(source)) throw err('NOT_FOUND', `no ${rexchange(source, vh.name)}`);
    if (!vh.router.get(destination)) throw err('NOT_FOUND', `no ${rexchange(destination, vh.name)}`);
    vh.router.bind(source, 'exchange', destination, key, args);
  } else {
    vh.router.unbindMatching(source, 'exchange', destination, key, args);
  }
  reply(ch, a, bind ? 'exchange.bind-ok' : 'exchange.unbind-ok');
}

export const EXCHANGE_CLASS: Record<string, Handler> = {
  'exchange.declare': declare,
  'exchange.delete': del,
  'exchange.bind': (ch, a) => e2e(ch, a, true),
  'exchange.unbind': (ch, a) => e2e(ch, a, false),
};
