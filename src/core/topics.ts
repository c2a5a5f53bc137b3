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

/** Told about topic-level changes after they happen (a durable store records them). */
export interface TopicObserver {
  created(topic: Topic): void;
  partitionsAdded(topic: Topic, previousCount: number): void;
  deleted(topic: Topic): void;
}

/** A topic as recovered from durable storage: its original id and creation time are kept. */
export interface RestoredTopic {
  name: string;
  id: string;
  partitionCount: number;
  configs: Map<string, string>;
  createdAt: number;
}

export class TopicSpace {
  private topics = new Map<string, Topic>();
  /** Set by a front-end that persists topics; restore() is never reported. */
  observer: TopicObserver | undefined = undefined;

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
    this.observer?.created(topic);
    return topic;
  }

  /** Puts back a topic recovered from durable storage (startup), with empty logs to restore into. */
  restore(t: RestoredTopic): Topic {
    if (this.topics.has(t.name)) throw new BrokerError('already_exists', `topic '${t.name}' already exists`);
    const topic: Topic = {
      name: t.name,
      id: t.id,
      partitions: Array.from({ length: Math.max(1, t.partitionCount) }, () => new Log(this.clock)),
      configs: t.configs,
      createdAt: t.createdAt,
    };
    this.topics.set(t.name, topic);
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
    const previous = topic.partitions.length;
    while (topic.partitions.length < count) topic.partitions.push(new Log(this.clock));
    this.observer?.partitionsAdded(topic, previous);
    return topic;
  }

  delete(name: string): boolean {
    const topic = this.topics.get(name);
    if (!topic) return false;
    this.topics.delete(name);
    this.observer?.deleted(topic);
    return true;
  }

  list(): Topic[] {
    return [...this.topics.values()];
  }
}
