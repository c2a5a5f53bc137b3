// Log entries restored with their bytes left in a file (restoreStored): sizes, reads by byte
// limit and size retention work from the recorded size without reading the file; `bytes` reads
// it on access; a compaction rewrite replaces a stored entry by an in-memory one.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { entrySize, Log, storedBytes, type StoredBytes } from '../../src/core/log.js';

function fakeFile(content: string): StoredBytes & { reads: number } {
  const bytes = Buffer.from(content);
  const f = {
    size: bytes.length,
    reads: 0,
    read: () => {
      f.reads++;
      return Promise.resolve(Buffer.from(bytes));
    },
    readSync: (length = bytes.length) => {
      f.reads++;
      return Buffer.from(bytes.subarray(0, length));
    },
  };
  return f;
}

describe('stored log entries', () => {
  it('are sized, read by limit and removed by size retention without touching the file', async () => {
    const log = new Log(new ManualClock());
    const files = ['aaaa', 'bbbbbbbb', 'cc'].map(fakeFile);
    let base = 0;
    for (const f of files) {
      log.restoreStored({ baseOffset: base, recordCount: 2, maxTimestamp: 0, appendedAt: 0, meta: { n: base } }, f);
      base += 2;
    }
    log.restoreBounds(0, 6);
    expect(log.sizeBytes).toBe(14);
    const got = log.read(0, 12);
    expect(got.map((e) => e.baseOffset)).toEqual([0, 2]);
    expect(got.map(entrySize)).toEqual([4, 8]);
    expect(files.every((f) => f.reads === 0)).toBe(true);

    // Bytes on demand: asynchronously for serving, synchronously (or a prefix) for scans.
    const first = got[0]!;
    expect((await storedBytes(first)!.read()).toString()).toBe('aaaa');
    expect(first.bytes.toString()).toBe('aaaa');
    expect(storedBytes(first)!.readSync(2).toString()).toBe('aa');
    expect(files[0]!.reads).toBe(3);

    expect(log.applyRetention({ retentionMs: -1, retentionBytes: 10, keepNewest: false })).toBe(1);
    expect(log.logStartOffset).toBe(2);
    expect(log.sizeBytes).toBe(10);
    expect(files[1]!.reads + files[2]!.reads).toBe(0);

    // A rewrite (compaction) leaves an ordinary in-memory entry in place of the stored one.
    log.rewriteEntries(4, (e) => (e.baseOffset === 2 ? Buffer.from('b') : undefined));
    const [rewritten, untouched] = [...log.all()];
    expect(storedBytes(rewritten!)).toBeUndefined();
    expect(rewritten!.bytes.toString()).toBe('b');
    expect(storedBytes(untouched!)).toBe(files[2]);
    expect(log.sizeBytes).toBe(3);
    expect(entrySize(log.append({ bytes: Buffer.from('new'), recordCount: 1, maxTimestamp: 0 }))).toBe(3);
  });

  it('lets go of an appended entry\'s bytes only while it is live and unchanged', () => {
    const log = new Log(new ManualClock());
    const a = log.append({ bytes: Buffer.from('aaaa'), recordCount: 1, maxTimestamp: 0 });
    const b = log.append({ bytes: Buffer.from('bbbb'), recordCount: 1, maxTimestamp: 0 });
    const fa = fakeFile('aaaa');
    expect(log.storeBytes(a, fakeFile('aaa'))).toBe(false); // size differs: not the same bytes
    expect(log.storeBytes(a, fa)).toBe(true);
    expect(log.storeBytes(a, fa)).toBe(false); // already stored (the live entry is a new object)
    const [sa] = [...log.all()];
    expect(storedBytes(sa!)).toBe(fa);
    expect(log.read(0, 100).map((e) => e.bytes.toString())).toEqual(['aaaa', 'bbbb']);
    expect(log.sizeBytes).toBe(8);
    log.rewriteEntries(2, (e) => (e.baseOffset === 1 ? Buffer.from('b') : undefined));
    expect(log.storeBytes(b, fakeFile('bbbb'))).toBe(false); // rewritten by compaction meanwhile
    log.truncateBefore(2);
    expect(log.storeBytes(b, fakeFile('bbbb'))).toBe(false); // gone
  });
});
