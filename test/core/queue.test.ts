// Queue rules, driven by ManualClock: no sleeping, no sockets.
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { DeadLetterReason, StoredMessage } from '../../src/core/message.js';
import { Queue, type Lease, type QueueConsumer, type QueueOptions } from '../../src/core/queue.js';

const b = (s: string): Buffer => Buffer.from(s);
const bodies = (leases: Lease[]): string[] => leases.map((l) => l.message.body.toString());

let clock: ManualClock;
const make = (options: QueueOptions = {}): Queue => new Queue('q', clock, options);

beforeEach(() => {
  clock = new ManualClock();
});

describe('enqueue and lease', () => {
  it('delivers in FIFO order and counts ready / leased', () => {
    const q = make();
    for (const s of ['a', 'b', 'c']) q.enqueue({ body: b(s) });
    expect(q.counts()).toMatchObject({ ready: 3, leased: 0, delayed: 0, readyBytes: 3 });
    const leases = q.lease(2);
    expect(bodies(leases)).toEqual(['a', 'b']);
    expect(q.counts()).toMatchObject({ ready: 1, leased: 2 });
  });

  it('assigns ids unless given, and keeps meta untouched', () => {
    const q = make();
    const meta = { attributes: { x: 1 } };
    const r1 = q.enqueue({ body: b('a'), meta });
    const r2 = q.enqueue({ body: b('b'), id: 'fixed' });
    expect(r1.status).toBe('ready');
    if (r1.status !== 'ready' || r2.status !== 'ready') throw new Error('unexpected');
    expect(r1.message.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r1.message.meta).toBe(meta);
    expect(r2.message.id).toBe('fixed');
  });

  it('ack removes a lease for good; an unknown lease is refused', () => {
    const q = make();
    q.enqueue({ body: b('a') });
    const [lease] = q.lease(1);
    expect(q.ack(lease!.id)).toBe(true);
    expect(q.ack(lease!.id)).toBe(false);
    expect(q.counts()).toMatchObject({ ready: 0, leased: 0 });
  });

  it('counts receives and stamps the first lease time', () => {
    const q = make();
    q.enqueue({ body: b('a') });
    const [first] = q.lease(1);
    clock.advance(5);
    q.release(first!.id, true);
    const [second] = q.lease(1);
    expect(second!.message.receiveCount).toBe(2);
    expect(second!.message.firstLeasedAt).toBe(clock.now() - 5);
    expect(second!.message.redelivered).toBe(true);
  });
});

describe('requeue', () => {
  it('puts a released message back in its original position, marked redelivered', () => {
    const q = make();
    for (const s of ['a', 'b', 'c']) q.enqueue({ body: b(s) });
    const [a, bLease] = q.lease(2);
    q.release(bLease!.id, true);
    q.release(a!.id, true);
    const all = q.lease(3);
    expect(bodies(all)).toEqual(['a', 'b', 'c']);
    expect(all.map((l) => l.message.redelivered)).toEqual([true, true, false]);
  });

  it('a release with a delay keeps the message invisible until it elapses', () => {
    const q = make();
    q.enqueue({ body: b('a') });
    const [a] = q.lease(1);
    q.release(a!.id, true, 1000);
    expect(q.lease(1)).toEqual([]);
    clock.advance(999);
    expect(q.lease(1)).toEqual([]);
    clock.advance(1);
    expect(bodies(q.lease(1))).toEqual(['a']);
  });
});

