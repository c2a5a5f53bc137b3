// The --data-dir Store: one omnibroker per directory (lock file, stale locks), refusal of
// newer formats, layout and names, atomic snapshots, and the createStore factory.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStore } from '../../../src/core/storage/file-store.js';
import { createStore, fileStoreOf, parseFsyncOption } from '../../../src/core/storage/index.js';
import { writeSnapshotSync } from '../../../src/core/storage/snapshot-file.js';
import { MemoryStore } from '../../../src/core/store.js';
import { StartupError } from '../../../src/shared/startup-error.js';
import { countingIo, removeTempDirs, sleep, tempDir } from './helpers.js';

afterEach(removeTempDirs);

const lockOf = (pid: number) => JSON.stringify({ pid, host: hostname(), since: '2026-01-01T00:00:00.000Z' });

describe('lock file', () => {
  it('refuses a directory another store holds, and frees it on close', async () => {
    const dir = tempDir();
    const a = new FileStore(dir);
    await a.open();
    await expect(new FileStore(dir).open()).rejects.toThrow(/already open/);
    await a.close();
    const b = new FileStore(dir);
    await b.open();
    await b.close();
  });

  it('refuses a directory locked by another live process, naming it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'omnibroker.lock'), lockOf(process.ppid));
    const err = await new FileStore(dir).open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect((err as Error).message).toMatch(new RegExp(`in use by another omnibroker \\(pid ${process.ppid}, since .*\\); stop it or choose another --data-dir`));
  });

  it('takes over a stale lock left by a process that died (kill -9)', async () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    writeFileSync(join(dir, 'omnibroker.lock'), lockOf(dead));
    const s = new FileStore(dir);
    await s.open();
    await s.close();
  });
});

describe('format version', () => {
  it('refuses a data directory written by a newer format', async () => {
    const dir = tempDir();
    writeSnapshotSync(join(dir, 'FORMAT'), Buffer.from(JSON.stringify({ format: 7 })));
    await expect(new FileStore(dir).open()).rejects.toThrow(/written by a newer omnibroker \(storage format 7; this version reads up to 2\)/);
    // The refusal releases the lock: fixing the directory is enough to start.
    expect(readdirSync(dir)).not.toContain('omnibroker.lock');
  });

  it('marks a new directory with the current format', async () => {
    const dir = tempDir();
    const s = new FileStore(dir);
    await s.open();
    await s.close();
    expect(readdirSync(dir).sort()).toEqual(['FORMAT', 'logs', 'meta', 'queues', 'recycle', 'state']);
  });
});

describe('layout and snapshots', () => {
  it('stores logs and queues under names of any characters and lists them', async () => {
    const dir = tempDir();
    const s = new FileStore(dir, { fsync: 'never' });
    await s.open();
    const weird = 'amq.gen/ü %2F..x';
    const long = 'q'.repeat(255);
    s.openLog('orders-0').store.append({ baseOffset: 0, recordCount: 1, maxTimestamp: 0, appendedAt: 0, bytes: Buffer.from('x') });
    s.openQueue('/', weird).journal.enqueue({ id: 'a', body: Buffer.from('b'), meta: undefined, size: 1, priority: 0, groupKey: undefined, enqueuedAt: 0, availableAt: 0, expiresAt: Infinity, receiveCount: 0, returnCount: 0, firstLeasedAt: undefined, redelivered: false });
    s.openQueue('/', long);
    expect(() => s.openLog('orders-0')).toThrow(/already open/);
    await s.close();

    const again = new FileStore(dir);
    await again.open();
    expect(again.logNames()).toEqual(['orders-0']);
    expect(again.queueNamespaces()).toEqual(['/']);
    expect(again.queueNames('/')).toEqual([long, weird].sort());
    expect(again.openQueue('/', weird).messages.map((m) => m.message.id)).toEqual(['a']);
    expect(again.openLog('orders-0').nextOffset).toBe(1);
    await again.deleteQueue('/', weird);
    await again.deleteLog('orders-0');
    expect(again.queueNames('/')).toEqual([long]);
    expect(again.logNames()).toEqual([]);
    await again.close();
  });

  it('creates queues and logs at runtime, and a name deleted and re-created at once keeps only the new data', async () => {
    const dir = tempDir();
    const s = new FileStore(dir);
    await s.open();
    const message = (id: string) => ({ id, body: Buffer.from(id), meta: undefined, size: 2, priority: 0, groupKey: undefined, enqueuedAt: 0, availableAt: 0, expiresAt: Infinity, receiveCount: 0, returnCount: 0, firstLeasedAt: undefined, redelivered: false });
    const q = s.createQueue('acct', 'orders');
    expect(readdirSync(join(dir, 'queues'))).toEqual([]); // nothing touched the disk synchronously
    q.enqueue(message('old'));
    await q.commit();
    const log = s.createLog('events-0');
    log.append({ baseOffset: 0, recordCount: 2, maxTimestamp: 0, appendedAt: 0, bytes: Buffer.from('ab') });
    await log.commit();

    const deleted = s.deleteQueue('acct', 'orders'); // not awaited before the re-creation
    const again = s.createQueue('acct', 'orders');
    again.enqueue(message('new'));
    await Promise.all([deleted, again.commit()]);
    await s.close();

    const r = new FileStore(dir);
    await r.open();
    expect(r.openQueue('acct', 'orders').messages.map((m) => m.message.id)).toEqual(['new']);
    expect(r.openLog('events-0').nextOffset).toBe(2);
    await r.close();
  });

  it('writes snapshots atomically and coalesces concurrent writes to the newest', async () => {
    const dir = tempDir();
    const s = new FileStore(dir);
    await s.open();
    expect(s.readSnapshot('definitions')).toBeUndefined();
    const writes = Array.from({ length: 10 }, (_, i) => s.writeSnapshot('definitions', Buffer.from(JSON.stringify({ v: i }))));
    await Promise.all(writes);
    expect(JSON.parse(s.readSnapshot('definitions')!.toString())).toEqual({ v: 9 });
    expect(readdirSync(join(dir, 'meta'))).toEqual(['definitions.snap']);
    await s.close();
  });

  it('reports a damaged snapshot instead of reading garbage', async () => {
    const dir = tempDir();
    const s = new FileStore(dir);
    await s.open();
    await s.writeSnapshot('defs', Buffer.from('{"a":1}'));
    const file = join(dir, 'meta', 'defs.snap');
    const bytes = readFileSync(file);
    bytes[bytes.length - 2] = 0x32; // {"a":1} becomes {"a":2}
    writeFileSync(file, bytes);
    expect(() => s.readSnapshot('defs')).toThrow(/checksum mismatch/);
    await s.close();
  });
});

