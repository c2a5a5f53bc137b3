// A directory of append-only segment files with group commit. `write` frames a record,
// queues it and returns where it will live, synchronously; one background loop writes
// everything queued with a single writev per segment, then fsyncs per the policy, so many
// concurrent appends share one fsync. `commit()` resolves when what was written so far is
// durable per the policy; `sync()` forces an fsync whatever the policy. What the records
// mean is left to the stores on top (log-store.ts, queue-journal.ts).

import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, promises as fsp, readSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BrokerError } from '../errors.js';
import { encodeFileHeader, FILE_HEADER_BYTES, MAX_PAYLOAD_BYTES, newSalt, RECORD_HEADER_BYTES, SegmentKind, writeRecordHeader } from './format.js';
import { scanSegment, type StorageIssue } from './segment-scan.js';
import { deferred, Segment, segmentFileName, type Deferred, type DurabilityOptions, type Group, type JournalVisitor, type RecordLocation, type SegmentInfo } from './segment.js';

export { DEFAULT_DURABILITY, FSYNC_POLICIES, segmentFileName, type DurabilityOptions, type FsyncPolicy, type RecordLocation, type SegmentInfo } from './segment.js';

const SLAB_BYTES = 256 * 1024;
/** Payloads up to this size are copied next to their header (fewer iovecs); larger ones are referenced. */
const COPY_BELOW = 2048;
const RETRY_MS = 500;
const RESOLVED = Promise.resolve();
/** Interval-policy fsyncs running at once, all journals together (see startBackgroundSync). */
const BACKGROUND_SYNC_SLOTS = 1;
let backgroundSyncsRunning = 0;

export class SegmentJournal {
  private segs: Segment[] = [];
  private groups: Group[] = [];
  private pendingDone: Deferred | undefined;
  private inflightDone: Deferred | undefined;
  private inflight = false;
  /** The interval policy's periodic fsync, running beside the writes that follow it. */
  private backgroundSync: Promise<void> | undefined;
  private syncWaiters: Deferred[] = [];
  private syncWanted = false;
  private scheduled = false;
  private intervalTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private dirDirty = false;
  private closed = false;
  /** For a journal made at runtime: creates its directory, awaited before the first file is opened. */
  private prepare: (() => Promise<void>) | undefined;
  private prepared: Promise<void> | undefined;
  private slab = Buffer.allocUnsafe(SLAB_BYTES);
  private slabUsed = 0;
  /** Where the last slab view of the newest group starts, so contiguous records share one iovec. */
  private runStart = -1;
  /** Set while writes fail (disk full, permissions); new writes are refused until a retry succeeds. */
  failure: BrokerError | undefined;
  /** A write failed and no retry has succeeded since (failure may be cleared for the retry). */
  private faulted = false;
  readonly issues: StorageIssue[] = [];

  private constructor(
    readonly dir: string,
    private readonly kind: SegmentKind,
    private readonly opts: DurabilityOptions,
    private readonly nextBase: (previous: number | undefined) => number,
  ) {}

  /**
   * Opens (creating if needed) the journal in `dir`, replaying every valid record through
   * `visit`. Torn tails are truncated; unreadable files are renamed `*.corrupt` and reported.
   */
  /**
   * `nextBase(previousBase)` names a new segment; it must not be below the previous base, and
   * when it equals it the journal keeps writing to the current segment (no name collision).
   */
  static open(
    dir: string,
    kind: SegmentKind,
    opts: DurabilityOptions,
    nextBase: (previous: number | undefined) => number,
    visit: JournalVisitor,
    reuseBuffers = false,
  ): SegmentJournal {
    const j = new SegmentJournal(dir, kind, opts, nextBase);
    mkdirSync(dir, { recursive: true });
    const names = readdirSync(dir).filter((n) => /^\d{20}\.seg$/.test(n)).sort();
    names.forEach((name, i) => {
      const path = join(dir, name);
      const base = Number(name.slice(0, 20));
      const last = i === names.length - 1;
      const result = scanSegment(path, (type, payload, position, bytes) => visit(base, type, payload, position, bytes), reuseBuffers);
      j.issues.push(...result.issues);
      if (!result.header) {
        if (result.issues[0]?.kind === 'torn_tail') rmSync(path);
        else renameSync(path, `${path}.corrupt`);
        return;
      }
      if (result.validEnd < result.fileSize) {
        const fd = openSync(path, 'r+');
        ftruncateSync(fd, result.validEnd);
        fsyncSync(fd);
        closeSync(fd);
      }
      const seg = new Segment(base, path, result.validEnd, last ? openSync(path, 'r+') : undefined, result.header.salt);
      seg.sealed = !last;
      j.segs.push(seg);
    });
    return j;
  }

