// SQS state under --data-dir, restored before the port opens:
//   meta/sqs.snap           queue definitions (name, region, created/modified times, every
//                           attribute string incl. Policy and RedrivePolicy, tags, last purge),
//                           deleted names' reuse timestamps and message move tasks; replaced
//                           atomically after every definition change
//   queues/sqs/<name>/      one queue journal per queue: every message not yet deleted
//   state/sqs-state/        FIFO dedup entries and the sequence-number reservation
// A message in flight at shutdown stays in flight until its recorded visibility deadline
// (SQS visibility is server state and survives anything) and its old receipt handle still
// deletes it or changes its visibility.

import type { FileStore } from '../../core/index.js';
import type { Logger } from '../../shared/logger.js';
import { StartupError } from '../../shared/startup-error.js';
import type { SqsContext } from '../context.js';
import { attachDeadLetter } from '../model/dead-letter.js';
import { metaOf } from '../model/message-meta.js';
import { MoveTask, type TaskRecord } from '../model/move-task.js';
import { raiseSequence } from '../model/send.js';
import { DEDUP_WINDOW_MS, SqsQueue } from '../model/sqs-queue.js';
import { DurableQueue } from './durable-queue.js';
import { decodeMeta } from './message-codec.js';
import { readState, SqsState, dedupRecordKey } from './sqs-state.js';

export const NAMESPACE = 'sqs';
const SNAPSHOT = 'sqs';
const STATE = 'sqs-state';
/** consumerTag of leases restored for messages in flight at shutdown. */
const RESTORED = 'sqs:restored';
const NAME_REUSE_MS = 60_000;
const MAX_VISIBILITY_MS = 43_200_000;

interface QueueRecord {
  name: string;
  region: string;
  createdAt: number;
  lastModified: number;
  lastPurgeAt?: number;
  attributes: Record<string, string>;
  tags: Record<string, string>;
}

interface TaskSnapshot extends TaskRecord {
  sourceArn: string;
  destinationArn?: string;
  rate?: number;
}

interface Definitions {
  version: 1;
  queues: QueueRecord[];
  deletedAt: Record<string, number>;
  tasks: TaskSnapshot[];
}

export class SqsPersistence {
  private constructor(private readonly ctx: SqsContext, private readonly files: FileStore, readonly state: SqsState) {}

  /** Reads everything back into `ctx` (synchronous reads: call before serving). */
  static restore(ctx: SqsContext, files: FileStore, log: Logger): SqsPersistence {
    const now = ctx.clock.now();
    const defs = readDefinitions(files);
    const kv = files.openKeyValues(STATE);
    const { reserved, dedup, bad } = readState(kv.entries);
    for (const key of bad) {
      log.warn({ key }, 'SQS state entry cannot be read; dropped');
      kv.journal.delete(key);
    }
    const p = new SqsPersistence(ctx, files, new SqsState(kv.journal, DEDUP_WINDOW_MS, reserved));
    ctx.durable = p;
    let maxSequence = reserved;

    // Definitions first, so redrive targets resolve whatever the order.
    const restored: SqsQueue[] = [];
    for (const r of defs.queues) {
      const fifo = r.name.endsWith('.fifo');
      const q = new SqsQueue(r.name, r.region, ctx.space.create(r.name, { grouped: fifo }), r.lastModified, r.createdAt);
      q.attrs.clear();
      for (const [k, v] of Object.entries(r.attributes)) q.attrs.set(k, v);
      for (const [k, v] of Object.entries(r.tags)) q.tags.set(k, v);
      q.lastPurgeAt = r.lastPurgeAt;
      const redrive = q.attrs.get('RedrivePolicy');
      if (redrive !== undefined) q.redrive = JSON.parse(redrive) as SqsQueue['redrive'];
      q.apply();
      attachDeadLetter(ctx, q);
      ctx.queues.set(q.name, q);
      restored.push(q);
    }
    const known = new Set(defs.queues.map((r) => r.name));
    for (const name of files.queueNames(NAMESPACE)) {
      // A queue whose CreateQueue never returned (crash before its definition was saved).
      if (!known.has(name)) void files.deleteQueue(NAMESPACE, name).catch((err: unknown) => log.warn({ err, queue: name }, 'cannot remove an orphaned SQS queue journal'));
    }

    for (const q of restored) {
      const found = files.openQueue(NAMESPACE, q.name);
      const d = new DurableQueue(q.name, q.fifo, found.journal, p.state, ctx.clock);
      q.durable = d;
      const inputs: Parameters<typeof q.queue.restore>[0][number][] = [];
      const keys: number[] = [];
      for (const { key, message } of found.messages) {
        let meta;
        try {
          meta = decodeMeta(message.meta);
        } catch (err) {
          log.warn({ queue: q.name, messageId: message.id }, `SQS message metadata cannot be read (${(err as Error).message}); message skipped`);
          continue;
        }
        if (meta.sequenceNumber !== undefined) maxSequence = bigMax(maxSequence, BigInt(meta.sequenceNumber) + 1n);
        // Received and not yet visible again: still in flight (a delayed message has no receive).
        const inFlight = message.receiveCount > 0 && message.availableAt > now;
        inputs.push({ ...message, meta, ...(inFlight ? { lease: { deadline: message.availableAt, consumerTag: RESTORED } } : {}) });
        keys.push(key);
      }
      const stored = q.queue.restore(inputs);
      stored.forEach((m, i) => d.adopt(m, keys[i] as number));
      d.restoredCount = stored.length;
      for (const lease of q.queue.leasesOf(RESTORED)) {
        const m = lease.message;
        const meta = metaOf(m);
        meta.currentLease = lease.id;
        // The 12-hour limit counts from the receive: exact for a first receive, otherwise the
        // latest start the recorded deadline allows.
        meta.leasedAt = m.receiveCount <= 1 && m.firstLeasedAt !== undefined ? m.firstLeasedAt : Math.max(m.firstLeasedAt ?? 0, lease.deadline - MAX_VISIBILITY_MS);
        d.restoredLeases.set(m.id, lease.id);
      }
      const entries = dedup.get(q.name);
      dedup.delete(q.name);
      for (const [dedupKey, e] of entries ?? []) {
        if (e.sequenceNumber !== undefined) maxSequence = bigMax(maxSequence, BigInt(e.sequenceNumber) + 1n);
        if (e.expiresAt > now) d.restoreDedup(dedupKey, e);
        else kv.journal.delete(dedupRecordKey(q.name, dedupKey));
      }
    }
    // Dedup entries of queues that no longer exist.
    for (const [queue, entries] of dedup) for (const dedupKey of entries.keys()) kv.journal.delete(dedupRecordKey(queue, dedupKey));
    raiseSequence(maxSequence);

    for (const [name, at] of Object.entries(defs.deletedAt)) if (!ctx.queues.has(name) && now - at < NAME_REUSE_MS) ctx.deletedAt.set(name, at);
    for (const t of defs.tasks) {
      const source = ctx.byArn(t.sourceArn);
      if (!source) continue;
      const task = new MoveTask(source, t.destinationArn, t.rate, ctx.clock, (arn) => ctx.byArn(arn), t);
      task.onChange = () => p.saveSoon();
      ctx.tasks.push(task);
    }
    return p;
  }

