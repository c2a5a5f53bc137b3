// Admin APIs that none of the installed clients (kafkajs 2.2.4, librdkafka 2.0.2, kafka-python
// 2.0.2) implement, exercised with the raw protocol client at the versions the Java Admin and
// @platformatic/kafka send: IncrementalAlterConfigs, OffsetDelete, DescribeCluster,
// DescribeTopicPartitions, OffsetForLeaderEpoch, DescribeLogDirs, DeleteAcls, DescribeConfigs
// v4 (flexible) and the new keys in ApiVersions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import type { Msg } from '../../src/kafka/codec.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { RawClient } from './raw-client.js';

let server: TestServer;
let c: RawClient;
let kafka: Kafka;

beforeAll(async () => {
  server = await startTestServer({ protocols: ['kafka'] });
  c = await RawClient.connect(server.ports.kafka as number);
  kafka = new Kafka({ clientId: 'wire-admin', brokers: [`127.0.0.1:${server.ports.kafka}`], logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50 } });
});
afterAll(async () => {
  c.socket.destroy();
  await server.stop();
});

describe('ApiVersions', () => {
  it('advertises the admin APIs with their version ranges', async () => {
    const r = await c.call(18, 3, { clientSoftwareName: 'wire', clientSoftwareVersion: '1' });
    const ranges = Object.fromEntries((r.apiKeys as Msg[]).map((k) => [k.apiKey, `${k.minVersion}-${k.maxVersion}`]));
    expect(ranges).toMatchObject({ 21: '0-2', 23: '2-4', 29: '1-3', 30: '1-3', 31: '1-3', 32: '1-4', 33: '0-2', 35: '1-4', 37: '0-3', 44: '0-1', 47: '0-0', 60: '0-2', 75: '0-0' });
  });
});

describe('IncrementalAlterConfigs', () => {
  it('sets, appends, subtracts and deletes topic configs; validates; broker configs are read-only', async () => {
    server.core.topics.create('inc', 1, new Map([['retention.ms', '1000']]));
    const res = (configs: Msg[], validateOnly = false, resourceType = 2, resourceName = 'inc'): Promise<Msg> => c.call(44, 1, { resources: [{ resourceType, resourceName, configs }], validateOnly });
    const first = (r: Msg): Msg => (r.responses as Msg[])[0] as Msg;
    expect(first(await res([{ name: 'max.message.bytes', configOperation: 0, value: '5000' }]))).toMatchObject({ errorCode: 0, resourceName: 'inc' });
    expect(first(await res([{ name: 'cleanup.policy', configOperation: 2, value: 'compact' }])).errorCode).toBe(0);
    const topic = server.core.topics.get('inc');
    expect(Object.fromEntries(topic?.configs ?? [])).toEqual({ 'retention.ms': '1000', 'max.message.bytes': '5000', 'cleanup.policy': 'delete,compact' });
    expect(first(await res([{ name: 'cleanup.policy', configOperation: 3, value: 'delete' }, { name: 'retention.ms', configOperation: 1, value: null }])).errorCode).toBe(0);
    expect(Object.fromEntries(topic?.configs ?? [])).toEqual({ 'max.message.bytes': '5000', 'cleanup.policy': 'compact' });
    // Errors leave the configs untouched.
    expect(first(await res([{ name: 'retention.ms', configOperation: 2, value: '5' }]))).toMatchObject({ errorCode: 40, errorMessage: 'Config value append is not allowed for config key: retention.ms' });
    expect(first(await res([{ name: 'retention.ms', configOperation: 0, value: 'x' }])).errorCode).toBe(40);
    expect(first(await res([{ name: 'retention.ms', configOperation: 0, value: '1' }, { name: 'retention.ms', configOperation: 1, value: null }])).errorCode).toBe(42);
    expect(first(await res([{ name: 'retention.ms', configOperation: 0, value: '1' }], true)).errorCode).toBe(0);
    expect(first(await res([{ name: 'retention.ms', configOperation: 0, value: '1' }], false, 2, 'missing')).errorCode).toBe(3);
    expect(Object.fromEntries(topic?.configs ?? [])).toEqual({ 'max.message.bytes': '5000', 'cleanup.policy': 'compact' });
    expect(first(await res([{ name: 'num.partitions', configOperation: 0, value: '3' }], false, 4, '1')).errorCode).toBe(42);
  });
});

