// ACL administration with the authorizer enabled (KAFKA_AUTHORIZER_CLASS_NAME): kafkajs
// createAcls / describeAcls / deleteAcls with literal and prefixed patterns and Kafka's filter
// semantics (ANY, MATCH with the "*" literal and prefixes), Kafka's INVALID_REQUEST messages
// over the raw protocol, super users bypassing DENY, ACLs kept across a restart with
// --data-dir, and kafka-python's ACL admin calls. User:ANONYMOUS is made a super user here
// (no SASL needed); acl-enforce.test.ts covers a broker where it is not.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AclOperationTypes as Op, AclPermissionTypes as Perm, AclResourceTypes as Res, Kafka, logLevel, ResourcePatternTypes as Pat } from 'kafkajs';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { RawClient } from './raw-client.js';
import { py } from './external-clients.js';
import type { Msg } from '../../src/kafka/codec.js';

const AUTHORIZER = { KAFKA_AUTHORIZER_CLASS_NAME: 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', KAFKA_SUPER_USERS: 'User:admin;User:ANONYMOUS' };

function client(s: TestServer, clientId: string): Kafka {
  return new Kafka({ clientId, brokers: [`127.0.0.1:${s.ports.kafka}`], logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50 } });
}

let server: TestServer;
let kafka: Kafka;

beforeAll(async () => {
  server = await startTestServer({ protocols: ['kafka'], extra: AUTHORIZER });
  kafka = client(server, 'acl-admin');
});
afterAll(async () => {
  await server.stop();
});

const acl = (resourceName: string, resourcePatternType: number, operation: number, permissionType: number, principal = 'User:alice', resourceType: number = Res.TOPIC) =>
  ({ resourceType, resourceName, resourcePatternType, principal, host: '*', operation, permissionType });
const ANY_FILTER = { resourceType: Res.ANY, resourcePatternType: Pat.ANY, operation: Op.ANY, permissionType: Perm.ANY };

/** "TYPE:pattern:name principal op perm" lines, sorted, for readable assertions. */
function lines(resources: { resourceType: number; resourceName: string; resourcePatternType: number; acls: { principal: string; operation: number; permissionType: number }[] }[]): string[] {
  return resources.flatMap((r) => r.acls.map((a) => `${r.resourceType}:${r.resourcePatternType}:${r.resourceName} ${a.principal} ${a.operation} ${a.permissionType}`)).sort();
}

