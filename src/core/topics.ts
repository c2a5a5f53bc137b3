// Named, partitioned logs (Kafka topics; stream queues may use them too). A topic owns its
// partitions' logs and a string config map the front-end interprets.

import { randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';
import { BrokerError } from './errors.js';
import { Log } from './log.js';

export interface Topic {
  readonly name: string;
  /** Stable id (Kafka topic id). */
  readonly id: string;
  readonly partitions: Log[];
  configs: Map<string, string>;
  readonly createdAt: number;
}

export class TopicSpace {
  private topics = new Map<string, Topic>();

  constructor(private readonly clock: Clock) {}

  create(name: string, partitionCount: number, configs: Map<string, string> = new Map()): Topic {
    if (this.topics.has(name)) throw new BrokerError('already_exists', `topic '${name}' already exists`);
    if (!Number.isInteger(partitionCount) || partitionCount < 1) {
      throw new BrokerError('invalid_argument', 'a topic needs at least one partition');
    }
    const topic: Topic = {
      name,
      id: randomUUID(),
      partitions: Array.from({ length: partitionCount }, () => new Log(this.clock)),
      configs,
      createdAt: this.clock.now(),
    };
    this.topics.set(name, topic);
    return topic;
  }

  get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  byId(id: string): Topic | undefined {
    for (const t of this.topics.values()) if (t.id === id) return t;
    return undefined;
  }

  /** Grows a topic to `count` partitions (partitions can never shrink). */
  addPartitions(name: string, count: number): Topic {
    const topic = this.topics.get(name);
    if (!topic) throw new BrokerError('not_found', `topic '${name}' does not exist`);
    if (count <= topic.partitions.length) {
      throw new BrokerError('invalid_argument', `topic '${name}' already has ${topic.partitions.length} partitions`);
    }
    while (topic.partitions.length < count) topic.partitions.push(new Log(this.clock));
    return topic;
  }

  delete(name: string): boolean {
    return this.topics.delete(name);
  }

  list(): Topic[] {
    return [...this.topics.values()];
  }
}
