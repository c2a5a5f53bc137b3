// ACL enforcement for the unauthenticated principal (User:ANONYMOUS) with the authorizer on:
// ACLs from --config and from kafkajs createAcls, checked through kafkajs (produce, consume,
// idempotent and transactional producers, admin), confluent-kafka and kcat (which must see
// TOPIC_AUTHORIZATION_FAILED), and the raw protocol for the authorized-operations bitfields.
// DENY wins over a broader ALLOW; allow.everyone.if.no.acl.found opens resources without ACLs;
// a broker with an authorizer and no ACLs refuses everything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AclOperationTypes as Op, AclPermissionTypes as Perm, AclResourceTypes as Res, Kafka, logLevel, ResourcePatternTypes as Pat } from 'kafkajs';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { kcat, py } from './external-clients.js';
import { errorTypes } from './kafkajs-errors.js';
import { RawClient } from './raw-client.js';
import type { Msg } from '../../src/kafka/codec.js';
import { readMessages } from './kafkajs-read.js';

const AUTHORIZER = { KAFKA_AUTHORIZER_CLASS_NAME: 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', KAFKA_SUPER_USERS: 'User:admin' };
const ANON = 'User:ANONYMOUS';

/** The Kafka error name of a failed kafkajs call, looking through kafkajs' non-retriable wrappers. */
async function failure(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    let err = e as { type?: string; cause?: unknown; errors?: unknown[] } | undefined;
    while (err && err.type === undefined && (err.cause || err.errors?.[0])) err = (err.cause ?? err.errors?.[0]) as typeof err;
    return err?.type;
  }
}

function client(server: TestServer, id: string): Kafka {
  return new Kafka({ clientId: id, brokers: [`127.0.0.1:${server.ports.kafka}`], logLevel: logLevel.NOTHING, retry: { retries: 0, initialRetryTime: 50 } });
}