  /**
   * A new, empty journal made while clients are served: no synchronous I/O. The directory is
   * made by `prepare` (after, e.g., the deletion of a previous queue of the same name) before
   * the first segment file is opened; a failure there fails the writes like any I/O error.
   */
  static create(dir: string, kind: SegmentKind, opts: DurabilityOptions, nextBase: (previous: number | undefined) => number, prepare: () => Promise<void>): SegmentJournal {
    const j = new SegmentJournal(dir, kind, opts, nextBase);
    j.prepare = prepare;
    return j;
  }

  get segments(): readonly SegmentInfo[] {
    return this.segs;
  }

  get totalBytes(): number {
    let n = 0;
    for (const s of this.segs) n += s.size;
    return n;
  }

  /** The active segment's base, if any. */
  get activeBase(): number | undefined {
    const last = this.segs[this.segs.length - 1];
    return last && !last.sealed ? last.base : undefined;
  }

  /** Queues one record whose payload is the concatenation of `parts`; never blocks. */
  write(type: number, parts: readonly Buffer[]): RecordLocation {
    if (this.closed) throw new BrokerError('storage_error', `${this.dir}: journal is closed`);
    if (this.failure) throw this.failure;
    let length = 0;
    for (const p of parts) length += p.length;
    if (length > MAX_PAYLOAD_BYTES) throw new BrokerError('limit_exceeded', `record of ${length} bytes exceeds the storage limit of ${MAX_PAYLOAD_BYTES}`);
    const total = RECORD_HEADER_BYTES + length;
    let seg = this.segs[this.segs.length - 1];
    if (!seg || seg.sealed || (seg.size > FILE_HEADER_BYTES && seg.size + total > this.opts.segmentBytes)) seg = this.roll();
    const position = seg.size;
    const header = this.reserve(RECORD_HEADER_BYTES);
    writeRecordHeader(header.buf, header.at, type, length, parts, seg.salt);
    this.queue(seg, header.buf, header.at, RECORD_HEADER_BYTES, true);
    // Small parts are copied into the slab right after the header (the run grows as one
    // iovec across records); large ones are referenced where they are.
    for (const p of parts) {
      if (p.length === 0) continue;
      if (p.length > COPY_BELOW) {
        this.queue(seg, p, 0, p.length, false);
        continue;
      }
      const r = this.reserve(p.length);
      p.copy(r.buf, r.at);
      this.queue(seg, r.buf, r.at, p.length, true);
    }
    this.kick();
    return { segment: seg.base, position, bytes: total };
  }

