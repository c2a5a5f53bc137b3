// Idempotent producers: InitProducerId without a transactional id, the per-partition sequence
// window (a retried batch answers its original offset, a gap OUT_OF_ORDER_SEQUENCE_NUMBER),
// epochs (INVALID_PRODUCER_EPOCH), unknown producer ids, and fencing in InitProducerId, over
// the raw protocol; then kafkajs `idempotent: true` and librdkafka `enable.idempotence`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import type { Msg } from '../../src/kafka/codec.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { producerBatch, type BatchOptions } from './batch-builder.js';
import { py, type PyMessage } from './external-clients.js';
import { RawClient } from './raw-client.js';

let server: TestServer;
let raw: RawClient;

beforeAll(async () => {
  server = await startTestServer({ protocols: ['kafka'] });
  raw = await RawClient.connect(server.ports.kafka as number);
});
afterAll(async () => {
  raw.socket.destroy();
  await server.stop();
});

async function produce(topic: string, values: string[], o: BatchOptions, transactionalId: string | null = null): Promise<Msg> {
  const r = await raw.call(0, 9, { transactionalId, acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records: producerBatch(values, o) }] }] });
  return ((r.responses as Msg[])[0]?.partitionResponses as Msg[])[0] as Msg;
}

describe('idempotent produce over the raw protocol', () => {
  it('answers a retried batch with its original offset and rejects gaps and unknown ids', async () => {
    server.core.topics.create('idem-raw', 1);
    const init = await raw.call(22, 1, { transactionalId: null, transactionTimeoutMs: -1 });
    expect(init.errorCode).toBe(0);
    const producerId = init.producerId as number;
    expect(init.producerEpoch).toBe(0);
    const second = await raw.call(22, 4, { transactionalId: null, transactionTimeoutMs: -1, producerId: -1, producerEpoch: -1 });
    expect(second.producerId).not.toBe(producerId);

    const p = { producerId, epoch: 0 };
    await produce('idem-raw', ['x'], {}); // a non-idempotent batch first, so offsets differ from sequences
    const a = await produce('idem-raw', ['a0', 'a1'], { ...p, sequence: 0 });
    expect(a).toMatchObject({ errorCode: 0, baseOffset: 1 });
    const b = await produce('idem-raw', ['b'], { ...p, sequence: 2 });
    expect(b).toMatchObject({ errorCode: 0, baseOffset: 3 });
    // The same batches again (a retry after a lost response): success, original offsets, nothing appended.
    expect(await produce('idem-raw', ['a0', 'a1'], { ...p, sequence: 0 })).toMatchObject({ errorCode: 0, baseOffset: 1 });
    expect(await produce('idem-raw', ['b'], { ...p, sequence: 2 })).toMatchObject({ errorCode: 0, baseOffset: 3 });
    expect(server.core.topics.get('idem-raw')?.partitions[0]?.highWatermark).toBe(4);
    // A gap: sequence 5 where 3 is expected.
    expect(await produce('idem-raw', ['c'], { ...p, sequence: 5 })).toMatchObject({ errorCode: 45, baseOffset: -1 });
    // Only the last 5 batches are remembered: after 5 more, the first is no longer a duplicate.
    for (let s = 3; s < 8; s++) expect(await produce('idem-raw', [`s${s}`], { ...p, sequence: s })).toMatchObject({ errorCode: 0 });
    expect(await produce('idem-raw', ['a0', 'a1'], { ...p, sequence: 0 })).toMatchObject({ errorCode: 45 });
    expect(await produce('idem-raw', ['s7'], { ...p, sequence: 7 })).toMatchObject({ errorCode: 0, baseOffset: 8 });
    // A producer id this broker never issued.
    expect(await produce('idem-raw', ['u'], { producerId: 987654, epoch: 0, sequence: 0 })).toMatchObject({ errorCode: 59 });
    expect(server.core.topics.get('idem-raw')?.partitions[0]?.highWatermark).toBe(9);
  });

  it('fences older epochs of a transactional id in InitProducerId and Produce', async () => {
    server.core.topics.create('idem-epoch', 1);
    const first = await raw.call(22, 4, { transactionalId: 'tx-epoch', transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 });
    expect(first).toMatchObject({ errorCode: 0, producerEpoch: 0 });
    const again = await raw.call(22, 4, { transactionalId: 'tx-epoch', transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 });
    expect(again).toMatchObject({ errorCode: 0, producerId: first.producerId, producerEpoch: 1 });
    // Resuming with a stale epoch (KIP-360): PRODUCER_FENCED from v4, INVALID_PRODUCER_EPOCH at v3.
    expect(await raw.call(22, 4, { transactionalId: 'tx-epoch', transactionTimeoutMs: 60000, producerId: first.producerId, producerEpoch: 0 })).toMatchObject({ errorCode: 90 });
    expect(await raw.call(22, 3, { transactionalId: 'tx-epoch', transactionTimeoutMs: 60000, producerId: first.producerId, producerEpoch: 0 })).toMatchObject({ errorCode: 47 });
    expect(await raw.call(22, 4, { transactionalId: 'tx-epoch', transactionTimeoutMs: 900001, producerId: -1, producerEpoch: -1 })).toMatchObject({ errorCode: 50 });
    expect(await raw.call(22, 2, { transactionalId: '', transactionTimeoutMs: 1000 })).toMatchObject({ errorCode: 42 });
    const pid = first.producerId as number;
    expect(await produce('idem-epoch', ['new'], { producerId: pid, epoch: 1, sequence: 0 })).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(await produce('idem-epoch', ['old'], { producerId: pid, epoch: 0, sequence: 1 })).toMatchObject({ errorCode: 47 });
    // A transactional batch for a partition never added to a transaction.
    expect(await produce('idem-epoch', ['t'], { producerId: pid, epoch: 1, sequence: 1, transactional: true }, 'tx-epoch')).toMatchObject({ errorCode: 48 });
  });
});

