// SASL with kafkajs 2.2.4 (SaslHandshake v1 + SaslAuthenticate v0/1) and @platformatic/kafka
// (SaslAuthenticate v2, flexible) against a listener mapped to SASL_PLAINTEXT: PLAIN,
// SCRAM-SHA-256 and SCRAM-SHA-512 with good passwords produce and consume; wrong passwords,
// unknown users and mechanisms the listener does not enable are refused with Kafka's errors.
// Users come from the --config section and KAFKA_SASL_USERS. Also: one SASL and one PLAINTEXT
// listener side by side, and startup errors for bad SASL settings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { Admin } from '@platformatic/kafka';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { canLogIn } from './kafkajs-login.js';

function kafkaPort(s: TestServer): number {
  if (s.ports.kafka === undefined) throw new Error('no Kafka port');
  return s.ports.kafka;
}

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    protocols: ['kafka'],
    extra: { KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:SASL_PLAINTEXT', KAFKA_SASL_USERS: 'envuser:env-secret:with-colon' },
    resources: {
      kafka: {
        topics: [{ name: 'sasl-js', partitions: 1 }],
        users: [
          { name: 'alice', password: 'alice-secret' },
          { name: 'plainonly', password: 'p-secret', mechanisms: ['PLAIN'] },
          { name: 'scram512', password: 's-secret', mechanisms: ['SCRAM-SHA-512'], iterations: 8192 },
        ],
      },
    },
  });
});
afterAll(async () => {
  await server.stop();
});

function client(sasl: SASLOptions): Kafka {
  return new Kafka({ clientId: 'sasl-it', brokers: [`127.0.0.1:${kafkaPort(server)}`], sasl, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 3000 });
}

async function roundTrip(sasl: SASLOptions, value: string): Promise<string[]> {
  const kafka = client(sasl);
  const producer = kafka.producer();
  await producer.connect();
  const [meta] = await producer.send({ topic: 'sasl-js', messages: [{ value }] });
  await producer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  const consumer = kafka.consumer({ groupId: `g-${value}` });
  await consumer.connect();
  await consumer.subscribe({ topic: 'sasl-js', fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`saw only ${seen.join(',')}`)), 10_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(String(message.value));
        if (message.offset === meta?.baseOffset) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  await admin.disconnect();
  return seen;
}

async function failure(sasl: SASLOptions): Promise<{ name: string; message: string }> {
  const admin = client(sasl).admin();
  try {
    await admin.connect();
  } catch (err) {
    const e = err as Error;
    return { name: e.name, message: e.message };
  } finally {
    await admin.disconnect();
  }
  throw new Error('connected although it should not');
}

describe('kafkajs SASL', () => {
  it('PLAIN with the right password produces and consumes', async () => {
    expect(await roundTrip({ mechanism: 'plain', username: 'alice', password: 'alice-secret' }, 'plain-1')).toContain('plain-1');
  });

  it('SCRAM-SHA-256 and SCRAM-SHA-512 with the right password produce and consume', async () => {
    expect(await roundTrip({ mechanism: 'scram-sha-256', username: 'alice', password: 'alice-secret' }, 'scram256-1')).toContain('scram256-1');
    expect(await roundTrip({ mechanism: 'scram-sha-512', username: 'scram512', password: 's-secret' }, 'scram512-1')).toContain('scram512-1');
  });

  it('users from KAFKA_SASL_USERS authenticate (password may contain a colon)', async () => {
    expect(await roundTrip({ mechanism: 'scram-sha-256', username: 'envuser', password: 'env-secret:with-colon' }, 'env-1')).toContain('env-1');
  });

  it('PLAIN with a wrong password or an unknown user: SASL_AUTHENTICATION_FAILED with Kafka\'s text', async () => {
    const wrong = await failure({ mechanism: 'plain', username: 'alice', password: 'nope' });
    expect(wrong.name).toBe('KafkaJSSASLAuthenticationError');
    expect(wrong.message).toContain('Authentication failed: Invalid username or password');
    const unknown = await failure({ mechanism: 'plain', username: 'mallory', password: 'alice-secret' });
    expect(unknown.message).toContain('Authentication failed: Invalid username or password');
  });

  it('SCRAM with a wrong password, an unknown user or a mechanism the user lacks: the generic Kafka text', async () => {
    for (const sasl of [
      { mechanism: 'scram-sha-256', username: 'alice', password: 'nope' },
      { mechanism: 'scram-sha-512', username: 'mallory', password: 'x' },
      { mechanism: 'scram-sha-256', username: 'plainonly', password: 'p-secret' },
      { mechanism: 'scram-sha-256', username: 'scram512', password: 's-secret' },
    ] as SASLOptions[]) {
      const f = await failure(sasl);
      expect(f.name).toBe('KafkaJSSASLAuthenticationError');
      expect(f.message).toContain(`Authentication failed during authentication due to invalid credentials with SASL mechanism ${sasl.mechanism.toUpperCase()}`);
    }
  });

  it('a user declared for SCRAM only cannot use PLAIN', async () => {
    const f = await failure({ mechanism: 'plain', username: 'scram512', password: 's-secret' });
    expect(f.message).toContain('Invalid username or password');
  });

  it('kafkajs without SASL on a SASL listener is disconnected', async () => {
    const admin = new Kafka({ brokers: [`127.0.0.1:${kafkaPort(server)}`], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 2000 }).admin();
    await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow();
    await admin.disconnect();
  });
});

