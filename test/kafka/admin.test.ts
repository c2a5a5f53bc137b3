// Admin calls through kafkajs, confluent-kafka's AdminClient and kafka-python's admin client:
// CreatePartitions, DeleteRecords, DescribeConfigs (topic and broker, with default flags,
// sources and synonyms), AlterConfigs, DescribeAcls without an authorizer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ConfigResourceTypes, Kafka, logLevel, ResourcePatternTypes } from 'kafkajs';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { py } from './external-clients.js';
import { errorTypes } from './kafkajs-errors.js';
import { readMessages } from './kafkajs-read.js';

let server: TestServer;
let kafka: Kafka;
let bootstrap: string;

beforeAll(async () => {
  server = await startTestServer({ protocols: ['kafka'], extra: { KAFKA_NUM_PARTITIONS: '2' } });
  bootstrap = `127.0.0.1:${server.ports.kafka}`;
  kafka = new Kafka({ clientId: 'adm', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50 } });
});
afterAll(async () => {
  await server.stop();
});


describe('kafkajs admin', () => {
  it('grows partitions and rejects shrinking or unknown topics', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'grow', numPartitions: 1 }] });
    await admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 3 }] });
    expect(server.core.topics.get('grow')?.partitions.length).toBe(3);
    const meta = await admin.fetchTopicMetadata({ topics: ['grow'] });
    expect(meta.topics[0]?.partitions.length).toBe(3);
    expect(await errorTypes(admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 2 }] }))).toEqual(['INVALID_PARTITIONS']);
    expect(await errorTypes(admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 3 }] }))).toEqual(['INVALID_PARTITIONS']);
    await admin.createPartitions({ validateOnly: true, topicPartitions: [{ topic: 'grow', count: 5 }] });
    expect(server.core.topics.get('grow')?.partitions.length).toBe(3);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'grow', messages: [{ value: 'on the new partition', partition: 2 }] });
    await producer.disconnect();
    expect(server.core.topics.get('grow')?.partitions[2]?.highWatermark).toBe(1);
    await admin.disconnect();
  });

  it('deletes records: the log start offset moves and consumers start there', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'trim', numPartitions: 1 }] });
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 5; i++) await producer.send({ topic: 'trim', messages: [{ value: `m${i}` }] });
    await producer.disconnect();
    // kafkajs finds partition leaders in its cached metadata only: load it first.
    await admin.fetchTopicMetadata({ topics: ['trim'] });
    await admin.deleteTopicRecords({ topic: 'trim', partitions: [{ partition: 0, offset: '3' }] });
    expect(await admin.fetchTopicOffsets('trim')).toEqual([expect.objectContaining({ partition: 0, low: '3', high: '5' })]);
    const seen = await readMessages(kafka.consumer({ groupId: 'trim-g', maxWaitTimeInMs: 100 }), 'trim', 2, (m) => `${m.offset}:${m.value?.toString()}`);
    expect(seen).toEqual(['3:m3', '4:m4']);
    // -1 = up to the high watermark.
    await admin.deleteTopicRecords({ topic: 'trim', partitions: [{ partition: 0, offset: '-1' }] });
    expect((await admin.fetchTopicOffsets('trim'))[0]?.low).toBe('5');
    await admin.disconnect();
  });

  it('describes topic and broker configs and alters topic configs', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'cfg', configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
    const described = await admin.describeConfigs({ includeSynonyms: true, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg' }] });
    const entries = new Map(described.resources[0]?.configEntries.map((e) => [e.configName, e]));
    expect(entries.get('retention.ms')).toMatchObject({ configValue: '3600000', isDefault: false, configSource: 1, readOnly: false, isSensitive: false });
    expect(entries.get('retention.ms')?.configSynonyms.map((s) => [s.configName, s.configSource])).toEqual([['retention.ms', 1], ['log.retention.ms', 5]]);
    expect(entries.get('cleanup.policy')).toMatchObject({ configValue: 'delete', isDefault: true, configSource: 5 });
    expect(entries.get('max.message.bytes')?.configValue).toBe('1048588');
    expect(entries.size).toBeGreaterThanOrEqual(20);

    const broker = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configNames: ['num.partitions', 'auto.create.topics.enable'] }] });
    expect(broker.resources[0]?.configEntries.map((e) => [e.configName, e.configValue, e.configSource, e.readOnly])).toEqual([
      ['auto.create.topics.enable', 'true', 5, true],
      ['num.partitions', '2', 4, true],
    ]);

    // Legacy AlterConfigs replaces the topic's whole explicit set.
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configEntries: [{ name: 'max.message.bytes', value: '2048' }] }] });
    expect([...(server.core.topics.get('cfg')?.configs ?? [])]).toEqual([['max.message.bytes', '2048']]);
    expect(await errorTypes(admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configEntries: [{ name: 'retention.ms', value: 'forever' }] }] }))).toEqual(['INVALID_CONFIG']);
    expect(await errorTypes(admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configEntries: [{ name: 'no.such.config', value: '1' }] }] }))).toEqual(['INVALID_CONFIG']);
    expect(server.core.topics.get('cfg')?.configs.get('max.message.bytes')).toBe('2048');
    await admin.disconnect();
  });

  it('answers ACL calls with SECURITY_DISABLED (no authorizer), like a broker without one', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const filter = { resourceType: AclResourceTypes.TOPIC, resourceName: 'x', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:a', host: '*', operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW };
    expect(await errorTypes(admin.describeAcls(filter))).toEqual(['SECURITY_DISABLED']);
    expect(await errorTypes(admin.createAcls({ acl: [filter] }))).toEqual(['SECURITY_DISABLED']);
    await admin.disconnect();
  });
});

