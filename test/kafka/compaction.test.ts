// Log compaction: the background cleaner keeps the latest record per key, keeps offsets (a
// fetch inside a gap lands on the next record), keeps tombstones until delete.retention.ms,
// and produce rejects keyless records on compacted topics per record (INVALID_RECORD).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import type { Msg } from '../../src/kafka/codec.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { producerBatch } from './batch-builder.js';
import { py } from './external-clients.js';
import { RawClient } from './raw-client.js';
import { readMessages } from './kafkajs-read.js';

let server: TestServer;
let kafka: Kafka;

beforeAll(async () => {
  server = await startTestServer({ protocols: ['kafka'], extra: { KAFKA_LOG_CLEANER_BACKOFF_MS: '50' } });
  kafka = new Kafka({ clientId: 'cmp', brokers: [`127.0.0.1:${server.ports.kafka}`], logLevel: logLevel.NOTHING });
});
afterAll(async () => {
  await server.stop();
});

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 30));
  expect(cond()).toBe(true);
}

function readAll(topic: string, expected: number): Promise<{ offset: string; key: string | null; value: string | null }[]> {
  const consumer = kafka.consumer({ groupId: `read-${topic}`, maxWaitTimeInMs: 100 });
  return readMessages(consumer, topic, expected, (m) => ({ offset: m.offset, key: m.key?.toString() ?? null, value: m.value === null ? null : m.value.toString() }), { settleMs: 200 });
}

describe('log compaction', () => {
  it('keeps the latest record per key at its original offset, and tombstones until delete.retention.ms', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [
      { topic: 'cmp-keep', configEntries: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'retention.ms', value: '1' }] },
      { topic: 'cmp-drop', configEntries: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'delete.retention.ms', value: '0' }] },
    ] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    for (const topic of ['cmp-keep', 'cmp-drop']) {
      await producer.send({ topic, messages: [{ key: 'k1', value: 'a' }, { key: 'k2', value: 'b' }] }); // 0, 1
      await producer.send({ topic, messages: [{ key: 'k1', value: 'c' }] }); // 2
      await producer.send({ topic, messages: [{ key: 'k3', value: 'd' }, { key: 'k2', value: null }, { key: 'k4', value: 'x' }] }); // 3, 4, 5
      await producer.send({ topic, messages: [{ key: 'k1', value: 'e' }, { key: 'k4', value: 'y' }] }); // 6, 7
    }
    await producer.disconnect();
    const keep = server.core.topics.get('cmp-keep')?.partitions[0];
    const drop = server.core.topics.get('cmp-drop')?.partitions[0];
    // The batch at 0 (k1=a, k2=b) and the one at 2 (k1=c) are superseded entirely.
    await until(() => keep?.read(0, 1 << 20)[0]?.baseOffset === 3 && drop?.read(0, 1 << 20)[0]?.baseOffset === 3);
    await until(() => (drop?.read(0, 1 << 20)[0]?.bytes.readInt32BE(57) ?? 0) === 1);
    expect(keep?.highWatermark).toBe(8);
    expect(keep?.logStartOffset).toBe(0); // compact-only: retention.ms does not delete
    expect(await readAll('cmp-keep', 4)).toEqual([
      { offset: '3', key: 'k3', value: 'd' },
      { offset: '4', key: 'k2', value: null },
      { offset: '6', key: 'k1', value: 'e' },
      { offset: '7', key: 'k4', value: 'y' },
    ]);
    expect(await readAll('cmp-drop', 3)).toEqual([
      { offset: '3', key: 'k3', value: 'd' },
      { offset: '6', key: 'k1', value: 'e' },
      { offset: '7', key: 'k4', value: 'y' },
    ]);
  });

  it('serves a fetch from inside a gap with the next batch', async () => {
    const raw = await RawClient.connect(server.ports.kafka as number);
    const r = await raw.call(1, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'cmp-keep', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [], rackId: '',
    });
    const p = ((r.responses as Msg[])[0]?.partitions as Msg[])[0] as Msg;
    expect(p.errorCode).toBe(0);
    expect((p.records as Buffer).readBigInt64BE(0)).toBe(3n);
    raw.socket.destroy();
  });

  it('rejects keyless records on a compacted topic, listing each in record_errors', async () => {
    server.core.topics.create('cmp-keys', 1, new Map([['cleanup.policy', 'compact,delete']]));
    const raw = await RawClient.connect(server.ports.kafka as number);
    const produce = async (keys: (string | null)[]): Promise<Msg> => {
      const r = await raw.call(0, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'cmp-keys', partitionData: [{ index: 0, records: producerBatch(keys.map((_, i) => `v${i}`), { keys }) }] }] });
      return ((r.responses as Msg[])[0]?.partitionResponses as Msg[])[0] as Msg;
    };
    const bad = await produce(['a', null, 'b', null]);
    expect(bad).toMatchObject({ errorCode: 87, baseOffset: -1, errorMessage: 'Compacted topic cannot accept message without key in topic partition cmp-keys-0.' });
    expect((bad.recordErrors as Msg[]).map((e) => e.batchIndex)).toEqual([1, 3]);
    expect(await produce(['a', 'b'])).toMatchObject({ errorCode: 0, baseOffset: 0 });
    raw.socket.destroy();
  });

  it('librdkafka: keyless records to a compacted topic fail delivery with INVALID_RECORD, keyed ones succeed', async () => {
    server.core.topics.create('cmp-ck', 1, new Map([['cleanup.policy', 'compact']]));
    const bootstrap = `127.0.0.1:${server.ports.kafka}`;
    const bad = await py('confluent', { cmd: 'produce', bootstrap, topic: 'cmp-ck', messages: [{ value: 'nokey', partition: 0 }], conf: { 'linger.ms': 0 } });
    expect(bad.reports.map((r: { error: string | null }) => r.error)).toEqual(['INVALID_RECORD']);
    const good = await py('confluent', { cmd: 'produce', bootstrap, topic: 'cmp-ck', messages: [{ key: 'k', value: 'v', partition: 0 }] });
    expect(good.reports).toEqual([{ error: null, partition: 0, offset: 0 }]);
  });
});
