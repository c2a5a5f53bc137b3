// The file-backed Store (--data-dir): owns the directory lock, the format marker and the
// layout, and hands front-ends the durable pieces they persist through: a LogStore per
// partition or stream, a QueueJournal per queue, and named definition snapshots. It never
// interprets what they store. flush() makes everything written so far durable (fsync).

import { mkdirSync, promises as fsp, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BrokerError } from '../errors.js';
import type { Store } from '../store.js';
import { listNames, makeNameDir, nameDir, nameDirPath } from './data-dir.js';
import { FORMAT_VERSION, StorageFormatError } from './format.js';
import type { StorageIo } from './io.js';
import { acquireLock, LOCK_FILE, type DirLock } from './lock-file.js';
import { KeyValueJournal, type RecoveredKeyValues } from './kv-journal.js';
import { LogStore, type RecoveredLog } from './log-store.js';
import { QueueJournal, type RecoveredQueue } from './queue-journal.js';
import { DEFAULT_DURABILITY, type DurabilityOptions, type FsyncPolicy } from './segment-journal.js';
import { SegmentRecycler } from './segment-recycler.js';
import type { StorageIssue } from './segment-scan.js';
import { readSnapshotSync, writeSnapshot, writeSnapshotSync } from './snapshot-file.js';

export interface FileStoreOptions {
  fsync?: FsyncPolicy;
  fsyncIntervalMs?: number;
  logSegmentBytes?: number;
  queueSegmentBytes?: number;
  io?: StorageIo;
  /** Told about every recovery problem (torn tails, corruption), e.g. a pino logger's warn. */
  onIssue?: (issue: StorageIssue) => void;
}

interface SnapshotSlot {
  writing: Promise<void> | undefined;
  next: { payload: Buffer; waiters: Array<{ resolve(): void; reject(e: Error): void }> } | undefined;
}

interface Durable {
  sync(): Promise<void>;
  close(): Promise<void>;
  destroy(): Promise<void>;
}

export class FileStore implements Store {
  readonly kind = 'file' as const;
  readonly issues: StorageIssue[] = [];
  private lock: DirLock | undefined;
  private open_ = new Map<string, Durable>();
  private snapshots = new Map<string, SnapshotSlot>();
  /** Deletions in progress, by key: a re-creation under the same name waits for them. */
  private deleting = new Map<string, Promise<void>>();
  private readonly durability: DurabilityOptions;
  private recycler: SegmentRecycler | undefined;
  /** Journals whose writes are failing now, with their error (see writeFailure). */
  private readonly faults = new Map<object, BrokerError>();
  private readonly faultListeners = new Set<(failure: BrokerError | undefined) => void>();
  private lastFailure: BrokerError | undefined;

  constructor(readonly dir: string, private readonly options: FileStoreOptions = {}) {
    this.durability = {
      ...DEFAULT_DURABILITY,
      ...(options.fsync ? { fsync: options.fsync } : {}),
      ...(options.fsyncIntervalMs !== undefined ? { fsyncIntervalMs: options.fsyncIntervalMs } : {}),
      ...(options.io ? { io: options.io } : {}),
      onFault: (journal, failure) => this.noteFault(journal, failure),
    };
  }

  /** Log segment files written over since open (deleted segments reused, segment-recycler.ts). */
  get reusedSegmentFiles(): number {
    return this.recycler?.reused ?? 0;
  }

  /**
   * Set while some journal cannot write (a `disk_full` failure is preferred when several
   * fail): the store-wide "disk alarm". It clears once every failing journal's retry (every
   * 500 ms) has written its queued bytes, i.e. when space has come back.
   */
  get writeFailure(): BrokerError | undefined {
    let first: BrokerError | undefined;
    for (const f of this.faults.values()) {
      if (f.reason === 'disk_full') return f;
      first ??= f;
    }
    return first;
  }

  /**
   * Calls `listener` whenever writeFailure changes between none, disk_full and another
   * failure (not on every failed retry). Returns the unsubscribe function.
   */
  onWriteFailure(listener: (failure: BrokerError | undefined) => void): () => void {
    this.faultListeners.add(listener);
    return () => this.faultListeners.delete(listener);
  }

  get fsyncPolicy(): FsyncPolicy {
    return this.durability.fsync;
  }

