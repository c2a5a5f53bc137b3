// kill -9 under load: omnibroker runs as a child (`--data-dir DIR --fsync always`), kafkajs
// produces with acks=-1 from several concurrent senders and records every acknowledged
// offset; the child is killed with SIGKILL at a random moment, three times, restarted on the same
// directory each time. After each restart every acknowledged record is present at its
// acknowledged offset, each partition's offsets run without gaps from 0, and producing
// continues at the high watermark.
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { childBrokers } from '../helpers/child-broker.js';
import { Kafka, logLevel } from 'kafkajs';

const TOPIC = 'crash';
const PARTITIONS = 2;
const brokers = childBrokers('kafka');

/** Starts the CLI on the shared data dir; resolves with the child and its Kafka address. */
async function startChild(): Promise<{ child: ChildProcess; broker: string }> {
  const { child, url } = await brokers.start();
  return { child, broker: url };
}

function client(broker: string): Kafka {
  return new Kafka({ clientId: 'crash-it', brokers: [broker], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000, requestTimeout: 3000 });
}

/** offset -> value per partition, as acknowledged by the broker. */
const acked: Map<number, string>[] = Array.from({ length: PARTITIONS }, () => new Map());

/** Produces with acks=-1 from 4 concurrent senders until the broker dies; records every ack. */
async function produceUntilKilled(broker: string, child: ChildProcess, round: number): Promise<void> {
  const producer = client(broker).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let alive = true;
  let first: () => void = () => {};
  const firstAck = new Promise<void>((r) => (first = r));
  const sender = async (w: number): Promise<void> => {
    for (let n = 0; alive; n++) {
      const partition = (w + n) % PARTITIONS;
      const values = Array.from({ length: 1 + (n % 7) }, (_, j) => `r${round}-w${w}-n${n}-j${j}-${'x'.repeat((n * 37) % 300)}`);
      try {
        const [res] = await producer.send({ topic: TOPIC, acks: -1, messages: values.map((value, j) => ({ partition, key: `k${j}`, value })) });
        const base = Number(res?.baseOffset);
        values.forEach((v, j) => acked[partition]?.set(base + j, v));
        first();
      } catch {
        alive = false; // the broker is gone: what was not acknowledged may or may not be there
      }
    }
  };
  const senders = [0, 1, 2, 3].map((w) => sender(w));
  await firstAck;
  await new Promise((r) => setTimeout(r, 150 + Math.floor(Math.random() * 600)));
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  await Promise.all(senders);
  await producer.disconnect().catch(() => {});
}

/** Reads every partition from 0 to its high watermark; checks contiguity and every ack. */
async function verify(broker: string): Promise<void> {
  const kafka = client(broker);
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(TOPIC);
  await admin.disconnect();
  const high = new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  for (const o of offsets) expect(o.low).toBe('0');
  const total = [...high.values()].reduce((a, b) => a + b, 0);
  const seen: Map<number, string>[] = Array.from({ length: PARTITIONS }, () => new Map());
  const consumer = kafka.consumer({ groupId: `verify-${Math.random()}`, maxWaitTimeInMs: 50, maxBytes: 8 << 20 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  let count = 0;
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`read ${count}/${total} records`)), 10_000);
    if (total === 0) done();
    void consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        seen[partition]?.set(Number(message.offset), message.value?.toString() ?? '');
        if (++count >= total) {
          clearTimeout(timer);
          done();
        }
      },
    });
  });
  await consumer.disconnect();
  for (let p = 0; p < PARTITIONS; p++) {
    const got = seen[p] as Map<number, string>;
    const h = high.get(p) ?? 0;
    expect(got.size).toBe(h);
    for (let o = 0; o < h; o++) expect(got.has(o)).toBe(true); // contiguous from 0
    for (const [offset, value] of acked[p] as Map<number, string>) {
      expect(offset).toBeLessThan(h);
      expect(got.get(offset)).toBe(value);
    }
  }
}

describe('Kafka kill -9 with --fsync always', () => {
  it('keeps every acknowledged record at its offset across three SIGKILLs', async () => {
    let { child, broker } = await startChild();
    const admin = client(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    await admin.disconnect();
    for (let round = 0; round < 3; round++) {
      await produceUntilKilled(broker, child, round);
      ({ child, broker } = await startChild());
      await verify(broker);
    }
    expect(acked.reduce((a, m) => a + m.size, 0)).toBeGreaterThan(0);
    if (process.env.DEBUG_CRASH) console.log('acknowledged', acked.map((m) => m.size));
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }, 30_000);
});