describe('DescribeConfigs v4 (flexible)', () => {
  it('reports types, synonyms and only the keys asked for', async () => {
    server.core.topics.create('dc4', 1, new Map([['segment.ms', '1000']]));
    const r = await c.call(32, 4, { resources: [{ resourceType: 2, resourceName: 'dc4', configurationKeys: ['segment.ms', 'preallocate'] }, { resourceType: 4, resourceName: '7', configurationKeys: null }], includeSynonyms: true, includeDocumentation: false });
    const [topic, broker] = r.results as Msg[];
    expect(topic?.configs).toEqual([
      { name: 'preallocate', value: 'false', readOnly: false, configSource: 5, isSensitive: false, synonyms: [{ name: 'log.preallocate', value: 'false', source: 5 }], configType: 1, documentation: null },
      { name: 'segment.ms', value: '1000', readOnly: false, configSource: 1, isSensitive: false, synonyms: [{ name: 'segment.ms', value: '1000', source: 1 }, { name: 'log.roll.ms', value: '604800000', source: 5 }], configType: 5, documentation: null },
    ]);
    expect(broker).toMatchObject({ errorCode: 42, resourceName: '7', configs: [] });
  });
});

describe('OffsetDelete', () => {
  it('deletes offsets of an empty group, keeps those of topics a live group consumes', async () => {
    server.core.topics.create('od-a', 2);
    server.core.topics.create('od-b', 1);
    // A simple consumer's commit (generation -1, no member), as kafka-python's assign() mode does.
    const committed = await c.call(8, 2, {
      groupId: 'od-g',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      retentionTimeMs: -1,
      topics: [
        { name: 'od-a', partitions: [0, 1].map((partitionIndex) => ({ partitionIndex, committedOffset: 0, committedMetadata: null })) },
        { name: 'od-b', partitions: [{ partitionIndex: 0, committedOffset: 0, committedMetadata: null }] },
      ],
    });
    expect((committed.topics as Msg[]).flatMap((t) => (t.partitions as Msg[]).map((p) => p.errorCode))).toEqual([0, 0, 0]);
    const admin = kafka.admin();
    await admin.connect();
    const r = await c.call(47, 0, { groupId: 'od-g', topics: [{ name: 'od-a', partitions: [{ partitionIndex: 1 }, { partitionIndex: 9 }] }] });
    expect(r).toEqual({ errorCode: 0, throttleTimeMs: 0, topics: [{ name: 'od-a', partitions: [{ partitionIndex: 1, errorCode: 0 }, { partitionIndex: 9, errorCode: 3 }] }] });
    expect((await admin.fetchOffsets({ groupId: 'od-g', topics: ['od-a'] }))[0]?.partitions.map((p) => [p.partition, p.offset])).toEqual([[0, '0'], [1, '-1']]);

    const consumer = kafka.consumer({ groupId: 'od-g', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'od-a' });
    await consumer.run({ eachMessage: async () => undefined });
    const end = Date.now() + 10_000;
    while (server.core && Date.now() < end) {
      const d = await admin.describeGroups(['od-g']);
      if (d.groups[0]?.state === 'Stable') break;
      await new Promise((res) => setTimeout(res, 50));
    }
    const live = await c.call(47, 0, { groupId: 'od-g', topics: [{ name: 'od-a', partitions: [{ partitionIndex: 0 }] }, { name: 'od-b', partitions: [{ partitionIndex: 0 }] }] });
    expect(live.topics).toEqual([
      { name: 'od-a', partitions: [{ partitionIndex: 0, errorCode: 86 }] },
      { name: 'od-b', partitions: [{ partitionIndex: 0, errorCode: 0 }] },
    ]);
    await consumer.disconnect();
    await admin.disconnect();
    expect((await c.call(47, 0, { groupId: 'od-none', topics: [] })).errorCode).toBe(69);
  });
});