describe('kafkajs ACL admin', () => {
  it('creates literal and prefixed ACLs and describes them with ANY, LITERAL, PREFIXED and MATCH filters', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createAcls({
      acl: [
        acl('orders-eu', Pat.LITERAL, Op.READ, Perm.ALLOW),
        acl('orders-', Pat.PREFIXED, Op.WRITE, Perm.ALLOW),
        acl('*', Pat.LITERAL, Op.DESCRIBE, Perm.ALLOW, 'User:*'),
        acl('orders', Pat.LITERAL, Op.ALL, Perm.DENY, 'User:bob'),
        acl('payments-', Pat.PREFIXED, Op.READ, Perm.ALLOW, 'User:bob', Res.GROUP),
        acl('kafka-cluster', Pat.LITERAL, Op.ALTER, Perm.ALLOW, 'User:bob', Res.CLUSTER),
      ],
    });
    // Creating an existing ACL again is no error and adds nothing.
    await admin.createAcls({ acl: [acl('orders-eu', Pat.LITERAL, Op.READ, Perm.ALLOW)] });
    const all = await admin.describeAcls({ ...ANY_FILTER });
    expect(lines(all.resources as never)).toEqual([
      `2:3:* User:* ${Op.DESCRIBE} ${Perm.ALLOW}`,
      `2:3:orders User:bob ${Op.ALL} ${Perm.DENY}`,
      `2:3:orders-eu User:alice ${Op.READ} ${Perm.ALLOW}`,
      `2:4:orders- User:alice ${Op.WRITE} ${Perm.ALLOW}`,
      `3:4:payments- User:bob ${Op.READ} ${Perm.ALLOW}`,
      `4:3:kafka-cluster User:bob ${Op.ALTER} ${Perm.ALLOW}`,
    ]);
    // MATCH: every pattern that applies to the topic "orders-eu": its literal, "*", and the prefix.
    const match = await admin.describeAcls({ ...ANY_FILTER, resourceType: Res.TOPIC, resourceName: 'orders-eu', resourcePatternType: Pat.MATCH });
    expect(lines(match.resources as never)).toEqual([
      `2:3:* User:* ${Op.DESCRIBE} ${Perm.ALLOW}`,
      `2:3:orders-eu User:alice ${Op.READ} ${Perm.ALLOW}`,
      `2:4:orders- User:alice ${Op.WRITE} ${Perm.ALLOW}`,
    ]);
    // LITERAL / PREFIXED / ANY with a name: that exact name only.
    const literal = await admin.describeAcls({ ...ANY_FILTER, resourceType: Res.TOPIC, resourceName: 'orders-', resourcePatternType: Pat.LITERAL });
    expect(literal.resources).toEqual([]);
    const prefixed = await admin.describeAcls({ ...ANY_FILTER, resourceType: Res.TOPIC, resourceName: 'orders-', resourcePatternType: Pat.PREFIXED });
    expect(lines(prefixed.resources as never)).toEqual([`2:4:orders- User:alice ${Op.WRITE} ${Perm.ALLOW}`]);
    const anyNamed = await admin.describeAcls({ ...ANY_FILTER, resourceName: 'orders' });
    expect(lines(anyNamed.resources as never)).toEqual([`2:3:orders User:bob ${Op.ALL} ${Perm.DENY}`]);
    // Entry filters: principal, operation, permission.
    const bob = await admin.describeAcls({ ...ANY_FILTER, principal: 'User:bob' });
    expect(lines(bob.resources as never)).toHaveLength(3);
    const denies = await admin.describeAcls({ ...ANY_FILTER, permissionType: Perm.DENY });
    expect(lines(denies.resources as never)).toEqual([`2:3:orders User:bob ${Op.ALL} ${Perm.DENY}`]);
    const reads = await admin.describeAcls({ ...ANY_FILTER, operation: Op.READ, resourceType: Res.GROUP });
    expect(lines(reads.resources as never)).toEqual([`3:4:payments- User:bob ${Op.READ} ${Perm.ALLOW}`]);
    await admin.disconnect();
  });

  it('deletes the ACLs each filter matches and lists them', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const r = await admin.deleteAcls({
      filters: [
        { ...ANY_FILTER, resourceType: Res.TOPIC, resourceName: 'orders-', resourcePatternType: Pat.PREFIXED },
        { ...ANY_FILTER, principal: 'User:bob', resourceType: Res.GROUP },
        { ...ANY_FILTER, principal: 'User:nobody' },
      ],
    });
    const results = r.filterResponses as { errorCode: number; matchingAcls: { resourceName: string; principal: string; resourcePatternType: number }[] }[];
    expect(results.map((f) => f.errorCode)).toEqual([0, 0, 0]);
    expect(results.map((f) => f.matchingAcls.map((m) => `${m.resourceName}/${m.principal}/${m.resourcePatternType}`))).toEqual([['orders-/User:alice/4'], ['payments-/User:bob/4'], []]);
    const left = await admin.describeAcls({ ...ANY_FILTER });
    expect(lines(left.resources as never).map((l) => l.split(' ')[0])).toEqual(['2:3:*', '2:3:orders', '2:3:orders-eu', '4:3:kafka-cluster']);
    // MATCH in a delete removes what applies to the name, not other names.
    await admin.deleteAcls({ filters: [{ ...ANY_FILTER, resourceType: Res.TOPIC, resourceName: 'orders-eu', resourcePatternType: Pat.MATCH }] });
    const rest = await admin.describeAcls({ ...ANY_FILTER });
    expect(lines(rest.resources as never).map((l) => l.split(' ')[0])).toEqual(['2:3:orders', '4:3:kafka-cluster']);
    await admin.deleteAcls({ filters: [{ ...ANY_FILTER }] });
    expect((await admin.describeAcls({ ...ANY_FILTER })).resources).toEqual([]);
    await admin.disconnect();
  });

  it('super users pass even a DENY ALL on every topic', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createAcls({ acl: [acl('*', Pat.LITERAL, Op.ALL, Perm.DENY, 'User:ANONYMOUS')] });
    await admin.createTopics({ topics: [{ topic: 'super-t' }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'super-t', messages: [{ value: 'v' }] });
    await producer.disconnect();
    expect((await admin.fetchTopicOffsets('super-t'))[0]?.high).toBe('1');
    await admin.deleteAcls({ filters: [{ ...ANY_FILTER }] });
    await admin.disconnect();
  });
});

describe('broker configs', () => {
  it('reports authorizer.class.name as set', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const r = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 4, name: '1', configNames: ['authorizer.class.name'] }] });
    expect(r.resources[0]?.configEntries).toEqual([expect.objectContaining({ configName: 'authorizer.class.name', configValue: AUTHORIZER.KAFKA_AUTHORIZER_CLASS_NAME, isDefault: false, readOnly: true })]);
    await admin.disconnect();
  });
});

