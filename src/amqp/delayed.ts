// The x-delayed-message exchange type, as the rabbitmq-delayed-message-exchange plugin does it:
// the exchange routes like its x-delayed-type (direct, fanout, topic, headers); a message
// published to it with a positive integer x-delay header (ms; numeric strings are parsed, as
// the plugin does) is held on a core clock timer and routed when the delay is over, with x-delay
// negated to show it was delayed. Without the header (or with x-delay <= 0) it routes at once.
// As in the plugin, routing happens later, so a held message counts as unroutable now (a
// mandatory publish gets basic.return) and deleting the exchange drops its held messages.

import type { ExchangeKind, TimerHandle } from '../core/index.js';
import { decodeProperties, encodeContentHeader, headersOf, plain, scanContentHeader, tableGet, Writer, type FieldTable } from './codec.js';
import { err } from './errors.js';
import type { PendingPublish } from './publish.js';
import type { Vhost } from './vhost.js';

export const DELAYED_TYPE = 'x-delayed-message';
const KINDS = new Set(['direct', 'fanout', 'topic', 'headers']);
const w = new Writer(512);

/** The routing kind named by x-delayed-type (406 with the plugin's text otherwise). */
export function delayedKind(args: FieldTable): ExchangeKind {
  const t = tableGet(args, 'x-delayed-type');
  const kind = t && t.type === 'S' ? t.value.toString('utf8') : undefined;
  if (kind === undefined || !KINDS.has(kind)) throw err('PRECONDITION_FAILED', "Invalid argument, 'x-delayed-type' must be an existing exchange type");
  return kind as ExchangeKind;
}

/** Held messages per delayed exchange of a vhost. */
export class DelayedMessages {
  private readonly held = new Map<string, Set<TimerHandle>>();

  isDelayed(exchange: string): boolean {
    return this.held.has(exchange);
  }

  declare(exchange: string): void {
    if (!this.held.has(exchange)) this.held.set(exchange, new Set());
  }

  /** Shutdown: every held message is dropped (state lives only as long as the process). */
  clear(): void {
    for (const name of [...this.held.keys()]) this.remove(name);
  }

  /** The exchange is gone: its held messages are dropped, as the plugin does. */
  remove(exchange: string): void {
    for (const t of this.held.get(exchange) ?? []) t.cancel();
    this.held.delete(exchange);
  }

  /**
   * Holds `p` when it asks for a delay; false when it should be routed now. `route` runs
   * when the delay is over, with the x-delay header negated.
   */
  hold(vh: Vhost, p: PendingPublish, route: (p: PendingPublish) => void): boolean {
    const delay = delayOf(p);
    if (delay === undefined || delay <= 0) return false;
    const set = this.held.get(p.exchange) as Set<TimerHandle>;
    const timer: TimerHandle = vh.clock.at(vh.clock.now() + delay, () => {
      set.delete(timer);
      if (!this.isDelayed(p.exchange)) return;
      const header = negated(p.header, delay);
      route({ ...p, mandatory: false, header, scan: scanContentHeader(header) });
    });
    set.add(timer);
    return true;
  }
}

function delayOf(p: PendingPublish): number | undefined {
  const v = tableGet(headersOf(p.header, p.scan), 'x-delay');
  if (!v) return undefined;
  if ('bBsuIil'.includes(v.type)) return Number(plain(v));
  if (v.type === 'S' && /^-?\d+$/.test(v.value.toString('utf8'))) return Number(v.value.toString('utf8'));
  return undefined;
}

function negated(header: Buffer, delay: number): Buffer {
  const { bodySize, properties } = decodeProperties(header);
  const headers = ((properties['headers'] as FieldTable | undefined) ?? []).map(([k, v]): [string, typeof v] => (k === 'x-delay' ? [k, { type: 'l', value: BigInt(-delay) }] : [k, v]));
  properties['headers'] = headers;
  w.reset();
  encodeContentHeader(w, bodySize, properties);
  return w.take();
}
