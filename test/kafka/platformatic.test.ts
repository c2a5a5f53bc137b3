// @platformatic/kafka 1.35 (npm; it speaks almost only flexible versions: ApiVersions v3,
// Metadata 9-12, Produce 7-11, Fetch 12-17, FindCoordinator 4-6, JoinGroup 6-9, OffsetCommit
// and OffsetFetch 8-9, CreateTopics 7, DescribeConfigs 4, IncrementalAlterConfigs 1,
// DescribeLogDirs 4, DeleteRecords 2, OffsetDelete 0) against omnibroker: admin calls,
// produce with headers and gzip/snappy/lz4 read back by kcat, a consumer group with
// autocommit, then the group's offsets listed and deleted. (Its zstd codec needs Node's
// zlib.zstd*, absent from Node 20, so zstd is covered by the other clients.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, ConfigResourceTypes, Consumer, IncrementalAlterConfigOperationTypes, MessagesStreamModes, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { kcat } from './external-clients.js';

let server: TestServer;
let bootstrap: string;
let admin: Admin;

beforeAll(async () => {
  server = await startTestServer({ protocols: ['kafka'] });
  bootstrap = `127.0.0.1:${server.ports.kafka}`;
  admin = new Admin({ clientId: 'plat-admin', bootstrapBrokers: [bootstrap] });
});
afterAll(async () => {
  await admin.close();
  await server.stop();
});

describe('@platformatic/kafka admin', () => {
  it('creates topics, reads metadata and configs, alters configs incrementally, grows, trims and deletes', async () => {
    const created = await admin.createTopics({ topics: ['plat-a'], partitions: 2, replicas: 1, configs: [{ name: 'retention.ms', value: '7200000' }] });
    expect(created.map((t) => [t.name, t.partitions])).toEqual([['plat-a', 2]]);
    const meta = await admin.metadata({ topics: ['plat-a'] });
    expect(meta.brokers.get(1)).toMatchObject({ host: '127.0.0.1', port: server.ports.kafka });
    expect(meta.topics.get('plat-a')?.partitions.map((p) => p.leader)).toEqual([1, 1]);

    const [desc] = await admin.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'plat-a', configurationKeys: ['retention.ms', 'cleanup.policy'] }], includeSynonyms: true });
    expect(desc?.configs.map((c) => [c.name, c.value, c.configSource])).toEqual([
      ['cleanup.policy', 'delete', 5],
      ['retention.ms', '7200000', 1],
    ]);
    await admin.incrementalAlterConfigs({
      resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'plat-a', configs: [{ name: 'max.message.bytes', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '4096' }, { name: 'retention.ms', configOperation: IncrementalAlterConfigOperationTypes.DELETE }] }],
    });
    expect(Object.fromEntries(server.core.topics.get('plat-a')?.configs ?? [])).toEqual({ 'max.message.bytes': '4096' });

    await admin.createPartitions({ topics: [{ name: 'plat-a', count: 3 }] });
    expect(server.core.topics.get('plat-a')?.partitions.length).toBe(3);

    const producer = new Producer({ clientId: 'plat-p', bootstrapBrokers: [bootstrap], serializers: stringSerializers });
    await producer.send({ messages: ['a', 'b', 'c'].map((value) => ({ topic: 'plat-a', value, partition: 0 })) });
    await producer.close();
    const trimmed = await admin.deleteRecords({ topics: [{ name: 'plat-a', partitions: [{ partition: 0, offset: 2n }] }] });
    expect(trimmed[0]?.partitions).toEqual([{ partition: 0, lowWatermark: 2n }]);
    const dirs = await admin.describeLogDirs({ topics: [{ name: 'plat-a', partitions: [0] }] });
    expect(dirs[0]?.results[0]?.topics[0]?.partitions[0]?.partitionSize).toBe(BigInt(server.core.topics.get('plat-a')?.partitions[0]?.sizeBytes ?? -1));

    await admin.deleteTopics({ topics: ['plat-a'] });
    expect(server.core.topics.get('plat-a')).toBeUndefined();
  });
});

describe('@platformatic/kafka producer and consumer group', () => {
  it('produces compressed batches with headers, consumes them in a group and manages its offsets', async () => {
    server.core.topics.create('plat-rt', 1);
    const producer = new Producer({ clientId: 'plat-p', bootstrapBrokers: [bootstrap], serializers: stringSerializers });
    for (const compression of ['gzip', 'snappy', 'lz4'] as const) {
      await producer.send({ messages: [{ topic: 'plat-rt', key: compression, value: `${compression}-value`, headers: { codec: compression } }], compression });
    }
    await producer.close();
    const entries = [...(server.core.topics.get('plat-rt')?.partitions[0]?.all() ?? [])];
    expect(entries.map((e) => e.bytes.readInt16BE(21) & 7)).toEqual([1, 2, 3]);
    const read = (await kcat(['-b', bootstrap, '-t', 'plat-rt', '-C', '-e', '-J']))
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { key: string; payload: string; headers: string[] });
    expect(read.map((r) => [r.key, r.payload, r.headers])).toEqual([
      ['gzip', 'gzip-value', ['codec', 'gzip']],
      ['snappy', 'snappy-value', ['codec', 'snappy']],
      ['lz4', 'lz4-value', ['codec', 'lz4']],
    ]);

    const consumer = new Consumer({ groupId: 'plat-g', clientId: 'plat-c', bootstrapBrokers: [bootstrap], deserializers: stringDeserializers, maxWaitTime: 100 });
    const stream = await consumer.consume({ topics: ['plat-rt'], mode: MessagesStreamModes.EARLIEST, autocommit: false, sessionTimeout: 10_000, heartbeatInterval: 500 });
    const seen: string[] = [];
    for await (const m of stream) {
      seen.push(`${String(m.offset)}:${m.key}:${m.value}:${m.headers.get('codec')}`);
      if (seen.length === 3) {
        await m.commit();
        break;
      }
    }
    await stream.close();
    await consumer.close();
    expect(seen).toEqual(['0:gzip:gzip-value:gzip', '1:snappy:snappy-value:snappy', '2:lz4:lz4-value:lz4']);

    const [offsets] = await admin.listConsumerGroupOffsets({ groups: ['plat-g'] });
    expect(offsets?.topics.map((t) => [t.name, t.partitions.map((p) => p.committedOffset)])).toEqual([['plat-rt', [3n]]]);
    const groups = await admin.listGroups();
    expect(groups.get('plat-g')).toMatchObject({ state: 'EMPTY', protocolType: 'consumer' });
    await admin.deleteConsumerGroupOffsets({ groupId: 'plat-g', topics: [{ name: 'plat-rt', partitionIndexes: [0] }] });
    expect(server.core.offsets.get('plat-g', 'plat-rt', 0)).toBeUndefined();
    await admin.deleteGroups({ groups: ['plat-g'] });
    expect((await admin.listGroups()).has('plat-g')).toBe(false);
  });
});