  /** Gives a queue made at runtime (CreateQueue) its journal; no synchronous I/O. */
  attach(q: SqsQueue): void {
    q.durable = new DurableQueue(q.name, q.fifo, this.files.createQueue(NAMESPACE, q.name), this.state, this.ctx.clock);
  }

  /** A deleted queue's messages and dedup entries go; resolves when its files are gone. */
  drop(q: SqsQueue): Promise<void> {
    q.durable?.forgetDedup();
    q.durable?.close();
    q.durable = undefined;
    return Promise.all([this.files.deleteQueue(NAMESPACE, q.name), this.state.commit()]).then(() => undefined);
  }

  track(task: MoveTask): void {
    task.onChange = () => this.saveSoon();
  }

  /** Writes the definitions snapshot; resolves once it (or a newer one) is durable. */
  save(): Promise<void> {
    return this.files.writeSnapshot(SNAPSHOT, Buffer.from(JSON.stringify(this.definitions())));
  }

  /** Background save (move-task progress): a failure is retried by the next save. */
  saveSoon(): void {
    this.save().catch(() => {});
  }

  private definitions(): Definitions {
    const ctx = this.ctx;
    const now = ctx.clock.now();
    const queues: QueueRecord[] = [...ctx.queues.values()].map((q) => ({
      name: q.name,
      region: q.region,
      createdAt: q.createdAt,
      lastModified: q.lastModified,
      ...(q.lastPurgeAt !== undefined ? { lastPurgeAt: q.lastPurgeAt } : {}),
      attributes: Object.fromEntries(q.attrs),
      tags: Object.fromEntries(q.tags),
    }));
    const deletedAt: Record<string, number> = {};
    for (const [name, at] of ctx.deletedAt) if (now - at < NAME_REUSE_MS) deletedAt[name] = at;
    // ListMessageMoveTasks shows at most 10 per source: older ones need not be kept.
    const perSource = new Map<string, number>();
    const tasks: TaskSnapshot[] = [];
    for (const t of [...ctx.tasks].reverse()) {
      if (ctx.queues.get(t.source.name) !== t.source) continue;
      const n = perSource.get(t.source.arn) ?? 0;
      if (n >= 10) continue;
      perSource.set(t.source.arn, n + 1);
      tasks.unshift({ ...t.record(), sourceArn: t.source.arn, ...(t.destinationArn !== undefined ? { destinationArn: t.destinationArn } : {}), ...(t.ratePerSecond !== undefined ? { rate: t.ratePerSecond } : {}) });
    }
    return { version: 1, queues, deletedAt, tasks };
  }
}

function readDefinitions(files: FileStore): Definitions {
  const empty: Definitions = { version: 1, queues: [], deletedAt: {}, tasks: [] };
  const bytes = files.readSnapshot(SNAPSHOT);
  if (!bytes) return empty;
  try {
    const d = JSON.parse(bytes.toString('utf8')) as Definitions;
    if (d.version !== 1 || !Array.isArray(d.queues)) throw new Error(`unknown version ${String(d.version)}`);
    return { ...empty, ...d };
  } catch (err) {
    // The snapshot is checksummed and replaced atomically, so this is a foreign or newer
    // file: refuse to start rather than serve without (and then drop) the queues it names.
    throw new StartupError(`${files.dir}/meta/${SNAPSHOT}.snap: SQS queue definitions cannot be read (${(err as Error).message}); use the omnibroker that wrote this --data-dir`);
  }
}

function bigMax(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
