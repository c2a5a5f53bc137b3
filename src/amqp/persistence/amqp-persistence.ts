// AMQP state under --data-dir, restored before the port opens:
//   meta/amqp.snap                 definitions: vhosts (limits, policies), users (password
//                                  hashes, tags, limits, permissions), durable exchanges,
//                                  durable queues with their arguments, bindings between
//                                  durable ends; replaced atomically after every change
//   queues/amqp:<vhost>/<queue>/   one queue journal per durable queue: its persistent messages
//   queues/amqp-delayed:<vhost>/<exchange>/  persistent messages held by a durable
//                                  x-delayed-message exchange (delayed-journal.ts)
// As in RabbitMQ, transient exchanges and queues (and exclusive ones) are not recovered, nor
// are transient messages; a message delivered but not acked comes back redelivered=true.

import type { Broker, ExchangeKind, FileStore, Queue } from '../../core/index.js';
import type { Logger } from '../../shared/logger.js';
import { StartupError } from '../../shared/startup-error.js';
import { AmqpUser, type HashAlgorithm, type Permission } from '../access.js';
import { attachDeadLettering } from '../dead-letter.js';
import { rqueue } from '../errors.js';
import { touchQueue } from '../methods/queue.js';
import { parseQueueArgs } from '../methods/queue-args.js';
import type { Policy } from '../policies.js';
import { createQueue } from '../queue-create.js';
import type { RestoredDefinitions } from '../resources.js';
import { Stream } from '../stream.js';
import { Vhost, type VhostPersistence } from '../vhost.js';
import { routeLater } from '../publish.js';
import { DelayedJournal, type KeptMessage } from './delayed-journal.js';
import { DurableQueue } from './durable-queue.js';
import { decodeMeta } from './message-codec.js';
import { plainFromJson, plainToJson, tableFromText, tableToText } from './stored-values.js';

const SNAPSHOT = 'amqp';

interface StoredVhost {
  name: string;
  maxConnections?: number;
  maxQueues?: number;
  policies: { name: string; pattern: string; applyTo: Policy['applyTo']; priority: number; definition: Record<string, unknown> }[];
}

interface StoredUser {
  name: string;
  hash: string;
  algorithm: HashAlgorithm;
  tags: string[];
  allVhosts: boolean;
  permissions: [string, Permission][];
  maxConnections?: number;
  maxChannels?: number;
}

interface StoredExchange { vhost: string; name: string; kind: ExchangeKind; delayed: boolean; autoDelete: boolean; internal: boolean; alternate?: string; args: string }
interface StoredQueue { vhost: string; name: string; autoDelete: boolean; args: string }
interface StoredBinding { vhost: string; source: string; destinationKind: 'queue' | 'exchange'; destination: string; key: string; args: unknown }

interface Definitions {
  version: 1;
  vhosts: StoredVhost[];
  users: StoredUser[];
  exchanges: StoredExchange[];
  queues: StoredQueue[];
  bindings: StoredBinding[];
}

export class AmqpPersistence implements VhostPersistence {
  /** The definitions save in progress (confirms of messages in new queues wait for it). */
  saving: Promise<void> | undefined;
  private vhosts = new Map<string, Vhost>();
  private users = new Map<string, AmqpUser>();
  /** Per vhost: the delayed exchanges' journals and the held messages read back at startup. */
  private readonly delayedJournals = new Map<string, DelayedJournal>();
  private readonly kept = new Map<string, KeptMessage[]>();

  private constructor(private readonly files: FileStore, private readonly log: Logger) {}

  static namespace(vhost: string): string {
    return 'amqp:' + vhost;
  }

  /** A stream's log name (NUL cannot occur in vhost or queue names on the wire path). */
  static logName(vhost: string, stream: string): string {
    return `amqp\u0000${vhost}\u0000${stream}`;
  }

