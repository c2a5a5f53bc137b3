// Producer state across a restart on --data-dir (kafkajs): an idempotent producer that lives
// through the restart continues its sequences on the same producer id; a new producer gets an
// id never used before; a transaction left open when the broker stopped is aborted on
// recovery, so read_committed consumers skip it and are not stuck behind it, while committed
// transactions stay visible.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { startTestServer, type TestServer } from '../helpers/server.js';

const dir = mkdtempSync(join(tmpdir(), 'omnibroker-kafka-producers-'));
let server: TestServer | undefined;

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Kafka producer state across a restart', () => {
  it('keeps idempotent sequences, aborts open transactions, and never reuses producer ids', async () => {
    server = await startTestServer({ protocols: ['kafka'], dataDir: dir });
    const port = server.ports.kafka as number;
    const kafka = new Kafka({ clientId: 'eos-durable', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 500 } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'eos-idem', numPartitions: 1 }, { topic: 'eos-txn', numPartitions: 1 }] });
    await admin.disconnect();

    const idem = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await idem.connect();
    for (let i = 0; i < 3; i++) await idem.send({ topic: 'eos-idem', messages: [{ value: `before-${i}` }] });

    const committed = kafka.producer({ transactionalId: 'tx-committed', maxInFlightRequests: 1, idempotent: true });
    await committed.connect();
    const t1 = await committed.transaction();
    await t1.send({ topic: 'eos-txn', messages: [{ value: 'committed-1' }] });
    await t1.commit();
    await committed.disconnect();

    const dangling = kafka.producer({ transactionalId: 'tx-open', maxInFlightRequests: 1, idempotent: true });
    await dangling.connect();
    const t2 = await dangling.transaction();
    await t2.send({ topic: 'eos-txn', messages: [{ value: 'never-committed' }] });
    const pids = [...(server.core.topics.get('eos-txn')?.partitions[0]?.all() ?? [])].map((e) => Number(e.bytes.readBigInt64BE(43)));

    // Restart on the same port so the idempotent producer reconnects by itself.
    await server.stop();
    server = await startTestServer({ protocols: ['kafka'], dataDir: dir, kafkaPort: port });
    await dangling.disconnect().catch(() => {});

    // The same producer id continues its sequence: accepted, not UNKNOWN_PRODUCER_ID / out of order.
    await idem.send({ topic: 'eos-idem', messages: [{ value: 'after' }] });
    await idem.disconnect();
    const idemBatches = [...(server.core.topics.get('eos-idem')?.partitions[0]?.all() ?? [])];
    expect(idemBatches.map((e) => e.bytes.readInt32BE(53))).toEqual([0, 1, 2, 3]); // base sequences
    expect(new Set(idemBatches.map((e) => e.bytes.readBigInt64BE(43))).size).toBe(1);

    // A new producer id is above every id in the logs.
    const fresh = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await fresh.connect();
    await fresh.send({ topic: 'eos-txn', messages: [{ value: 'plain-after' }] });
    await fresh.disconnect();
    const txnLog = [...(server.core.topics.get('eos-txn')?.partitions[0]?.all() ?? [])];
    const freshPid = Number(txnLog.at(-1)?.bytes.readBigInt64BE(43));
    expect(freshPid).toBeGreaterThan(Math.max(...pids, Number(idemBatches[0]?.bytes.readBigInt64BE(43))));

    // read_committed: the committed transaction and the later record, not the aborted one.
    const consumer = kafka.consumer({ groupId: 'eos-reader', maxWaitTimeInMs: 50, readUncommitted: false });
    await consumer.connect();
    await consumer.subscribe({ topic: 'eos-txn', fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read_committed saw only ${JSON.stringify(seen)}`)), 8000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message.value?.toString() ?? '');
          if (seen.includes('plain-after')) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    expect(seen).toEqual(['committed-1', 'plain-after']);
  }, 40_000);
});
