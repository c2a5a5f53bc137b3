// The neutral router: direct, fanout, topic (trie) and headers matching, e2e bindings,
// alternate exchanges, auto-delete, idempotent unbind.
import { describe, expect, test } from 'vitest';
import { headersMatch, Router } from '../../src/core/index.js';

const none = () => undefined;
const route = (r: Router, x: string, key: string, headers?: Record<string, unknown>) => [...r.route(x, key, () => headers).queues].sort();

describe('topic matching', () => {
  const r = new Router();
  r.declare('t', { kind: 'topic' });
  const patterns = ['a.b.c', 'a.*.c', 'a.#', '#', '*.b.*', 'a.#.c', '#.c', 'a..c', '*', 'x.#.y.#.z'];
  patterns.forEach((p, i) => r.bind('t', 'queue', `q${i}:${p}`, p));
  const hits = (key: string) => route(r, 't', key).map((q) => q.split(':')[1]);

  test.each([
    ['a.b.c', ['#', '#.c', '*.b.*', 'a.#', 'a.#.c', 'a.*.c', 'a.b.c']],
    ['a', ['#', '*', 'a.#']],
    ['a.c', ['#', '#.c', 'a.#', 'a.#.c']],
    ['a..c', ['#', '#.c', 'a.#', 'a.#.c', 'a..c', 'a.*.c']],
    ['', ['#', '*']],
    ['x.y.z', ['#', 'x.#.y.#.z']],
    ['x.1.2.y.3.z', ['#', 'x.#.y.#.z']],
    ['b.c.d', ['#']],
  ])('%s', (key, expected) => {
    expect(hits(key).sort()).toEqual([...expected].sort());
  });

  test('unbinding prunes the trie and is idempotent', () => {
    const t = new Router();
    t.declare('t', { kind: 'topic' });
    t.bind('t', 'queue', 'q', 'a.*.c');
    expect(t.unbindMatching('t', 'queue', 'q', 'a.*.c')).toBe(true);
    expect(t.unbindMatching('t', 'queue', 'q', 'a.*.c')).toBe(false);
    expect(route(t, 't', 'a.b.c')).toEqual([]);
  });

  test('patterns with many # stay fast', () => {
    const t = new Router();
    t.declare('t', { kind: 'topic' });
    t.bind('t', 'queue', 'q', '#.#.#.#.#.#.#.#.z');
    const key = Array.from({ length: 40 }, (_, i) => `w${i}`).join('.');
    const start = performance.now();
    expect(route(t, 't', key)).toEqual([]);
    expect(route(t, 't', key + '.z')).toEqual(['q']);
    expect(performance.now() - start).toBeLessThan(500);
  });

  test('many bindings route fast (trie, not a scan)', () => {
    const t = new Router();
    t.declare('t', { kind: 'topic' });
    for (let i = 0; i < 20000; i++) t.bind('t', 'queue', `q${i}`, `svc${i}.*.event`);
    const start = performance.now();
    for (let i = 0; i < 20000; i++) route(t, 't', `svc${i}.x.event`);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(route(t, 't', 'svc77.x.event')).toEqual(['q77']);
  });
});

describe('direct, fanout, headers', () => {
  test('direct matches the exact key; fanout ignores it', () => {
    const r = new Router();
    r.declare('d', { kind: 'direct' });
    r.declare('f', { kind: 'fanout' });
    r.bind('d', 'queue', 'q1', 'k');
    r.bind('d', 'queue', 'q2', 'k');
    r.bind('d', 'queue', 'q3', 'other');
    r.bind('f', 'queue', 'q1', 'ignored');
    r.bind('f', 'queue', 'q4', '');
    expect(route(r, 'd', 'k')).toEqual(['q1', 'q2']);
    expect(route(r, 'f', 'anything')).toEqual(['q1', 'q4']);
    expect(r.bind('d', 'queue', 'q1', 'k')).toBe(false);
  });

  test('x-match all / any / all-with-x / any-with-x', () => {
    const h = { a: 1, b: 'two', 'x-c': true };
    expect(headersMatch({ 'x-match': 'all', a: 1, b: 'two' }, h)).toBe(true);
    expect(headersMatch({ a: 1, b: 'three' }, h)).toBe(false);
    expect(headersMatch({ 'x-match': 'any', a: 2, b: 'two' }, h)).toBe(true);
    expect(headersMatch({ 'x-match': 'any', a: 2 }, h)).toBe(false);
    expect(headersMatch({ 'x-match': 'all', 'x-c': false }, h)).toBe(true);
    expect(headersMatch({ 'x-match': 'all-with-x', 'x-c': false }, h)).toBe(false);
    expect(headersMatch({ 'x-match': 'all-with-x', 'x-c': true, a: 1 }, h)).toBe(true);
    expect(headersMatch({ 'x-match': 'any', 'x-c': true }, h)).toBe(false);
    expect(headersMatch({ 'x-match': 'any-with-x', 'x-c': true }, h)).toBe(true);
    expect(headersMatch({ 'x-match': 'all', a: null }, h)).toBe(true);
    expect(headersMatch({ 'x-match': 'all' }, h)).toBe(true);
  });
});

describe('exchange graph', () => {
  test('e2e bindings, cycles visited once, alternate exchange for unmatched', () => {
    const r = new Router();
    r.declare('ae', { kind: 'fanout' });
    r.declare('a', { kind: 'direct', alternate: 'ae' });
    r.declare('b', { kind: 'topic' });
    r.bind('a', 'exchange', 'b', 'k');
    r.bind('b', 'exchange', 'a', '#');
    r.bind('b', 'queue', 'qb', '#');
    r.bind('ae', 'queue', 'qae', '');
    expect(route(r, 'a', 'k')).toEqual(['qb']);
    const res = r.route('a', 'nothing', none);
    expect([...res.queues]).toEqual(['qae']);
    expect(res.unroutable).toBe(false);
    // As rabbit_exchange:route1, an exchange reached through a binding also falls back to its AE.
    expect(route(r, 'b', 'x')).toEqual(['qae', 'qb']);
  });

  test('auto-delete exchanges go with their last binding; removeQueue drops bindings', () => {
    const r = new Router();
    r.declare('ad', { kind: 'fanout', autoDelete: true });
    r.bind('ad', 'queue', 'q', '');
    r.bind('ad', 'queue', 'q2', '');
    r.removeQueue('q');
    expect(r.get('ad')).toBeDefined();
    r.unbindMatching('ad', 'queue', 'q2', '');
    expect(r.get('ad')).toBeUndefined();
  });
});