describe('full disk', () => {
  it('refuses new writes with storage_error, keeps serving reads, and recovers when space returns', async () => {
    const dir = tempDir();
    const io = countingIo();
    const s = new FileStore(dir, { fsync: 'always', io });
    await s.open();
    const log = s.createLog('t-0');
    const entry = (o: number) => ({ baseOffset: o, recordCount: 1, maxTimestamp: 0, appendedAt: 0, bytes: Buffer.alloc(3000, `e${o}`) });
    log.append(entry(0));
    await log.commit();
    io.failWrites('ENOSPC', 2);
    log.append(entry(1));
    await expect(log.commit()).rejects.toMatchObject({ code: 'storage_error', reason: 'disk_full' });
    expect(log.failure?.reason).toBe('disk_full');
    expect(() => log.append(entry(2))).toThrow(expect.objectContaining({ code: 'storage_error' }));
    expect((await log.readEntries(0, 1)).map((e) => e.bytes.equals(entry(0).bytes))).toEqual([true]); // reads go on
    // Retries run every 500 ms: the first fails again, the second succeeds. The store's
    // writeFailure clears only once a write succeeded (log.failure is also cleared for the
    // moment a retry is in flight, so polling it could catch that window).
    expect(s.writeFailure?.reason).toBe('disk_full');
    for (let waited = 0; s.writeFailure && waited < 5000; waited += 50) await sleep(50);
    expect(log.failure).toBeUndefined();
    expect(io.writes).toBeGreaterThanOrEqual(4);
    log.append(entry(2));
    await log.commit();
    await s.close();
    const r = new FileStore(dir);
    await r.open();
    expect(r.openLog('t-0').entries.map((e) => e.baseOffset)).toEqual([0, 1, 2]);
    await r.close();
  });
});

describe('createStore', () => {
  it('keeps memory mode the default and picks files for a data directory', () => {
    expect(createStore(undefined)).toBeInstanceOf(MemoryStore);
    const s = createStore('/tmp/x', { fsync: 'always' });
    expect(s).toBeInstanceOf(FileStore);
    expect(s.kind).toBe('file');
    expect(fileStoreOf(s)).toBe(s);
    expect(fileStoreOf(new MemoryStore())).toBeUndefined();
  });

  it('parses --fsync values', () => {
    expect(parseFsyncOption('always')).toEqual({ fsync: 'always' });
    expect(parseFsyncOption('interval:20')).toEqual({ fsync: 'interval', fsyncIntervalMs: 20 });
    expect(() => parseFsyncOption('sometimes')).toThrow(/expected one of always, interval, never/);
    expect(() => parseFsyncOption('always:5')).toThrow(/interval:MS/);
  });
});