  /** Resolves when everything written so far is durable per the fsync policy. */
  commit(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.groups.length > 0) return (this.pendingDone ??= deferred()).promise;
    if (this.inflight) return (this.inflightDone ??= deferred()).promise;
    return RESOLVED;
  }

  /** Resolves when everything written so far is written and fsync'd, whatever the policy. */
  sync(): Promise<void> {
    const d = deferred();
    this.syncWaiters.push(d);
    this.kick();
    return d.promise;
  }

  /** Starts a new segment now (the next write goes there), unless its name would repeat the last. */
  roll(): Segment {
    const last = this.segs[this.segs.length - 1];
    const base = this.nextBase(last?.base);
    if (last && base <= last.base) {
      if (!last.sealed) return last;
      throw new BrokerError('storage_error', `${this.dir}: segment ${base} would not follow ${last.base}`);
    }
    if (last) last.sealed = true;
    const seg = new Segment(base, join(this.dir, segmentFileName(base)), 0, undefined, newSalt());
    this.segs.push(seg);
    const header = encodeFileHeader(this.kind, base, seg.salt);
    this.runStart = -1;
    this.queue(seg, header, 0, header.length, false);
    return seg;
  }

  /** Deletes a sealed segment once its queued bytes are written. */
  async remove(base: number): Promise<void> {
    const seg = this.segs.find((s) => s.base === base);
    if (!seg || !seg.sealed || seg.removed) return;
    seg.removed = true;
    await this.commit().catch(() => {});
    this.segs = this.segs.filter((s) => s !== seg);
    await this.backgroundSyncDone();
    await this.closeSegment(seg);
    await this.discard(seg);
    this.dirDirty = true;
  }

  /** A deleted segment's file (descriptors closed): to the recycler for reuse, else unlinked. */
  private discard(seg: Segment): Promise<void> {
    return this.opts.recycler ? this.opts.recycler.give(seg.path, seg.written) : this.opts.io.unlink(seg.path);
  }

  /**
   * Reads bytes already written to segment `base`, synchronously: for rare scans of a whole
   * log (compaction, recovery), never for serving clients, which use `read`.
   */
  readSync(base: number, position: number, length: number): Buffer {
    const seg = this.segs.find((s) => s.base === base);
    if (!seg) throw new BrokerError('not_found', `${this.dir}: segment ${base} no longer exists`);
    if (position + length > seg.written) throw new BrokerError('storage_error', `${seg.path}: bytes ${position}-${position + length} are not written yet`);
    const buf = Buffer.allocUnsafe(length);
    const fd = openSync(seg.path, 'r');
    try {
      let got = 0;
      while (got < length) {
        const n = readSync(fd, buf, got, length - got, position + got);
        if (n === 0) throw new BrokerError('storage_error', `${seg.path}: short read at ${position + got}`);
        got += n;
      }
    } finally {
      closeSync(fd);
    }
    return buf;
  }

  /** Reads `length` bytes at `position` of segment `base` from the file. */
  async read(base: number, position: number, length: number): Promise<Buffer> {
    const seg = this.segs.find((s) => s.base === base);
    if (!seg) throw new BrokerError('not_found', `${this.dir}: segment ${base} no longer exists`);
    if (position + length > seg.written) await this.commit();
    seg.readFd ??= this.opts.io.open(seg.path, 'r');
    const fd = await seg.readFd;
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = await this.opts.io.read(fd, got === 0 ? buf : buf.subarray(got), position + got);
      if (n === 0) throw new BrokerError('storage_error', `${seg.path}: short read at ${position + got}`);
      got += n;
    }
    return buf;
  }

  /** Writes and fsyncs everything, then closes every file. Later writes are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.sync().catch(() => {});
    this.closed = true;
    clearTimeout(this.intervalTimer);
    clearTimeout(this.retryTimer);
    this.clearFault();
    await this.backgroundSyncDone();
    for (const s of this.segs) await this.closeSegment(s).catch(() => {});
  }

  /** Closes and deletes the whole directory (a deleted queue or topic). */
  async destroy(): Promise<void> {
    this.closed = true;
    this.groups = [];
    clearTimeout(this.intervalTimer);
    clearTimeout(this.retryTimer);
    this.clearFault();
    while (this.inflight) await (this.inflightDone ??= deferred()).promise.catch(() => {});
    await this.backgroundSyncDone();
    for (const s of this.segs) {
      await this.closeSegment(s).catch(() => {});
      await this.discard(s).catch(() => {});
    }
    await fsp.rm(this.dir, { recursive: true, force: true });
  }

  private reserve(n: number): { buf: Buffer; at: number } {
    if (n > SLAB_BYTES / 4) return { buf: Buffer.allocUnsafe(n), at: 0 };
    if (this.slabUsed + n > this.slab.length) {
      this.slab = Buffer.allocUnsafe(SLAB_BYTES);
      this.slabUsed = 0;
      this.runStart = -1;
    }
    const at = this.slabUsed;
    this.slabUsed += n;
    return { buf: this.slab, at };
  }

  private queue(seg: Segment, buf: Buffer, at: number, n: number, fromSlab: boolean): void {
    let g = this.groups[this.groups.length - 1];
    if (!g || g.seg !== seg) {
      g = { seg, pos: seg.size, bufs: [], bytes: 0 };
      this.groups.push(g);
      this.runStart = -1;
    }
    const contiguous = fromSlab && buf === this.slab && this.runStart >= 0 && this.runStart + (g.bufs[g.bufs.length - 1] as Buffer).length === at;
    if (contiguous) g.bufs[g.bufs.length - 1] = buf.subarray(this.runStart, at + n);
    else {
      g.bufs.push(buf.subarray(at, at + n));
      this.runStart = fromSlab && buf === this.slab ? at : -1;
    }
    g.bytes += n;
    seg.size += n;
  }

  private kick(): void {
    if (this.inflight || this.scheduled || this.failure) return;
    this.scheduled = true;
    // setImmediate, not a microtask: every append of this I/O phase joins the same batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.run();
    });
  }

  private async run(): Promise<void> {
    if (this.inflight) return;
    this.inflight = true;
    while (!this.failure && (this.groups.length > 0 || this.syncWaiters.length > 0 || this.syncWanted)) {
      const groups = this.groups;
      const syncs = this.syncWaiters;
      const wantSync = this.opts.fsync === 'always' || syncs.length > 0 || this.syncWanted;
      // Interval policy: answers wait for the write only, so the periodic fsync must not hold
      // back the writes queued behind it (it did: every 5 ms the next writes, and the produce
      // answers waiting on them, sat out an fsync of the last few MB). It runs beside them.
      const inBackground = wantSync && this.opts.fsync === 'interval' && syncs.length === 0;
      this.groups = [];
      this.syncWaiters = [];
      this.syncWanted = false;
      this.runStart = -1;
      this.inflightDone = this.pendingDone;
      this.pendingDone = undefined;
      try {
        for (const g of groups) await this.writeGroup(g);
        if (inBackground) this.startBackgroundSync();
        else if (wantSync) await this.syncDirty();
        else if (this.opts.fsync === 'interval') this.armInterval();
        this.inflightDone?.resolve();
        for (const s of syncs) s.resolve();
        this.clearFault();
        await this.closeSealed();
      } catch (err) {
        this.fail(err, groups, syncs);
      }
      // A commit() that arrived after the batch was written (during closeSealed) is covered too.
      if (!this.failure) this.inflightDone?.resolve();
      this.inflightDone = undefined;
    }
    this.inflight = false;
  }

  private async writeGroup(g: Group): Promise<void> {
    const seg = g.seg;
    if (this.prepare) {
      this.prepared ??= this.prepare();
      try {
        await this.prepared;
        this.prepare = undefined;
      } finally {
        this.prepared = undefined; // a failed attempt is made again on retry
      }
    }
    if (seg.fd === undefined) {
      seg.opening ??= this.openNew(seg);
      seg.fd = await seg.opening;
      this.dirDirty = true;
    }
    await this.opts.io.writev(seg.fd, g.bufs, g.pos);
    seg.written = Math.max(seg.written, g.pos + g.bytes);
  }

  /**
   * Opens a new segment's file: a reused one when the recycler has one (written over in place:
   * no new page-cache pages or disk blocks, see segment-recycler.ts), else a new empty file.
   */
  private async openNew(seg: Segment): Promise<number> {
    if (this.opts.recycler && (await this.opts.recycler.take(seg.path))) {
      seg.recycled = true;
      return this.opts.io.open(seg.path, 'r+');
    }
    return this.opts.io.open(seg.path, 'w');
  }

  /**
   * One background fsync at a time per journal, and BACKGROUND_SYNC_SLOTS across all journals:
   * fsyncs and writes share libuv's 4 threads, and eight partitions' fsyncs at once left the
   * writes (which answers wait for) queued behind them. What a sync misses is synced by the next.
   */
  private startBackgroundSync(): void {
    if (this.backgroundSync || backgroundSyncsRunning >= BACKGROUND_SYNC_SLOTS) return this.armInterval();
    backgroundSyncsRunning++;
    this.backgroundSync = this.syncDirty().then(
      () => {
        backgroundSyncsRunning--;
        this.backgroundSync = undefined;
        if (this.segs.some((seg) => seg.fd !== undefined && seg.synced < seg.written)) this.armInterval();
        return this.closeSealed().catch(() => {});
      },
      (err: unknown) => {
        backgroundSyncsRunning--;
        this.backgroundSync = undefined;
        if (!this.closed) this.fail(err, [], []);
      },
    );
  }

  /** Before a file is closed: a background fsync may still be using its descriptor. */
  private async backgroundSyncDone(): Promise<void> {
    while (this.backgroundSync) await this.backgroundSync;
  }

  private async syncDirty(): Promise<void> {
    for (const s of this.segs) {
      if (s.fd !== undefined && s.synced < s.written) {
        const upTo = s.written;
        await this.opts.io.fsync(s.fd, s.path);
        s.synced = Math.max(s.synced, upTo); // a concurrent sync may have covered more
      }
    }
    if (this.dirDirty) {
      // A new or deleted segment file is durable only once its directory entry is.
      this.dirDirty = false;
      const fd = await this.opts.io.open(this.dir, 'r');
      try {
        await this.opts.io.fsync(fd, this.dir);
      } finally {
        await this.opts.io.close(fd);
      }
    }
  }

  private armInterval(): void {
    if (this.intervalTimer || this.closed) return;
    this.intervalTimer = setTimeout(() => {
      this.intervalTimer = undefined;
      this.syncWanted = true;
      this.kick();
    }, this.opts.fsyncIntervalMs);
    this.intervalTimer.unref();
  }

  /** Sealed segments whose bytes are all written (and synced, unless never) need no open file. */
  private async closeSealed(): Promise<void> {
    if (this.backgroundSync) return; // the next run closes them
    for (const s of this.segs) {
      if (!s.sealed || s.fd === undefined || s.written < s.size) continue;
      if (this.opts.fsync !== 'never' && s.synced < s.written) continue;
      await this.closeSegment(s);
    }
  }

  private async closeSegment(s: Segment): Promise<void> {
    const fd = s.fd;
    s.fd = undefined;
    s.opening = undefined;
    if (fd !== undefined && s.recycled && !s.removed) {
      // Drop what the earlier use left past the end (recovery would skip it, but it is disk space).
      s.recycled = false;
      await this.opts.io.truncate(fd, s.written).catch(() => {});
    }
    if (fd !== undefined) await this.opts.io.close(fd);
    const rfd = s.readFd;
    s.readFd = undefined;
    if (rfd) await this.opts.io.close(await rfd).catch(() => {});
  }

  /**
   * A failed write keeps its bytes queued (positions are fixed, so a retry rewrites the same
   * range) and refuses new writes until a retry succeeds: callers see storage_error, and
   * what they were told is durable never silently disappears.
   */
  private fail(err: unknown, groups: Group[], syncs: Deferred[]): void {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    this.failure = new BrokerError('storage_error', `${this.dir}: write failed (${code}): ${(err as Error).message}`, code === 'ENOSPC' || code === 'EDQUOT' ? 'disk_full' : 'io_error');
    this.groups = groups.concat(this.groups);
    this.inflightDone?.reject(this.failure);
    this.pendingDone?.reject(this.failure);
    this.pendingDone = undefined;
    for (const s of syncs) s.reject(this.failure);
    if (this.closed) return;
    this.setFaulted(this.failure);
    this.syncWanted = true;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.failure = undefined;
      this.kick();
    }, RETRY_MS);
    this.retryTimer.unref();
  }

  private setFaulted(failure: BrokerError | undefined): void {
    this.faulted = failure !== undefined;
    this.opts.onFault?.(this, failure);
  }

  /** A write succeeded or the journal is going away: the owner hears "no failure" once, not per write. */
  private clearFault(): void {
    if (this.faulted) this.setFaulted(undefined);
  }
}
