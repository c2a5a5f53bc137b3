// python3-confluent-kafka 1.7 (librdkafka 2.0.2) against omnibroker: the producer with keys,
// headers, NULLs and explicit timestamps, a plain (assigned) consumer, a two-member consumer
// group that rebalances when a member leaves and keeps committed offsets, and AdminClient
// topic calls. librdkafka picks features from single versions in our ApiVersions ranges
// (reference section 0), so this suite is the check that those ranges are right.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { py, type PyMessage } from './external-clients.js';

let server: TestServer;
let bootstrap: string;

beforeAll(async () => {
  server = await startTestServer({ protocols: ['kafka'] });
  bootstrap = `127.0.0.1:${server.ports.kafka}`;
});
afterAll(async () => {
  await server.stop();
});

describe('confluent-kafka AdminClient', () => {
  it('creates, lists and deletes topics with Kafka error names', async () => {
    const created = await py('confluent', { cmd: 'admin', op: 'create_topics', bootstrap, topics: [{ name: 'ck-a', partitions: 3 }, { name: 'ck-b', partitions: 1, configs: { 'retention.ms': '60000' } }] });
    expect(created).toEqual({ 'ck-a': null, 'ck-b': null });
    expect(server.core.topics.get('ck-b')?.configs.get('retention.ms')).toBe('60000');
    const again = await py('confluent', { cmd: 'admin', op: 'create_topics', bootstrap, topics: [{ name: 'ck-a', partitions: 3 }, { name: 'ck bad', partitions: 1 }, { name: 'ck-rf', partitions: 1, replication: 3 }] });
    // librdkafka names error 17 (INVALID_TOPIC_EXCEPTION) TOPIC_EXCEPTION.
    expect(again).toEqual({ 'ck-a': 'TOPIC_ALREADY_EXISTS', 'ck bad': 'TOPIC_EXCEPTION', 'ck-rf': 'INVALID_REPLICATION_FACTOR' });
    const dry = await py('confluent', { cmd: 'admin', op: 'create_topics', bootstrap, validateOnly: true, topics: [{ name: 'ck-dry', partitions: 2 }] });
    expect(dry).toEqual({ 'ck-dry': null });
    expect(server.core.topics.get('ck-dry')).toBeUndefined();

    const md = await py<{ controller: number; brokers: Record<string, string>; topics: Record<string, { partitions: Record<string, { leader: number; replicas: number[]; isrs: number[] }> }> }>('confluent', { cmd: 'admin', op: 'list_topics', bootstrap });
    expect(md.controller).toBe(1);
    expect(md.brokers).toEqual({ 1: bootstrap });
    expect(Object.keys(md.topics['ck-a']?.partitions ?? {}).sort()).toEqual(['0', '1', '2']);
    expect(md.topics['ck-a']?.partitions['2']).toEqual({ leader: 1, replicas: [1], isrs: [1] });

    expect(await py('confluent', { cmd: 'admin', op: 'delete_topics', bootstrap, topics: ['ck-a', 'ck-missing'] })).toEqual({ 'ck-a': null, 'ck-missing': 'UNKNOWN_TOPIC_OR_PART' });
    expect(server.core.topics.get('ck-a')).toBeUndefined();
  });
});

