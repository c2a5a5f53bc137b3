// A basic.consume subscription as a core push consumer: credit comes from the prefetch limits
// (per consumer, and RabbitMQ's per-channel global) and from the socket's write buffer, so a
// slow reader stops receiving instead of growing the server's memory.

import type { Lease, Queue } from '../core/index.js';
import type { Channel } from './channel.js';
import type { CancellableConsumer } from './vhost.js';

export class ChannelConsumer implements CancellableConsumer {
  unacked = 0;
  constructor(
    readonly ch: Channel,
    readonly tag: string,
    readonly queue: Queue,
    readonly noAck: boolean,
    readonly priority: number,
    readonly prefetch: number,
    readonly exclusive: boolean,
  ) {}

  credit(): number {
    if (this.ch.conn.outputBlocked) return 0;
    if (this.noAck) return Infinity;
    let c = this.prefetch > 0 ? this.prefetch - this.unacked : Infinity;
    const g = this.ch.globalPrefetch;
    if (g > 0) c = Math.min(c, g - this.ch.unacked.size);
    return c;
  }

  deliver(lease: Lease): void {
    this.ch.deliver(this, lease);
  }

  serverCancel(): void {
    this.ch.serverCancel(this);
  }
}

