// RabbitMQ's resource alarms. Memory: when the process's resident memory passes the watermark
// (vm_memory_high_watermark). Disk (under --data-dir): when the free space of the data
// directory's file system is below the limit (disk_free_limit, 50 MB by default, checked every
// AMQP_DISK_CHECK_MS), and also while the storage engine cannot write for lack of space
// (ENOSPC / EDQUOT, e.g. a quota the free-space figure does not show) until its retry writes.
// While either is set, clients that advertised the connection.blocked capability get
// connection.blocked with rabbit_reader's reason ("low on memory", "low on disk", "low on
// memory & disk") and publishing connections stop being read until every alarm clears
// (connection.unblocked). Consuming is unaffected, so queues drain.

import { promises as fsp } from 'node:fs';
import type { Connection, ServerContext } from './connection.js';

export class ResourceAlarm {
  memory = false;
  disk = false;
  /** The two disk sources: free space below the limit, the engine refusing writes. */
  private diskLow = false;
  private diskFull = false;
  private timer: NodeJS.Timeout;
  private diskTimer: NodeJS.Timeout | undefined;
  /** Where the free space is measured (the data directory), with its limit in bytes. */
  private diskWatch: { dir: string; limit: number } | undefined;
  private statfsFailed = false;

  constructor(private readonly ctx: ServerContext, public watermark: number, intervalMs: number) {
    this.timer = setInterval(() => this.check(), intervalMs);
    this.timer.unref();
  }

  get active(): boolean {
    return this.memory || this.disk;
  }

  /** rabbit_reader:blocked_by_message: "low on " and the resources joined by " & ". */
  get reason(): string | undefined {
    if (!this.active) return undefined;
    return `low on ${[this.memory ? 'memory' : '', this.disk ? 'disk' : ''].filter(Boolean).join(' & ')}`;
  }

  check(): void {
    this.set('memory', process.memoryUsage().rss > this.watermark);
  }

  /** The storage engine's write state changed (wired up in index.ts under --data-dir). */
  setDiskFull(full: boolean): void {
    this.diskFull = full;
    this.setDisk();
  }

  /** Starts watching the free space of `dir` (rabbit_disk_monitor). */
  watchDisk(dir: string, limit: number, intervalMs: number): void {
    this.diskWatch = { dir, limit };
    this.diskTimer = setInterval(() => void this.checkDisk(), intervalMs);
    this.diskTimer.unref();
    void this.checkDisk();
  }

  get diskFreeLimit(): number | undefined {
    return this.diskWatch?.limit;
  }

  /** rabbitmqctl set_disk_free_limit: a new limit, applied at once. */
  async setDiskFreeLimit(limit: number): Promise<void> {
    if (!this.diskWatch) return;
    this.diskWatch.limit = limit;
    await this.checkDisk();
  }

  /** Free bytes for unprivileged writers (statfs f_bavail), compared with the limit. */
  async checkDisk(): Promise<void> {
    const d = this.diskWatch;
    if (!d) return;
    try {
      const st = await fsp.statfs(d.dir);
      this.diskLow = st.bavail * st.bsize < d.limit;
    } catch (err) {
      // The directory cannot be measured (gone, permissions): keep the last verdict, say so once.
      if (!this.statfsFailed) this.ctx.log.warn({ proto: 'amqp', err }, 'cannot measure free disk space');
      this.statfsFailed = true;
      return;
    }
    this.statfsFailed = false;
    this.setDisk();
  }

  /** The disk alarm is on while either source is. */
  private setDisk(): void {
    this.set('disk', this.diskLow || this.diskFull);
  }

  private set(resource: 'memory' | 'disk', on: boolean): void {
    if (this[resource] === on) return;
    this[resource] = on;
    const detail = resource === 'memory' ? { watermark: this.watermark } : { diskFreeLimit: this.diskWatch?.limit, engineRefusing: this.diskFull };
    this.ctx.log.warn({ proto: 'amqp', ...detail }, on ? `${resource} alarm set: blocking publishers` : `${resource} alarm cleared`);
    for (const c of this.ctx.connections) this.apply(c);
  }

  /** Brings one connection in line with the alarms (also called when a connection first publishes). */
  apply(c: Connection): void {
    c.setAlarm(this.reason);
  }

  stop(): void {
    clearInterval(this.timer);
    clearInterval(this.diskTimer);
  }
}
