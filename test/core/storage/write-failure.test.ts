// FileStore.writeFailure / onWriteFailure: the store-wide signal a front-end turns into its
// "disk alarm" (AMQP connection.blocked). It goes up when a journal's write fails, prefers
// disk_full, is told once per change (not on every failed retry), and clears when the engine's
// retry has written the queued bytes again or the failing journal is deleted.
import { afterEach, describe, expect, it } from 'vitest';
import type { BrokerError } from '../../../src/core/errors.js';
import { FileStore } from '../../../src/core/storage/file-store.js';
import { countingIo, removeTempDirs, sleep, tempDir } from './helpers.js';

afterEach(removeTempDirs);

const record = (i: number) => ({
  id: `m-${i}`, body: Buffer.from(`body-${i}`), meta: undefined, size: 6, priority: 0, groupKey: undefined,
  enqueuedAt: i, availableAt: i, expiresAt: Infinity, receiveCount: 0, returnCount: 0, firstLeasedAt: undefined, redelivered: false,
});

async function until(fn: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(10);
  }
}

describe('FileStore write failures', () => {
  it('signals disk_full while a journal cannot write and clears once its retry succeeds', async () => {
    const io = countingIo();
    const store = new FileStore(tempDir(), { io, fsync: 'always' });
    await store.open();
    const seen: (string | undefined)[] = [];
    store.onWriteFailure((f: BrokerError | undefined) => seen.push(f?.reason));
    const q = store.createQueue('ns', 'q');
    q.enqueue(record(1));
    await q.commit();
    expect(store.writeFailure).toBeUndefined();

    io.failWrites('ENOSPC', 3); // the write and the next two retries fail
    q.enqueue(record(2));
    await expect(q.commit()).rejects.toMatchObject({ code: 'storage_error', reason: 'disk_full' });
    expect(store.writeFailure?.reason).toBe('disk_full');
    await until(() => seen.length === 2);
    expect(seen).toEqual(['disk_full', undefined]); // failed retries did not repeat the signal
    expect(store.writeFailure).toBeUndefined();
    q.enqueue(record(3));
    await q.commit();
    await store.close();
  });

  it('prefers disk_full over another failure, and a deleted failing journal clears its part', async () => {
    const io = countingIo();
    const store = new FileStore(tempDir(), { io, fsync: 'always' });
    await store.open();
    const seen: (string | undefined)[] = [];
    store.onWriteFailure((f) => seen.push(f?.reason));
    const a = store.createQueue('ns', 'a');
    const b = store.createQueue('ns', 'b');
    io.failWrites('EIO', 1000);
    a.enqueue(record(1));
    await expect(a.commit()).rejects.toMatchObject({ reason: 'io_error' });
    io.failWrites('EDQUOT', 1000);
    b.enqueue(record(2));
    await expect(b.commit()).rejects.toMatchObject({ reason: 'disk_full' });
    expect(store.writeFailure?.reason).toBe('disk_full');
    await store.deleteQueue('ns', 'b');
    expect(store.writeFailure?.reason).toBe('io_error');
    await store.deleteQueue('ns', 'a');
    expect(store.writeFailure).toBeUndefined();
    expect(seen).toEqual(['io_error', 'disk_full', 'io_error', undefined]);
    await store.close();
  });
});