  /** Reads the stored definitions and messages back (synchronous reads: call before serving). */
  static restore(core: Broker, files: FileStore, log: Logger): { persistence: AmqpPersistence; restored: RestoredDefinitions } {
    const p = new AmqpPersistence(files, log);
    const defs = readDefinitions(files);
    const vhosts = new Map<string, Vhost>();
    for (const v of defs?.vhosts ?? []) {
      const vh = new Vhost(v.name, core);
      vh.maxConnections = v.maxConnections;
      vh.maxQueues = v.maxQueues;
      vh.policies = v.policies.map((x) => ({ ...x, pattern: new RegExp(x.pattern) }));
      vhosts.set(v.name, vh);
    }
    const users = new Map<string, AmqpUser>();
    for (const u of defs?.users ?? []) {
      const user = new AmqpUser(u.name, u.hash === '' ? undefined : Buffer.from(u.hash, 'base64'), u.algorithm, u.tags);
      user.allVhosts = u.allVhosts;
      for (const [vhost, perm] of u.permissions) user.setPermission(vhost, perm);
      user.maxConnections = u.maxConnections;
      user.maxChannels = u.maxChannels;
      users.set(u.name, user);
    }
    for (const x of defs?.exchanges ?? []) {
      const vh = vhosts.get(x.vhost);
      if (!vh) continue;
      vh.router.declare(x.name, { kind: x.kind, durable: true, autoDelete: x.autoDelete, internal: x.internal, alternate: x.alternate, meta: tableFromText(x.args) });
      if (x.delayed) vh.delayed.declare(x.name);
    }
    const known = new Set<string>();
    const knownLogs = new Set<string>();
    for (const r of defs?.queues ?? []) {
      const vh = vhosts.get(r.vhost);
      if (!vh) continue;
      const args = tableFromText(r.args);
      const q = createQueue(vh, r.name, args, parseQueueArgs(args, rqueue(r.name, r.vhost)), { durable: true, autoDelete: r.autoDelete, exclusiveOwner: undefined });
      if (q instanceof Stream) {
        knownLogs.add(AmqpPersistence.logName(r.vhost, r.name));
        p.restoreStream(vh, q);
        continue;
      }
      known.add(`${AmqpPersistence.namespace(r.vhost)}\u0000${r.name}`);
      p.restoreMessages(vh, q);
      touchQueue(vh, q); // x-expires counts again from the restart, as in RabbitMQ
    }
    for (const b of defs?.bindings ?? []) {
      const vh = vhosts.get(b.vhost);
      if (!vh || !vh.router.get(b.source) || !(b.destinationKind === 'queue' ? vh.target(b.destination) : vh.router.get(b.destination))) continue;
      vh.router.bind(b.source, b.destinationKind, b.destination, b.key, plainFromJson(b.args as never) as Record<string, unknown>);
    }
    // Held delayed messages of durable delayed exchanges; they are scheduled in attach().
    const knownDelayed = new Set<string>();
    for (const x of defs?.exchanges ?? []) {
      const vh = vhosts.get(x.vhost);
      if (!vh || !x.delayed) continue;
      const ns = DelayedJournal.namespace(x.vhost);
      knownDelayed.add(`${ns}\u0000${x.name}`);
      if (!files.queueNames(ns).includes(x.name)) continue;
      const list = p.kept.get(x.vhost) ?? [];
      list.push(...p.delayedJournal(vh).recover(x.name));
      p.kept.set(x.vhost, list);
    }
    // Journals of queues whose declaration never reached the definitions (crash in between).
    for (const ns of files.queueNamespaces()) {
      if (ns.startsWith('amqp-delayed:')) {
        for (const name of files.queueNames(ns)) {
          if (knownDelayed.has(`${ns}\u0000${name}`)) continue;
          void files.deleteQueue(ns, name).catch((err: unknown) => log.warn({ err, exchange: name }, 'cannot remove an orphaned delayed exchange journal'));
        }
        continue;
      }
      if (!ns.startsWith('amqp:')) continue;
      for (const name of files.queueNames(ns)) {
        if (known.has(`${ns}\u0000${name}`)) continue;
        void files.deleteQueue(ns, name).catch((err: unknown) => log.warn({ err, queue: name }, 'cannot remove an orphaned AMQP queue journal'));
      }
    }
    for (const name of files.logNames()) {
      if (!name.startsWith('amqp\u0000') || knownLogs.has(name)) continue;
      void files.deleteLog(name).catch((err: unknown) => log.warn({ err, stream: name }, 'cannot remove an orphaned AMQP stream log'));
    }
    return { persistence: p, restored: { vhosts, users, fresh: defs === undefined } };
  }

