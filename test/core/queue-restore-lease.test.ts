// Queue.restore with a lease per message (leases that outlive the server, e.g. SQS
// visibility): the message comes back leased until the deadline, its group blocked, and then
// returns to its place in order. ManualClock, no sockets.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { StoredMessage } from '../../src/core/message.js';
import { Queue } from '../../src/core/queue.js';

const stored = (id: string, at: number, group?: string): Omit<StoredMessage, 'seq'> => ({
  id,
  body: Buffer.from(id),
  meta: undefined,
  size: id.length,
  priority: 0,
  groupKey: group,
  enqueuedAt: at,
  availableAt: at,
  expiresAt: Infinity,
  receiveCount: 0,
  returnCount: 0,
  firstLeasedAt: undefined,
  redelivered: false,
});

describe('Queue.restore with leases', () => {
  it('a message leased at shutdown stays leased until its deadline and blocks its group', () => {
    const clock = new ManualClock(10_000);
    const q = new Queue('q', clock, { grouped: true });
    q.restore([
      { ...stored('a', 1000, 'g'), receiveCount: 1, firstLeasedAt: 2000, availableAt: 15_000, lease: { deadline: 15_000, consumerTag: 'restored' } },
      { ...stored('b', 1001, 'g') },
      { ...stored('c', 1002, 'h') },
      // A deadline already past: the message is simply ready again.
      { ...stored('d', 1003, 'k'), receiveCount: 1, lease: { deadline: 9_000, consumerTag: 'restored' } },
    ]);
    expect(q.counts()).toMatchObject({ ready: 3, leased: 1, delayed: 0 });
    const [lease] = q.leasesOf('restored');
    expect(lease?.message.id).toBe('a');
    expect(lease?.deadline).toBe(15_000);
    // Group g is blocked by the restored lease: only c and d can be taken.
    expect(q.lease(10, 60_000).map((l) => l.message.id)).toEqual(['c', 'd']);
    clock.advance(5_000);
    // The lease ran out: a goes back in front of b, redelivered, receive count continued.
    const next = q.lease(10, 1000);
    expect(next.map((l) => l.message.id)).toEqual(['a', 'b']);
    expect(next[0]?.message).toMatchObject({ receiveCount: 2, redelivered: true });
  });

  it('a restored lease can be acknowledged', () => {
    const clock = new ManualClock(10_000);
    const q = new Queue('q', clock);
    q.restore([{ ...stored('a', 1000), receiveCount: 1, lease: { deadline: 20_000, consumerTag: 't' } }]);
    const [lease] = q.leasesOf('t');
    expect(q.ack(lease?.id as number)).toBe(true);
    clock.advance(20_000);
    expect(q.counts()).toMatchObject({ ready: 0, leased: 0, delayed: 0 });
  });
});
