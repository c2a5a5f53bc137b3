// Queue journals: live messages come back in order with their state; acknowledged ones do
// not; compaction keeps disk use proportional to live data.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { Queue } from '../../../src/core/queue.js';
import { SegmentKind } from '../../../src/core/storage/format.js';
import { QueueJournal, type JournalMessage } from '../../../src/core/storage/queue-journal.js';
import { DEFAULT_DURABILITY, SegmentJournal } from '../../../src/core/storage/segment-journal.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterEach(removeTempDirs);

const msg = (i: number, size = 100, extra: Partial<JournalMessage> = {}): JournalMessage => ({
  id: `m-${i}`,
  body: Buffer.alloc(size, `body-${i};`),
  meta: undefined,
  size,
  priority: 0,
  groupKey: undefined,
  enqueuedAt: 1_000 + i,
  availableAt: 1_000 + i,
  expiresAt: Infinity,
  receiveCount: 0,
  returnCount: 0,
  firstLeasedAt: undefined,
  redelivered: false,
  ...extra,
});

describe('queue journal', () => {
  it('recovers live messages in enqueue order with every stored field and their latest state', async () => {
    const dir = tempDir();
    const { journal } = QueueJournal.open(dir);
    const full = msg(0, 5000, { meta: Buffer.from([1, 2, 3]), priority: 7, groupKey: 'g-é', expiresAt: 99_999, id: 'ünïcode-id' });
    const k0 = journal.enqueue(full);
    const k1 = journal.enqueue(msg(1));
    const k2 = journal.enqueue(msg(2));
    const k3 = journal.enqueue(msg(3));
    journal.update(k0, { availableAt: 5_000, expiresAt: 99_999, receiveCount: 2, returnCount: 1, firstLeasedAt: 1_500, redelivered: true });
    journal.remove(k1);
    journal.remove([k3]);
    await journal.commit();
    await journal.close();

    const r = QueueJournal.open(dir);
    expect(r.issues).toEqual([]);
    expect(r.messages.map((m) => m.key)).toEqual([k0, k2]);
    expect(r.messages[0]!.message).toEqual({ ...full, availableAt: 5_000, receiveCount: 2, returnCount: 1, firstLeasedAt: 1_500, redelivered: true });
    expect(r.messages[1]!.message).toEqual(msg(2));
    // Keys are never reused after a restart.
    expect(r.journal.enqueue(msg(4))).toBeGreaterThan(k3);
    await r.journal.close();
  });

  it('rebuilds a core Queue: order, receive counts, and a lease that ended with the restart', async () => {
    const dir = tempDir();
    const clock = new ManualClock(10_000);
    const before = new Queue('q', clock, { defaultLeaseMs: 30_000 });
    const { journal } = QueueJournal.open(dir);
    const keys = new Map<string, number>();
    for (let i = 0; i < 4; i++) {
      const res = before.enqueue({ body: Buffer.from(`body-${i}`), id: `id-${i}` });
      if (!('message' in res)) throw new Error('enqueue refused');
      const m = res.message;
      keys.set(m.id, journal.enqueue({ ...m, meta: undefined }));
    }
    const [lease] = before.lease(1); // id-0, invisible for 30 s
    const m0 = lease!.message;
    journal.update(keys.get('id-0')!, { ...m0, availableAt: lease!.deadline });
    const [second] = before.lease(1); // id-1, acknowledged
    before.ack(second!.id);
    journal.remove(keys.get('id-1')!);
    await journal.close();

    clock.advance(1_000); // restart
    const r = QueueJournal.open(dir);
    const after = new Queue('q', clock, { defaultLeaseMs: 30_000 });
    after.restore(r.messages.map(({ message }) => ({ ...message, meta: message.meta })));
    expect(after.counts()).toMatchObject({ ready: 2, delayed: 1, leased: 0 });
    expect(after.lease(5).map((l) => l.message.id)).toEqual(['id-2', 'id-3']);
    clock.advance(30_000); // the old lease's deadline passes: id-0 is visible again
    const [again] = after.lease(1);
    expect(again!.message).toMatchObject({ id: 'id-0', receiveCount: 2, firstLeasedAt: 10_000, body: Buffer.from('body-0') });
    await r.journal.close();
  });

  it('reports a well-checksummed record of impossible shape instead of trusting it', async () => {
    const dir = tempDir();
    const { journal } = QueueJournal.open(dir);
    const k = journal.enqueue(msg(1));
    await journal.close();
    const raw = SegmentJournal.open(dir, SegmentKind.queue, DEFAULT_DURABILITY, (p) => (p ?? 0) + 1, () => {});
    raw.write(1, [Buffer.from('too short')]); // an "enqueue" of 9 bytes
    await raw.close();
    const r = QueueJournal.open(dir);
    expect(r.messages.map((m) => m.key)).toEqual([k]);
    expect(r.issues).toEqual([expect.objectContaining({ kind: 'corruption', message: expect.stringMatching(/record of type 1 at byte \d+ .* too short/) })]);
    await r.journal.close();
  });

  it('purge removes everything enqueued before it', async () => {
    const dir = tempDir();
    const { journal } = QueueJournal.open(dir);
    for (let i = 0; i < 10; i++) journal.enqueue(msg(i));
    journal.purge();
    const k = journal.enqueue(msg(10));
    await journal.close();
    const r = QueueJournal.open(dir);
    expect(r.messages.map((m) => m.key)).toEqual([k]);
    await r.journal.close();
  });

  it('deletes fully acknowledged segments so disk use follows live data', async () => {
    const dir = tempDir();
    const { journal } = QueueJournal.open(dir, { segmentBytes: 8192 });
    const keys: number[] = [];
    for (let i = 0; i < 400; i++) keys.push(journal.enqueue(msg(i, 200)));
    await journal.commit();
    const full = journal.diskBytes;
    expect(journal.segmentCount).toBeGreaterThan(10);
    journal.remove(keys.slice(0, 390));
    await journal.compacted();
    expect(journal.diskBytes).toBeLessThan(full / 5);
    await journal.close();
    const r = QueueJournal.open(dir, { segmentBytes: 8192 });
    expect(r.messages.map((m) => m.message.id)).toEqual(keys.slice(390).map((k) => `m-${k}`));
    await r.journal.close();
  });

  it('keeps segment names unique when only acknowledgements follow a roll', async () => {
    const dir = tempDir();
    const { journal } = QueueJournal.open(dir, { segmentBytes: 1024 });
    const keys = Array.from({ length: 8 }, (_, i) => journal.enqueue(msg(i, 200)));
    for (const k of keys.slice(0, 7)) for (let n = 0; n < 20; n++) journal.update(k, { ...msg(k), receiveCount: n });
    for (const k of keys.slice(0, 7)) journal.remove(k);
    // Segments keep rolling (and stay compactable) although no key was assigned meanwhile.
    expect(journal.segmentCount).toBeGreaterThan(8);
    await journal.close();
    const r = QueueJournal.open(dir, { segmentBytes: 1024 });
    expect(r.issues).toEqual([]);
    expect(r.messages.map((m) => m.key)).toEqual([keys[7]]);
    await r.journal.close();
  });

  it('copies long-lived messages forward so one old message does not pin every segment', async () => {
    const dir = tempDir();
    const { journal } = QueueJournal.open(dir, { segmentBytes: 8192 });
    const old = journal.enqueue(msg(0, 200));
    journal.update(old, { availableAt: 7, expiresAt: Infinity, receiveCount: 3, returnCount: 3, firstLeasedAt: 5, redelivered: true });
    // Traffic flows past the old message: enqueued and acknowledged.
    for (let i = 1; i < 2000; i++) {
      const k = journal.enqueue(msg(i, 200));
      journal.remove(k);
    }
    await journal.commit();
    await journal.compacted();
    expect(journal.liveCount).toBe(1);
    expect(journal.diskBytes).toBeLessThan(6 * 8192);
    await journal.close();
    const r = QueueJournal.open(dir, { segmentBytes: 8192 });
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]).toMatchObject({ key: old, message: { id: 'm-0', receiveCount: 3, redelivered: true, firstLeasedAt: 5 } });
    await r.journal.close();
  });
});
