// kcat 1.7.1 (librdkafka 2.0.2) against omnibroker: -L metadata, produce with keys, headers and
// NULL values, consume as JSON, the balanced consumer (-G) committing its offsets, and records
// written by kcat read back by kafkajs (and the other way round).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { kcat } from './external-clients.js';
import { readMessages } from './kafkajs-read.js';

let server: TestServer;
let kafka: Kafka;
let broker: string;

interface KcatRecord {
  topic: string;
  partition: number;
  offset: number;
  tstype: string;
  ts: number;
  headers?: string[];
  key: string | null;
  payload: string | null;
}

function records(out: string): KcatRecord[] {
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as KcatRecord);
}

beforeAll(async () => {
  server = await startTestServer({ protocols: ['kafka'] });
  broker = `127.0.0.1:${server.ports.kafka}`;
  kafka = new Kafka({ clientId: 'kcat-it', brokers: [broker], logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 50 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'kc-meta', numPartitions: 3 }, { topic: 'kc-rt', numPartitions: 1 }, { topic: 'kc-grp', numPartitions: 2 }] });
  await admin.disconnect();
});
afterAll(async () => {
  await server.stop();
});

describe('kcat', () => {
  it('lists metadata (-L): one broker that is the controller, partitions led by it', async () => {
    const meta = JSON.parse(await kcat(['-b', broker, '-L', '-J', '-t', 'kc-meta'])) as {
      controllerid: number;
      brokers: { id: number; name: string }[];
      topics: { topic: string; partitions: { partition: number; leader: number; replicas: { id: number }[]; isrs: { id: number }[] }[] }[];
    };
    expect(meta.controllerid).toBe(1);
    expect(meta.brokers).toEqual([{ id: 1, name: broker }]);
    expect(meta.topics[0]?.topic).toBe('kc-meta');
    expect(meta.topics[0]?.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isrs])).toEqual([0, 1, 2].map((i) => [i, 1, [{ id: 1 }], [{ id: 1 }]]));
  });

  it('produces keys, headers and NULL values that kcat and kafkajs read back', async () => {
    await kcat(['-b', broker, '-t', 'kc-rt', '-P', '-K', ':', '-Z', '-H', 'trace=abc', '-H', 'n=2'], 'k1:v1\nk2:\n:v3\n');
    const got = records(await kcat(['-b', broker, '-t', 'kc-rt', '-C', '-e', '-J']));
    expect(got.map((r) => [r.offset, r.key, r.payload, r.headers])).toEqual([
      [0, 'k1', 'v1', ['trace', 'abc', 'n', '2']],
      [1, 'k2', null, ['trace', 'abc', 'n', '2']],
      [2, null, 'v3', ['trace', 'abc', 'n', '2']],
    ]);
    expect(got[0]?.tstype).toBe('create');
    expect(Math.abs((got[0]?.ts ?? 0) - Date.now())).toBeLessThan(60_000);

    // kafkajs writes; kcat reads, starting from an explicit offset.
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'kc-rt', messages: [{ key: 'js', value: 'from kafkajs', headers: { via: 'js' }, timestamp: '1700000000000' }] });
    await producer.disconnect();
    const tail = records(await kcat(['-b', broker, '-t', 'kc-rt', '-C', '-o', '3', '-e', '-J']));
    expect(tail).toEqual([expect.objectContaining({ offset: 3, key: 'js', payload: 'from kafkajs', headers: ['via', 'js'], ts: 1700000000000 })]);

    // kcat's records read by kafkajs.
    const seen = await readMessages(kafka.consumer({ groupId: 'kc-js-reader', maxWaitTimeInMs: 100 }), 'kc-rt', 4, (m) => ({ key: m.key?.toString() ?? null, value: m.value?.toString() ?? null, trace: m.headers?.trace?.toString() }));
    expect(seen.slice(0, 3)).toEqual([
      { key: 'k1', value: 'v1', trace: 'abc' },
      { key: 'k2', value: null, trace: 'abc' },
      { key: null, value: 'v3', trace: 'abc' },
    ]);
  });

  it('consumes as a balanced group member (-G) and commits its offsets', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => `key${i}:value${i}`).join('\n') + '\n';
    await kcat(['-b', broker, '-t', 'kc-grp', '-P', '-K', ':'], lines);
    const got = records(await kcat(['-b', broker, '-G', 'kc-group', '-X', 'auto.offset.reset=earliest', '-c', '10', '-J', 'kc-grp']));
    expect(got.map((r) => r.payload).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `value${i}`).sort());
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: 'kc-group', topics: ['kc-grp'] });
    await admin.disconnect();
    const committed = offsets[0]?.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    expect(committed).toBe(10);
  });
});
