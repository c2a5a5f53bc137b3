// Durable partition logs: entries with offsets, timestamps and metadata survive a reopen,
// reads by offset are served from file ranges, and log-start truncation deletes segments.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { Log } from '../../../src/core/log.js';
import { LogStore } from '../../../src/core/storage/log-store.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterEach(removeTempDirs);

const batch = (base: number, n: number, size = 300): Buffer => Buffer.alloc(size, `batch-${base}-${n};`);

/** Entries of one record each at offsets 0 .. count-1, `size` bytes each. */
function appendSingles(store: LogStore, count: number, size: number): void {
  for (let o = 0; o < count; o++) store.append({ baseOffset: o, recordCount: 1, maxTimestamp: 0, appendedAt: 0, bytes: batch(o, 1, size) });
}

describe('log store', () => {
  it('recovers every entry with its offsets, timestamps, metadata and bytes', async () => {
    const dir = tempDir();
    const { store, nextOffset } = LogStore.open(dir);
    expect(nextOffset).toBe(0);
    let offset = 0;
    for (let i = 0; i < 20; i++) {
      const n = 1 + (i % 4);
      store.append({ baseOffset: offset, recordCount: n, maxTimestamp: 1000 + i, appendedAt: 2000 + i, meta: i % 2 ? Buffer.from(`pid=${i}`) : undefined, bytes: batch(offset, n) });
      offset += n;
    }
    await store.commit();
    await store.close();

    const r = LogStore.open(dir);
    expect(r.issues).toEqual([]);
    expect(r.nextOffset).toBe(offset);
    expect(r.logStartOffset).toBe(0);
    expect(r.entries).toHaveLength(20);
    let expected = 0;
    r.entries.forEach((e, i) => {
      expect(e.baseOffset).toBe(expected);
      expect(e.lastOffset).toBe(expected + e.recordCount - 1);
      expect(e.maxTimestamp).toBe(1000 + i);
      expect(e.appendedAt).toBe(2000 + i);
      expect(e.meta?.toString()).toBe(i % 2 ? `pid=${i}` : undefined);
      expect(e.bytes!.equals(batch(expected, e.recordCount))).toBe(true);
      expected = e.lastOffset + 1;
    });
    // Appends go on from the recovered end; an offset already written is refused.
    expect(() => r.store.append({ baseOffset: 3, recordCount: 1, maxTimestamp: 0, appendedAt: 0, bytes: batch(3, 1) })).toThrow(/already written/);
    r.store.append({ baseOffset: offset, recordCount: 1, maxTimestamp: 0, appendedAt: 0, bytes: batch(offset, 1) });
    await r.store.close();
    expect(LogStore.open(dir).nextOffset).toBe(offset + 1);
  });

  it('locates entries by offset and reads them back from the file', async () => {
    const { store } = LogStore.open(tempDir(), { segmentBytes: 4096 });
    let offset = 0;
    for (let i = 0; i < 40; i++) {
      store.append({ baseOffset: offset, recordCount: 5, maxTimestamp: 0, appendedAt: 0, bytes: batch(offset, 5, 500 + i) });
      offset += 5;
    }
    for (const probe of [0, 4, 5, 77, 199]) {
      const loc = store.locate(probe);
      expect(loc).toBeDefined();
      const base = probe - (probe % 5);
      const bytes = await store.readBytes(loc!);
      expect(bytes.equals(batch(base, 5, 500 + base / 5))).toBe(true);
    }
    expect(store.locate(200)).toBeUndefined();
    await store.close();
  });

  it('serves runs of entries from file ranges, across segments, within a byte limit', async () => {
    const { store } = LogStore.open(tempDir(), { segmentBytes: 4096 });
    let offset = 0;
    for (let i = 0; i < 40; i++) {
      store.append({ baseOffset: offset, recordCount: 5, maxTimestamp: 0, appendedAt: 0, meta: Buffer.from('m'), bytes: batch(offset, 5, 500 + i) });
      offset += 5;
    }
    const all = await store.readEntries(7, 1e9);
    expect(all.map((e) => e.baseOffset)).toEqual(Array.from({ length: 39 }, (_, i) => 5 + 5 * i));
    all.forEach((e) => expect(e.bytes.equals(batch(e.baseOffset, 5, 500 + e.baseOffset / 5))).toBe(true));
    const some = await store.readEntries(0, 1100);
    expect(some.map((e) => e.baseOffset)).toEqual([0, 5]); // 500 + 501 fit, a third would not
    expect((await store.readEntries(0, 1)).map((e) => e.baseOffset)).toEqual([0]);
    expect(await store.readEntries(200, 1e9)).toEqual([]);
    await store.close();
  });

  it('moves the log start forward, deletes whole segments below it, and remembers it', async () => {
    const dir = tempDir();
    const { store } = LogStore.open(dir, { segmentBytes: 2048 });
    let offset = 0;
    for (let i = 0; i < 60; i++) {
      store.append({ baseOffset: offset, recordCount: 2, maxTimestamp: 0, appendedAt: 0, bytes: batch(offset, 2, 200) });
      offset += 2;
    }
    await store.commit();
    const before = readdirSync(dir).length;
    const diskBefore = store.diskBytes;
    await store.truncateBefore(81);
    expect(readdirSync(dir).length).toBeLessThan(before);
    expect(store.diskBytes).toBeLessThan(diskBefore / 2);
    expect(store.locate(79)).toBeUndefined();
    expect(store.locate(81)).toBeDefined();
    await store.close();

    const r = LogStore.open(dir, { segmentBytes: 2048 });
    expect(r.logStartOffset).toBe(81);
    expect(r.nextOffset).toBe(120);
    expect(r.entries[0]!.baseOffset).toBe(80); // the entry holding offset 81
    expect(r.entries.at(-1)!.lastOffset).toBe(119);
    await r.store.close();
  });

  it('deletes the active segment too when the log start reaches the end (nothing dead left on disk)', async () => {
    const dir = tempDir();
    const { store } = LogStore.open(dir);
    appendSingles(store, 30, 1000);
    await store.commit();
    expect(readdirSync(dir)).toEqual([`${'0'.padStart(20, '0')}.seg`]);
    await store.truncateBefore(30);
    // Only the new segment named after the end is left, holding the log-start record.
    expect(readdirSync(dir)).toEqual([`${'30'.padStart(20, '0')}.seg`]);
    expect(store.diskBytes).toBeLessThan(100);
    await store.truncateBefore(30); // again: nothing to do
    store.append({ baseOffset: 30, recordCount: 1, maxTimestamp: 0, appendedAt: 0, bytes: batch(30, 1) });
    await store.close();

    const r = LogStore.open(dir);
    expect(r.issues).toEqual([]);
    expect(r.logStartOffset).toBe(30);
    expect(r.nextOffset).toBe(31);
    expect(r.entries.map((e) => e.baseOffset)).toEqual([30]);
    await r.store.truncateBefore(31);
    await r.store.close();
    const emptied = LogStore.open(dir);
    expect([emptied.logStartOffset, emptied.nextOffset, emptied.entries.length]).toEqual([31, 31, 0]);
    await emptied.store.close();
  });

  it('does not report offsets missing below the log start (a newer segment deleted before an older one)', async () => {
    const dir = tempDir();
    const { store } = LogStore.open(dir, { segmentBytes: 2048 });
    appendSingles(store, 30, 300);
    await store.commit();
    const names = readdirSync(dir).sort();
    expect(names.length).toBeGreaterThan(3);
    const oldest = readFileSync(join(dir, names[0] as string));
    // The log start moves into the third segment: the first two go...
    const start = Number((names[2] as string).slice(0, 20)) + 1;
    await store.truncateBefore(start);
    await store.close();
    // ...but a crash kept the oldest one (its deletion had not happened yet).
    writeFileSync(join(dir, names[0] as string), oldest);

    const r = LogStore.open(dir, { segmentBytes: 2048 });
    expect(r.issues).toEqual([]);
    expect(r.logStartOffset).toBe(start);
    expect(r.entries[0]!.baseOffset).toBe(start);
    expect(r.nextOffset).toBe(30);
    await r.store.close();
  });

  it('never reuses a segment name when a roll would repeat the current base', async () => {
    const dir = tempDir();
    const { store } = LogStore.open(dir, { segmentBytes: 1024 });
    // Entries larger than a segment: the log-start record rolls to a segment named 6, and
    // entry 6 does not fit after it, yet a new segment would be named 6 again.
    store.append({ baseOffset: 0, recordCount: 1, maxTimestamp: 0, appendedAt: 0, bytes: batch(0, 1, 1000) });
    store.append({ baseOffset: 1, recordCount: 5, maxTimestamp: 0, appendedAt: 0, bytes: batch(1, 5, 1000) });
    await store.truncateBefore(3);
    store.append({ baseOffset: 6, recordCount: 1, maxTimestamp: 0, appendedAt: 0, bytes: batch(6, 1, 1000) });
    await store.close();
    const r = LogStore.open(dir, { segmentBytes: 1024 });
    expect(r.logStartOffset).toBe(3);
    expect(r.entries.map((e) => e.baseOffset)).toEqual([1, 6]);
    expect(r.issues).toEqual([]);
    await r.store.close();
  });

  it('does not hand out offsets again when the newest entries were lost', async () => {
    const dir = tempDir();
    const { store } = LogStore.open(dir, { segmentBytes: 1024 });
    appendSingles(store, 6, 600);
    await store.close();
    // Simulate a power loss that kept the newest segment's name but not its records.
    const files = readdirSync(dir).sort();
    const { truncateSync } = await import('node:fs');
    truncateSync(`${dir}/${files.at(-1)}`, 0);
    const lastBase = Number(files.at(-1)!.slice(0, 20));
    const r = LogStore.open(dir, { segmentBytes: 1024 });
    expect(r.nextOffset).toBe(lastBase);
    expect(r.issues.map((i) => i.kind)).toContain('torn_tail');
    await r.store.close();
  });

  it('rebuilds the core Log with the original offsets, append times and log start', async () => {
    const dir = tempDir();
    const clock = new ManualClock(5_000);
    const live = new Log(clock);
    const { store } = LogStore.open(dir);
    for (let i = 0; i < 10; i++) {
      const e = live.append({ bytes: batch(i, 3), recordCount: 3, maxTimestamp: i });
      store.append({ baseOffset: e.baseOffset, recordCount: 3, maxTimestamp: e.maxTimestamp, appendedAt: e.appendedAt, bytes: e.bytes });
    }
    live.truncateBefore(7);
    await store.truncateBefore(7);
    await store.close();

    const r = LogStore.open(dir);
    const log = new Log(new ManualClock(9_000));
    for (const e of r.entries) log.restore({ baseOffset: e.baseOffset, recordCount: e.recordCount, bytes: e.bytes!, maxTimestamp: e.maxTimestamp, appendedAt: e.appendedAt, meta: undefined });
    log.restoreBounds(r.logStartOffset, r.nextOffset);
    expect(log.logStartOffset).toBe(7);
    expect(log.highWatermark).toBe(30);
    expect(log.read(7, 1e6).map((e) => [e.baseOffset, e.appendedAt])).toEqual(live.read(7, 1e6).map((e) => [e.baseOffset, e.appendedAt]));
    expect(log.append({ bytes: Buffer.from('next'), recordCount: 1, maxTimestamp: 0 }).baseOffset).toBe(30);
    expect(() => log.restore({ baseOffset: 3, recordCount: 1, bytes: Buffer.alloc(1), maxTimestamp: 0, appendedAt: 0, meta: undefined })).toThrow(/cannot restore/);
    await r.store.close();
  });

  it('reports a gap left by a damaged entry instead of renumbering', async () => {
    const dir = tempDir();
    const { store } = LogStore.open(dir);
    const locs = [0, 1, 2].map((o) => store.append({ baseOffset: o, recordCount: 1, maxTimestamp: 0, appendedAt: 0, bytes: batch(o, 1) }));
    await store.close();
    const { openSync, writeSync, closeSync } = await import('node:fs');
    const fd = openSync(`${dir}/${readdirSync(dir)[0]}`, 'r+');
    writeSync(fd, Buffer.from('XX'), 0, 2, locs[1]!.position + 10);
    closeSync(fd);
    const r = LogStore.open(dir);
    expect(r.entries.map((e) => e.baseOffset)).toEqual([0, 2]);
    expect(r.issues.map((i) => i.kind)).toEqual(['corruption', 'corruption']);
    expect(r.issues[1]!.message).toMatch(/offsets 1-1 are missing/);
    expect(r.nextOffset).toBe(3);
  });
});
