// The SASL phase on the wire, request by request: what a SASL listener takes before
// authentication (ApiVersions, SaslHandshake, then SaslAuthenticate or bare v0 tokens) and
// what closes the connection (other APIs, a failed authentication right after its answer,
// unsupported mechanisms, oversized frames); malformed tokens never hurt the server;
// ILLEGAL_SASL_STATE on a PLAINTEXT listener and after authentication.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { parse, RawClient, request } from './raw-client.js';
import { ScramClient } from './scram-client.js';

function kafkaPort(s: TestServer): number {
  if (s.ports.kafka === undefined) throw new Error('no Kafka port');
  return s.ports.kafka;
}

let server: TestServer;
let plain: TestServer;

beforeAll(async () => {
  const resources = { kafka: { users: [{ name: 'alice', password: 'alice-secret' }] } };
  server = await startTestServer({ protocols: ['kafka'], extra: { KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:SASL_PLAINTEXT' }, resources });
  plain = await startTestServer({ protocols: ['kafka'], resources });
});
afterAll(async () => {
  await server.stop();
  await plain.stop();
});

const ALL = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];
const GENERIC = (m: string): string => `Authentication failed during authentication due to invalid credentials with SASL mechanism ${m}`;

/** Resolves true when the server closes the connection within 3 s. */
async function closes(c: RawClient): Promise<boolean> {
  return Promise.race([c.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
}

/** Resolves true when the server closes the connection without sending anything more. */
async function closesSilently(c: RawClient): Promise<boolean> {
  let got = false;
  c.socket.on('data', () => (got = true));
  return (await closes(c)) && !got;
}

function rawFrame(token: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(token.length, 0);
  return Buffer.concat([size, token]);
}

/** A request frame to write when no answer is expected. */
function rawRequest(apiKey: number, version: number, body: Record<string, unknown>): Buffer {
  return request(apiKey, version, 7, body);
}

const metadata = { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false };

/** A connection to the SASL listener, logged in as alice with PLAIN. */
async function authenticated(): Promise<RawClient> {
  const c = await RawClient.connect(kafkaPort(server));
  expect(await c.call(17, 1, { mechanism: 'PLAIN' })).toEqual({ errorCode: 0, mechanisms: ALL });
  const res = await c.call(36, 2, { authBytes: Buffer.from('\0alice\0alice-secret') });
  expect(res).toMatchObject({ errorCode: 0, errorMessage: null, sessionLifetimeMs: 0 });
  return c;
}

describe('before authentication on a SASL_PLAINTEXT listener', () => {
  it('Metadata as the first request closes the connection without an answer', async () => {
    const c = await RawClient.connect(kafkaPort(server));
    c.socket.write(Buffer.from(rawRequest(3, 1, metadata)));
    expect(await closesSilently(c)).toBe(true);
  });

  it('ApiVersions is answered (with SASL keys listed), but a second ApiVersions or Metadata then closes', async () => {
    const c = await RawClient.connect(kafkaPort(server));
    const res = await c.call(18, 3, { clientSoftwareName: 'wire', clientSoftwareVersion: '1' });
    const keys = (res.apiKeys as { apiKey: number; minVersion: number; maxVersion: number }[]).filter((k) => [17, 36, 50, 51].includes(k.apiKey));
    expect(keys).toEqual([
      { apiKey: 17, minVersion: 0, maxVersion: 1 },
      { apiKey: 36, minVersion: 0, maxVersion: 2 },
      { apiKey: 50, minVersion: 0, maxVersion: 0 },
      { apiKey: 51, minVersion: 0, maxVersion: 0 },
    ]);
    c.socket.write(rawRequest(18, 3, { clientSoftwareName: 'wire', clientSoftwareVersion: '1' }));
    expect(await closesSilently(c)).toBe(true);
    const d = await RawClient.connect(kafkaPort(server));
    expect((await d.call(18, 0, {})).errorCode).toBe(0);
    d.socket.write(rawRequest(3, 1, metadata));
    expect(await closesSilently(d)).toBe(true);
  });

  it('a KIP-511 downgrade answer keeps ApiVersions allowed, then handshake and authentication proceed', async () => {
    const c = await RawClient.connect(kafkaPort(server));
    c.socket.write(rawRequest(18, 9, {}));
    expect(parse(18, 0, await c.next(), 7).errorCode).toBe(35);
    expect((await c.call(18, 3, { clientSoftwareName: 'wire', clientSoftwareVersion: '1' })).errorCode).toBe(0);
    expect((await c.call(17, 1, { mechanism: 'PLAIN' })).errorCode).toBe(0);
    expect((await c.call(36, 1, { authBytes: Buffer.from('alice\0alice\0alice-secret') })).errorCode).toBe(0);
    expect((await c.call(3, 1, metadata)).brokers).toHaveLength(1);
    c.socket.destroy();
  });

  it('an unsupported mechanism gets UNSUPPORTED_SASL_MECHANISM with the enabled list, then the connection closes', async () => {
    const c = await RawClient.connect(kafkaPort(server));
    expect(await c.call(17, 1, { mechanism: 'GSSAPI' })).toEqual({ errorCode: 33, mechanisms: ALL });
    expect(await closes(c)).toBe(true);
    const d = await RawClient.connect(kafkaPort(server));
    expect(await d.call(17, 0, { mechanism: 'plain' })).toEqual({ errorCode: 33, mechanisms: ALL });
    expect(await closes(d)).toBe(true);
  });

  it('after a v1 handshake only SaslAuthenticate is taken', async () => {
    const c = await RawClient.connect(kafkaPort(server));
    expect((await c.call(17, 1, { mechanism: 'PLAIN' })).errorCode).toBe(0);
    c.socket.write(rawRequest(3, 1, metadata));
    expect(await closesSilently(c)).toBe(true);
  });

  it('a frame above sasl.server.max.receive.size (512 KiB) closes the connection', async () => {
    const c = await RawClient.connect(kafkaPort(server));
    const head = Buffer.alloc(4);
    head.writeInt32BE(524_289, 0);
    c.socket.write(head);
    expect(await closesSilently(c)).toBe(true);
  });
});

describe('SaslHandshake v1 + SaslAuthenticate', () => {
  it('PLAIN succeeds, the connection then serves every API; handshake and authenticate again are ILLEGAL_SASL_STATE', async () => {
    const c = await authenticated();
    expect((await c.call(3, 1, metadata)).brokers).toHaveLength(1);
    expect(await c.call(17, 1, { mechanism: 'PLAIN' })).toEqual({ errorCode: 34, mechanisms: [] });
    expect(await c.call(36, 0, { authBytes: Buffer.alloc(0) })).toEqual({ errorCode: 34, errorMessage: 'SaslAuthenticate request received after successful authentication', authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 });
    expect((await c.call(3, 1, metadata)).brokers).toHaveLength(1);
    c.socket.destroy();
  });

  it('a wrong PLAIN password: SASL_AUTHENTICATION_FAILED with Kafka\'s message, then close', async () => {
    const c = await RawClient.connect(kafkaPort(server));
    await c.call(17, 1, { mechanism: 'PLAIN' });
    expect(await c.call(36, 1, { authBytes: Buffer.from('\0alice\0wrong') })).toEqual({ errorCode: 58, errorMessage: 'Authentication failed: Invalid username or password', authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 });
    expect(await closes(c)).toBe(true);
  });

  it.each([
    ['no separators', Buffer.from('alice-secret'), GENERIC('PLAIN')],
    ['four tokens', Buffer.from('\0alice\0x\0y'), GENERIC('PLAIN')],
    ['empty token', Buffer.alloc(0), GENERIC('PLAIN')],
    ['empty user', Buffer.from('\0\0pw'), 'Authentication failed: username not specified'],
    ['empty password', Buffer.from('\0alice\0'), 'Authentication failed: password not specified'],
    ['other authzid', Buffer.from('bob\0alice\0alice-secret'), 'Authentication failed: Client requested an authorization id that is different from username'],
    ['binary garbage in three parts', Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x00, 0xc3]), 'Authentication failed: Invalid username or password'],
    ['binary garbage', Buffer.from([0xff, 0xfe, 0x80, 0xc3]), GENERIC('PLAIN')],
  ])('malformed PLAIN token (%s) fails with Kafka\'s text and closes', async (_name, token, message) => {
    const c = await RawClient.connect(kafkaPort(server));
    await c.call(17, 1, { mechanism: 'PLAIN' });
    expect(await c.call(36, 2, { authBytes: token })).toMatchObject({ errorCode: 58, errorMessage: message });
    expect(await closes(c)).toBe(true);
  });

  it.each(['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const)('%s: full exchange, the server proves it holds ServerKey', async (mechanism) => {
    const c = await RawClient.connect(kafkaPort(server));
    expect((await c.call(17, 1, { mechanism })).errorCode).toBe(0);
    const scram = new ScramClient(mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512', 'alice', 'alice-secret');
    const first = await c.call(36, 2, { authBytes: scram.first() });
    expect(first.errorCode).toBe(0);
    expect(String(first.authBytes)).toMatch(new RegExp(`^r=${scram.nonce}[^,]+,s=[A-Za-z0-9+/=]+,i=4096$`));
    const final = await c.call(36, 2, { authBytes: scram.final(first.authBytes as Buffer) });
    expect(final.errorCode).toBe(0);
    expect(scram.verify(final.authBytes as Buffer)).toBe(true);
    expect((await c.call(3, 1, metadata)).brokers).toHaveLength(1);
    c.socket.destroy();
  });

  it.each([
    ['garbage first message', [Buffer.from('hello')]],
    ['channel binding requested', [Buffer.from('p=tls-unique,,n=alice,r=abc')]],
    ['unknown extension', [Buffer.from('n,,n=alice,r=abc,foo=bar')]],
    ['delegation token', [Buffer.from('n,,n=alice,r=abc,tokenauth=true')]],
    ['unknown user', [Buffer.from('n,,n=mallory,r=abc')]],
    ['binary', [Buffer.from([0, 1, 2, 255, 254])]],
  ])('malformed SCRAM (%s): the generic SCRAM failure, then close', async (_name, tokens) => {
    const c = await RawClient.connect(kafkaPort(server));
    await c.call(17, 1, { mechanism: 'SCRAM-SHA-256' });
    expect(await c.call(36, 2, { authBytes: tokens[0] })).toMatchObject({ errorCode: 58, errorMessage: GENERIC('SCRAM-SHA-256') });
    expect(await closes(c)).toBe(true);
  });

  it('SCRAM accepts a final nonce that ends with the combined one (Kafka\'s endsWith; librdkafka 2.0.2 repeats its own)', async () => {
    const c = await RawClient.connect(kafkaPort(server));
    await c.call(17, 1, { mechanism: 'SCRAM-SHA-256' });
    const scram = new ScramClient('sha256', 'alice', 'alice-secret');
    const first = await c.call(36, 2, { authBytes: scram.first() });
    const final = await c.call(36, 2, { authBytes: scram.final(first.authBytes as Buffer, false, true) });
    expect(final.errorCode).toBe(0);
    expect(scram.verify(final.authBytes as Buffer)).toBe(true);
    c.socket.destroy();
  });

  it('SCRAM final messages that are wrong: bad proof, wrong nonce, garbage', async () => {
    for (const make of [
      (s: ScramClient, sf: Buffer) => s.final(sf, true),
      (s: ScramClient, sf: Buffer) => Buffer.from(s.final(sf).toString().replace(/r=[^,]+/, 'r=other')),
      () => Buffer.from('c=biws,p=!!!'),
      () => Buffer.alloc(0),
    ]) {
      const c = await RawClient.connect(kafkaPort(server));
      await c.call(17, 1, { mechanism: 'SCRAM-SHA-512' });
      const scram = new ScramClient('sha512', 'alice', 'alice-secret');
      const first = await c.call(36, 2, { authBytes: scram.first() });
      expect(await c.call(36, 2, { authBytes: make(scram, first.authBytes as Buffer) })).toMatchObject({ errorCode: 58, errorMessage: GENERIC('SCRAM-SHA-512') });
      expect(await closes(c)).toBe(true);
    }
  });

  it('the server keeps serving after all of that', async () => {
    const c = await authenticated();
    expect((await c.call(3, 1, metadata)).brokers).toHaveLength(1);
    c.socket.destroy();
  });
});

describe('SaslHandshake v0 + bare SASL tokens (kafka-python style)', () => {
  it('PLAIN: the answer is an empty size-prefixed token, then Kafka requests follow', async () => {
    const c = await RawClient.connect(kafkaPort(server));
    expect(await c.call(17, 0, { mechanism: 'PLAIN' })).toEqual({ errorCode: 0, mechanisms: ALL });
    c.socket.write(rawFrame(Buffer.from('alice\0alice\0alice-secret')));
    expect((await c.next()).length).toBe(0);
    expect((await c.call(3, 1, metadata)).brokers).toHaveLength(1);
    c.socket.destroy();
  });

  it('PLAIN with a wrong password: closed without a word (v0 has no error frame)', async () => {
    const c = await RawClient.connect(kafkaPort(server));
    await c.call(17, 0, { mechanism: 'PLAIN' });
    c.socket.write(rawFrame(Buffer.from('\0alice\0nope')));
    expect(await closesSilently(c)).toBe(true);
  });

  it('SCRAM-SHA-256 over bare tokens', async () => {
    const c = await RawClient.connect(kafkaPort(server));
    await c.call(17, 0, { mechanism: 'SCRAM-SHA-256' });
    const scram = new ScramClient('sha256', 'alice', 'alice-secret');
    c.socket.write(rawFrame(scram.first()));
    const serverFirst = await c.next();
    c.socket.write(rawFrame(scram.final(serverFirst)));
    expect(scram.verify(await c.next())).toBe(true);
    expect((await c.call(3, 1, metadata)).brokers).toHaveLength(1);
    c.socket.destroy();
  });
});

describe('on a PLAINTEXT listener', () => {
  it('SaslHandshake and SaslAuthenticate get ILLEGAL_SASL_STATE and the connection stays usable', async () => {
    const c = await RawClient.connect(kafkaPort(plain));
    expect(await c.call(17, 1, { mechanism: 'PLAIN' })).toEqual({ errorCode: 34, mechanisms: [] });
    expect((await c.call(36, 1, { authBytes: Buffer.from('\0alice\0alice-secret') })).errorCode).toBe(34);
    expect((await c.call(3, 1, metadata)).brokers).toHaveLength(1);
    c.socket.destroy();
  });

  it('DescribeConfigs reports the listener security protocol map', async () => {
    const c = await authenticated();
    const res = await c.call(32, 1, { resources: [{ resourceType: 4, resourceName: '1', configurationKeys: ['listener.security.protocol.map'] }], includeSynonyms: false });
    const entries = (res.results as { configs: { name: string; value: string }[] }[])[0]?.configs;
    expect(entries?.find((e) => e.name === 'listener.security.protocol.map')?.value).toBe('PLAINTEXT:SASL_PLAINTEXT');
    c.socket.destroy();
  });
});
