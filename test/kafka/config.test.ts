// Startup configuration of the Kafka front-end: topics predeclared in the --config document
// (partitions and configs, validated by checkResources with JSON paths in the errors) and
// several listeners in Kafka's KAFKA_LISTENERS / KAFKA_ADVERTISED_LISTENERS syntax, each
// answering Metadata with its own advertised address (checked with kcat -L and kafkajs).
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { kafka as kafkaFrontEnd } from '../../src/kafka/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { kcat } from './external-clients.js';

const started: TestServer[] = [];
afterAll(async () => {
  for (const s of started) await s.stop();
});

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

function client(port: number): Kafka {
  return new Kafka({ clientId: 'cfg-it', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50 } });
}

describe('predeclared topics', () => {
  it('creates the topics of the --config document with their partitions and configs', async () => {
    const server = await startTestServer({
      protocols: ['kafka'],
      resources: { kafka: { topics: [{ name: 'orders', partitions: 3, configs: { 'retention.ms': '3600000', 'cleanup.policy': 'delete' } }, { name: 'events' }] } },
    });
    started.push(server);
    const meta = JSON.parse(await kcat(['-b', `127.0.0.1:${server.ports.kafka}`, '-L', '-J'])) as { topics: { topic: string; partitions: unknown[] }[] };
    expect(meta.topics.map((t) => [t.topic, t.partitions.length]).sort()).toEqual([['events', 1], ['orders', 3]]);
    const admin = client(server.ports.kafka as number).admin();
    await admin.connect();
    const d = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'orders', configNames: ['retention.ms', 'cleanup.policy'] }] });
    await admin.disconnect();
    expect(d.resources[0]?.configEntries.map((e) => [e.configName, e.configValue, e.configSource])).toEqual([
      ['cleanup.policy', 'delete', 1],
      ['retention.ms', '3600000', 1],
    ]);
  });

  it('rejects bad declarations with the JSON path of the problem', async () => {
    const check = (section: unknown): string => {
      try {
        kafkaFrontEnd.checkResources?.(section, '$.kafka');
        return 'ok';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(check({ topics: [{ name: 'ok', partitions: 2, configs: { 'max.message.bytes': '100' } }] })).toBe('ok');
    expect(check({ topics: [{ name: 'bad name' }] })).toContain('$.kafka.topics[0].name');
    expect(check({ topics: [{ name: 'a' }, { name: 'a' }] })).toContain('declared twice');
    expect(check({ topics: [{ name: 'a', partitions: 0 }] })).toContain('$.kafka.topics[0].partitions');
    expect(check({ topics: [{ name: 'a', configs: { 'retention.ms': 'soon' } }] })).toContain('$.kafka.topics[0].configs.retention.ms');
    expect(check({ topics: [{ name: 'a', configs: { 'no.such': '1' } }] })).toContain('Unknown topic config name: no.such');
    expect(check({ queues: [] })).toContain('$.kafka');
    await expect(startTestServer({ protocols: ['kafka'], resources: { kafka: { topics: [{ name: '' }] } } })).rejects.toThrow(/\$\.kafka\.topics\[0\]\.name/);
  });
});

describe('several listeners', () => {
  it('answers Metadata with the advertised address of the listener used', async () => {
    const docker = await freePort();
    const server = await startTestServer({
      protocols: ['kafka'],
      extra: {
        KAFKA_LISTENERS: `PLAINTEXT://127.0.0.1:0,DOCKER://127.0.0.1:${docker}`,
        KAFKA_ADVERTISED_LISTENERS: 'DOCKER://omnibroker.internal:29092',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,DOCKER:PLAINTEXT',
      },
    });
    started.push(server);
    const host = JSON.parse(await kcat(['-b', `127.0.0.1:${server.ports.kafka}`, '-L', '-J'])) as { brokers: { id: number; name: string }[] };
    expect(host.brokers).toEqual([{ id: 1, name: `127.0.0.1:${server.ports.kafka}` }]);
    const container = JSON.parse(await kcat(['-b', `127.0.0.1:${docker}`, '-L', '-J'])) as { brokers: { id: number; name: string }[] };
    expect(container.brokers).toEqual([{ id: 1, name: 'omnibroker.internal:29092' }]);

    // A full client on the host listener produces and reads as usual.
    const k = client(server.ports.kafka as number);
    const producer = k.producer();
    await producer.connect();
    await producer.send({ topic: 'via-host', messages: [{ value: 'x' }] });
    await producer.disconnect();
    const admin = k.admin();
    await admin.connect();
    const broker = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configNames: ['listeners', 'advertised.listeners'] }] });
    await admin.disconnect();
    expect(Object.fromEntries(broker.resources[0]?.configEntries.map((e) => [e.configName, e.configValue]) ?? [])).toEqual({
      listeners: `PLAINTEXT://127.0.0.1:${server.ports.kafka},DOCKER://127.0.0.1:${docker}`,
      'advertised.listeners': `PLAINTEXT://127.0.0.1:${server.ports.kafka},DOCKER://omnibroker.internal:29092`,
    });
    expect(server.core.topics.get('via-host')?.partitions[0]?.highWatermark).toBe(1);
  });

  it('refuses SSL/SASL_SSL listeners and malformed entries at startup', async () => {
    await expect(startTestServer({ protocols: ['kafka'], extra: { KAFKA_LISTENERS: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0' } })).rejects.toThrow(/only PLAINTEXT and SASL_PLAINTEXT listeners are supported \(security protocol SSL\)/);
    await expect(startTestServer({ protocols: ['kafka'], extra: { KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:SASL_SSL' } })).rejects.toThrow(/security protocol SASL_SSL/);
    await expect(startTestServer({ protocols: ['kafka'], extra: { KAFKA_ADVERTISED_LISTENERS: 'localhost:9092' } })).rejects.toThrow(/NAME:\/\/host:port/);
  });
});