describe('ACLs from --config, anonymous principal', () => {
  let server: TestServer;
  let kafka: Kafka;
  let bootstrap: string;

  beforeAll(async () => {
    server = await startTestServer({
      protocols: ['kafka'],
      extra: AUTHORIZER,
      resources: {
        kafka: {
          topics: [{ name: 'app-orders', partitions: 1 }, { name: 'app-locked' }, { name: 'readonly' }, { name: 'secret' }],
          acls: [
            { resourceType: 'CLUSTER', resourceName: 'kafka-cluster', principal: ANON, operation: 'DESCRIBE' },
            { resourceType: 'CLUSTER', resourceName: 'kafka-cluster', principal: ANON, operation: 'ALTER' },
            { resourceType: 'TOPIC', resourceName: 'app-', patternType: 'PREFIXED', principal: ANON, operation: 'ALL' },
            { resourceType: 'TOPIC', resourceName: 'app-locked', principal: ANON, operation: 'WRITE', permission: 'DENY' },
            // A DENY for another client address does not apply to 127.0.0.1.
            { resourceType: 'TOPIC', resourceName: 'app-orders', principal: ANON, host: '10.9.9.9', operation: 'ALL', permission: 'DENY' },
            { resourceType: 'TOPIC', resourceName: 'readonly', principal: 'User:*', host: '127.0.0.1', operation: 'READ' },
            { resourceType: 'GROUP', resourceName: 'grp-', patternType: 'PREFIXED', principal: ANON, operation: 'READ' },
            { resourceType: 'TRANSACTIONAL_ID', resourceName: 'tx-1', principal: ANON, operation: 'DESCRIBE' },
            { resourceType: 'TRANSACTIONAL_ID', resourceName: 'tx-ok', principal: ANON, operation: 'WRITE' },
            // The group id the confluent driver sets even when it assigns partitions itself.
            { resourceType: 'GROUP', resourceName: 'confluent-driver-unused', principal: ANON, operation: 'READ' },
          ],
        },
      },
    });
    bootstrap = `127.0.0.1:${server.ports.kafka}`;
    kafka = client(server, 'acl-enforce');
  });
  afterAll(async () => {
    await server.stop();
  });

  it('lets allowed producers and consumer groups through and refuses the rest (DENY wins)', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'app-orders', messages: [{ key: 'k', value: 'one' }, { key: 'k', value: 'two' }] });
    // The prefixed ALLOW ALL covers app-locked, the literal DENY WRITE wins.
    expect(await errorTypes(producer.send({ topic: 'app-locked', messages: [{ value: 'x' }] }))).toEqual(['TOPIC_AUTHORIZATION_FAILED']);
    expect(await errorTypes(producer.send({ topic: 'readonly', messages: [{ value: 'x' }] }))).toEqual(['TOPIC_AUTHORIZATION_FAILED']);
    expect(await failure(producer.send({ topic: 'secret', messages: [{ value: 'x' }] }))).toBe('TOPIC_AUTHORIZATION_FAILED');
    await producer.disconnect();

    const seen = await readMessages(kafka.consumer({ groupId: 'grp-1', maxWaitTimeInMs: 100 }), 'app-orders', 2, (m) => String(m.value));
    expect(seen).toEqual(['one', 'two']);

    const admin = kafka.admin();
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: ['app-orders'] });
    expect(await admin.fetchOffsets({ groupId: 'grp-1', topics: ['app-orders'] })).toEqual([{ topic: 'app-orders', partitions: [expect.objectContaining({ partition: 0, offset: '2' })] }]);
    // READ on the group does not include DELETE.
    const refused = (await admin.deleteGroups(['grp-1']).catch((e: unknown) => e)) as { groups?: { errorCode: number }[] };
    expect(refused.groups?.map((g) => g.errorCode)).toEqual([30]);
    await admin.disconnect();
  });

  it('answers GROUP_AUTHORIZATION_FAILED and TOPIC_AUTHORIZATION_FAILED on the group and fetch APIs', async () => {
    // kafkajs hides the coordinator lookup's error behind "Failed to find group coordinator",
    // so the codes are checked over the raw protocol.
    const c = await RawClient.connect(server.ports.kafka as number);
    const coord = await c.call(10, 4, { keyType: 0, coordinatorKeys: ['other', 'grp-2'] });
    expect((coord.coordinators as Msg[]).map((x) => x.errorCode)).toEqual([30, 0]);
    const join = await c.call(11, 5, { groupId: 'other', sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] });
    expect(join.errorCode).toBe(30);
    const hb = await c.call(12, 3, { groupId: 'other', generationId: 1, memberId: 'm', groupInstanceId: null });
    expect(hb.errorCode).toBe(30);
    const fetched = await c.call(9, 8, { groups: [{ groupId: 'other', topics: null }, { groupId: 'grp-1', topics: [{ name: 'secret', partitionIndexes: [0] }] }], requireStable: false });
    const groups = fetched.groups as Msg[];
    expect(groups[0]?.errorCode).toBe(30);
    expect(((groups[1]?.topics as Msg[])[0]?.partitions as Msg[])[0]?.errorCode).toBe(29);
    const commit = await c.call(8, 8, { groupId: 'other', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name: 'app-orders', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }] });
    expect(((commit.topics as Msg[])[0]?.partitions as Msg[])[0]?.errorCode).toBe(30);
    const fetch = await c.call(1, 11, { replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1000, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic: 'secret', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1000 }] }, { topic: 'no-such-topic', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1000 }] }], forgottenTopicsData: [], rackId: '' });
    // An unknown topic the principal may not read is not revealed as unknown.
    expect((fetch.responses as Msg[]).map((t) => ((t.partitions as Msg[])[0] as Msg).errorCode)).toEqual([29, 29]);
    const offsets = await c.call(2, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'secret', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] });
    expect(((offsets.topics as Msg[])[0]?.partitions as Msg[])[0]?.errorCode).toBe(29);
    const alter = await c.call(33, 1, { resources: [{ resourceType: 2, resourceName: 'readonly', configs: [{ name: 'retention.ms', value: '1000' }] }, { resourceType: 2, resourceName: 'app-orders', configs: [] }], validateOnly: true });
    expect((alter.responses as Msg[]).map((x) => x.errorCode)).toEqual([29, 0]);
    const incremental = await c.call(44, 1, { resources: [{ resourceType: 4, resourceName: '1', configs: [{ name: 'num.partitions', configOperation: 0, value: '2' }] }], validateOnly: true });
    expect((incremental.responses as Msg[]).map((x) => x.errorCode)).toEqual([31]);
    c.socket.destroy();
  });

  it('checks GROUP READ and subscribed-topic DESCRIBE on KIP-848 heartbeats, GROUP DESCRIBE on ConsumerGroupDescribe', async () => {
    const c = await RawClient.connect(server.ports.kafka as number);
    const join = (groupId: string, names: string[]) =>
      c.call(68, 1, { groupId, memberId: `m-${groupId}-${names.join()}`, memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30000, subscribedTopicNames: names, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [] });
    expect((await join('other', ['app-orders'])).errorCode).toBe(30);
    expect((await join('grp-848', ['secret'])).errorCode).toBe(29);
    const ok = await join('grp-848', ['app-orders']);
    expect(ok.errorCode).toBe(0);
    expect(ok.memberEpoch).toBeGreaterThan(0);
    const described = await c.call(69, 1, { groupIds: ['grp-848', 'other'], includeAuthorizedOperations: true });
    const groups = described.groups as Msg[];
    expect(groups.map((g) => g.errorCode)).toEqual([0, 30]);
    // READ on the group implies DESCRIBE (bit 8) and READ (bit 3); nothing else is granted.
    expect(groups[0]?.authorizedOperations).toBe((1 << 3) | (1 << 8));
    c.socket.destroy();
  });

  it('shows only describable topics and checks CREATE / DELETE / ALTER / configs on topic admin', async () => {
    const admin = kafka.admin();
    await admin.connect();
    expect((await admin.listTopics()).sort()).toEqual(['app-locked', 'app-orders', 'readonly']);
    await admin.createTopics({ topics: [{ topic: 'app-new' }] });
    expect(await errorTypes(admin.createTopics({ topics: [{ topic: 'other-new' }] }))).toEqual(['TOPIC_AUTHORIZATION_FAILED']);
    expect(await errorTypes(admin.deleteTopics({ topics: ['readonly'] }))).toEqual(['TOPIC_AUTHORIZATION_FAILED']);
    expect(await errorTypes(admin.createPartitions({ topicPartitions: [{ topic: 'readonly', count: 2 }] }))).toEqual(['TOPIC_AUTHORIZATION_FAILED']);
    await admin.createPartitions({ topicPartitions: [{ topic: 'app-new', count: 2 }] });
    expect(await errorTypes(admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: 'readonly' }] }))).toEqual(['TOPIC_AUTHORIZATION_FAILED']);
    expect(await errorTypes(admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 4, name: '1' }] }))).toEqual(['CLUSTER_AUTHORIZATION_FAILED']);
    type PartitionsError = { partitions?: { error: { type: string } }[]; cause?: PartitionsError };
    let del = (await admin.deleteTopicRecords({ topic: 'readonly', partitions: [{ partition: 0, offset: '-1' }] }).catch((e: unknown) => e)) as PartitionsError | undefined;
    while (del && !del.partitions && del.cause) del = del.cause;
    expect(del?.partitions?.map((p) => p.error.type)).toEqual(['TOPIC_AUTHORIZATION_FAILED']);
    await admin.deleteTopics({ topics: ['app-new'] });
    await admin.disconnect();
  });

  it('needs WRITE on some topic for an idempotent producer and TRANSACTIONAL_ID WRITE for a transactional one', async () => {
    const retrying = new Kafka({ clientId: 'acl-idem', brokers: [`127.0.0.1:${server.ports.kafka}`], logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50 } });
    const idem = retrying.producer({ idempotent: true, maxInFlightRequests: 1 });
    await idem.connect();
    await idem.send({ topic: 'app-orders', messages: [{ value: 'idem' }] });
    await idem.disconnect();
    const txn = retrying.producer({ transactionalId: 'tx-1', idempotent: true, maxInFlightRequests: 1 });
    await txn.connect();
    const attempt = async (): Promise<void> => {
      const t = await txn.transaction();
      await t.send({ topic: 'app-orders', messages: [{ value: 'txn' }] });
    };
    expect(await failure(attempt())).toBe('TRANSACTIONAL_ID_AUTHORIZATION_FAILED');
    await txn.disconnect();
  });

  it('checks TRANSACTIONAL_ID WRITE, TOPIC WRITE and GROUP READ on the transaction APIs', async () => {
    const c = await RawClient.connect(server.ports.kafka as number);
    const init = await c.call(22, 4, { transactionalId: 'tx-ok', transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 });
    expect(init.errorCode).toBe(0);
    const denied = await c.call(22, 4, { transactionalId: 'tx-1', transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 });
    expect(denied.errorCode).toBe(53);
    const ids = { v3AndBelowProducerId: init.producerId, v3AndBelowProducerEpoch: init.producerEpoch };
    const add = await c.call(24, 3, { v3AndBelowTransactionalId: 'tx-ok', ...ids, v3AndBelowTopics: [{ name: 'app-orders', partitions: [0] }, { name: 'readonly', partitions: [0] }] });
    expect((add.resultsByTopicV3AndBelow as Msg[]).map((t) => [t.name, ((t.resultsByPartition as Msg[])[0] as Msg).partitionErrorCode])).toEqual([['app-orders', 55], ['readonly', 29]]);
    const offsets = await c.call(25, 3, { transactionalId: 'tx-ok', producerId: init.producerId, producerEpoch: init.producerEpoch, groupId: 'other' });
    expect(offsets.errorCode).toBe(30);
    const end = await c.call(26, 3, { transactionalId: 'tx-1', producerId: init.producerId, producerEpoch: init.producerEpoch, committed: false });
    expect(end.errorCode).toBe(53);
    const abort = await c.call(26, 3, { transactionalId: 'tx-ok', producerId: init.producerId, producerEpoch: init.producerEpoch, committed: false });
    expect(abort.errorCode).not.toBe(53);
    c.socket.destroy();
  });

  it('applies ACLs created and deleted at runtime, seen by confluent-kafka and kcat', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const denyRead = { resourceType: Res.TOPIC, resourceName: 'app-orders', resourcePatternType: Pat.LITERAL, principal: ANON, host: '*', operation: Op.READ, permissionType: Perm.DENY };
    const before = await py('confluent', { cmd: 'consume', bootstrap, topic: 'app-orders', count: 1, timeout: 10 });
    expect(before.messages.map((m: { value: string }) => m.value)).toEqual(['one']);
    await admin.createAcls({ acl: [denyRead] });
    const denied = await py('confluent', { cmd: 'consume', bootstrap, topic: 'app-orders', count: 1, timeout: 3 });
    // The fetches are answered TOPIC_AUTHORIZATION_FAILED (checked over the raw protocol below);
    // librdkafka 2.0 keeps retrying them without surfacing an error within the poll window.
    expect(denied.messages).toEqual([]);
    await admin.deleteAcls({ filters: [denyRead] });
    const after = await py('confluent', { cmd: 'consume', bootstrap, topic: 'app-orders', count: 1, timeout: 10 });
    expect(after.messages.map((m: { value: string }) => m.value)).toEqual(['one']);
    await admin.disconnect();

    const produced = await py('confluent', { cmd: 'produce', bootstrap, topic: 'readonly', messages: [{ value: 'no' }] });
    expect(produced.reports).toEqual([expect.objectContaining({ error: 'TOPIC_AUTHORIZATION_FAILED' })]);
    await expect(kcat(['-b', bootstrap, '-t', 'app-locked', '-P'], 'nope\n', 15_000)).rejects.toThrow(/Topic authorization failed/i);
  });

  it('reports the authorized operations of the anonymous principal (KIP-430)', async () => {
    const c = await RawClient.connect(server.ports.kafka as number);
    const r = await c.call(3, 12, { topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: 'app-locked' }, { topicId: '00000000-0000-0000-0000-000000000000', name: 'readonly' }, { topicId: '00000000-0000-0000-0000-000000000000', name: 'secret' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: true });
    const bits = (ops: number[]) => ops.reduce((a, o) => a | (1 << o), 0);
    const topics = r.topics as Msg[];
    // app-locked: everything a topic supports but WRITE; readonly: READ and the DESCRIBE it implies.
    expect(topics.map((t) => [t.name, t.errorCode, t.topicAuthorizedOperations])).toEqual([
      ['app-locked', 0, bits([3, 5, 6, 7, 8, 10, 11])],
      ['readonly', 0, bits([3, 8])],
      ['secret', 29, expect.any(Number)],
    ]);
    const cluster = await c.call(60, 0, { includeClusterAuthorizedOperations: true });
    expect(cluster.clusterAuthorizedOperations).toBe(bits([7, 8]));
    c.socket.destroy();
  });
});