  /** Starts journalling changes to the final vhosts and users (after --config is merged). */
  attach(vhosts: Map<string, Vhost>, users: Map<string, AmqpUser>): void {
    this.vhosts = vhosts;
    this.users = users;
    for (const vh of vhosts.values()) {
      vh.persistence = this;
      vh.delayed.store = this.delayedJournal(vh);
      // Held messages come back with what is left of their delay (due ones right after start).
      for (const k of this.kept.get(vh.name) ?? []) vh.delayed.restore(vh, k.publish, k.dueAt, k.key, (later) => routeLater(vh, later));
      this.kept.delete(vh.name);
      // Durable queues created from --config on this boot get their journal too.
      for (const q of vh.queues.list()) {
        const info = vh.info(q);
        if (info.durable && !info.store) this.created(vh, q);
      }
      for (const st of vh.streams.values()) if (!st.store) this.created(vh, st);
    }
  }

  /** The vhost's delayed exchanges' journals, made on first use (recovery or attach). */
  private delayedJournal(vh: Vhost): DelayedJournal {
    let dj = this.delayedJournals.get(vh.name);
    if (!dj) this.delayedJournals.set(vh.name, (dj = new DelayedJournal(this.files, vh, this.log)));
    return dj;
  }

  created(vh: Vhost, q: Queue | Stream): void {
    if (q instanceof Stream) {
      q.store = this.files.createLog(AmqpPersistence.logName(vh.name, q.name));
      this.changed();
      return;
    }
    const info = vh.info(q);
    info.store = new DurableQueue(this.files.createQueue(AmqpPersistence.namespace(vh.name), q.name));
    attachDeadLettering(vh, q);
    this.changed();
  }

  dropped(vh: Vhost, q: Queue | Stream): void {
    if (q instanceof Stream) {
      q.store = undefined;
      this.changed();
      this.files.deleteLog(AmqpPersistence.logName(vh.name, q.name)).catch((err: unknown) => this.log.warn({ err, stream: q.name }, 'cannot remove a deleted AMQP stream log'));
      return;
    }
    const info = vh.info(q);
    info.store?.close();
    info.store = undefined;
    this.changed();
    this.files.deleteQueue(AmqpPersistence.namespace(vh.name), q.name).catch((err: unknown) => this.log.warn({ err, queue: q.name }, 'cannot remove a deleted AMQP queue journal'));
  }

  changed(): void {
    const p = this.save();
    this.saving = p;
    p.then(
      () => {
        if (this.saving === p) this.saving = undefined;
      },
      (err: unknown) => {
        if (this.saving === p) this.saving = undefined;
        this.log.error({ err }, 'cannot save AMQP definitions');
      },
    );
  }

  /** Writes the definitions snapshot; resolves once it (or a newer one) is durable. */
  save(): Promise<void> {
    return this.files.writeSnapshot(SNAPSHOT, Buffer.from(JSON.stringify(this.definitions())));
  }

  private restoreMessages(vh: Vhost, q: Queue): void {
    const found = this.files.openQueue(AmqpPersistence.namespace(vh.name), q.name);
    const store = new DurableQueue(found.journal);
    vh.info(q).store = store;
    attachDeadLettering(vh, q);
    const inputs: Parameters<Queue['restore']>[0][number][] = [];
    const keys: number[] = [];
    for (const { key, message } of found.messages) {
      try {
        inputs.push({ ...message, meta: decodeMeta(message.meta) });
        keys.push(key);
      } catch (err) {
        this.log.warn({ queue: q.name, vhost: vh.name }, `AMQP message metadata cannot be read (${(err as Error).message}); message skipped`);
      }
    }
    // Unacked deliveries are not leases any more: they are ready again, flagged redelivered.
    const stored = q.restore(inputs);
    stored.forEach((m, i) => store.adopt(m, keys[i] as number));
  }