  /** Takes the lock and checks the format; a newer or locked directory stops startup. */
  async open(): Promise<void> {
    if (this.lock) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      this.lock = acquireLock(join(this.dir, LOCK_FILE));
    } catch (err) {
      if (err instanceof StorageFormatError) throw err;
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new StorageFormatError(`--data-dir ${this.dir} cannot be used (${code}: ${(err as Error).message}); check its permissions or choose another --data-dir`);
    }
    try {
      this.checkFormat();
      for (const sub of ['meta', 'logs', 'queues', 'state']) mkdirSync(join(this.dir, sub), { recursive: true });
      this.recycler = new SegmentRecycler(join(this.dir, 'recycle'), this.durability.io);
      // Leftovers of snapshot writes interrupted by a crash.
      for (const f of readdirSync(join(this.dir, 'meta'))) if (f.endsWith('.tmp')) rmSync(join(this.dir, 'meta', f), { force: true });
    } catch (err) {
      this.lock.release();
      this.lock = undefined;
      throw err;
    }
  }

  /** Opens (recovering) the log `name`: a partition ("orders-0") or a stream. */
  openLog(name: string, options: { loadBytes?: boolean; segmentBytes?: number } = {}): RecoveredLog {
    const key = `log:${name}`;
    this.assertClosed(key);
    const r = LogStore.open(nameDir(join(this.dir, 'logs'), name), { ...this.logOptions(), ...options });
    this.open_.set(key, r.store);
    this.report(r.issues);
    return r;
  }

  /** Opens (recovering) the journal of queue `name` in `namespace` (an SQS account, a vhost). */
  openQueue(namespace: string, name: string): RecoveredQueue {
    const key = `queue:${namespace}\u0000${name}`;
    this.assertClosed(key);
    const dir = nameDir(nameDir(join(this.dir, 'queues'), namespace), name);
    const r = QueueJournal.open(dir, this.queueOptions());
    this.open_.set(key, r.journal);
    this.report(r.issues);
    return r;
  }

  /**
   * A new, empty log made while clients are served (topic created, partitions added): no
   * synchronous I/O; its directory is made before its first write.
   */
  createLog(name: string, options: { segmentBytes?: number } = {}): LogStore {
    const key = `log:${name}`;
    this.assertClosed(key);
    const parent = join(this.dir, 'logs');
    const store = LogStore.create(nameDirPath(parent, name), { ...this.logOptions(), ...options }, () => this.afterDelete(key, () => makeNameDir(parent, name)));
    this.open_.set(key, store);
    return store;
  }

  /** A new, empty queue journal made while clients are served (queue declared or created). */
  createQueue(namespace: string, name: string): QueueJournal {
    const key = `queue:${namespace}\u0000${name}`;
    this.assertClosed(key);
    const parent = nameDirPath(join(this.dir, 'queues'), namespace);
    const journal = QueueJournal.create(nameDirPath(parent, name), this.queueOptions(), () =>
      this.afterDelete(key, async () => {
        await makeNameDir(join(this.dir, 'queues'), namespace);
        await makeNameDir(parent, name);
      }),
    );
    this.open_.set(key, journal);
    return journal;
  }

  /** Opens (recovering) the key-value journal `name` (committed offsets, producer state, …). */
  openKeyValues(name: string): RecoveredKeyValues {
    const key = `kv:${name}`;
    this.assertClosed(key);
    const r = KeyValueJournal.open(nameDir(join(this.dir, 'state'), name), this.durability);
    this.open_.set(key, r.journal);
    this.report(r.issues);
    return r;
  }

  /** A new, empty key-value journal made while clients are served. */
  createKeyValues(name: string): KeyValueJournal {
    const key = `kv:${name}`;
    this.assertClosed(key);
    const parent = join(this.dir, 'state');
    const journal = KeyValueJournal.create(nameDirPath(parent, name), this.durability, () => this.afterDelete(key, () => makeNameDir(parent, name)));
    this.open_.set(key, journal);
    return journal;
  }

  keyValueNames(): string[] {
    return listNames(join(this.dir, 'state'));
  }

  deleteKeyValues(name: string): Promise<void> {
    return this.drop(`kv:${name}`, nameDirPath(join(this.dir, 'state'), name));
  }

  /** Names of the logs on disk (open or not). */
  logNames(): string[] {
    return listNames(join(this.dir, 'logs'));
  }

  queueNamespaces(): string[] {
    return listNames(join(this.dir, 'queues'));
  }

  queueNames(namespace: string): string[] {
    return listNames(nameDir(join(this.dir, 'queues'), namespace));
  }

  /** Deletes a log's files (topic deleted). The name can be created again at once. */
  deleteLog(name: string): Promise<void> {
    return this.drop(`log:${name}`, nameDirPath(join(this.dir, 'logs'), name));
  }

  deleteQueue(namespace: string, name: string): Promise<void> {
    return this.drop(`queue:${namespace}\u0000${name}`, nameDirPath(nameDirPath(join(this.dir, 'queues'), namespace), name));
  }

  /** The snapshot `name` as last written, or undefined. */
  readSnapshot(name: string): Buffer | undefined {
    return readSnapshotSync(this.snapshotPath(name));
  }

  /**
   * Replaces the snapshot `name` atomically. Writes to the same name are coalesced: while
   * one is in flight, only the newest payload is written next; every caller's promise
   * resolves once a write at least as new as its own is durable.
   */
  writeSnapshot(name: string, payload: Buffer): Promise<void> {
    let slot = this.snapshots.get(name);
    if (!slot) this.snapshots.set(name, (slot = { writing: undefined, next: undefined }));
    const s = slot;
    return new Promise<void>((resolve, reject) => {
      if (!s.next) s.next = { payload, waiters: [] };
      s.next.payload = payload;
      s.next.waiters.push({ resolve, reject });
      if (!s.writing) s.writing = this.drainSnapshot(name, s);
    });
  }

  /** Everything written so far, in every log, journal and snapshot, is fsync'd. */
  async flush(): Promise<void> {
    await Promise.all([...this.open_.values()].map((d) => d.sync()));
    await Promise.all([...this.snapshots.values()].map((s) => s.writing));
  }

  async close(): Promise<void> {
    await this.flush().catch(() => {});
    await Promise.all([...this.open_.values()].map((d) => d.close()));
    this.open_.clear();
    await this.recycler?.close();
    this.recycler = undefined;
    this.lock?.release();
    this.lock = undefined;
  }

  private async drainSnapshot(name: string, s: SnapshotSlot): Promise<void> {
    while (s.next) {
      const { payload, waiters } = s.next;
      s.next = undefined;
      try {
        await writeSnapshot(this.snapshotPath(name), payload);
        for (const w of waiters) w.resolve();
      } catch (err) {
        const e = new BrokerError('storage_error', `snapshot ${name}: ${(err as Error).message}`);
        for (const w of waiters) w.reject(e);
      }
    }
    s.writing = undefined;
  }

  private snapshotPath(name: string): string {
    return join(this.dir, 'meta', `${encodeURIComponent(name).replace(/^\./, '%2E')}.snap`);
  }

  private checkFormat(): void {
    const path = join(this.dir, 'FORMAT');
    const payload = readSnapshotSync(path);
    if (!payload) {
      writeSnapshotSync(path, Buffer.from(JSON.stringify({ format: FORMAT_VERSION, created: new Date().toISOString() })));
      return;
    }
    let marker: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(payload.toString('utf8'));
      if (typeof parsed === 'object' && parsed !== null) marker = parsed as Record<string, unknown>;
    } catch {
      // reported below
    }
    const format = marker.format;
    if (typeof format !== 'number') throw new StorageFormatError(`${path} is damaged; this does not look like an omnibroker data directory`);
    if (format > FORMAT_VERSION) {
      throw new StorageFormatError(`${this.dir} was written by a newer omnibroker (storage format ${format}; this version reads up to ${FORMAT_VERSION}); upgrade omnibroker or use another --data-dir`);
    }
    // Older files stay readable as they are; new ones are written in the current format, which
    // an older omnibroker must not be let loose on.
    if (format < FORMAT_VERSION) writeSnapshotSync(path, Buffer.from(JSON.stringify({ ...marker, format: FORMAT_VERSION, upgradedFrom: format })));
  }

  private assertClosed(key: string): void {
    if (!this.lock) throw new BrokerError('precondition_failed', `${this.dir}: the store is not open`);
    if (this.open_.has(key)) throw new BrokerError('already_exists', `${key} is already open`);
  }

  private drop(key: string, dir: string): Promise<void> {
    const d = this.open_.get(key);
    this.open_.delete(key);
    const done = this.afterDelete(key, () => (d ? d.destroy() : fsp.rm(dir, { recursive: true, force: true })));
    const tracked = done.finally(() => {
      if (this.deleting.get(key) === tracked) this.deleting.delete(key);
    });
    tracked.catch(() => {}); // the caller gets the error through `done`
    this.deleting.set(key, tracked);
    return done;
  }

  /** Runs `fn` once any deletion of `key` in progress is over (whatever its outcome). */
  private afterDelete<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const pending = this.deleting.get(key);
    return pending ? pending.then(fn, fn) : fn();
  }

  /** Logs reuse their deleted segment files (segment-recycler.ts); queue journals, of small records, do not. */
  private logOptions(): Partial<DurabilityOptions> {
    return { ...this.durability, recycler: this.recycler, ...(this.options.logSegmentBytes ? { segmentBytes: this.options.logSegmentBytes } : {}) };
  }

  private queueOptions(): Partial<DurabilityOptions> {
    return { ...this.durability, ...(this.options.queueSegmentBytes ? { segmentBytes: this.options.queueSegmentBytes } : {}) };
  }

  private noteFault(journal: object, failure: BrokerError | undefined): void {
    if (failure) this.faults.set(journal, failure);
    else this.faults.delete(journal);
    const now = this.writeFailure;
    if (now?.reason === this.lastFailure?.reason && (now === undefined) === (this.lastFailure === undefined)) return;
    this.lastFailure = now;
    for (const l of this.faultListeners) l(now);
  }

  private report(issues: readonly StorageIssue[]): void {
    for (const i of issues) {
      this.issues.push(i);
      this.options.onIssue?.(i);
    }
  }
}
