// Delivered marks of a durable queue (persistence/durable-queue.ts): written 50 ms after the
// delivery, or not at all when the message is acked first; a requeue writes its mark
// at once. A stub journal counts what would be written.
import { describe, expect, it } from 'vitest';
import type { QueueJournal, StoredMessage } from '../../src/core/index.js';
import { DurableQueue } from '../../src/amqp/persistence/durable-queue.js';

function stubJournal() {
  const calls = { enqueue: 0, update: [] as number[], remove: [] as number[] };
  let next = 1;
  const journal = {
    failure: undefined,
    enqueue: () => (calls.enqueue++, next++),
    update: (key: number) => void calls.update.push(key),
    remove: (keys: number | readonly number[]) => void calls.remove.push(...(typeof keys === 'number' ? [keys] : keys)),
    commit: () => Promise.resolve(),
  } as unknown as QueueJournal;
  return { journal, calls };
}

function message(seq: number): StoredMessage {
  return {
    seq, id: `m${seq}`, body: Buffer.from('x'), meta: { exchange: '', routingKey: 'q', header: Buffer.alloc(14) }, size: 1, priority: 0,
    groupKey: undefined, enqueuedAt: 0, availableAt: 0, expiresAt: Infinity, receiveCount: 0, returnCount: 0, firstLeasedAt: undefined, redelivered: false,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A durable queue over a stub journal holding two enqueued messages (keys 1 and 2). */
async function queueWithTwo() {
  const { journal, calls } = stubJournal();
  const q = new DurableQueue(journal);
  const messages = [message(1), message(2)] as const;
  for (const m of messages) {
    q.expect();
    await q.enqueued(m);
  }
  return { q, calls, messages };
}

describe('DurableQueue delivered marks', () => {
  it('skips the mark of a message acked soon after delivery and writes the others later', async () => {
    const { q, calls, messages: [acked, kept] } = await queueWithTwo();
    q.delivered(acked);
    q.delivered(kept);
    q.delivered(kept); // a second delivery does not mark twice
    q.removed(acked);
    expect(calls.update).toEqual([]);
    await sleep(120);
    expect(calls.update).toEqual([2]);
    expect(calls.remove).toEqual([1]);
    q.delivered(kept);
    await sleep(120);
    expect(calls.update).toEqual([2]); // already marked
  });

  it('writes a requeued message mark at once and drops pending marks when the queue closes', async () => {
    const { q, calls, messages: [requeued, pending] } = await queueWithTwo();
    q.delivered(requeued);
    q.delivered(pending);
    q.returned(requeued);
    expect(calls.update).toEqual([1]);
    q.close();
    await sleep(120);
    expect(calls.update).toEqual([1]);
  });
});
