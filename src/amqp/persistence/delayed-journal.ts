// Messages held by x-delayed-message exchanges under --data-dir. The delayed-message plugin
// keeps them in Mnesia, so a persistent message held by a durable delayed exchange outlives a
// restart; transient messages and non-durable exchanges are not kept (as there). One queue
// journal per exchange, `queues/amqp-delayed:<vhost>/<exchange>/`: an enqueue record per held
// message (availableAt = when it is due; meta = publish exchange, routing key, CC/BCC keys, TTL
// and the content header byte for byte), a remove record once it has been routed and its
// copies in durable queues are durable (so a crash in between routes it again: at least once).

import type { FileStore, QueueJournal, RecoveredQueueMessage } from '../../core/index.js';
import type { Logger } from '../../shared/logger.js';
import { scanContentHeader } from '../codec.js';
import type { HeldStore } from '../delayed.js';
import type { PendingPublish } from '../publish.js';
import type { Vhost } from '../vhost.js';
import { frameJsonAndHeader, isPersistent, splitJsonAndHeader } from './message-codec.js';

interface Encoded {
  r: string;
  x?: readonly string[];
  t?: number;
}

/** A held message read back: when it is due and how to route it. */
export interface KeptMessage {
  key: number;
  dueAt: number;
  publish: PendingPublish;
}

export class DelayedJournal implements HeldStore {
  private readonly journals = new Map<string, QueueJournal>();

  constructor(private readonly files: FileStore, private readonly vh: Vhost, private readonly log: Logger) {}

  static namespace(vhost: string): string {
    return 'amqp-delayed:' + vhost;
  }

  /** Reads the kept messages of `exchange` back, in publish order (startup, before serving). */
  recover(exchange: string): KeptMessage[] {
    const found = this.files.openQueue(DelayedJournal.namespace(this.vh.name), exchange);
    this.journals.set(exchange, found.journal);
    const out: KeptMessage[] = [];
    const bad: number[] = [];
    for (const m of found.messages) {
      const publish = decode(exchange, m);
      if (publish) out.push({ key: m.key, dueAt: m.message.availableAt, publish });
      else bad.push(m.key);
    }
    if (bad.length > 0) {
      this.log.warn({ vhost: this.vh.name, exchange, count: bad.length }, 'delayed messages whose metadata cannot be read were dropped');
      try {
        found.journal.remove(bad);
      } catch {
        // A failing disk: they are skipped again on the next start.
      }
    }
    return out;
  }

  hold(exchange: string, p: PendingPublish, dueAt: number): { key: number | undefined; durable: Promise<void> } | undefined {
    if (this.vh.router.get(exchange)?.options.durable !== true || !isPersistent(p.header)) return undefined;
    let journal = this.journals.get(exchange);
    if (!journal) {
      journal = this.files.createQueue(DelayedJournal.namespace(this.vh.name), exchange);
      this.journals.set(exchange, journal);
    }
    try {
      const key = journal.enqueue({
        id: '', body: p.body, meta: encode(p), size: p.body.length, priority: 0, groupKey: undefined,
        enqueuedAt: this.vh.clock.now(), availableAt: dueAt, expiresAt: Infinity,
        receiveCount: 0, returnCount: 0, firstLeasedAt: undefined, redelivered: false,
      });
      return { key, durable: journal.commit() };
    } catch (err) {
      // Disk full (or failing): the publisher is nacked; the message is still held in memory.
      return { key: undefined, durable: Promise.reject(err as Error) };
    }
  }

  release(exchange: string, key: number, routed: Promise<void>[]): void {
    const journal = this.journals.get(exchange);
    if (!journal) return;
    const remove = (): void => {
      // The exchange may have been deleted (and made again) meanwhile: not this journal's key.
      if (this.journals.get(exchange) !== journal || journal.failure) return;
      try {
        journal.remove(key);
      } catch {
        // Not written: the message is routed again after a restart (a duplicate, not a loss).
      }
    };
    if (routed.length === 0) remove();
    // A copy that did not reach the disk keeps the record: after a crash it is routed again.
    else Promise.all(routed).then(remove, () => {});
  }

  drop(exchange: string): void {
    this.journals.delete(exchange);
    this.files.deleteQueue(DelayedJournal.namespace(this.vh.name), exchange).catch((err: unknown) => this.log.warn({ err, exchange }, 'cannot remove a deleted delayed exchange journal'));
  }
}

// meta: u32 jsonLength | JSON {r, x?, t?} | content-header payload (the exchange is the journal's).
function encode(p: PendingPublish): Buffer {
  const e: Encoded = { r: p.routingKey };
  const extra = p.extraKeys;
  if (extra && extra.length > 0) e.x = extra;
  if (p.ttlMs !== undefined) e.t = p.ttlMs;
  return frameJsonAndHeader(e, p.header);
}

function decode(exchange: string, m: RecoveredQueueMessage): PendingPublish | undefined {
  try {
    const { json, header } = splitJsonAndHeader(m.message.meta);
    const e = json as Encoded;
    if (typeof e.r !== 'string') return undefined;
    // A copy of the body too: the journal's buffers may be reused by compaction.
    const p: PendingPublish = {
      exchange, routingKey: e.r, mandatory: false, header, scan: scanContentHeader(header), body: Buffer.from(m.message.body),
      ttlMs: typeof e.t === 'number' ? e.t : undefined,
    };
    return Array.isArray(e.x) ? { ...p, extraKeys: e.x } : p;
  } catch {
    return undefined;
  }
}
