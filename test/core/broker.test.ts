import { describe, expect, it } from 'vitest';
import { Broker } from '../../src/core/broker.js';
import { ManualClock } from '../../src/core/clock.js';
import { BrokerError } from '../../src/core/errors.js';
import { OffsetStore } from '../../src/core/offsets.js';

describe('queue namespaces', () => {
  it('keeps namespaces apart and lists queues by prefix in name order', () => {
    const broker = new Broker({ clock: new ManualClock() });
    broker.queues('sqs').create('orders');
    broker.queues('sqs').create('alerts');
    broker.queues('amqp:/').create('orders');
    expect(broker.queues('sqs').list().map((q) => q.name)).toEqual(['alerts', 'orders']);
    expect(broker.queues('sqs').list('ord').map((q) => q.name)).toEqual(['orders']);
    expect(broker.queues('sqs').get('orders')).not.toBe(broker.queues('amqp:/').get('orders'));
  });

  it('raises neutral errors for duplicates and missing queues', () => {
    const space = new Broker({ clock: new ManualClock() }).queues('x');
    space.create('a');
    expect(() => space.create('a')).toThrow(BrokerError);
    try {
      space.require('missing');
    } catch (e) {
      expect((e as BrokerError).code).toBe('not_found');
    }
    expect(space.delete('a')?.isDeleted).toBe(true);
    expect(space.delete('a')).toBeUndefined();
  });
});

describe('topics', () => {
  it('creates partitioned logs with stable ids and only grows partitions', () => {
    const broker = new Broker({ clock: new ManualClock() });
    const t = broker.topics.create('events', 3, new Map([['retention.ms', '1000']]));
    expect(t.partitions.length).toBe(3);
    expect(broker.topics.byId(t.id)).toBe(t);
    expect(() => broker.topics.create('events', 1)).toThrow(/already exists/);
    expect(() => broker.topics.create('bad', 0)).toThrow(/at least one partition/);
    broker.topics.addPartitions('events', 5);
    expect(t.partitions.length).toBe(5);
    expect(() => broker.topics.addPartitions('events', 2)).toThrow(/already has 5/);
    expect(broker.topics.delete('events')).toBe(true);
    expect(broker.topics.list()).toEqual([]);
  });
});

describe('offsets', () => {
  it('stores, lists and deletes committed offsets per group', () => {
    const store = new OffsetStore();
    store.commit('g', 'events', 0, { offset: 5, metadata: 'm', committedAt: 1, epoch: -1 });
    store.commit('g', 'events', 1, { offset: 7, metadata: null, committedAt: 1, epoch: -1 });
    store.commit('h', 'other', 0, { offset: 1, metadata: null, committedAt: 1, epoch: -1 });
    expect(store.get('g', 'events', 1)?.offset).toBe(7);
    expect(store.list('g').map((o) => `${o.stream}/${o.partition}=${o.value.offset}`)).toEqual(['events/0=5', 'events/1=7']);
    store.deleteStream('events');
    expect(store.list('g')).toEqual([]);
    expect(store.groupNames().sort()).toEqual(['g', 'h']);
    expect(store.deleteGroup('h')).toBe(true);
  });
});