describe('cluster and partition descriptions', () => {
  it('DescribeCluster names this broker as the controller; controller endpoints are refused', async () => {
    const r = await c.call(60, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 });
    expect(r).toMatchObject({ errorCode: 0, controllerId: 1, brokers: [{ brokerId: 1, host: '127.0.0.1', port: server.ports.kafka, rack: null }] });
    expect(typeof r.clusterId).toBe('string');
    expect(r.clusterAuthorizedOperations).not.toBe(-2147483648);
    expect((await c.call(60, 2, { includeClusterAuthorizedOperations: false, endpointType: 2, includeFencedBrokers: false })).errorCode).toBe(114);
  });

  it('DescribeTopicPartitions pages partitions with a cursor, sorted by topic name', async () => {
    server.core.topics.create('dtp-b', 3);
    server.core.topics.create('dtp-a', 2);
    const page1 = await c.call(75, 0, { topics: [{ name: 'dtp-b' }, { name: 'dtp-a' }, { name: 'dtp-missing' }], responsePartitionLimit: 3, cursor: null });
    expect((page1.topics as Msg[]).map((t) => [t.name, t.errorCode, (t.partitions as Msg[]).map((p) => p.partitionIndex)])).toEqual([
      ['dtp-a', 0, [0, 1]],
      ['dtp-b', 0, [0]],
    ]);
    expect(page1.nextCursor).toEqual({ topicName: 'dtp-b', partitionIndex: 1 });
    const page2 = await c.call(75, 0, { topics: [{ name: 'dtp-b' }, { name: 'dtp-a' }, { name: 'dtp-missing' }], responsePartitionLimit: 3, cursor: page1.nextCursor });
    expect((page2.topics as Msg[]).map((t) => [t.name, t.errorCode, (t.partitions as Msg[]).map((p) => p.partitionIndex)])).toEqual([
      ['dtp-b', 0, [1, 2]],
      ['dtp-missing', 3, []],
    ]);
    expect(page2.nextCursor).toBeNull();
    expect(((page2.topics as Msg[])[0]?.partitions as Msg[])[0]).toMatchObject({ leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], eligibleLeaderReplicas: [] });
  });

  it('OffsetForLeaderEpoch: epoch 0 ends at the high watermark', async () => {
    const t = server.core.topics.create('ole', 1);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'ole', messages: [{ value: 'a' }, { value: 'b' }] });
    await producer.disconnect();
    expect(t.partitions[0]?.highWatermark).toBe(2);
    const r = await c.call(23, 4, { replicaId: -1, topics: [{ topic: 'ole', partitions: [{ partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }, { partition: 0, currentLeaderEpoch: -1, leaderEpoch: 3 }, { partition: 0, currentLeaderEpoch: 5, leaderEpoch: 0 }, { partition: 4, currentLeaderEpoch: 0, leaderEpoch: 0 }] }] });
    expect((r.topics as Msg[])[0]?.partitions).toEqual([
      { errorCode: 0, partition: 0, leaderEpoch: 0, endOffset: 2 },
      { errorCode: 0, partition: 0, leaderEpoch: -1, endOffset: -1 },
      { errorCode: 75, partition: 0, leaderEpoch: -1, endOffset: -1 },
      { errorCode: 3, partition: 4, leaderEpoch: -1, endOffset: -1 },
    ]);
  });

  it('DescribeLogDirs reports one directory with partition sizes', async () => {
    const r = await c.call(35, 4, { topics: [{ topic: 'ole', partitions: [0, 7] }] });
    expect(r.errorCode).toBe(0);
    const dir = (r.results as Msg[])[0] as Msg;
    expect(dir.logDir).toBe('memory');
    expect(dir.topics).toEqual([{ name: 'ole', partitions: [{ partitionIndex: 0, partitionSize: server.core.topics.get('ole')?.partitions[0]?.sizeBytes, offsetLag: 0, isFutureKey: false }] }]);
    expect(dir.totalBytes).toBe(-1);
  });

  it('DeleteAcls answers SECURITY_DISABLED per filter', async () => {
    const r = await c.call(31, 3, { filters: [{ resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 }] });
    expect(r.filterResults).toEqual([{ errorCode: 54, errorMessage: 'No Authorizer is configured.', matchingAcls: [] }]);
  });
});

