// The facade front-ends use: named queues per namespace (an SQS account, an AMQP vhost),
// topics, committed offsets, the clock and the store. Namespaces keep protocols from seeing
// each other's queues unless they deliberately share one.

import type { Clock } from './clock.js';
import { SystemClock } from './clock.js';
import { BrokerError } from './errors.js';
import { OffsetStore } from './offsets.js';
import { Queue, type QueueOptions } from './queue.js';
import { MemoryStore, type Store } from './store.js';
import { TopicSpace } from './topics.js';

export class QueueSpace {
  private queues = new Map<string, Queue>();

  constructor(readonly name: string, private readonly clock: Clock) {}

  create(name: string, options: QueueOptions = {}): Queue {
    if (this.queues.has(name)) throw new BrokerError('already_exists', `queue '${name}' already exists`);
    const queue = new Queue(name, this.clock, options);
    this.queues.set(name, queue);
    return queue;
  }

  get(name: string): Queue | undefined {
    return this.queues.get(name);
  }

  /** The queue, or a not_found BrokerError. */
  require(name: string): Queue {
    const q = this.queues.get(name);
    if (!q) throw new BrokerError('not_found', `queue '${name}' does not exist`);
    return q;
  }

  delete(name: string): Queue | undefined {
    const q = this.queues.get(name);
    if (!q) return undefined;
    this.queues.delete(name);
    q.destroy();
    return q;
  }

  /** Queues in name order, optionally only those whose name starts with `prefix`. */
  list(prefix = ''): Queue[] {
    return [...this.queues.values()].filter((q) => q.name.startsWith(prefix)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  clear(): void {
    for (const q of this.queues.values()) q.destroy();
    this.queues.clear();
  }
}

export interface BrokerOptions {
  clock?: Clock;
  store?: Store;
}

export class Broker {
  readonly clock: Clock;
  readonly store: Store;
  readonly topics: TopicSpace;
  readonly offsets = new OffsetStore();
  private spaces = new Map<string, QueueSpace>();

  constructor(options: BrokerOptions = {}) {
    this.clock = options.clock ?? new SystemClock();
    this.store = options.store ?? new MemoryStore();
    this.topics = new TopicSpace(this.clock);
  }

  /** The queue namespace `name`, created on first use. */
  queues(name: string): QueueSpace {
    let space = this.spaces.get(name);
    if (!space) {
      space = new QueueSpace(name, this.clock);
      this.spaces.set(name, space);
    }
    return space;
  }

  async close(): Promise<void> {
    for (const space of this.spaces.values()) {
      for (const q of space.list()) q.destroy();
    }
    await this.store.flush();
    await this.store.close();
  }
}
