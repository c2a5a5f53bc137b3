// DescribeUserScramCredentials / AlterUserScramCredentials over the raw protocol (none of the
// installed clients implements them; the Java Admin and kafka-configs.sh send these bytes):
// Kafka's error codes and messages, credentials created at runtime usable by kafkajs at once,
// deletions taking effect, and runtime changes surviving a restart with --data-dir.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SASLOptions } from 'kafkajs';
import { dataDirs, startTestServer, type TestServer } from '../helpers/server.js';
import { RawClient } from './raw-client.js';
import { saltedPassword } from './scram-client.js';
import { canLogIn } from './kafkajs-login.js';

function kafkaPort(s: TestServer): number {
  if (s.ports.kafka === undefined) throw new Error('no Kafka port');
  return s.ports.kafka;
}

const SASL = { KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:SASL_PLAINTEXT' };
const resources = {
  kafka: {
    users: [
      { name: 'admin', password: 'admin-secret' },
      { name: 'only512', password: 'x-secret', mechanisms: ['SCRAM-SHA-512'], iterations: 8192 },
    ],
  },
};

let server: TestServer;
const dataDir = dataDirs('omnibroker-sasl-');

beforeAll(async () => {
  server = await startTestServer({ protocols: ['kafka'], extra: SASL, resources });
});
afterAll(async () => {
  await server.stop();
});

/** A raw connection logged in with PLAIN (as admin unless told otherwise). */
async function loggedIn(port: number, user = 'admin', password = 'admin-secret'): Promise<RawClient> {
  const c = await RawClient.connect(port);
  await c.call(17, 1, { mechanism: 'PLAIN' });
  expect((await c.call(36, 2, { authBytes: Buffer.from(`\0${user}\0${password}`) })).errorCode).toBe(0);
  return c;
}

function upsertion(name: string, mechanism: number, password: string, iterations = 4096): Record<string, unknown> {
  const salt = randomBytes(24);
  return { name, mechanism, iterations, salt, saltedPassword: saltedPassword(mechanism === 2 ? 'sha512' : 'sha256', password, salt, iterations) };
}

describe('DescribeUserScramCredentials', () => {
  it('lists every SCRAM user with mechanisms and iterations (no keys, no salts)', async () => {
    const c = await loggedIn(kafkaPort(server));
    const all = await c.call(50, 0, { users: null });
    expect(all.errorCode).toBe(0);
    const byUser = Object.fromEntries((all.results as { user: string; errorCode: number; credentialInfos: unknown[] }[]).map((r) => [r.user, r]));
    expect(byUser.admin).toEqual({ user: 'admin', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: 1, iterations: 4096 }, { mechanism: 2, iterations: 4096 }] });
    expect(byUser.only512?.credentialInfos).toEqual([{ mechanism: 2, iterations: 8192 }]);
    expect((await c.call(50, 0, { users: [] })).results).toEqual(all.results);
    c.socket.destroy();
  });

  it('unknown and duplicate users: RESOURCE_NOT_FOUND / DUPLICATE_RESOURCE with Kafka\'s messages', async () => {
    const c = await loggedIn(kafkaPort(server));
    const res = await c.call(50, 0, { users: [{ name: 'nobody' }, { name: 'admin' }, { name: 'admin' }] });
    expect(res.results).toEqual([
      { user: 'nobody', errorCode: 91, errorMessage: 'Attempt to describe a user credential that does not exist: nobody', credentialInfos: [] },
      { user: 'admin', errorCode: 92, errorMessage: 'Cannot describe SCRAM credentials for the same user twice in a single request: admin', credentialInfos: [] },
    ]);
    c.socket.destroy();
  });
});

