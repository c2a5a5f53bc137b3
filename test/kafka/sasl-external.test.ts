// SASL with the Debian-packaged clients: kcat and confluent-kafka (librdkafka 2.0.2:
// SaslHandshake v1 + SaslAuthenticate) and kafka-python 2.0.2 (SaslHandshake v0 + bare SASL
// tokens), each with PLAIN and SCRAM, good passwords producing and consuming, bad ones refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { kcat, py } from './external-clients.js';

let server: TestServer;
let broker: string;

beforeAll(async () => {
  server = await startTestServer({
    protocols: ['kafka'],
    extra: { KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:SASL_PLAINTEXT' },
    resources: { kafka: { topics: [{ name: 'sasl-ext', partitions: 1 }], users: [{ name: 'alice', password: 'alice-secret' }] } },
  });
  broker = `127.0.0.1:${String(server.ports.kafka)}`;
});
afterAll(async () => {
  await server.stop();
});

function saslArgs(mechanism: string, password: string): string[] {
  return ['-b', broker, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', `sasl.mechanisms=${mechanism}`, '-X', 'sasl.username=alice', '-X', `sasl.password=${password}`];
}

describe('kcat', () => {
  it.each(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'])('%s: produces and consumes with the right password', async (mechanism) => {
    const value = `kcat-${mechanism}`;
    await kcat([...saslArgs(mechanism, 'alice-secret'), '-P', '-t', 'sasl-ext'], `${value}\n`);
    const out = await kcat([...saslArgs(mechanism, 'alice-secret'), '-C', '-t', 'sasl-ext', '-o', 'beginning', '-e', '-q']);
    expect(out.split('\n')).toContain(value);
  });

  it.each([
    ['PLAIN', 'Authentication failed: Invalid username or password'],
    ['SCRAM-SHA-256', 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256'],
  ])('%s with a wrong password fails with Kafka\'s message', async (mechanism, message) => {
    const err = await kcat([...saslArgs(mechanism, 'wrong'), '-L', '-m', '1'], '', 15_000).then(() => null, (e: Error) => e.message);
    expect(err).toContain(message);
  });
});

describe.each(['confluent', 'kafka-python'])('%s', (client) => {
  it.each(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'])('%s: a good password produces and consumes', async (mechanism) => {
    const value = `${client}-${mechanism}`;
    const res = await py('sasl', { client, bootstrap: broker, topic: 'sasl-ext', value, mechanism, username: 'alice', password: 'alice-secret' });
    expect(res).toMatchObject({ ok: true });
  });

  it.each([
    ['PLAIN', 'Authentication failed: Invalid username or password'],
    ['SCRAM-SHA-512', 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512'],
  ])('%s: a wrong password is refused', async (mechanism, message) => {
    const res = await py('sasl', { client, bootstrap: broker, topic: 'sasl-ext', value: 'never', mechanism, username: 'alice', password: 'wrong' });
    expect(res.ok).toBe(false);
    if (client === 'confluent') {
      // librdkafka shows the broker's SaslAuthenticate error message.
      expect(res.errors[0]).toMatchObject({ code: '_AUTHENTICATION' });
      expect(res.errors[0].message).toContain(`SASL authentication error: ${message}`);
    } else {
      // After a v0 handshake Kafka has no error frame: the broker just closes the connection.
      expect(res.error).toBe('NoBrokersAvailable');
      expect(res.log.join('\n')).toMatch(/in the clear[\s\S]*Connection reset/);
    }
  });
});
