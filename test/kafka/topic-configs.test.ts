// Topic configs that change broker behaviour, through kafkajs and confluent-kafka:
// retention.ms / retention.bytes (the periodic retention task advances the log start offset,
// driven here by a ManualClock), max.message.bytes (MESSAGE_TOO_LARGE) and
// message.timestamp.type=LogAppendTime (the broker stamps batches on append).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { ManualClock } from '../../src/core/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { py, type PyMessage } from './external-clients.js';

let server: TestServer;
let kafka: Kafka;
const clock = new ManualClock(Date.now());

beforeAll(async () => {
  server = await startTestServer({ protocols: ['kafka'], extra: { KAFKA_LOG_RETENTION_CHECK_INTERVAL_MS: '1000' } }, clock);
  kafka = new Kafka({ clientId: 'cfg', brokers: [`127.0.0.1:${server.ports.kafka}`], logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50 } });
});
afterAll(async () => {
  await server.stop();
});

async function sendEach(topic: string, values: string[], timestamp?: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  for (const value of values) await producer.send({ topic, messages: [{ value, timestamp: String(timestamp ?? clock.now()) }] });
  await producer.disconnect();
}

async function low(topic: string): Promise<string | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  return offsets[0]?.low;
}

describe('retention', () => {
  it('retention.ms: the periodic task removes expired batches, the whole log once all expired', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'ret-ms', configEntries: [{ name: 'retention.ms', value: '60000' }] }] });
    await admin.disconnect();
    await sendEach('ret-ms', ['old-1', 'old-2']);
    clock.advance(40_000);
    await sendEach('ret-ms', ['newer']);
    const log = server.core.topics.get('ret-ms')?.partitions[0];
    expect(log?.logStartOffset).toBe(0);
    // No client request in between: only the log.retention.check.interval.ms task runs.
    clock.advance(21_000);
    expect(log?.logStartOffset).toBe(2);
    expect(await low('ret-ms')).toBe('2');
    clock.advance(40_000);
    expect([log?.logStartOffset, log?.highWatermark, log?.entryCount]).toEqual([3, 3, 0]);
    // Fetching below the new start is out of range; consumers reset to it.
    await sendEach('ret-ms', ['after']);
    const consumer = kafka.consumer({ groupId: 'ret-g', maxWaitTimeInMs: 0 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'ret-ms', fromBeginning: true });
    const got = await new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(`${message.offset}:${message.value?.toString()}`) });
    });
    await consumer.disconnect();
    expect(got).toBe('3:after');
  });

  it('retention.bytes: oldest batches go while the rest still reaches the limit (Kafka segment rule)', async () => {
    server.core.topics.create('ret-bytes', 1, new Map([['retention.bytes', '300']]));
    await sendEach('ret-bytes', ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    clock.advance(1_000);
    const log = server.core.topics.get('ret-bytes')?.partitions[0];
    // Kafka deletes a segment only if the log is still >= retention.bytes without it.
    const first = [...(log?.all() ?? [])][0];
    expect((log?.sizeBytes ?? 0) - (first?.bytes.length ?? 0)).toBeLessThan(300);
    expect(log?.sizeBytes).toBeGreaterThanOrEqual(300);
    expect(log?.logStartOffset).toBeGreaterThan(0);
    expect(log?.highWatermark).toBe(8);
    expect(await low('ret-bytes')).toBe(String(log?.logStartOffset));
  });
});

describe('max.message.bytes', () => {
  it('rejects larger batches with MESSAGE_TOO_LARGE and keeps smaller ones', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'small', configEntries: [{ name: 'max.message.bytes', value: '200' }] }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const error = await producer.send({ topic: 'small', messages: [{ value: 'x'.repeat(500) }] }).then(() => null, (e: { type?: string }) => e.type);
    expect(error).toBe('MESSAGE_TOO_LARGE');
    await producer.send({ topic: 'small', messages: [{ value: 'fits' }] });
    await producer.disconnect();
    expect(server.core.topics.get('small')?.partitions[0]?.highWatermark).toBe(1);
    const ck = await py<{ reports: { error: string | null }[] }>('confluent', { cmd: 'produce', bootstrap: `127.0.0.1:${server.ports.kafka}`, topic: 'small', conf: { 'message.send.max.retries': 0 }, messages: [{ value: 'y'.repeat(500) }] });
    expect(ck.reports.map((r) => r.error)).toEqual(['MSG_SIZE_TOO_LARGE']);
  });
});

describe('message.timestamp.type', () => {
  it('LogAppendTime: the broker time replaces the producer timestamps', async () => {
    server.core.topics.create('lat', 1, new Map([['message.timestamp.type', 'LogAppendTime']]));
    clock.advance(5_000);
    const stamp = clock.now();
    await sendEach('lat', ['one', 'two'], 1_000_000);
    const got = await py<{ messages: PyMessage[] }>('confluent', { cmd: 'consume', bootstrap: `127.0.0.1:${server.ports.kafka}`, topic: 'lat', count: 2 });
    // librdkafka: TIMESTAMP_LOG_APPEND_TIME = 2.
    expect(got.messages.map((m) => [m.value, m.timestampType, m.timestamp])).toEqual([
      ['one', 2, stamp],
      ['two', 2, stamp],
    ]);
  });
});
