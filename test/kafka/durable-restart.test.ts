// Kafka state across a clean restart on the same --data-dir, through kafkajs: topics keep their
// ids, partition counts and configs; every record comes back at its offset with key, value,
// headers and timestamp (plain and gzip batches); committed group offsets are resumed;
// DeleteRecords' and retention's log start offsets are kept; deleted topics stay deleted and lose their files;
// offsets continue after the restart. kcat reads back what it wrote before the restart.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CompressionTypes, type Admin, type Consumer, type Kafka } from 'kafkajs';
import { dataDirs } from '../helpers/server.js';
import { kcat } from './external-clients.js';
import { restartableKafka } from './restartable.js';

const dataDir = dataDirs('omnibroker-kafka-durable-');
const { start, stop } = restartableKafka('durable-it');

interface Seen {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  timestamp: string;
  headers: Record<string, string>;
}

/** Everything in `topic` from the beginning (`total` records), in (partition, offset) order. */
async function readAll(kafka: Kafka, topic: string, total: number, groupId = `reader-${Math.random()}`): Promise<Seen[]> {
  const consumer: Consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: Seen[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${seen.length}/${total} records of ${topic}`)), 10_000);
    void consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        seen.push({ partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, timestamp: message.timestamp, headers });
        if (seen.length >= total) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return seen.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
}

async function configsOf(admin: Admin, topic: string, names: string[]): Promise<Record<string, string>> {
  const r = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: names }] });
  return Object.fromEntries((r.resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]));
}

describe('Kafka durable restart (kafkajs)', () => {
  it('keeps topics, records, offsets, configs, log start offsets and committed offsets', async () => {
    const dir = dataDir();
    let { server, kafka } = await start(dir);
    let admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'dur-a', numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '86400000' }, { name: 'max.message.bytes', value: '2000000' }] },
        { topic: 'dur-b', numPartitions: 1 },
        { topic: 'dur-gone', numPartitions: 2 },
        { topic: 'dur-ret', numPartitions: 1, configEntries: [{ name: 'retention.bytes', value: '300' }] },
      ],
    });
    const producer = kafka.producer();
    await producer.connect();
    const base = Date.now() - 60_000;
    for (let i = 0; i < 30; i++) {
      await producer.send({
        topic: 'dur-a',
        acks: -1,
        compression: i % 3 === 0 ? CompressionTypes.GZIP : CompressionTypes.None,
        messages: [
          { partition: i % 3, key: `k${i}`, value: `v${i}`, timestamp: String(base + i), headers: { h: `x${i}`, n: String(i) } },
          { partition: i % 3, key: null, value: i % 5 === 0 ? null : `second-${i}`, timestamp: String(base + 1000 + i) },
        ],
      });
    }
    await producer.send({ topic: 'dur-b', acks: 1, messages: Array.from({ length: 10 }, (_, i) => ({ key: `b${i}`, value: `bv${i}` })) });
    await producer.send({ topic: 'dur-gone', messages: [{ partition: 1, value: 'bye' }] });
    // Size retention moves the log start on every append; it must survive too.
    for (let i = 0; i < 12; i++) await producer.send({ topic: 'dur-ret', acks: -1, messages: [{ value: `ret-${i}-${'r'.repeat(60)}` }] });
    await producer.disconnect();

    const before = await readAll(kafka, 'dur-a', 60);
    const idA = server.core.topics.get('dur-a')?.id;
    await admin.setOffsets({ groupId: 'dur-group', topic: 'dur-a', partitions: [{ partition: 0, offset: '5' }, { partition: 2, offset: '12' }] });
    // kafkajs finds partition leaders in its cached metadata only: load it first.
    await admin.fetchTopicMetadata({ topics: ['dur-b'] });
    await admin.deleteTopicRecords({ topic: 'dur-b', partitions: [{ partition: 0, offset: '4' }] });
    await admin.createPartitions({ topicPartitions: [{ topic: 'dur-b', count: 3 }] });
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'dur-b', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
    await admin.deleteTopics({ topics: ['dur-gone'] });
    const retained = (await admin.fetchTopicOffsets('dur-ret'))[0];
    expect(Number(retained?.low)).toBeGreaterThan(0);
    await admin.disconnect();
    await stop(server);
    // A deleted topic's files go with it.
    await expect.poll(() => readdirSync(join(dir, 'logs')).filter((n) => n.includes('dur-gone')), { timeout: 2000 }).toEqual([]);

    ({ server, kafka } = await start(dir));
    admin = kafka.admin();
    await admin.connect();
    expect((await admin.listTopics()).sort()).toEqual(['dur-a', 'dur-b', 'dur-ret']);
    expect((await admin.fetchTopicOffsets('dur-ret'))[0]).toMatchObject({ low: retained?.low, high: '12' });
    expect(server.core.topics.get('dur-a')?.id).toBe(idA);
    const meta = await admin.fetchTopicMetadata({ topics: ['dur-a', 'dur-b'] });
    expect(meta.topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual([['dur-a', 3], ['dur-b', 3]]);
    expect(await configsOf(admin, 'dur-a', ['retention.ms', 'max.message.bytes'])).toEqual({ 'retention.ms': '86400000', 'max.message.bytes': '2000000' });
    expect(await configsOf(admin, 'dur-b', ['cleanup.policy'])).toEqual({ 'cleanup.policy': 'compact' });
    const offsetsA = await admin.fetchTopicOffsets('dur-a');
    expect(offsetsA.map((p) => [p.partition, p.low, p.high]).sort()).toEqual([[0, '0', '20'], [1, '0', '20'], [2, '0', '20']]);
    const offsetsB = await admin.fetchTopicOffsets('dur-b');
    expect(offsetsB.find((p) => p.partition === 0)).toMatchObject({ low: '4', high: '10' });
    const committed = await admin.fetchOffsets({ groupId: 'dur-group', topics: ['dur-a'] });
    expect(committed[0]?.partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset)).toEqual(['5', '-1', '12']);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toContain('dur-group');

    // Every record at its offset with key, value, headers and timestamp.
    const after = await readAll(kafka, 'dur-a', 60);
    expect(after).toEqual(before);
    const b = await readAll(kafka, 'dur-b', 6);
    expect(b.map((r) => [r.offset, r.key, r.value])).toEqual([4, 5, 6, 7, 8, 9].map((i) => [String(i), `b${i}`, `bv${i}`]));

    // The group resumes from its committed offsets.
    const resumed = kafka.consumer({ groupId: 'dur-group', maxWaitTimeInMs: 50 });
    await resumed.connect();
    await resumed.subscribe({ topic: 'dur-a', fromBeginning: true }); // partition 1 has no commit: earliest
    const firstPerPartition = new Map<number, string>();
    await new Promise<void>((resolve) => {
      void resumed.run({
        eachMessage: async ({ partition, message }) => {
          if (!firstPerPartition.has(partition)) firstPerPartition.set(partition, message.offset);
          if (firstPerPartition.size === 3) resolve();
        },
      });
    });
    await resumed.disconnect();
    expect(Object.fromEntries(firstPerPartition)).toEqual({ 0: '5', 1: '0', 2: '12' });

    // Offsets continue where they stopped.
    const p2 = kafka.producer();
    await p2.connect();
    const [r] = await p2.send({ topic: 'dur-a', acks: -1, messages: [{ partition: 1, value: 'after-restart' }] });
    expect(r?.baseOffset).toBe('20');
    await p2.disconnect();
    // A topic of the deleted name can be made again, empty.
    expect(await admin.createTopics({ topics: [{ topic: 'dur-gone', numPartitions: 1 }] })).toBe(true);
    expect((await admin.fetchTopicOffsets('dur-gone'))[0]).toMatchObject({ low: '0', high: '0' });
    await admin.disconnect();
  }, 40_000);

  it('writes new segments over the files DeleteRecords freed and reads back only live records', async () => {
    const dir = dataDir();
    let { server, kafka } = await start(dir);
    const admin = kafka.admin();
    await admin.connect();
    // Segments of ~1 MB (18 batches of 3 x 20 KB): files from 64 KiB are kept for reuse.
    await admin.createTopics({ topics: [{ topic: 'dur-reuse', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '1100000' }] }] });
    const producer = kafka.producer();
    await producer.connect();
    const value = (i: number, tag: string): string => `${tag}-${i}-`.padEnd(20_000, tag);
    const sendBatches = async (from: number, tag: string): Promise<void> => {
      for (let i = from; i < from + 60; i += 3) {
        await producer.send({ topic: 'dur-reuse', acks: -1, messages: [0, 1, 2].map((k) => ({ value: value(i + k, tag) })) });
      }
    };
    await sendBatches(0, 'a');
    expect((await admin.fetchTopicOffsets('dur-reuse'))[0]).toMatchObject({ high: '60' }); // also loads the admin's metadata
    // The first segment (offsets 0-53) goes.
    await admin.deleteTopicRecords({ topic: 'dur-reuse', partitions: [{ partition: 0, offset: '57' }] });
    const recycle = join(dir, 'recycle');
    await expect.poll(() => readdirSync(recycle).length, { timeout: 2000 }).toBe(1);
    // The next segment (from offset 108) is written over it; its old records stay past the new ones until it is closed.
    await sendBatches(60, 'b');
    expect(readdirSync(recycle)).toEqual([]);
    await producer.disconnect();
    await admin.disconnect();
    await stop(server);

    ({ server, kafka } = await start(dir));
    const seen = await readAll(kafka, 'dur-reuse', 63);
    expect(seen.map((s) => Number(s.offset))).toEqual(Array.from({ length: 63 }, (_, i) => 57 + i));
    expect(seen.map((s) => s.value)).toEqual(seen.map((s) => value(Number(s.offset), Number(s.offset) < 60 ? 'a' : 'b')));
    const offsets = await kafka.admin().fetchTopicOffsets('dur-reuse');
    expect(offsets[0]).toMatchObject({ low: '57', high: '120' });
  }, 40_000);

  it('serves records kcat produced before a restart back to kcat at the same offsets', async () => {
    const dir = dataDir();
    let { server } = await start(dir);
    let broker = `127.0.0.1:${server.ports.kafka}`;
    const lines = Array.from({ length: 25 }, (_, i) => `key${i}\tvalue-${i}`).join('\n');
    await kcat(['-b', broker, '-P', '-t', 'dur-kcat', '-K', '\t', '-H', 'origin=kcat', '-X', 'topic.request.required.acks=-1'], `${lines}\n`);
    const read = async (): Promise<unknown[]> =>
      (await kcat(['-b', broker, '-C', '-t', 'dur-kcat', '-o', 'beginning', '-e', '-J', '-q']))
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => {
          const r = JSON.parse(l) as { offset: number; key: string; payload: string; ts: number; headers?: string[] };
          return [r.offset, r.key, r.payload, r.ts, r.headers];
        });
    const before = await read();
    expect(before).toHaveLength(25);
    await stop(server);
    ({ server } = await start(dir));
    broker = `127.0.0.1:${server.ports.kafka}`;
    expect(await read()).toEqual(before);
    expect(existsSync(join(dir, 'meta', 'kafka-topics.snap'))).toBe(true);
  }, 30_000);
});
