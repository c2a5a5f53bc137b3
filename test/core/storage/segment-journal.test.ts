// The segment engine: framing round trips, group commit per fsync policy, rolling, torn
// tails, mid-file corruption, newer formats and write failures (disk full).
import { randomBytes } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { crc32, crc32Implementation, crc32Js } from '../../../src/core/storage/crc32.js';
import { FILE_HEADER_BYTES, RECORD_HEADER_BYTES, SegmentKind } from '../../../src/core/storage/format.js';
import { DEFAULT_DURABILITY, SegmentJournal, type DurabilityOptions } from '../../../src/core/storage/segment-journal.js';
import { countingIo, removeTempDirs, sleep, tempDir } from './helpers.js';

afterEach(removeTempDirs);

interface Seen {
  segment: number;
  type: number;
  payload: string;
  position: number;
}

function open(dir: string, opts: Partial<DurabilityOptions> = {}, counter = { n: 0 }) {
  const seen: Seen[] = [];
  const journal = SegmentJournal.open(dir, SegmentKind.log, { ...DEFAULT_DURABILITY, ...opts }, () => counter.n, (segment, type, payload, position) => {
    seen.push({ segment, type, payload: payload.toString('latin1'), position });
  });
  return { journal, seen };
}

const payloadOf = (i: number, size: number): Buffer => Buffer.alloc(size, String.fromCharCode(97 + (i % 26)));

describe('crc32', () => {
  it('matches the standard check value and the native implementation', () => {
    expect(crc32Js(Buffer.from('123456789'))).toBe(0xcbf43926);
    const big = Buffer.alloc(100_003);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    expect(crc32Js(big)).toBe(crc32(big));
    expect(crc32Js(big.subarray(500), crc32Js(big.subarray(0, 500)))).toBe(crc32Js(big));
  });

  it('uses the optional native package, which agrees with zlib and the JS version when continued', () => {
    expect(crc32Implementation).toBe('node-rs');
    const zlibCrc = (zlib as unknown as { crc32?: (b: Uint8Array, c?: number) => number }).crc32;
    for (let i = 0; i < 100; i++) {
      const buf = randomBytes(1 + Math.floor(Math.random() * 70_000));
      const cut = Math.floor(Math.random() * buf.length);
      const whole = crc32Js(buf);
      expect(crc32(buf.subarray(cut), crc32(buf.subarray(0, cut)))).toBe(whole);
      if (zlibCrc) expect(zlibCrc(buf)).toBe(whole);
    }
  });
});

describe('append and recover', () => {
  it('reads back records of every size in order, at the positions write returned', async () => {
    const dir = tempDir();
    const { journal } = open(dir);
    const sizes = [0, 1, 100, 2048, 2049, 70_000, 3, 300_000];
    const locs = sizes.map((s, i) => journal.write(1 + (i % 3), [payloadOf(i, s)]));
    await journal.commit();
    await journal.close();
    const { journal: again, seen } = open(dir);
    expect(seen.map((s) => s.payload)).toEqual(sizes.map((s, i) => payloadOf(i, s).toString('latin1')));
    expect(seen.map((s) => s.type)).toEqual(sizes.map((_, i) => 1 + (i % 3)));
    expect(seen.map((s) => s.position)).toEqual(locs.map((l) => l.position));
    expect(again.issues).toEqual([]);
    // Appends continue after the recovered records.
    again.write(9, [Buffer.from('tail')]);
    await again.close();
    expect(open(dir).seen.at(-1)?.payload).toBe('tail');
  });

  it('concatenates multi-part payloads and serves file ranges', async () => {
    const { journal } = open(tempDir());
    const loc = journal.write(1, [Buffer.from('head-'), Buffer.alloc(5000, 'x'), Buffer.from('-end')]);
    const back = await journal.read(loc.segment, loc.position + RECORD_HEADER_BYTES, loc.bytes - RECORD_HEADER_BYTES);
    expect(back.toString()).toBe(`head-${'x'.repeat(5000)}-end`);
    await journal.close();
  });

  it('rolls to a new segment file named by the base the owner supplies', async () => {
    const dir = tempDir();
    const counter = { n: 0 };
    const { journal } = open(dir, { segmentBytes: 10_000 }, counter);
    for (let i = 0; i < 50; i++) {
      counter.n = i;
      journal.write(1, [payloadOf(i, 1000)]);
    }
    await journal.close();
    const files = readdirSync(dir).sort();
    expect(files.length).toBeGreaterThan(4);
    expect(files[0]).toBe('00000000000000000000.seg');
    for (const f of files) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(10_000);
    const { seen } = open(dir, { segmentBytes: 10_000 });
    expect(seen.length).toBe(50);
    expect(seen.map((s) => s.payload[0])).toEqual(Array.from({ length: 50 }, (_, i) => String.fromCharCode(97 + (i % 26))));
  });
});