describe('kafka-python ACL admin', () => {
  it('creates, describes (MATCH and PREFIXED filters) and deletes ACLs', async () => {
    const bootstrap = `127.0.0.1:${server.ports.kafka}`;
    const r = await py('kafkaPython', {
      cmd: 'admin', bootstrap, op: 'acls',
      create: [
        { type: 'TOPIC', name: 'kp-', pattern: 'PREFIXED', principal: 'User:carol', operation: 'READ' },
        { type: 'TOPIC', name: 'kp-one', principal: 'User:carol', operation: 'WRITE', permission: 'DENY' },
        { type: 'GROUP', name: 'kp-group', principal: 'User:carol', operation: 'READ' },
      ],
      describe: [
        { type: 'TOPIC', name: 'kp-one', pattern: 'MATCH' },
        { type: 'TOPIC', pattern: 'PREFIXED' },
        { principal: 'User:nobody' },
      ],
      delete: [{ type: 'GROUP', pattern: 'ANY' }],
    });
    expect(r.failed).toEqual([]);
    expect(r.described).toEqual([
      ['TOPIC:LITERAL:kp-one User:carol * WRITE DENY', 'TOPIC:PREFIXED:kp- User:carol * READ ALLOW'],
      ['TOPIC:PREFIXED:kp- User:carol * READ ALLOW'],
      [],
    ]);
    expect(r.deleted).toEqual([['GROUP:LITERAL:kp-group User:carol * READ ALLOW']]);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteAcls({ filters: [{ ...ANY_FILTER }] });
    await admin.disconnect();
  });
});

describe('ACL validation over the raw protocol', () => {
  let c: RawClient;
  beforeAll(async () => {
    c = await RawClient.connect(server.ports.kafka as number);
  });
  afterAll(() => c.socket.destroy());

  const creation = (over: Msg): Msg => ({ resourceType: 2, resourceName: 't', resourcePatternType: 3, principal: 'User:a', host: '*', operation: 3, permissionType: 3, ...over });

  it('refuses each bad creation with Kafka\'s INVALID_REQUEST message and stores the good ones', async () => {
    const r = await c.call(30, 3, {
      creations: [
        creation({ resourceType: 1 }),
        creation({ resourceType: 0 }),
        creation({ resourcePatternType: 2 }),
        creation({ operation: 1 }),
        creation({ permissionType: 1 }),
        creation({ principal: 'alice' }),
        creation({ resourceType: 4, resourceName: 'my-cluster' }),
        creation({ resourceName: '' }),
        creation({ host: '' }),
        creation({ resourceType: 7, resourceName: 'User:x', operation: 13 }),
        creation({ resourceType: 5, resourceName: 'tx', operation: 4, permissionType: 2 }),
      ],
    });
    expect(r.results).toEqual([
      { errorCode: 42, errorMessage: 'Invalid resourceType ANY' },
      { errorCode: 42, errorMessage: 'Invalid resourceType UNKNOWN' },
      { errorCode: 42, errorMessage: 'Invalid patternType MATCH' },
      { errorCode: 42, errorMessage: 'Invalid operation ANY' },
      { errorCode: 42, errorMessage: 'Invalid permissionType ANY' },
      { errorCode: 42, errorMessage: 'Could not parse principal from `alice` (no colon is present separating the principal type from the principal name)' },
      { errorCode: 42, errorMessage: 'The only valid name for the CLUSTER resource is kafka-cluster' },
      { errorCode: 42, errorMessage: 'Invalid empty resource name' },
      { errorCode: 42, errorMessage: 'Host pattern cannot be null or empty' },
      { errorCode: 0, errorMessage: null },
      { errorCode: 0, errorMessage: null },
    ]);
    const d = await c.call(29, 3, { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 });
    expect(d.errorCode).toBe(0);
    expect((d.resources as Msg[]).map((x) => `${String(x.resourceType)}:${String(x.resourceName)}`).sort()).toEqual(['5:tx', '7:User:x']);
    const bad = await c.call(29, 3, { resourceTypeFilter: 0, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 });
    expect(bad.errorCode).toBe(42);
    const del = await c.call(31, 3, { filters: [{ resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 }] });
    expect(((del.filterResults as Msg[])[0]?.matchingAcls as Msg[]).length).toBe(2);
  });
});

describe('ACLs with --data-dir', () => {
  it('keeps ACLs across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnibroker-acl-'));
    try {
      let s = await startTestServer({ protocols: ['kafka'], dataDir: dir, extra: AUTHORIZER });
      let admin = client(s, 'acl-dd').admin();
      await admin.connect();
      await admin.createAcls({ acl: [acl('kept-', Pat.PREFIXED, Op.READ, Perm.ALLOW), acl('gone', Pat.LITERAL, Op.READ, Perm.ALLOW)] });
      await admin.deleteAcls({ filters: [{ ...ANY_FILTER, resourceName: 'gone' }] });
      await admin.disconnect();
      await s.stop();
      s = await startTestServer({ protocols: ['kafka'], dataDir: dir, extra: AUTHORIZER });
      admin = client(s, 'acl-dd').admin();
      await admin.connect();
      expect(lines((await admin.describeAcls({ ...ANY_FILTER })).resources as never)).toEqual([`2:4:kept- User:alice ${Op.READ} ${Perm.ALLOW}`]);
      await admin.disconnect();
      await s.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