describe('AlterUserScramCredentials', () => {
  it('refuses what Kafka refuses, with its codes and messages, and changes nothing then', async () => {
    const c = await loggedIn(kafkaPort(server));
    const res = await c.call(51, 0, {
      deletions: [
        { name: 'ghost', mechanism: 1 },
        { name: 'weird', mechanism: 0 },
        { name: '', mechanism: 1 },
      ],
      upsertions: [
        upsertion('few', 1, 'pw', 4095),
        { ...upsertion('many', 2, 'pw', 4096), iterations: 16385 },
        upsertion('unknown-mech', 3, 'pw'),
        upsertion('twice', 1, 'pw'),
        upsertion('twice', 2, 'pw'),
      ],
    });
    const byUser = Object.fromEntries((res.results as { user: string; errorCode: number; errorMessage: string }[]).map((r) => [r.user, [r.errorCode, r.errorMessage]]));
    expect(byUser).toEqual({
      ghost: [91, 'Attempt to delete a user credential that does not exist'],
      weird: [33, 'Unknown SCRAM mechanism'],
      '': [93, 'Username must not be empty'],
      few: [93, 'Too few iterations'],
      many: [93, 'Too many iterations'],
      'unknown-mech': [33, 'Unknown SCRAM mechanism'],
      twice: [92, 'A user credential cannot be altered twice in the same request'],
    });
    const described = await c.call(50, 0, { users: [{ name: 'few' }, { name: 'twice' }] });
    expect((described.results as { errorCode: number }[]).map((r) => r.errorCode)).toEqual([91, 91]);
    c.socket.destroy();
  });

  it('an upserted credential logs in at once through kafkajs; a deletion locks it out again', async () => {
    const c = await loggedIn(kafkaPort(server));
    const sasl: SASLOptions = { mechanism: 'scram-sha-256', username: 'carol', password: 'carol-secret' };
    expect(await canLogIn(kafkaPort(server), sasl)).toBe(false);
    expect((await c.call(51, 0, { deletions: [], upsertions: [upsertion('carol', 1, 'carol-secret', 5000)] })).results).toEqual([{ user: 'carol', errorCode: 0, errorMessage: null }]);
    expect(((await c.call(50, 0, { users: [{ name: 'carol' }] })).results as unknown[])[0]).toMatchObject({ errorCode: 0, credentialInfos: [{ mechanism: 1, iterations: 5000 }] });
    expect(await canLogIn(kafkaPort(server), sasl)).toBe(true);
    expect(await canLogIn(kafkaPort(server), { ...sasl, password: 'wrong' })).toBe(false);
    // Replacing the password: the old one stops working.
    await c.call(51, 0, { deletions: [], upsertions: [upsertion('carol', 1, 'new-secret')] });
    expect(await canLogIn(kafkaPort(server), sasl)).toBe(false);
    expect(await canLogIn(kafkaPort(server), { ...sasl, password: 'new-secret' })).toBe(true);
    expect((await c.call(51, 0, { deletions: [{ name: 'carol', mechanism: 1 }], upsertions: [] })).results).toEqual([{ user: 'carol', errorCode: 0, errorMessage: null }]);
    expect(await canLogIn(kafkaPort(server), { ...sasl, password: 'new-secret' })).toBe(false);
    // PLAIN credentials are separate (JAAS users in Kafka): deleting SCRAM leaves PLAIN alone.
    await c.call(51, 0, { deletions: [{ name: 'admin', mechanism: 2 }], upsertions: [] });
    expect(await canLogIn(kafkaPort(server), { mechanism: 'scram-sha-512', username: 'admin', password: 'admin-secret' })).toBe(false);
    expect(await canLogIn(kafkaPort(server), { mechanism: 'plain', username: 'admin', password: 'admin-secret' })).toBe(true);
    c.socket.destroy();
  });

  it('runtime changes survive a restart on the same --data-dir, over the --config users', async () => {
    const dir = dataDir();
    const first = await startTestServer({ protocols: ['kafka'], extra: SASL, resources, dataDir: dir });
    const c = await loggedIn(kafkaPort(first));
    await c.call(51, 0, { deletions: [{ name: 'only512', mechanism: 2 }], upsertions: [upsertion('dave', 2, 'dave-secret')] });
    c.socket.destroy();
    await first.stop();
    const second = await startTestServer({ protocols: ['kafka'], extra: SASL, resources, dataDir: dir });
    try {
      expect(await canLogIn(kafkaPort(second), { mechanism: 'scram-sha-512', username: 'dave', password: 'dave-secret' })).toBe(true);
      expect(await canLogIn(kafkaPort(second), { mechanism: 'scram-sha-512', username: 'only512', password: 'x-secret' })).toBe(false);
      expect(await canLogIn(kafkaPort(second), { mechanism: 'scram-sha-256', username: 'admin', password: 'admin-secret' })).toBe(true);
    } finally {
      await second.stop();
    }
  });
});

describe('with an authorizer: the SASL principal is what ACLs judge', () => {
  it('SCRAM admin APIs need CLUSTER DESCRIBE / ALTER; a super user passes, another user is refused', async () => {
    const users = { kafka: { users: [...resources.kafka.users, { name: 'bob', password: 'bob-secret' }] } };
    const authz = { ...SASL, KAFKA_AUTHORIZER_CLASS_NAME: 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', KAFKA_SUPER_USERS: 'User:admin' };
    const secured = await startTestServer({ protocols: ['kafka'], extra: authz, resources: users });
    try {
      const port = kafkaPort(secured);
      const bob = await loggedIn(port, 'bob', 'bob-secret');
      const described = await bob.call(50, 0, { users: [{ name: 'admin' }] });
      expect(described.errorCode).toBe(31);
      expect(described.results).toEqual([{ user: 'admin', errorCode: 31, errorMessage: 'Cluster authorization failed.', credentialInfos: [] }]);
      const altered = await bob.call(51, 0, { deletions: [{ name: 'admin', mechanism: 1 }], upsertions: [upsertion('eve', 1, 'eve-secret')] });
      expect(altered.results).toEqual([
        { user: 'admin', errorCode: 31, errorMessage: 'Cluster authorization failed.' },
        { user: 'eve', errorCode: 31, errorMessage: 'Cluster authorization failed.' },
      ]);
      // Kafka's refusal text names the authenticated principal and the SASL listener.
      const acls = await bob.call(29, 3, { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 });
      expect(acls.errorCode).toBe(31);
      expect(acls.errorMessage).toContain('session=Session(User:bob,/127.0.0.1)');
      expect(acls.errorMessage).toContain('securityProtocol=SASL_PLAINTEXT');
      bob.socket.destroy();
      // Nothing changed: admin (a super user) still logs in with SCRAM-SHA-256 and sees no eve.
      const admin = await loggedIn(port);
      const seen = await admin.call(50, 0, { users: [{ name: 'admin' }, { name: 'eve' }] });
      expect(seen.errorCode).toBe(0);
      expect((seen.results as { user: string; errorCode: number }[]).map((r) => [r.user, r.errorCode])).toEqual([['admin', 0], ['eve', 91]]);
      admin.socket.destroy();
    } finally {
      await secured.stop();
    }
  });
});
