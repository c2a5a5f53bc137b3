// The KIP-848 server-side assignors as pure functions (the wire tests drive them through
// ConsumerGroupHeartbeat): uniform stays balanced and sticky, also for members subscribed to
// different topics and for large groups, and is fast enough to run inside a heartbeat.
import { describe, expect, it } from 'vitest';
import { ASSIGNORS, type AssignorMember } from '../../src/kafka/consumer-groups/assignors.js';
import { fromPairs, size, type Assignment } from '../../src/kafka/consumer-groups/assignment.js';

const uniform = ASSIGNORS.uniform as NonNullable<(typeof ASSIGNORS)['uniform']>;

function member(id: string, topics: string[], current: Assignment = new Map()): AssignorMember {
  return { memberId: id, topics: new Set(topics), current };
}

function counts(out: Map<string, Assignment>): number[] {
  return [...out.values()].map(size);
}

function everyPartitionOnce(out: Map<string, Assignment>, topics: Map<string, number>): void {
  const seen = new Set<string>();
  for (const a of out.values()) for (const [t, ps] of a) for (const p of ps) {
    expect(seen.has(`${t}:${p}`)).toBe(false);
    seen.add(`${t}:${p}`);
  }
  expect(seen.size).toBe([...topics.values()].reduce((n, c) => n + c, 0));
}

describe('uniform assignor', () => {
  it('spreads 10,000 partitions held by one member over 100 members quickly, keeping that member\'s share', () => {
    const topics = new Map([['t', 10_000]]);
    const all = fromPairs(Array.from({ length: 10_000 }, (_, p) => ['t', p] as [string, number]));
    const members = [member('m000', ['t'], all), ...Array.from({ length: 99 }, (_, i) => member(`m${String(i + 1).padStart(3, '0')}`, ['t']))];
    const started = performance.now();
    const out = uniform(members, topics);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(new Set(counts(out))).toEqual(new Set([100]));
    everyPartitionOnce(out, topics);
    expect(out.get('m000')?.get('t')?.every((p) => p < 10_000)).toBe(true);
  });

  it('balances members with different subscriptions within what each may take', () => {
    const topics = new Map([['x', 6], ['y', 6]]);
    const members = [member('a', ['x']), member('b', ['x', 'y']), member('c', ['x', 'y'])];
    const out = uniform(members, topics);
    everyPartitionOnce(out, topics);
    expect(counts(out)).toEqual([4, 4, 4]);
    expect(out.get('a')?.has('y')).toBe(false);
    // Balancing with a skewed sticky start ends too.
    const skewed = uniform([member('a', ['x'], new Map([['x', [0, 1, 2, 3, 4, 5]]])), member('b', ['x', 'y'], new Map([['y', [0, 1, 2, 3, 4, 5]]])), member('c', ['x', 'y'])], topics);
    expect(counts(skewed)).toEqual([4, 4, 4]);
    everyPartitionOnce(skewed, topics);
  });

  it('keeps the extra slots with the members that already had more', () => {
    const topics = new Map([['t', 5]]);
    const out = uniform([member('a', ['t'], new Map([['t', [0, 1, 2]]])), member('b', ['t'], new Map([['t', [3, 4]]])), member('c', ['t'])], topics);
    expect(Object.fromEntries([...out].map(([id, a]) => [id, a.get('t') ?? []]))).toEqual({ a: [0, 1], b: [3, 4], c: [2] });
  });
});
