// Log rules: offsets, reads by offset and byte limit, retention, timestamps, waiters.
import { beforeEach, describe, expect, it } from 'vitest';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ManualClock } from '../../src/core/clock.js';
import { Log } from '../../src/core/log.js';

let clock: ManualClock;
let log: Log;
const entry = (text: string, recordCount = 1, maxTimestamp = clock.now()) => ({ bytes: Buffer.from(text), recordCount, maxTimestamp });

beforeEach(() => {
  clock = new ManualClock();
  log = new Log(clock);
});

describe('append', () => {
  it('assigns consecutive offsets per record and moves the high watermark', () => {
    expect(log.append(entry('a', 3)).baseOffset).toBe(0);
    const second = log.append(entry('b', 2));
    expect(second.baseOffset).toBe(3);
    expect(second.lastOffset).toBe(4);
    expect(log.highWatermark).toBe(5);
    expect(log.logStartOffset).toBe(0);
  });

  it('lets the caller stamp the base offset into the bytes before the entry is visible', () => {
    log.append(entry('xx', 2));
    const bytes = Buffer.alloc(8);
    log.append({ bytes, recordCount: 1, maxTimestamp: 0, stamp: (base, buf) => buf.writeBigInt64BE(BigInt(base)) });
    expect(log.read(2, 100)[0]!.bytes.readBigInt64BE()).toBe(2n);
  });

  it('refuses an empty entry', () => {
    expect(() => log.append(entry('a', 0))).toThrow(/at least one record/);
  });
});

describe('read', () => {
  beforeEach(() => {
    log.append(entry('aaaa', 2)); // offsets 0-1
    log.append(entry('bbbb', 2)); // 2-3
    log.append(entry('cccc', 2)); // 4-5
  });

  it('starts at the entry containing the offset', () => {
    expect(log.read(3, 100).map((e) => e.bytes.toString())).toEqual(['bbbb', 'cccc']);
  });

  it('stops at the byte limit but always returns the first entry', () => {
    expect(log.read(0, 5).map((e) => e.bytes.toString())).toEqual(['aaaa']);
    expect(log.read(0, 1).map((e) => e.bytes.toString())).toEqual(['aaaa']);
    expect(log.read(0, 8).length).toBe(2);
  });

  it('returns nothing at or past the high watermark and stops at an end offset', () => {
    expect(log.read(6, 100)).toEqual([]);
    expect(log.read(0, 100, 4).length).toBe(2);
  });
});

describe('truncation and retention', () => {
  it('truncateBefore moves the start offset and drops whole entries below it', () => {
    log.append(entry('a', 2));
    log.append(entry('b', 2));
    log.truncateBefore(3);
    expect(log.logStartOffset).toBe(3);
    expect(log.read(0, 100).map((e) => e.bytes.toString())).toEqual(['b']);
    expect(() => log.truncateBefore(99)).toThrow(/outside/);
  });

  it('time retention removes old entries but never the newest one', () => {
    log.append(entry('old'));
    clock.advance(1000);
    log.append(entry('new'));
    clock.advance(600);
    expect(log.applyRetention({ retentionMs: 1000, retentionBytes: Infinity })).toBe(1);
    expect(log.logStartOffset).toBe(1);
    clock.advance(10_000);
    expect(log.applyRetention({ retentionMs: 1000, retentionBytes: Infinity })).toBe(0);
    expect(log.entryCount).toBe(1);
  });

  it('size retention removes the oldest entries while the rest still exceeds the limit', () => {
    for (const s of ['1111', '2222', '3333']) log.append(entry(s));
    expect(log.sizeBytes).toBe(12);
    expect(log.applyRetention({ retentionMs: Infinity, retentionBytes: 8 })).toBe(1);
    expect(log.sizeBytes).toBe(8);
    expect(log.logStartOffset).toBe(1);
  });
});

describe('timestamps', () => {
  it('finds the first entry at or after a timestamp, and the max-timestamp entry', () => {
    log.append(entry('a', 1, 100));
    log.append(entry('b', 1, 300));
    log.append(entry('c', 1, 200));
    expect(log.entryForTimestamp(150)?.bytes.toString()).toBe('b');
    expect(log.entryForTimestamp(301)).toBeUndefined();
    expect(log.entryWithMaxTimestamp()?.bytes.toString()).toBe('b');
  });
});

describe('waiters', () => {
  it('wakes fetch waiters on append', () => {
    let seen = -1;
    log.waiters.add(() => {
      seen = log.highWatermark;
      return true;
    });
    log.append(entry('a', 4));
    expect(seen).toBe(4);
    expect(log.waiters.size).toBe(0);
  });
});

describe('memory of dropped entries', () => {
  it('lets go of the bytes of entries removed by truncation and retention at once', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const refs: WeakRef<Buffer>[] = [];
    const append = () => {
      const bytes = Buffer.alloc(64 * 1024, 1);
      refs.push(new WeakRef(bytes));
      log.append({ bytes, recordCount: 1, maxTimestamp: clock.now() });
    };
    for (let i = 0; i < 4; i++) append();
    log.truncateBefore(2);
    clock.advance(10_000);
    append();
    log.applyRetention({ retentionMs: 5_000, retentionBytes: Infinity });
    expect(log.logStartOffset).toBe(4);
    // WeakRefs hold their targets until the current job ends: collect in a later turn.
    await new Promise((r) => setTimeout(r, 0));
    gc();
    expect(refs.map((r) => r.deref() !== undefined)).toEqual([false, false, false, false, true]);
  });
});