describe('confluent-kafka AdminClient', () => {
  it('describes, alters and grows topics', async () => {
    server.core.topics.create('ck-cfg', 1, new Map([['cleanup.policy', 'delete']]));
    const d = await py<Record<string, Record<string, { value: string | null; isDefault: boolean; source: number; readOnly: boolean; synonyms: number }> | string>>('confluent', {
      cmd: 'admin',
      op: 'describe_configs',
      bootstrap,
      resources: [{ type: 'topic', name: 'ck-cfg' }, { type: 'broker', name: '1' }, { type: 'topic', name: 'ck-none' }],
    });
    const topic = d['ck-cfg'] as Record<string, { value: string | null; isDefault: boolean; source: number; synonyms: number }>;
    expect(topic['cleanup.policy']).toMatchObject({ value: 'delete', isDefault: false, source: 1 });
    expect(topic['retention.ms']).toMatchObject({ value: '604800000', isDefault: true, source: 5 });
    const broker = d['1'] as Record<string, { value: string | null; readOnly: boolean }>;
    expect(broker['num.partitions']?.value).toBe('2');
    expect(broker['message.max.bytes']?.value).toBe('1048588');
    expect(broker['advertised.listeners']?.value).toBe(`PLAINTEXT://${bootstrap}`);
    expect(d['ck-none']).toBe('UNKNOWN_TOPIC_OR_PART');

    expect(await py('confluent', { cmd: 'admin', op: 'alter_configs', bootstrap, resources: [{ type: 'topic', name: 'ck-cfg', configs: { 'retention.bytes': '1000000' } }] })).toEqual({ 'ConfigResource(Type.TOPIC,ck-cfg)': null });
    expect([...(server.core.topics.get('ck-cfg')?.configs ?? [])]).toEqual([['retention.bytes', '1000000']]);
    const ro = await py<Record<string, string | null>>('confluent', { cmd: 'admin', op: 'alter_configs', bootstrap, resources: [{ type: 'broker', name: '1', configs: { 'num.partitions': '5' } }] });
    expect(Object.values(ro)).toEqual(['INVALID_REQUEST']);

    expect(await py('confluent', { cmd: 'admin', op: 'create_partitions', bootstrap, topics: { 'ck-cfg': 4, 'ck-none': 2 } })).toEqual({ 'ck-cfg': null, 'ck-none': 'UNKNOWN_TOPIC_OR_PART' });
    expect(server.core.topics.get('ck-cfg')?.partitions.length).toBe(4);
    expect(await py('confluent', { cmd: 'admin', op: 'create_partitions', bootstrap, topics: { 'ck-cfg': 4 } })).toEqual({ 'ck-cfg': 'INVALID_PARTITIONS' });
  });
});

describe('kafka-python admin', () => {
  it('describes topic configs and grows partitions', async () => {
    server.core.topics.create('kp-cfg', 1, new Map([['retention.ms', '1000']]));
    const d = await py<Record<string, Record<string, string>>>('kafkaPython', { cmd: 'admin', op: 'describe_configs', bootstrap, resources: [{ type: 'topic', name: 'kp-cfg' }] });
    expect(d['kp-cfg']?.['retention.ms']).toBe('1000');
    expect(d['kp-cfg']?.['message.timestamp.type']).toBe('CreateTime');
    expect(await py('kafkaPython', { cmd: 'admin', op: 'create_partitions', bootstrap, topics: { 'kp-cfg': 2 } })).toEqual({ 'kp-cfg': 0 });
    expect(server.core.topics.get('kp-cfg')?.partitions.length).toBe(2);
  });
});