describe('authorizer without ACLs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ protocols: ['kafka'], extra: AUTHORIZER, resources: { kafka: { topics: [{ name: 'closed' }] } } });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('refuses ACL administration, hides topics and refuses writes', async () => {
    const admin = client(server, 'closed').admin();
    await admin.connect();
    const filter = { resourceType: Res.ANY, resourcePatternType: Pat.ANY, operation: Op.ANY, permissionType: Perm.ANY };
    expect(await errorTypes(admin.describeAcls(filter))).toEqual(['CLUSTER_AUTHORIZATION_FAILED']);
    expect(await errorTypes(admin.createAcls({ acl: [{ resourceType: Res.TOPIC, resourceName: 'closed', resourcePatternType: Pat.LITERAL, principal: ANON, host: '*', operation: Op.ALL, permissionType: Perm.ALLOW }] }))).toEqual(['CLUSTER_AUTHORIZATION_FAILED']);
    expect(await admin.listTopics()).toEqual([]);
    await admin.disconnect();
    const c = await RawClient.connect(server.ports.kafka as number);
    const logDirs = await c.call(35, 4, { topics: null });
    expect([logDirs.errorCode, logDirs.results]).toEqual([31, []]);
    c.socket.destroy();
    const meta = JSON.parse(await kcat(['-b', `127.0.0.1:${server.ports.kafka}`, '-L', '-J', '-t', 'closed'])) as { topics: { topic: string; err?: string }[] };
    expect(meta.topics).toEqual([expect.objectContaining({ topic: 'closed', error: 'Broker: Topic authorization failed' })]);
  });
});

describe('allow.everyone.if.no.acl.found', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ protocols: ['kafka'], extra: { ...AUTHORIZER, KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND: 'true' } });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('serves resources without ACLs and enforces the ACLs that exist', async () => {
    const kafka = client(server, 'open');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'free' }, { topic: 'guarded' }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'guarded', messages: [{ value: 'a' }] });
    // An ACL for someone else makes the topic "have ACLs": the anonymous user is no longer let in.
    await admin.createAcls({ acl: [{ resourceType: Res.TOPIC, resourceName: 'guarded', resourcePatternType: Pat.LITERAL, principal: 'User:alice', host: '*', operation: Op.WRITE, permissionType: Perm.ALLOW }] });
    expect(await failure(producer.send({ topic: 'guarded', messages: [{ value: 'b' }] }))).toBe('TOPIC_AUTHORIZATION_FAILED');
    await producer.disconnect();
    // A fresh producer: kafkajs refreshes metadata for every topic it knows, and 'guarded' now fails it.
    const other = kafka.producer();
    await other.connect();
    await other.send({ topic: 'free', messages: [{ value: 'c' }] });
    await other.disconnect();
    await admin.disconnect();
  });
});
