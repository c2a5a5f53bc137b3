// The memory alarm, like RabbitMQ's vm_memory_high_watermark: when the process's resident
// memory passes the watermark, clients that advertised the connection.blocked capability get
// connection.blocked ("low on memory") and publishing connections stop being read until it
// clears (connection.unblocked). Consuming is unaffected, so queues can drain.

import type { Connection, ServerContext } from './connection.js';

export class MemoryAlarm {
  active = false;
  private timer: NodeJS.Timeout;

  constructor(private readonly ctx: ServerContext, public watermark: number, intervalMs: number) {
    this.timer = setInterval(() => this.check(), intervalMs);
    this.timer.unref();
  }

  check(): void {
    this.set(process.memoryUsage().rss > this.watermark);
  }

  private set(active: boolean): void {
    if (active === this.active) return;
    this.active = active;
    this.ctx.log.warn({ proto: 'amqp', watermark: this.watermark }, active ? 'memory alarm set: blocking publishers' : 'memory alarm cleared');
    for (const c of this.ctx.connections) this.apply(c);
  }

  /** Brings one connection in line with the alarm (also called when a connection first publishes). */
  apply(c: Connection): void {
    c.setAlarm(this.active);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