  private restoreStream(vh: Vhost, s: Stream): void {
    const found = this.files.openLog(AmqpPersistence.logName(vh.name, s.name));
    for (const e of found.entries) {
      let meta;
      try {
        meta = decodeMeta(e.meta);
      } catch (err) {
        // The offset stays taken (restoreBounds below), as a lost entry's would.
        this.log.warn({ stream: s.name, vhost: vh.name, offset: e.baseOffset }, `AMQP stream entry cannot be read (${(err as Error).message}); skipped`);
        continue;
      }
      s.log.restore({ baseOffset: e.baseOffset, recordCount: e.recordCount, maxTimestamp: e.maxTimestamp, appendedAt: e.appendedAt, bytes: e.bytes ?? Buffer.alloc(0), meta });
    }
    s.log.restoreBounds(found.logStartOffset, found.nextOffset);
    s.store = found.store;
    s.retain();
  }

  private definitions(): Definitions {
    const d: Definitions = { version: 1, vhosts: [], users: [], exchanges: [], queues: [], bindings: [] };
    for (const vh of this.vhosts.values()) {
      d.vhosts.push({
        name: vh.name,
        ...(vh.maxConnections !== undefined ? { maxConnections: vh.maxConnections } : {}),
        ...(vh.maxQueues !== undefined ? { maxQueues: vh.maxQueues } : {}),
        policies: vh.policies.map((x) => ({ name: x.name, pattern: x.pattern.source, applyTo: x.applyTo, priority: x.priority, definition: { ...x.definition } })),
      });
      const durableQueues = new Set<string>();
      for (const q of [...vh.queues.list(), ...vh.streams.values()]) {
        const info = vh.info(q);
        if (!info.durable || info.exclusiveOwner) continue;
        durableQueues.add(q.name);
        d.queues.push({ vhost: vh.name, name: q.name, autoDelete: info.autoDelete, args: tableToText(info.arguments) });
      }
      const exchanges = vh.router.list();
      const durableExchanges = new Set(exchanges.filter((x) => x.options.durable).map((x) => x.name));
      for (const x of exchanges) {
        if (!x.options.durable) continue;
        if (x.name !== '' && !x.name.startsWith('amq.')) {
          d.exchanges.push({
            vhost: vh.name, name: x.name, kind: x.kind, delayed: vh.delayed.isDelayed(x.name), autoDelete: x.options.autoDelete === true, internal: x.options.internal === true,
            ...(x.options.alternate !== undefined ? { alternate: x.options.alternate } : {}),
            args: tableToText((x.options.meta as never) ?? []),
          });
        }
        for (const b of x.bindings.values()) {
          if (!(b.destinationKind === 'queue' ? durableQueues.has(b.destination) : durableExchanges.has(b.destination))) continue;
          d.bindings.push({ vhost: vh.name, source: b.source, destinationKind: b.destinationKind, destination: b.destination, key: b.key, args: plainToJson(b.args) });
        }
      }
    }
    for (const u of this.users.values()) {
      d.users.push({
        name: u.name, hash: u.passwordHash, algorithm: u.algorithm, tags: [...u.tags], allVhosts: u.allVhosts, permissions: u.permissions(),
        ...(u.maxConnections !== undefined ? { maxConnections: u.maxConnections } : {}),
        ...(u.maxChannels !== undefined ? { maxChannels: u.maxChannels } : {}),
      });
    }
    return d;
  }
}

function readDefinitions(files: FileStore): Definitions | undefined {
  const bytes = files.readSnapshot(SNAPSHOT);
  if (!bytes) return undefined;
  try {
    const d = JSON.parse(bytes.toString('utf8')) as Definitions;
    if (d.version !== 1 || !Array.isArray(d.vhosts) || !Array.isArray(d.queues)) throw new Error(`unknown version ${String(d.version)}`);
    return d;
  } catch (err) {
    // Checksummed and replaced atomically: a foreign or newer file. Refuse rather than serve
    // without (and then drop) the queues it names.
    throw new StartupError(`${files.dir}/meta/${SNAPSHOT}.snap: AMQP definitions cannot be read (${(err as Error).message}); use the omnibroker that wrote this --data-dir`);
  }
}

