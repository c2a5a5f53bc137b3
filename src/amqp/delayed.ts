// The x-delayed-message exchange type, as the rabbitmq-delayed-message-exchange plugin does it:
// the exchange routes like its x-delayed-type (direct, fanout, topic, headers); a message
// published to it with a positive integer x-delay header (ms; numeric strings are parsed, as
// the plugin does) is held on a core clock timer and routed when the delay is over, with x-delay
// negated to show it was delayed. Without the header (or with x-delay <= 0) it routes at once.
// As in the plugin, routing happens later, so a held message counts as unroutable now (a
// mandatory publish gets basic.return) and deleting the exchange drops its held messages.
// Under --data-dir a `HeldStore` (persistence/delayed-journal.ts) keeps persistent messages
// held by durable exchanges across restarts, as the plugin keeps them in Mnesia.

import type { ExchangeKind, TimerHandle } from '../core/index.js';
import { headersOf, plain, rewriteContentHeader, scanContentHeader, tableGet, type FieldTable } from './codec.js';
import { err } from './errors.js';
import type { PendingPublish } from './publish.js';
import type { Vhost } from './vhost.js';

export const DELAYED_TYPE = 'x-delayed-message';
const KINDS = new Set(['direct', 'fanout', 'topic', 'headers']);

/** The routing kind named by x-delayed-type (406 with the plugin's text otherwise). */
export function delayedKind(args: FieldTable): ExchangeKind {
  const t = tableGet(args, 'x-delayed-type');
  const kind = t && t.type === 'S' ? t.value.toString('utf8') : undefined;
  if (kind === undefined || !KINDS.has(kind)) throw err('PRECONDITION_FAILED', "Invalid argument, 'x-delayed-type' must be an existing exchange type");
  return kind as ExchangeKind;
}

/** Where held messages are kept across restarts (--data-dir); what it keeps is its choice. */
export interface HeldStore {
  /**
   * A message is held until `dueAt`: kept (persistent on a durable exchange) with its key and
   * the promise of it being durable, or undefined when it is not kept.
   */
  hold(exchange: string, p: PendingPublish, dueAt: number): { key: number | undefined; durable: Promise<void> } | undefined;
  /** It was routed (or dropped): its record goes once `routed` (its copies' writes) settled. */
  release(exchange: string, key: number, routed: Promise<void>[]): void;
  /** The exchange was deleted: every record it kept goes. */
  drop(exchange: string): void;
}

/** Routes a message whose delay is over; returns the promises of its durable copies. */
export type RouteLater = (p: PendingPublish) => Promise<void>[];

/** Held messages per delayed exchange of a vhost. */
export class DelayedMessages {
  private readonly held = new Map<string, Set<TimerHandle>>();
  /** Set under --data-dir (persistence/amqp-persistence.ts attach). */
  store: HeldStore | undefined;

  isDelayed(exchange: string): boolean {
    return this.held.has(exchange);
  }

  declare(exchange: string): void {
    if (!this.held.has(exchange)) this.held.set(exchange, new Set());
  }

  /**
   * Shutdown: the timers stop; kept messages stay on disk for the next start. The exchanges
   * stay delayed (the definitions saved after this still say x-delayed-message).
   */
  clear(): void {
    for (const set of this.held.values()) {
      for (const t of set) t.cancel();
      set.clear();
    }
  }

  /** The exchange is gone: its held messages are dropped, as the plugin does. */
  remove(exchange: string): void {
    for (const t of this.held.get(exchange) ?? []) t.cancel();
    this.held.delete(exchange);
    this.store?.drop(exchange);
  }

  /**
   * Holds `p` when it asks for a delay; false when it should be routed now. `route` runs
   * when the delay is over, with the x-delay header negated. `waits` (a confirm's) gets the
   * promise of the kept copy being durable.
   */
  hold(vh: Vhost, p: PendingPublish, route: RouteLater, waits?: Promise<void>[]): boolean {
    const delay = delayOf(p);
    if (delay === undefined || delay <= 0) return false;
    const dueAt = vh.clock.now() + delay;
    const kept = this.store?.hold(p.exchange, p, dueAt);
    if (kept) {
      if (waits) waits.push(kept.durable);
      else kept.durable.catch(() => {});
    }
    this.schedule(vh, p, delay, dueAt, route, kept?.key);
    return true;
  }

  /** A kept message read back at startup: routed at `dueAt` (at once if that has passed). */
  restore(vh: Vhost, p: PendingPublish, dueAt: number, key: number, route: RouteLater): void {
    this.declare(p.exchange);
    this.schedule(vh, p, delayOf(p) ?? 0, dueAt, route, key);
  }

  private schedule(vh: Vhost, p: PendingPublish, delay: number, dueAt: number, route: RouteLater, key: number | undefined): void {
    const set = this.held.get(p.exchange) as Set<TimerHandle>;
    const timer: TimerHandle = vh.clock.at(dueAt, () => {
      set.delete(timer);
      if (!this.isDelayed(p.exchange)) return;
      const header = negated(p.header, delay);
      const routed = route({ ...p, mandatory: false, header, scan: scanContentHeader(header) });
      if (key !== undefined) this.store?.release(p.exchange, key, routed);
    });
    set.add(timer);
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
  return rewriteContentHeader(header, (properties) => {
    properties['headers'] = ((properties['headers'] as FieldTable | undefined) ?? []).map(([k, v]): [string, typeof v] => (k === 'x-delay' ? [k, { type: 'l', value: BigInt(-delay) }] : [k, v]));
  });
}