describe('group commit', () => {
  it('fsync=always: many concurrent appends share a few fsyncs and resolve only after one', async () => {
    const io = countingIo();
    const { journal } = open(tempDir(), { fsync: 'always', io });
    const n = 500;
    const done = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        journal.write(1, [payloadOf(i, 100)]);
        const before = io.fsyncs;
        await journal.commit();
        return io.fsyncs > before || before > 0;
      }),
    );
    expect(done.every(Boolean)).toBe(true);
    expect(io.fsyncs).toBeGreaterThan(0);
    expect(io.fsyncs).toBeLessThanOrEqual(4); // one segment + its directory, per batch
    expect(io.writes).toBeLessThanOrEqual(2);
    await journal.close();
  });

  it('fsync=always under a stream of appends: batches form while an fsync is in flight', async () => {
    const io = countingIo();
    const { journal } = open(tempDir(), { fsync: 'always', io });
    const acks: Promise<void>[] = [];
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 20; i++) {
        journal.write(1, [payloadOf(i, 200)]);
        acks.push(journal.commit());
      }
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(acks);
    // 50 rounds of 20 appends: at most one write+fsync per round, not one per append.
    expect(io.writes).toBeLessThanOrEqual(50);
    expect(io.fsyncs).toBeLessThanOrEqual(51);
    await journal.close();
  });

  it('fsync=interval: appends are acknowledged once written and fsync follows within the interval', async () => {
    const io = countingIo();
    const { journal } = open(tempDir(), { fsync: 'interval', fsyncIntervalMs: 20, io });
    for (let i = 0; i < 100; i++) journal.write(1, [payloadOf(i, 50)]);
    await journal.commit();
    expect(io.writes).toBe(1);
    expect(io.fsyncs).toBe(0);
    // One round: the new segment file, then its directory.
    for (let waited = 0; io.fsyncs < 2 && waited < 2000; waited += 10) await sleep(10);
    expect(io.fsyncs).toBe(2);
    const after = io.fsyncs;
    await sleep(60);
    expect(io.fsyncs).toBe(after); // nothing new written: no idle fsyncs
    await journal.close();
  });

  it('fsync=interval: the periodic fsync does not hold back the writes after it', async () => {
    const io = countingIo();
    let releaseFsync: () => void = () => {};
    let fsyncsStarted = 0;
    const slowIo = {
      ...io,
      async fsync(fd: number, path: string) {
        fsyncsStarted++;
        await new Promise<void>((r) => (releaseFsync = r));
        return io.fsync(fd, path);
      },
    };
    const dir = tempDir();
    const { journal } = open(dir, { fsync: 'interval', fsyncIntervalMs: 5, io: slowIo });
    journal.write(1, [payloadOf(0, 50)]);
    await journal.commit();
    for (let waited = 0; fsyncsStarted === 0 && waited < 2000; waited += 5) await sleep(5);
    expect(fsyncsStarted).toBe(1); // and it is stuck
    // Writes made meanwhile are acknowledged once written, with the fsync still pending.
    for (let i = 1; i <= 10; i++) {
      journal.write(1, [payloadOf(i, 50)]);
      await journal.commit();
    }
    expect(io.writes).toBe(11);
    expect(fsyncsStarted).toBe(1);
    // Released, the fsyncs go on (the segment, its directory, then what the 10 writes added).
    for (let waited = 0; waited < 2000 && (io.fsyncs < 3 || fsyncsStarted > io.fsyncs); waited += 5) {
      releaseFsync();
      await sleep(5);
    }
    expect(io.fsyncs).toBeGreaterThanOrEqual(3);
    const closing = journal.close();
    for (let i = 0; i < 20; i++) {
      releaseFsync();
      await sleep(5);
    }
    await closing;
    const { journal: again, seen } = open(dir);
    expect(seen.length).toBe(11);
    await again.close();
  });

  it('fsync=never: no fsync until sync() or close', async () => {
    const io = countingIo();
    const { journal } = open(tempDir(), { fsync: 'never', io });
    for (let i = 0; i < 100; i++) journal.write(1, [payloadOf(i, 50)]);
    await journal.commit();
    await sleep(20);
    expect(io.fsyncs).toBe(0);
    await journal.sync();
    expect(io.fsyncs).toBeGreaterThan(0);
    await journal.close();
  });
});

