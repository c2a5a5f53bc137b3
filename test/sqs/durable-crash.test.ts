// kill -9 under load: a real omnibroker process (`node --import tsx src/cli.ts --data-dir DIR
// --fsync always`) takes concurrent SendMessage / SendMessageBatch calls and deletes through
// the official SDK; it is SIGKILLed at a random moment, restarted on the same directory, and
// every acknowledged message must be there exactly once (ids and bodies) while every
// acknowledged delete stays deleted; FIFO messages keep their SequenceNumber and their dedup
// ids stay in force. Several rounds on one directory, so each restart also
// recovers a directory written by a recovered server.
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { childBrokers } from '../helpers/child-broker.js';

const brokers = childBrokers('sqs');
const startBroker = brokers.start;

const client = (endpoint: string): SQSClient => new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });

describe('SQS durability under kill -9 (--fsync always)', () => {
  it('keeps every acknowledged send and delete across repeated SIGKILLs', async () => {
    const acked = new Map<string, string>(); // MessageId -> body
    const deleted = new Set<string>();
    // Deletes sent but not acknowledged (the kill came first): either outcome is allowed.
    const attempted = new Set<string>();
    const fifoAcked = new Map<string, { id: string; seq: string }>(); // dedup id -> first copy
    let counter = 0;
    for (let round = 0; round < 3; round++) {
      const broker = await startBroker();
      const c = client(broker.url);

      // Everything acknowledged before the previous kill is there, once; deletes stayed deleted.
      if (round > 0) {
        const res = await fetch(`${broker.http}/sqs/queues/crash/messages`);
        const stored = ((await res.json()) as { messages: { messageId: string; body: string }[] }).messages;
        const ids = stored.map((m) => m.messageId);
        expect(new Set(ids).size).toBe(ids.length);
        const byId = new Map(stored.map((m) => [m.messageId, m.body]));
        for (const [id, body] of acked) {
          if (deleted.has(id)) expect(byId.has(id), `deleted ${id}`).toBe(false);
          else if (!attempted.has(id) || byId.has(id)) expect(byId.get(id), `acknowledged ${id}`).toBe(body);
        }
      }

      const QueueUrl = (await c.send(new CreateQueueCommand({ QueueName: 'crash', Attributes: { VisibilityTimeout: '1' } }))).QueueUrl as string;
      const fifoUrl = (await c.send(new CreateQueueCommand({ QueueName: 'crash.fifo', Attributes: { FifoQueue: 'true' } }))).QueueUrl as string;
      if (round > 0) {
        // FIFO: every acknowledged message is stored with its SequenceNumber, a resend of an
        // acknowledged dedup id is still a duplicate, and numbering continues above them all.
        const res = await fetch(`${broker.http}/sqs/queues/crash.fifo/messages`);
        const stored = new Map(((await res.json()) as { messages: { messageId: string; sequenceNumber: string }[] }).messages.map((m) => [m.messageId, m.sequenceNumber]));
        for (const [, f] of fifoAcked) expect(stored.get(f.id), `FIFO ${f.id}`).toBe(f.seq);
        const last = [...fifoAcked].slice(-3);
        for (const [dedup, f] of last) {
          const r = await c.send(new SendMessageCommand({ QueueUrl: fifoUrl, MessageBody: 'again', MessageGroupId: 'g', MessageDeduplicationId: dedup }));
          expect([r.MessageId, r.SequenceNumber]).toEqual([f.id, f.seq]);
        }
        const fresh = await c.send(new SendMessageCommand({ QueueUrl: fifoUrl, MessageBody: 'fresh', MessageGroupId: 'g', MessageDeduplicationId: `fresh-${round}` }));
        for (const [, f] of fifoAcked) expect(BigInt(fresh.SequenceNumber as string) > BigInt(f.seq)).toBe(true);
        fifoAcked.set(`fresh-${round}`, { id: fresh.MessageId as string, seq: fresh.SequenceNumber as string });
      }
      let killed = false;
      const sender = async (): Promise<void> => {
        while (!killed) {
          const n = counter++;
          try {
            if (n % 5 === 0) {
              const entries = [0, 1, 2].map((i) => ({ Id: `e${i}`, MessageBody: `batch-${n}-${i}` }));
              const r = await c.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
              for (const s of r.Successful ?? []) acked.set(s.MessageId as string, entries.find((e) => e.Id === s.Id)?.MessageBody as string);
            } else {
              const body = `msg-${n}`;
              const r = await c.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
              acked.set(r.MessageId as string, body);
            }
          } catch {
            return; // the server is gone: this send was never acknowledged
          }
        }
      };
      const deleter = async (): Promise<void> => {
        while (!killed) {
          try {
            const got = (await c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages ?? [];
            for (const m of got.slice(0, 3)) {
              attempted.add(m.MessageId as string);
              await c.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle as string }));
              deleted.add(m.MessageId as string);
            }
          } catch {
            return;
          }
        }
      };
      const fifoSender = async (): Promise<void> => {
        while (!killed) {
          const dedup = `d-${counter++}`;
          try {
            const r = await c.send(new SendMessageCommand({ QueueUrl: fifoUrl, MessageBody: dedup, MessageGroupId: `g${counter % 3}`, MessageDeduplicationId: dedup }));
            fifoAcked.set(dedup, { id: r.MessageId as string, seq: r.SequenceNumber as string });
          } catch {
            return;
          }
        }
      };
      const load = Promise.all([...Array.from({ length: 10 }, sender), fifoSender(), fifoSender(), deleter(), deleter()]);
      await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 700)));
      broker.child.kill('SIGKILL');
      killed = true;
      expect(await broker.exited).toBe('SIGKILL');
      await load;
      c.destroy();
    }
    expect(acked.size).toBeGreaterThan(50);
    expect(deleted.size).toBeGreaterThan(5);
    expect(fifoAcked.size).toBeGreaterThan(10);

    // A final recovery, then a clean SIGTERM shutdown and one more recovery.
    for (const signal of ['SIGTERM', undefined] as const) {
      const broker = await startBroker();
      const res = await fetch(`${broker.http}/sqs/queues/crash/messages`);
      const stored = new Map(((await res.json()) as { messages: { messageId: string; body: string }[] }).messages.map((m) => [m.messageId, m.body]));
      for (const [id, body] of acked) {
        if (deleted.has(id)) expect(stored.has(id)).toBe(false);
        else if (!attempted.has(id) || stored.has(id)) expect(stored.get(id)).toBe(body);
      }
      broker.child.kill(signal ?? 'SIGKILL');
      await broker.exited;
    }
  }, 60_000);
});