describe('partition count limits', () => {
  it('refuses more than 10,000 new partitions per request with POLICY_VIOLATION, allocating nothing', async () => {
    const ct = await c.call(19, 7, { topics: [{ name: 'huge', numPartitions: 2_000_000_000, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
    expect((ct.topics as Msg[])[0]).toMatchObject({ name: 'huge', errorCode: 44, errorMessage: 'Excessively large number of partitions per request.' });
    expect(server.core.topics.get('huge')).toBeUndefined();
    server.core.topics.create('grow-cap', 1);
    const cp = await c.call(37, 3, { topics: [{ name: 'grow-cap', count: 10_002, assignments: null }, { name: 'grow-cap2', count: 2, assignments: null }], timeoutMs: 1000, validateOnly: false });
    expect((cp.results as Msg[]).map((r) => [r.name, r.errorCode])).toEqual([['grow-cap', 44], ['grow-cap2', 3]]);
    expect(server.core.topics.get('grow-cap')?.partitions.length).toBe(1);
  });
});

describe('authorized operations without an authorizer', () => {
  it('reports every operation of the resource type when asked, the "not requested" marker otherwise', async () => {
    server.core.topics.create('authz', 1);
    const md = await c.call(3, 8, { topics: [{ name: 'authz' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true });
    // Topic: READ WRITE CREATE DELETE ALTER DESCRIBE DESCRIBE_CONFIGS ALTER_CONFIGS (bits 3-8, 10, 11).
    expect((md.topics as Msg[])[0]?.topicAuthorizedOperations).toBe(0b110111111000);
    expect(md.clusterAuthorizedOperations).toBe(0b1111110100000);
    const plain = await c.call(3, 8, { topics: [{ name: 'authz' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect((plain.topics as Msg[])[0]?.topicAuthorizedOperations).toBe(-2147483648);
    const dg = await c.call(15, 5, { groups: ['od-g'], includeAuthorizedOperations: true });
    // Group: READ DELETE DESCRIBE.
    expect((dg.groups as Msg[])[0]?.authorizedOperations).toBe(0b101001000);
  });
});

describe('ListOffsets inside a batch', () => {
  it('finds the exact record by timestamp and by max timestamp in an uncompressed batch', async () => {
    server.core.topics.create('lo-batch', 1);
    const producer = kafka.producer();
    await producer.connect();
    // One send = one batch of three records.
    await producer.send({ topic: 'lo-batch', messages: [{ value: 'a', timestamp: '1000' }, { value: 'b', timestamp: '5000' }, { value: 'c', timestamp: '3000' }] });
    await producer.disconnect();
    expect(server.core.topics.get('lo-batch')?.partitions[0]?.entryCount).toBe(1);
    const admin = kafka.admin();
    await admin.connect();
    expect((await admin.fetchTopicOffsetsByTimestamp('lo-batch', 1500))[0]?.offset).toBe('1');
    expect((await admin.fetchTopicOffsetsByTimestamp('lo-batch', 1000))[0]?.offset).toBe('0');
    await admin.disconnect();
    const r = await c.call(2, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'lo-batch', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -3 }, { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: 4000 }] }] });
    expect(((r.topics as Msg[])[0]?.partitions as Msg[]).map((p) => [p.offset, p.timestamp])).toEqual([[1, 5000], [1, 5000]]);
  });
});