describe('recovery of damaged files', () => {
  async function threeRecords(dir: string) {
    const { journal } = open(dir);
    const locs = ['first', 'second-record', 'third'].map((t) => journal.write(1, [Buffer.from(t)]));
    await journal.close();
    return { locs, file: join(dir, readdirSync(dir)[0] as string) };
  }

  it('truncates a torn tail (crash mid-write) and keeps appending after it', async () => {
    const dir = tempDir();
    const { locs, file } = await threeRecords(dir);
    const last = locs[2]!;
    truncateSync(file, last.position + 7); // the last record is cut inside its header+payload
    const { journal, seen } = open(dir);
    expect(seen.map((s) => s.payload)).toEqual(['first', 'second-record']);
    expect(journal.issues).toHaveLength(1);
    expect(journal.issues[0]).toMatchObject({ kind: 'torn_tail', file, offset: last.position });
    expect(statSync(file).size).toBe(last.position);
    journal.write(1, [Buffer.from('fourth')]);
    await journal.close();
    const again = open(dir);
    expect(again.seen.map((s) => s.payload)).toEqual(['first', 'second-record', 'fourth']);
    expect(again.journal.issues).toEqual([]);
  });

  it('treats a zero-filled or garbage tail as torn', async () => {
    const dir = tempDir();
    const { file } = await threeRecords(dir);
    const size = statSync(file).size;
    appendFileSync(file, Buffer.alloc(4096));
    const { journal, seen } = open(dir);
    expect(seen).toHaveLength(3);
    expect(journal.issues[0]).toMatchObject({ kind: 'torn_tail', offset: size, length: 4096 });
    expect(statSync(file).size).toBe(size);
  });

  it('reports corruption in the middle with file and offset, skips it and recovers the rest', async () => {
    const dir = tempDir();
    const { locs, file } = await threeRecords(dir);
    const bytes = readFileSync(file);
    const mid = locs[1]!;
    const at = mid.position + RECORD_HEADER_BYTES + 3;
    bytes[at] = (bytes[at] as number) ^ 0xff; // flip a payload byte
    writeFileSync(file, bytes);
    const { journal, seen } = open(dir);
    expect(seen.map((s) => s.payload)).toEqual(['first', 'third']);
    expect(journal.issues).toEqual([
      expect.objectContaining({ kind: 'corruption', file, offset: mid.position, length: mid.bytes, message: expect.stringContaining(`byte ${mid.position}`) }),
    ]);
  });

  it('catches a damaged length field through the checksum', async () => {
    const dir = tempDir();
    const { locs, file } = await threeRecords(dir);
    const bytes = readFileSync(file);
    bytes.writeUInt32LE(3, locs[0]!.position + 4);
    writeFileSync(file, bytes);
    const { journal, seen } = open(dir);
    expect(seen.map((s) => s.payload)).toEqual(['second-record', 'third']);
    expect(journal.issues[0]).toMatchObject({ kind: 'corruption', offset: FILE_HEADER_BYTES });
  });

  it('sets aside a segment whose header is unreadable and reports it', async () => {
    const dir = tempDir();
    const { file } = await threeRecords(dir);
    const bytes = readFileSync(file);
    bytes[0] = 0;
    writeFileSync(file, bytes);
    const { journal, seen } = open(dir);
    expect(seen).toEqual([]);
    expect(journal.issues[0]).toMatchObject({ kind: 'bad_header', file });
    expect(readdirSync(dir).some((f) => f.endsWith('.corrupt'))).toBe(true);
  });

  it('refuses a segment written by a newer format version', async () => {
    const dir = tempDir();
    const { file } = await threeRecords(dir);
    const bytes = readFileSync(file);
    bytes.writeUInt16LE(99, 8);
    bytes.writeUInt32LE(crc32(bytes.subarray(0, 28)), 28);
    writeFileSync(file, bytes);
    expect(() => open(dir)).toThrow(/newer omnibroker \(storage format 99; this version reads up to 2\)/);
  });
});