describe('kafkajs SASL with a restricted mechanism list', () => {
  let only: TestServer;
  beforeAll(async () => {
    only = await startTestServer({
      protocols: ['kafka'],
      extra: { KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:SASL_PLAINTEXT', KAFKA_SASL_ENABLED_MECHANISMS: 'SCRAM-SHA-512' },
      resources: { kafka: { users: [{ name: 'alice', password: 'alice-secret' }] } },
    });
  });
  afterAll(async () => {
    await only.stop();
  });

  it('a mechanism outside KAFKA_SASL_ENABLED_MECHANISMS: UNSUPPORTED_SASL_MECHANISM listing the enabled ones', async () => {
    const admin = new Kafka({ brokers: [`127.0.0.1:${kafkaPort(only)}`], sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' }, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    await expect(admin.connect()).rejects.toMatchObject({ type: 'UNSUPPORTED_SASL_MECHANISM', message: 'The broker does not support the requested SASL mechanism' });
    await admin.disconnect();
    const ok = new Kafka({ brokers: [`127.0.0.1:${kafkaPort(only)}`], sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'alice-secret' }, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    await ok.connect();
    expect(await ok.listTopics()).toEqual([]);
    await ok.disconnect();
  });
});

describe('@platformatic/kafka SASL (SaslAuthenticate v2)', () => {
  async function topics(mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512', password: string): Promise<string[]> {
    const admin = new Admin({ clientId: 'plat-sasl', bootstrapBrokers: [`127.0.0.1:${kafkaPort(server)}`], sasl: { mechanism, username: 'alice', password }, retries: 0 });
    try {
      return await admin.listTopics();
    } finally {
      await admin.close();
    }
  }

  it.each(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const)('%s with the right password lists topics', async (mechanism) => {
    expect(await topics(mechanism, 'alice-secret')).toContain('sasl-js');
  });

  it('a wrong password is refused with the broker\'s message', async () => {
    const err = await topics('SCRAM-SHA-256', 'wrong').then(() => null, (e: unknown) => e);
    // platformatic wraps the SaslAuthenticate v2 answer in cause/errors chains; find it.
    const responses: unknown[] = [];
    const walk = (e: unknown): void => {
      if (!e || typeof e !== 'object') return;
      const o = e as { response?: unknown; cause?: unknown; errors?: unknown[] };
      if (o.response) responses.push(o.response);
      walk(o.cause);
      for (const inner of o.errors ?? []) walk(inner);
    };
    walk(err);
    expect(responses).toContainEqual(expect.objectContaining({ errorCode: 58, errorMessage: 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256' }));
  });
});

describe('a SASL listener next to a PLAINTEXT one', () => {
  it('PLAINTEXT needs no login, SASL_PLAINTEXT does; DescribeConfigs reports the map', async () => {
    const two = await startTestServer({
      protocols: ['kafka'],
      extra: { KAFKA_LISTENERS: 'SASL_PLAINTEXT://127.0.0.1:0,INTERNAL://127.0.0.1:0', KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'SASL_PLAINTEXT:SASL_PLAINTEXT,INTERNAL:PLAINTEXT', KAFKA_SASL_USERS: 'alice:alice-secret' },
    });
    try {
      const internal = Number(/INTERNAL:\/\/[^:]*:(\d+)/.exec((await describeListeners(kafkaPort(two))).listeners)?.[1]);
      const anonymous = new Kafka({ brokers: [`127.0.0.1:${internal}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
      await anonymous.connect();
      expect(await anonymous.createTopics({ topics: [{ topic: 'two-listeners' }] })).toBe(true);
      await anonymous.disconnect();
      const loggedIn = new Kafka({ brokers: [`127.0.0.1:${kafkaPort(two)}`], sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'alice-secret' }, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
      await loggedIn.connect();
      expect(await loggedIn.listTopics()).toContain('two-listeners');
      const configs = await loggedIn.describeConfigs({ resources: [{ type: 4, name: '1', configNames: ['listener.security.protocol.map'] }], includeSynonyms: false });
      expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('SASL_PLAINTEXT:SASL_PLAINTEXT,INTERNAL:PLAINTEXT');
      await loggedIn.disconnect();
    } finally {
      await two.stop();
    }
  });

  async function describeListeners(port: number): Promise<{ listeners: string }> {
    const admin = new Kafka({ brokers: [`127.0.0.1:${port}`], sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' }, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    await admin.connect();
    const res = await admin.describeConfigs({ resources: [{ type: 4, name: '1', configNames: ['listeners'] }], includeSynonyms: false });
    await admin.disconnect();
    return { listeners: res.resources[0]?.configEntries[0]?.configValue ?? '' };
  }
});

describe('PLAIN users from a JAAS text (Kafka Docker image style)', () => {
  it('user_<name>="<password>" entries of PlainLoginModule become PLAIN users (PLAIN only)', async () => {
    const jaas = await startTestServer({
      protocols: ['kafka'],
      extra: {
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:SASL_PLAINTEXT',
        KAFKA_LISTENER_NAME_PLAINTEXT_PLAIN_SASL_JAAS_CONFIG: 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_bob="bob secret";',
      },
    });
    try {
      const login = (sasl: SASLOptions): Promise<boolean> => canLogIn(kafkaPort(jaas), sasl);
      expect(await login({ mechanism: 'plain', username: 'bob', password: 'bob secret' })).toBe(true);
      expect(await login({ mechanism: 'plain', username: 'admin', password: 'admin-secret' })).toBe(true);
      expect(await login({ mechanism: 'plain', username: 'bob', password: 'bob' })).toBe(false);
      expect(await login({ mechanism: 'scram-sha-256', username: 'bob', password: 'bob secret' })).toBe(false);
    } finally {
      await jaas.stop();
    }
  });
});

describe('SASL settings checked at startup', () => {
  it.each([
    [{ KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:SASL_PLAINTEXT', KAFKA_SASL_ENABLED_MECHANISMS: 'GSSAPI' }, {}, /KAFKA_SASL_ENABLED_MECHANISMS: SASL mechanism 'GSSAPI' is not supported/],
    [{ KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:SASL_PLAINTEXT', KAFKA_SASL_ENABLED_MECHANISMS: ' , ' }, {}, /needs at least one mechanism/],
    [{ KAFKA_SASL_USERS: 'nopassword' }, {}, /KAFKA_SASL_USERS: .* is not name:password/],
    [{}, { kafka: { users: [{ name: 'a', password: 'p', mechanisms: ['OAUTHBEARER'] }] } }, /mechanisms.*OAUTHBEARER/],
    [{}, { kafka: { users: [{ name: 'a', password: 'p', iterations: 100 }] } }, /iterations/],
    [{}, { kafka: { users: [{ name: 'a', password: 'p' }, { name: 'a', password: 'q' }] } }, /declared twice/],
    [{}, { kafka: { users: [{ name: 'a' }] } }, /password/],
  ] as [Record<string, string>, Record<string, unknown>, RegExp][])('%o %o is refused', async (extra, resources, message) => {
    await expect(startTestServer({ protocols: ['kafka'], extra, resources })).rejects.toThrow(message);
  });
});
