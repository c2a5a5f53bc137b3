// Reused segment files (segment-recycler.ts): a log's deleted segments are parked and written
// over by the next new segments; the old records left past the new ones never come back as
// data (salted checksums), files are cut to size on close, parked files expire, and format 1
// files (unsalted) still read.
import { closeSync, existsSync, openSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { crc32 } from '../../../src/core/storage/crc32.js';
import { encodeFileHeader, FILE_HEADER_BYTES, SegmentKind, writeRecordHeader } from '../../../src/core/storage/format.js';
import { nodeIo } from '../../../src/core/storage/io.js';
import { LogStore, type RecoveredLog } from '../../../src/core/storage/log-store.js';
import { SegmentRecycler } from '../../../src/core/storage/segment-recycler.js';
import { FileStore } from '../../../src/core/storage/file-store.js';
import { readSnapshotSync, writeSnapshotSync } from '../../../src/core/storage/snapshot-file.js';
import { removeTempDirs, sleep, tempDir } from './helpers.js';

afterEach(removeTempDirs);

const SEGMENT = 8192;
/** Limits for segments this small (the shipped ones keep files of 64 KiB and more). */
const small = { maxFiles: 4, minBytes: 1024, keepMs: 60_000 };
const bytesOf = (offset: number, size: number): Buffer => Buffer.alloc(size, `entry-${offset};`);

/** Appends `count` one-record entries of `size` bytes from `from`; returns the next offset. */
function fill(store: LogStore, from: number, count: number, size: number): number {
  for (let o = from; o < from + count; o++) store.append({ baseOffset: o, recordCount: 1, maxTimestamp: o, appendedAt: o, bytes: bytesOf(o, size) });
  return from + count;
}

function segmentFiles(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.seg'));
}

function expectEntries(r: RecoveredLog, from: number, to: number, size: number): void {
  expect(r.entries.map((e) => e.baseOffset)).toEqual(Array.from({ length: to - from }, (_, i) => from + i));
  for (const e of r.entries) expect(e.bytes!.equals(bytesOf(e.baseOffset, size))).toBe(true);
}

describe('segment recycler', () => {
  it('writes new segments over deleted ones and recovers only the new records', async () => {
    const root = tempDir();
    const recycler = new SegmentRecycler(join(root, 'recycle'), nodeIo, small);
    const dir = join(root, 'log');
    const { store } = LogStore.open(dir, { segmentBytes: SEGMENT, recycler });
    // Large entries first, so the parked files are full of valid-looking old records.
    let next = fill(store, 0, 40, 1000);
    await store.commit();
    await store.truncateBefore(35);
    expect(recycler.size).toBe(4);
    expect(segmentFiles(join(root, 'recycle'))).toHaveLength(4);

    // Smaller entries now: each reused file keeps old bytes past the new end until closed.
    next = fill(store, next, 30, 300);
    await store.commit();
    expect(recycler.size).toBeLessThan(4);
    await store.close();
    // Closed files are cut to what was written into them: no old bytes to report as a torn tail.
    const r = LogStore.open(dir, { segmentBytes: SEGMENT });
    expect(r.issues).toEqual([]);
    expect(r.logStartOffset).toBe(35);
    expect(r.entries.map((e) => e.baseOffset)).toEqual(Array.from({ length: next - 35 }, (_, i) => 35 + i));
    for (const e of r.entries) expect(e.bytes!.equals(bytesOf(e.baseOffset, e.baseOffset < 40 ? 1000 : 300))).toBe(true);
    await r.store.close();
    await recycler.close();
    expect(segmentFiles(join(root, 'recycle'))).toEqual([]);
  });

  it('after a crash, reads the old records past the new ones as a dropped tail, never as data', async () => {
    const root = tempDir();
    const recycler = new SegmentRecycler(join(root, 'recycle'), nodeIo, small);
    const dir = join(root, 'log');
    const { store } = LogStore.open(dir, { segmentBytes: SEGMENT, recycler });
    // Three full segments (7 entries of 1000 bytes each), then the first two deleted.
    fill(store, 0, 21, 1000);
    await store.commit();
    await store.truncateBefore(14);
    expect(recycler.size).toBe(2);
    // The next segment reuses a parked file; the process "dies" before closing it.
    fill(store, 21, 3, 1000);
    await store.commit();
    expect(recycler.size).toBe(1);
    const active = segmentFiles(dir).sort().at(-1) as string;
    expect(active).toBe(`${'21'.padStart(20, '0')}.seg`);
    expect(statSync(join(dir, active)).size).toBeGreaterThan(FILE_HEADER_BYTES + 3 * (12 + 32 + 1000));

    const r = LogStore.open(dir, { segmentBytes: SEGMENT });
    expect(r.issues.map((i) => i.kind)).toEqual(['torn_tail']);
    expect(r.nextOffset).toBe(24);
    expect(r.entries.map((e) => e.baseOffset)).toEqual([14, 15, 16, 17, 18, 19, 20, 21, 22, 23]);
    for (const e of r.entries) expect(e.bytes!.equals(bytesOf(e.baseOffset, 1000))).toBe(true);
    await r.store.close();
    await store.close().catch(() => {});
    await recycler.close();
  });

  it('removes a reused file whose new header was never written (crash right after it was taken)', async () => {
    const root = tempDir();
    const dir = join(root, 'log');
    const { store } = LogStore.open(dir, { segmentBytes: SEGMENT });
    fill(store, 0, 3, 100);
    await store.close();
    // What a parked file looks like: old records behind a zeroed header.
    const parked = join(dir, `${'9'.padStart(20, '0')}.seg`);
    const old = LogStore.open(join(root, 'other'), { segmentBytes: SEGMENT });
    fill(old.store, 0, 5, 400);
    await old.store.close();
    const source = join(root, 'other', segmentFiles(join(root, 'other'))[0] as string);
    const recycler = new SegmentRecycler(join(root, 'recycle'), nodeIo, small);
    await recycler.give(source, statSync(source).size);
    expect(await recycler.take(parked)).toBe(true);

    const r = LogStore.open(dir, { segmentBytes: SEGMENT });
    expect(r.issues.map((i) => i.kind)).toEqual(['torn_tail']);
    expect(existsSync(parked)).toBe(false);
    expect(existsSync(`${parked}.corrupt`)).toBe(false);
    expect(r.entries.map((e) => e.baseOffset)).toEqual([0, 1, 2]);
    await r.store.close();
    await recycler.close();
  });

  it('deletes small files and files beyond its limit at once, and parked ones once they expire', async () => {
    const root = tempDir();
    const recycler = new SegmentRecycler(join(root, 'recycle'), nodeIo, { maxFiles: 2, minBytes: 4096, keepMs: 100 });
    const files = [1, 2, 3, 4].map((i) => {
      const p = join(root, `f${i}`);
      writeFileSync(p, Buffer.alloc(i === 1 ? 4095 : 4096, i));
      return p;
    });
    for (const f of files) await recycler.give(f, statSync(f).size);
    // f1 is too small to keep, f4 one too many.
    expect(recycler.size).toBe(2);
    expect(files.some(existsSync)).toBe(false);
    expect(segmentFiles(join(root, 'recycle'))).toHaveLength(2);
    await sleep(250);
    expect(recycler.size).toBe(0);
    expect(segmentFiles(join(root, 'recycle'))).toEqual([]);
    await recycler.close();
  });

  it('reads format 1 files (no salt) and marks an upgraded directory', async () => {
    const root = tempDir();
    const store = new FileStore(root);
    await store.open();
    await store.openLog('old-0').store.close();
    await store.close();
    writeSnapshotSync(join(root, 'FORMAT'), Buffer.from(JSON.stringify({ format: 1, created: 'then' })));
    // A format 1 partition log: header version 1 with a zero salt, records checksummed from 0.
    const dir = join(root, 'logs', readdirSync(join(root, 'logs'))[0] as string);
    const file = join(dir, `${'0'.padStart(20, '0')}.seg`);
    const header = encodeFileHeader(SegmentKind.log, 0, 0);
    header.writeUInt16LE(1, 8);
    header.writeUInt32LE(crc32(header.subarray(0, 28)), 28);
    const payload = Buffer.alloc(32 + 5, 0);
    payload.writeDoubleLE(0, 0);
    payload.writeUInt32LE(1, 24);
    payload.write('hello', 32);
    const recordHeader = Buffer.alloc(12);
    writeRecordHeader(recordHeader, 0, 1, payload.length, [payload], 0);
    const fd = openSync(file, 'w');
    writeSync(fd, Buffer.concat([header, recordHeader, payload]));
    closeSync(fd);

    const reopened = new FileStore(root);
    await reopened.open();
    expect(JSON.parse(readSnapshotSync(join(root, 'FORMAT'))!.toString())).toMatchObject({ format: 2, upgradedFrom: 1, created: 'then' });
    const r = reopened.openLog('old-0');
    expect(r.issues).toEqual([]);
    expect(r.entries.map((e) => [e.baseOffset, e.bytes?.toString()])).toEqual([[0, 'hello']]);
    await reopened.close();
  });
});
