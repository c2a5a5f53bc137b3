// RabbitMQ's resource alarms. Memory: when the process's resident memory passes the watermark
// (vm_memory_high_watermark). Disk: under --data-dir, while the storage engine cannot write
// for lack of space (ENOSPC / EDQUOT); it clears once the engine's retry writes again, the
// moment RabbitMQ's free-space check would clear. While either is set, clients that advertised
// the connection.blocked capability get connection.blocked with rabbit_reader's reason ("low on
// memory", "low on disk", "low on memory & disk") and publishing connections stop being read
// until every alarm clears (connection.unblocked). Consuming is unaffected, so queues drain.

import type { Connection, ServerContext } from './connection.js';

export class ResourceAlarm {
  memory = false;
  disk = false;
  private timer: NodeJS.Timeout;

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
  setDisk(full: boolean): void {
    this.set('disk', full);
  }

  private set(resource: 'memory' | 'disk', on: boolean): void {
    if (this[resource] === on) return;
    this[resource] = on;
    const detail = resource === 'memory' ? { watermark: this.watermark } : {};
    this.ctx.log.warn({ proto: 'amqp', ...detail }, on ? `${resource} alarm set: blocking publishers` : `${resource} alarm cleared`);
    for (const c of this.ctx.connections) this.apply(c);
  }

  /** Brings one connection in line with the alarms (also called when a connection first publishes). */
  apply(c: Connection): void {
    c.setAlarm(this.reason);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