describe('lease deadlines (visibility timeout)', () => {
  it('returns a message when its lease expires', () => {
    const q = make({ defaultLeaseMs: 30_000 });
    q.enqueue({ body: b('a') });
    const [a] = q.lease(1);
    clock.advance(29_999);
    expect(q.lease(1)).toEqual([]);
    clock.advance(1);
    const again = q.lease(1);
    expect(bodies(again)).toEqual(['a']);
    expect(again[0]!.id).not.toBe(a!.id);
    expect(q.ack(a!.id)).toBe(false); // the old lease is no longer current
  });

  it('a per-call lease length overrides the default', () => {
    const q = make({ defaultLeaseMs: 30_000 });
    q.enqueue({ body: b('a') });
    q.lease(1, 100);
    clock.advance(100);
    expect(q.counts().ready).toBe(1);
  });

  it('extendLease moves the deadline; 0 releases at once', () => {
    const q = make({ defaultLeaseMs: 1000 });
    q.enqueue({ body: b('a') });
    const [a] = q.lease(1);
    q.extendLease(a!.id, 5000);
    clock.advance(4000);
    expect(q.counts().leased).toBe(1);
    clock.advance(1000);
    expect(q.counts()).toMatchObject({ leased: 0, ready: 1 });
    const [again] = q.lease(1);
    expect(q.extendLease(again!.id, 0)).toBe(true);
    expect(q.counts()).toMatchObject({ leased: 0, ready: 1 });
  });

  it('leases with no deadline are held until acked', () => {
    const q = make();
    q.enqueue({ body: b('a') });
    q.lease(1);
    clock.advance(10 * 24 * 3600_000);
    expect(q.counts().leased).toBe(1);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('delays', () => {
  it('holds per-message and queue-default delays', () => {
    const q = make({ defaultDelayMs: 1000 });
    const r = q.enqueue({ body: b('default') });
    q.enqueue({ body: b('none'), delayMs: 0 });
    q.enqueue({ body: b('long'), delayMs: 5000 });
    expect(r.status).toBe('delayed');
    expect(q.counts()).toMatchObject({ ready: 1, delayed: 2 });
    expect(bodies(q.lease(10))).toEqual(['none']);
    clock.advance(1000);
    expect(bodies(q.lease(10))).toEqual(['default']);
    clock.advance(4000);
    expect(bodies(q.lease(10))).toEqual(['long']);
  });
});

describe('expiry (TTL)', () => {
  it('drops expired messages, the lower of queue and message TTL winning', () => {
    const dead: [string, DeadLetterReason][] = [];
    const q = make({ messageTtlMs: 1000 });
    q.deadLetterSink = (m, reason) => dead.push([m.body.toString(), reason]);
    q.enqueue({ body: b('queue-ttl') });
    q.enqueue({ body: b('short'), ttlMs: 100 });
    q.enqueue({ body: b('longer-than-queue'), ttlMs: 5000 });
    clock.advance(1000);
    expect(q.lease(10)).toEqual([]);
    expect(dead).toEqual([
      ['queue-ttl', 'expired'],
      ['short', 'expired'],
      ['longer-than-queue', 'expired'],
    ]);
  });

  it('expires at the head on a timer, without any consumer', () => {
    const dead: string[] = [];
    const q = make({ messageTtlMs: 50 });
    q.deadLetterSink = (m) => dead.push(m.body.toString());
    q.enqueue({ body: b('a') });
    clock.advance(50);
    expect(dead).toEqual(['a']);
    expect(q.counts().ready).toBe(0);
  });

  it('TTL 0 expires unless delivered at once', () => {
    const q = make({ messageTtlMs: 0 });
    const got: string[] = [];
    q.enqueue({ body: b('nobody-listening') });
    clock.advance(0);
    q.addConsumer(consumer('c', got));
    q.enqueue({ body: b('delivered') });
    expect(got).toEqual(['delivered']);
  });
});

describe('length limits', () => {
  it('drop-head pushes the oldest out as maxlen', () => {
    const dead: string[] = [];
    const q = make({ maxLength: 2 });
    q.deadLetterSink = (m, reason) => dead.push(`${m.body.toString()}:${reason}`);
    for (const s of ['a', 'b', 'c']) q.enqueue({ body: b(s) });
    expect(dead).toEqual(['a:maxlen']);
    expect(bodies(q.lease(5))).toEqual(['b', 'c']);
  });

  it('reject-new refuses the newcomer', () => {
    const q = make({ maxLength: 1, overflow: 'reject-new' });
    q.enqueue({ body: b('a') });
    expect(q.enqueue({ body: b('b') })).toEqual({ status: 'rejected', reason: 'max_length' });
    expect(q.counts().ready).toBe(1);
  });

  it('reject-new-dead-letter refuses and dead-letters the newcomer', () => {
    const dead: string[] = [];
    const q = make({ maxLength: 1, overflow: 'reject-new-dead-letter' });
    q.deadLetterSink = (m, reason) => dead.push(`${m.body.toString()}:${reason}`);
    q.enqueue({ body: b('a') });
    expect(q.enqueue({ body: b('b') }).status).toBe('rejected');
    expect(dead).toEqual(['b:maxlen']);
  });

  it('counts bytes for maxLengthBytes', () => {
    const q = make({ maxLengthBytes: 5 });
    q.enqueue({ body: b('abc') });
    q.enqueue({ body: b('def') });
    expect(bodies(q.lease(5))).toEqual(['def']);
  });
});

describe('dead-lettering by delivery count', () => {
  it('maxReceives: the lease that would exceed the count dead-letters instead', () => {
    const dead: string[] = [];
    const q = make({ maxReceives: 2, defaultLeaseMs: 10 });
    q.deadLetterSink = (m, reason) => dead.push(`${m.body.toString()}:${reason}:${m.receiveCount}`);
    q.enqueue({ body: b('poison') });
    q.lease(1);
    clock.advance(10);
    q.lease(1);
    clock.advance(10);
    expect(q.lease(1)).toEqual([]);
    expect(dead).toEqual(['poison:delivery_limit:2']);
  });

  it('maxReturns: a message returned too often dead-letters on return', () => {
    const dead: string[] = [];
    const q = make({ maxReturns: 1 });
    q.deadLetterSink = (m, reason) => dead.push(`${m.body.toString()}:${reason}`);
    q.enqueue({ body: b('x') });
    q.release(q.lease(1)[0]!.id, true);
    q.release(q.lease(1)[0]!.id, true);
    expect(dead).toEqual(['x:delivery_limit']);
  });

  it('a rejected lease dead-letters as rejected (and is dropped without a sink)', () => {
    const dead: string[] = [];
    const q = make();
    q.enqueue({ body: b('a') });
    q.enqueue({ body: b('b') });
    const [a] = q.lease(1);
    q.release(a!.id, false);
    q.deadLetterSink = (m, reason) => dead.push(`${m.body.toString()}:${reason}`);
    q.release(q.lease(1)[0]!.id, false);
    expect(dead).toEqual(['b:rejected']);
    expect(q.counts()).toMatchObject({ ready: 0, leased: 0 });
  });
});

describe('dedup window', () => {
  it('reports a repeat key within the window as a duplicate of the original', () => {
    const q = make({ dedupWindowMs: 300_000 });
    const first = q.enqueue({ body: b('a'), dedupKey: 'k' });
    clock.advance(299_999);
    const again = q.enqueue({ body: b('a2'), dedupKey: 'k' });
    expect(again.status).toBe('duplicate');
    if (first.status !== 'ready' || again.status !== 'duplicate') throw new Error('unexpected');
    expect(again.message.id).toBe(first.message.id);
    clock.advance(1);
    expect(q.enqueue({ body: b('a3'), dedupKey: 'k' }).status).toBe('ready');
    expect(q.counts().ready).toBe(2);
  });
});

describe('priorities', () => {
  it('delivers higher priorities first, FIFO within a level, capped at maxPriority', () => {
    const q = make({ maxPriority: 5 });
    q.enqueue({ body: b('low'), priority: 0 });
    q.enqueue({ body: b('high1'), priority: 5 });
    q.enqueue({ body: b('over'), priority: 200 });
    q.enqueue({ body: b('mid'), priority: 3 });
    expect(bodies(q.lease(4))).toEqual(['high1', 'over', 'mid', 'low']);
  });

  it('ignores priorities when the queue has none', () => {
    const q = make();
    q.enqueue({ body: b('a'), priority: 0 });
    q.enqueue({ body: b('b'), priority: 9 });
    expect(bodies(q.lease(2))).toEqual(['a', 'b']);
  });
});

describe('grouped (FIFO) queues', () => {
  it('keeps order per group and blocks a group while any of its messages is leased', () => {
    const q = make({ grouped: true });
    q.enqueue({ body: b('g1-a'), groupKey: 'g1' });
    q.enqueue({ body: b('g2-a'), groupKey: 'g2' });
    q.enqueue({ body: b('g1-b'), groupKey: 'g1' });
    const first = q.lease(1);
    expect(bodies(first)).toEqual(['g1-a']);
    // g1 is blocked: the next lease goes to g2, never g1-b
    expect(bodies(q.lease(5))).toEqual(['g2-a']);
    expect(q.lease(5)).toEqual([]);
    q.ack(first[0]!.id);
    expect(bodies(q.lease(5))).toEqual(['g1-b']);
  });

  it('one lease call takes as many as it can from one group before the next', () => {
    const q = make({ grouped: true });
    q.enqueue({ body: b('a1'), groupKey: 'a' });
    q.enqueue({ body: b('b1'), groupKey: 'b' });
    q.enqueue({ body: b('a2'), groupKey: 'a' });
    q.enqueue({ body: b('b2'), groupKey: 'b' });
    expect(bodies(q.lease(3))).toEqual(['a1', 'a2', 'b1']);
  });

  it('a returned message unblocks its group and comes first again', () => {
    const q = make({ grouped: true, defaultLeaseMs: 100 });
    q.enqueue({ body: b('1'), groupKey: 'g' });
    q.enqueue({ body: b('2'), groupKey: 'g' });
    expect(bodies(q.lease(1))).toEqual(['1']);
    clock.advance(100);
    expect(bodies(q.lease(2))).toEqual(['1', '2']);
  });
});

describe('push consumers', () => {
  it('round-robins across consumers and respects credit exactly', () => {
    const q = make();
    const got: Record<string, string[]> = { a: [], b: [] };
    const a = consumer('a', got.a!, 2);
    const bCons = consumer('b', got.b!, 1);
    q.addConsumer(a);
    q.addConsumer(bCons);
    for (const s of ['1', '2', '3', '4', '5']) q.enqueue({ body: b(s) });
    expect(got).toEqual({ a: ['1', '3'], b: ['2'] });
    expect(q.counts()).toMatchObject({ ready: 2, leased: 3 });
    a.ackAll(q);
    expect(got.a).toEqual(['1', '3', '4', '5']);
  });

  it('prefers higher-priority consumers while they have credit', () => {
    const q = make();
    const low: string[] = [];
    const high: string[] = [];
    q.addConsumer(consumer('low', low, 10, 0));
    q.addConsumer(consumer('high', high, 1, 5));
    for (const s of ['1', '2', '3']) q.enqueue({ body: b(s) });
    expect(high).toEqual(['1']);
    expect(low).toEqual(['2', '3']);
  });

  it('no-ack deliveries are settled at once', () => {
    const q = make();
    const got: string[] = [];
    q.addConsumer({ ...consumer('n', got), noAck: true });
    q.enqueue({ body: b('a') });
    expect(got).toEqual(['a']);
    expect(q.counts()).toMatchObject({ ready: 0, leased: 0 });
  });

  it('delivers what is already queued when a consumer arrives, and stops after removal', () => {
    const q = make();
    q.enqueue({ body: b('early') });
    const got: string[] = [];
    q.addConsumer(consumer('c', got));
    expect(got).toEqual(['early']);
    q.removeConsumer('c');
    q.enqueue({ body: b('late') });
    expect(got).toEqual(['early']);
    expect(q.counts().ready).toBe(1);
  });

  it('leasesOf lists a consumer\'s unacked deliveries (to requeue them when it goes)', () => {
    const q = make();
    q.addConsumer(consumer('c', []));
    q.enqueue({ body: b('a') });
    const leases = q.leasesOf('c');
    expect(leases.map((l) => l.message.body.toString())).toEqual(['a']);
    q.removeConsumer('c');
    q.release(leases[0]!.id, true);
    expect(q.counts().ready).toBe(1);
  });
});

describe('waiters (long polling)', () => {
  it('wakes a waiter when a message becomes ready, without polling', () => {
    const q = make();
    const got: string[] = [];
    q.waiters.add(() => {
      const leases = q.lease(10);
      got.push(...bodies(leases));
      return leases.length > 0;
    });
    q.enqueue({ body: b('a') });
    expect(got).toEqual(['a']);
    expect(q.waiters.size).toBe(0);
  });

  it('wakes waiters when a delay elapses or a lease expires', () => {
    const q = make({ defaultLeaseMs: 100 });
    q.enqueue({ body: b('a'), delayMs: 50 });
    let woke = 0;
    q.waiters.add(() => {
      woke++;
      return q.lease(1).length > 0;
    });
    clock.advance(50);
    expect(woke).toBe(1);
    q.waiters.add(() => {
      woke++;
      return q.lease(1).length > 0;
    });
    clock.advance(100);
    expect(woke).toBe(2);
  });

  it('a cancelled waiter is never called', () => {
    const q = make();
    let called = false;
    const cancel = q.waiters.add(() => (called = true));
    cancel();
    q.enqueue({ body: b('a') });
    expect(called).toBe(false);
  });
});

describe('purge, configure, destroy', () => {
  it('purges ready messages, and leased/delayed ones when asked', () => {
    const q = make();
    q.enqueue({ body: b('a') });
    q.enqueue({ body: b('b') });
    q.enqueue({ body: b('c'), delayMs: 100 });
    q.lease(1);
    expect(q.purge()).toBe(1);
    expect(q.counts()).toMatchObject({ ready: 0, leased: 1, delayed: 1 });
    expect(q.purge({ leased: true, delayed: true })).toBe(2);
    expect(q.counts()).toMatchObject({ ready: 0, leased: 0, delayed: 0 });
  });

  it('configure applies new limits at once and validates them', () => {
    const q = make();
    for (const s of ['a', 'b', 'c']) q.enqueue({ body: b(s) });
    q.configure({ maxLength: 1 });
    expect(bodies(q.lease(5))).toEqual(['c']);
    expect(() => q.configure({ messageTtlMs: -1 })).toThrow(/messageTtlMs/);
  });

  it('a destroyed queue refuses work and stops its timers', () => {
    const q = make({ defaultLeaseMs: 10 });
    q.enqueue({ body: b('a') });
    q.lease(1);
    q.destroy();
    expect(() => q.enqueue({ body: b('x') })).toThrow(/deleted/);
    clock.advance(100);
  });

  it('peekAll shows every message without changing state', () => {
    const q = make();
    q.enqueue({ body: b('a') });
    q.enqueue({ body: b('b'), delayMs: 10 });
    q.enqueue({ body: b('c') });
    q.lease(1);
    const view = q.peekAll().map((e) => `${e.state}:${e.message.body.toString()}`);
    expect(view).toEqual(['ready:c', 'delayed:b', 'leased:a']);
    expect(q.counts()).toMatchObject({ ready: 1, delayed: 1, leased: 1 });
    expect(q.peekAll()[0]!.message.receiveCount).toBe(0);
  });
});

interface TestConsumer extends QueueConsumer {
  ackAll(q: Queue): void;
}

function consumer(tag: string, got: string[], prefetch = Infinity, priority = 0): TestConsumer {
  const unacked: Lease[] = [];
  return {
    tag,
    priority,
    noAck: false,
    credit: () => prefetch - unacked.length,
    deliver(lease) {
      unacked.push(lease);
      got.push(lease.message.body.toString());
    },
    ackAll(q) {
      for (const l of unacked.splice(0)) q.ack(l.id);
      q.drain();
    },
  };
}

export type { StoredMessage };