describe('write failures', () => {
  it('a failed write (disk full) rejects its commit, refuses new writes, and is retried', async () => {
    const io = countingIo();
    const dir = tempDir();
    const { journal } = open(dir, { fsync: 'always', io });
    journal.write(1, [Buffer.from('before')]);
    await journal.commit();
    io.failWrites('ENOSPC');
    journal.write(1, [Buffer.from('during')]);
    await expect(journal.commit()).rejects.toMatchObject({ code: 'storage_error', reason: 'disk_full' });
    expect(() => journal.write(1, [Buffer.from('refused')])).toThrow(/ENOSPC/);
    // The retry runs after 500 ms and succeeds.
    for (let waited = 0; journal.failure && waited < 5000; waited += 50) await sleep(50);
    expect(journal.failure).toBeUndefined();
    journal.write(1, [Buffer.from('after')]);
    await journal.commit();
    await journal.close();
    expect(open(dir).seen.map((s) => s.payload)).toEqual(['before', 'during', 'after']);
  });
});

describe('recovery fuzz', () => {
  it('after random byte flips: no crash, nothing invented, every untouched record recovered', async () => {
    const dir = tempDir();
    const { journal } = open(dir);
    const payloads = Array.from({ length: 200 }, (_, i) => payloadOf(i, 1 + ((i * 37) % 400)).toString('latin1') + `#${i}`);
    const locs = payloads.map((p) => journal.write(1, [Buffer.from(p, 'latin1')]));
    await journal.close();
    const file = join(dir, readdirSync(dir)[0] as string);
    const pristine = readFileSync(file);
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 40; round++) {
      const bytes = Buffer.from(pristine);
      const flips = Array.from({ length: 1 + random(3) }, () => FILE_HEADER_BYTES + random(bytes.length - FILE_HEADER_BYTES));
      for (const at of flips) bytes[at] = (bytes[at] as number) ^ (1 + random(255));
      writeFileSync(file, bytes);
      const { seen } = open(dir);
      const got = seen.map((s) => s.payload);
      const indexOf = got.map((p) => payloads.indexOf(p));
      expect(indexOf.every((i) => i >= 0)).toBe(true); // nothing invented
      expect(indexOf).toEqual([...indexOf].sort((a, b) => a - b)); // in order
      locs.forEach((l, i) => {
        // Damage is skipped (or truncated when it is the tail); every untouched record survives.
        const touched = flips.some((at) => at >= l.position && at < l.position + l.bytes);
        if (!touched) expect(got, `record ${i} (round ${round})`).toContain(payloads[i]);
      });
    }
  });
});