describe('confluent-kafka producer and consumer', () => {
  it('round-trips keys, headers, NULL key/value and timestamps', async () => {
    server.core.topics.create('ck-rt', 1);
    const sent = await py<{ left: number; reports: { error: string | null; offset: number }[] }>('confluent', {
      cmd: 'produce',
      bootstrap,
      topic: 'ck-rt',
      messages: [
        { key: 'k1', value: 'v1', headers: [['h1', 'x'], ['h2', null]], timestamp: 1700000000123 },
        { key: null, value: 'no key' },
        { key: 'tomb', value: null },
      ],
    });
    expect(sent.left).toBe(0);
    expect(sent.reports.map((r) => [r.error, r.offset])).toEqual([[null, 0], [null, 1], [null, 2]]);
    const got = await py<{ messages: PyMessage[]; errors: string[] }>('confluent', { cmd: 'consume', bootstrap, topic: 'ck-rt', count: 3 });
    expect(got.errors).toEqual([]);
    expect(got.messages.map((m) => [m.offset, m.key, m.value, m.headers])).toEqual([
      [0, 'k1', 'v1', [['h1', 'x'], ['h2', null]]],
      [1, null, 'no key', []],
      [2, 'tomb', null, []],
    ]);
    // TIMESTAMP_CREATE_TIME = 1 in librdkafka.
    expect([got.messages[0]?.timestampType, got.messages[0]?.timestamp]).toEqual([1, 1700000000123]);
  });

  it('produces with acks=0 and acks=1 and reads from a given offset', async () => {
    server.core.topics.create('ck-acks', 1);
    for (const acks of ['0', '1']) {
      const r = await py<{ left: number }>('confluent', { cmd: 'produce', bootstrap, topic: 'ck-acks', acks, messages: [{ value: `acks-${acks}` }] });
      expect(r.left).toBe(0);
    }
    const log = server.core.topics.get('ck-acks')?.partitions[0];
    expect(log?.highWatermark).toBe(2);
    const got = await py<{ messages: PyMessage[] }>('confluent', { cmd: 'consume', bootstrap, topic: 'ck-acks', offset: 1, count: 1 });
    expect(got.messages.map((m) => [m.offset, m.value])).toEqual([[1, 'acks-1']]);
  });

  it('does not auto-create topics for the producer when auto-creation is off', async () => {
    const off = await startTestServer({ protocols: ['kafka'], extra: { KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false' } });
    try {
      const r = await py<{ left: number; reports: { error: string | null }[] }>('confluent', {
        cmd: 'produce',
        bootstrap: `127.0.0.1:${off.ports.kafka}`,
        topic: 'nope',
        conf: { 'message.timeout.ms': 1500 },
        messages: [{ value: 'x' }],
      });
      // Metadata answers UNKNOWN_TOPIC_OR_PARTITION; librdkafka keeps the message queued
      // (topic.metadata.propagation.max.ms) until message.timeout.ms expires.
      expect(r.reports.map((x) => x.error)).toEqual(['_MSG_TIMED_OUT']);
      expect(off.core.topics.get('nope')).toBeUndefined();
    } finally {
      await off.stop();
    }
  });
});

describe('confluent-kafka consumer group', () => {
  it('splits partitions between two members, rebalances on leave and keeps commits', async () => {
    server.core.topics.create('ck-grp', 4);
    const messages = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 4 }));
    await py('confluent', { cmd: 'produce', bootstrap, topic: 'ck-grp', messages });
    const r = await py<{ split: { c1: number[]; c2: number[] }; after: number[]; seen: number; committed: [number, number][] }>('confluent', { cmd: 'group', bootstrap, topic: 'ck-grp', group: 'ck-group', partitions: 4, count: 20 });
    expect(r.split.c1.length).toBe(2);
    expect([...r.split.c1, ...r.split.c2].sort()).toEqual([0, 1, 2, 3]);
    expect(r.after).toEqual([0, 1, 2, 3]);
    expect(r.seen).toBeGreaterThanOrEqual(20);
    expect(r.committed).toEqual([[0, 5], [1, 5], [2, 5], [3, 5]]);

    // A new member of the same group resumes after the committed offsets: nothing old is re-read.
    await py('confluent', { cmd: 'produce', bootstrap, topic: 'ck-grp', messages: [{ value: 'late', partition: 2 }] });
    const resumed = await py<{ messages: PyMessage[]; committed: [number, number][] }>('confluent', { cmd: 'consume', bootstrap, topic: 'ck-grp', group: 'ck-group', count: 1, commit: true, partitions: [0, 1, 2, 3] });
    expect(resumed.messages.map((m) => [m.partition, m.offset, m.value])).toEqual([[2, 5, 'late']]);
    expect(resumed.committed).toEqual([[0, 5], [1, 5], [2, 6], [3, 5]]);

    const groups = await py<Record<string, { state: string; protocolType: string; members: number }>>('confluent', { cmd: 'admin', op: 'list_groups', bootstrap });
    expect(groups['ck-group']).toEqual({ state: 'Empty', protocolType: 'consumer', members: 0 });
  });
});