describe('idempotent producers through clients', () => {
  it('kafkajs idempotent: true produces every message exactly once', async () => {
    const kafka = new Kafka({ clientId: 'idem', brokers: [`127.0.0.1:${server.ports.kafka}`], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'idem-kjs', numPartitions: 2 }] });
    await admin.disconnect();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < 5; i++) {
      await producer.send({ topic: 'idem-kjs', acks: -1, messages: [{ key: `k${i}`, value: `v${i}`, partition: i % 2 }, { key: `k${i}b`, value: `v${i}b`, partition: i % 2 }] });
    }
    await producer.disconnect();
    const logs = server.core.topics.get('idem-kjs')?.partitions ?? [];
    expect(logs.map((l) => l.highWatermark)).toEqual([6, 4]);
    // Every stored batch carries the producer id kafkajs got from InitProducerId and consecutive sequences.
    const seqs = logs[0]?.read(0, 1 << 20).map((e) => [Number(e.bytes.readBigInt64BE(43)), e.bytes.readInt32BE(53)]) ?? [];
    expect(seqs.map((s) => s[1])).toEqual([0, 2, 4]);
    expect(seqs.every((s) => (s[0] as number) >= 0)).toBe(true);
  });

  it('librdkafka enable.idempotence=True produces in order with a producer id', async () => {
    const bootstrap = `127.0.0.1:${server.ports.kafka}`;
    const messages = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: 0 }));
    const r = await py('confluent', { cmd: 'produce', bootstrap, topic: 'idem-ck', messages, conf: { 'enable.idempotence': true } }, 30_000);
    expect(r.left).toBe(0);
    expect(r.reports.every((x: { error: string | null }) => x.error === null)).toBe(true);
    const log = server.core.topics.get('idem-ck')?.partitions[0];
    expect(log?.highWatermark).toBe(20);
    expect(Number(log?.read(0, 1 << 20)[0]?.bytes.readBigInt64BE(43))).toBeGreaterThanOrEqual(0);
    const c = await py<{ messages: PyMessage[] }>('confluent', { cmd: 'consume', bootstrap, topic: 'idem-ck', count: 20 });
    expect(c.messages.map((m) => m.value)).toEqual(messages.map((m) => m.value));
  });
});
