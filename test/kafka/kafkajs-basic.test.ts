// kafkajs against omnibroker: topic admin, produce/consume round trips with keys, headers,
// null keys/values and timestamps, offsets listing, long-poll wake-up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Consumer, type EachMessagePayload } from 'kafkajs';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { errorTypes } from './kafkajs-errors.js';

let server: TestServer;
let kafka: Kafka;

beforeAll(async () => {
  server = await startTestServer({ protocols: ['kafka'] });
  kafka = new Kafka({ clientId: 'it', brokers: [`127.0.0.1:${server.ports.kafka}`], logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 50 } });
});
afterAll(async () => {
  await server.stop();
});

async function consumeN(consumer: Consumer, topic: string, n: number, fromBeginning = true): Promise<EachMessagePayload[]> {
  const got: EachMessagePayload[] = [];
  await consumer.subscribe({ topic, fromBeginning });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${got.length}/${n} messages`)), 15_000);
    void consumer.run({
      eachMessage: async (p) => {
        got.push(p);
        if (got.length >= n) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  return got;
}


describe('kafkajs admin', () => {
  it('creates, lists, describes and deletes topics', async () => {
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: 'adm-a', numPartitions: 3 }] })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 'adm-a', numPartitions: 3 }] })).toBe(false);
    expect(await errorTypes(admin.createTopics({ topics: [{ topic: 'bad name!', numPartitions: 1 }] }))).toEqual(['INVALID_TOPIC_EXCEPTION']);
    expect(await errorTypes(admin.createTopics({ topics: [{ topic: 'rf3', numPartitions: 1, replicationFactor: 3 }] }))).toEqual(['INVALID_REPLICATION_FACTOR']);
    expect(await errorTypes(admin.createTopics({ topics: [{ topic: 'cfg', configEntries: [{ name: 'retention.ms', value: 'soon' }] }] }))).toEqual(['INVALID_CONFIG']);
    expect(await admin.listTopics()).toContain('adm-a');
    const meta = await admin.fetchTopicMetadata({ topics: ['adm-a'] });
    expect(meta.topics[0]?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
    expect(meta.topics[0]?.partitions[0]?.leader).toBe(1);
    const cluster = await admin.describeCluster();
    expect(cluster.controller).toBe(1);
    expect(cluster.brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: server.ports.kafka }]);
    await admin.deleteTopics({ topics: ['adm-a'] });
    expect(await admin.listTopics()).not.toContain('adm-a');
    await admin.disconnect();
  });
});

describe('kafkajs produce and consume', () => {
  it('round-trips keys, headers, null key/value and timestamps', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'rt', numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const res = await producer.send({
      topic: 'rt',
      acks: -1,
      messages: [
        { key: 'k1', value: 'v1', headers: { h1: 'x', h2: Buffer.from([0, 1, 2]) }, timestamp: '1700000000123' },
        { key: null, value: 'no key' },
        { key: 'tomb', value: null },
      ],
    });
    expect(res[0]?.errorCode).toBe(0);
    expect(res[0]?.baseOffset).toBe('0');
    await producer.send({ topic: 'rt', acks: 1, messages: [{ value: 'fourth' }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'rt-g' });
    await consumer.connect();
    const got = await consumeN(consumer, 'rt', 4);
    await consumer.disconnect();
    expect(got.map((g) => g.message.offset)).toEqual(['0', '1', '2', '3']);
    const [m0, m1, m2, m3] = got.map((g) => g.message);
    expect(m0?.key?.toString()).toBe('k1');
    expect(m0?.value?.toString()).toBe('v1');
    expect(m0?.timestamp).toBe('1700000000123');
    expect(m0?.headers?.h1?.toString()).toBe('x');
    expect(m0?.headers?.h2).toEqual(Buffer.from([0, 1, 2]));
    expect(m1?.key).toBeNull();
    expect(m1?.value?.toString()).toBe('no key');
    expect(m2?.value).toBeNull();
    expect(m3?.value?.toString()).toBe('fourth');
  });

  it('lists earliest/latest offsets and offsets by timestamp', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'ts', messages: [{ value: 'a', timestamp: '1000' }] });
    await producer.send({ topic: 'ts', messages: [{ value: 'b', timestamp: '2000' }] });
    await producer.send({ topic: 'ts', messages: [{ value: 'c', timestamp: '3000' }] });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets('ts');
    expect(offsets[0]).toMatchObject({ partition: 0, offset: '3', low: '0', high: '3' });
    const byTs = await admin.fetchTopicOffsetsByTimestamp('ts', 1500);
    expect(byTs[0]).toMatchObject({ partition: 0, offset: '1' });
    const late = await admin.fetchTopicOffsetsByTimestamp('ts', 99999);
    expect(late[0]?.offset).toBe('3');
    await admin.disconnect();
  });

  it('auto-creates topics on produce metadata with the configured partition count', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'auto-created', messages: [{ value: 'x' }] });
    await producer.disconnect();
    expect(server.core.topics.get('auto-created')?.partitions.length).toBe(1);
  });

  it('wakes a long-polling consumer as soon as a record arrives', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'lp' }] });
    await admin.disconnect();
    const consumer = kafka.consumer({ groupId: 'lp-g', maxWaitTimeInMs: 10_000 });
    await consumer.connect();
    const first = consumeN(consumer, 'lp', 1);
    await new Promise((r) => setTimeout(r, 1500));
    const producer = kafka.producer();
    await producer.connect();
    const sentAt = Date.now();
    await producer.send({ topic: 'lp', messages: [{ value: 'wake' }] });
    const got = await first;
    expect(Date.now() - sentAt).toBeLessThan(3000);
    expect(got[0]?.message.value?.toString()).toBe('wake');
    await producer.disconnect();
    await consumer.disconnect();
  });
});
