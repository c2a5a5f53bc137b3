// python3-kafka (kafka-python 2.0.2) against omnibroker. It infers the broker version from an
// ApiVersions v0 answer and then uses fixed old versions (Metadata v1, Produce v7, Fetch v4,
// JoinGroup v2, OffsetCommit v2, OffsetFetch v1): producer with keys/headers/NULLs/timestamps,
// a plain consumer, a two-member group, and the admin client's topic and group calls.
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

describe('kafka-python admin', () => {
  it('creates, lists and deletes topics', async () => {
    const created = await py('kafkaPython', { cmd: 'admin', op: 'create_topics', bootstrap, topics: [{ name: 'kp-a', partitions: 2 }, { name: 'kp-b', configs: { 'cleanup.policy': 'delete' } }] });
    expect(created).toEqual({ 'kp-a': 0, 'kp-b': 0 });
    expect(server.core.topics.get('kp-a')?.partitions.length).toBe(2);
    expect(await py('kafkaPython', { cmd: 'admin', op: 'list_topics', bootstrap })).toEqual(['kp-a', 'kp-b']);
    expect(await py('kafkaPython', { cmd: 'admin', op: 'delete_topics', bootstrap, topics: ['kp-b'] })).toEqual({ 'kp-b': 0 });
    expect(server.core.topics.get('kp-b')).toBeUndefined();
  });
});

describe('kafka-python producer and consumer', () => {
  it('round-trips keys, headers, NULL key/value and timestamps with record batch v2', async () => {
    server.core.topics.create('kp-rt', 1);
    const sent = await py<{ reports: { error: string | null; offset: number }[]; version: number[] }>('kafkaPython', {
      cmd: 'produce',
      bootstrap,
      topic: 'kp-rt',
      messages: [
        { key: 'k1', value: 'v1', headers: [['h1', 'x']], timestamp: 1700000000123 },
        { key: null, value: 'no key' },
        { key: 'tomb', value: null },
      ],
    });
    expect(sent.reports.map((r) => [r.error, r.offset])).toEqual([[null, 0], [null, 1], [null, 2]]);
    // The version kafka-python inferred from our ApiVersions answer decides its wire format.
    expect(sent.version[0]).toBeGreaterThanOrEqual(2);
    const entry = [...(server.core.topics.get('kp-rt')?.partitions[0]?.all() ?? [])][0];
    expect(entry?.bytes.readInt8(16)).toBe(2);
    const got = await py<{ messages: PyMessage[] }>('kafkaPython', { cmd: 'consume', bootstrap, topic: 'kp-rt', count: 3, timeout: 10 });
    expect(got.messages.map((m) => [m.offset, m.key, m.value, m.headers])).toEqual([
      [0, 'k1', 'v1', [['h1', 'x']]],
      [1, null, 'no key', []],
      [2, 'tomb', null, []],
    ]);
    expect([got.messages[0]?.timestampType, got.messages[0]?.timestamp]).toEqual([0, 1700000000123]);
  });
});

describe('kafka-python consumer group', () => {
  it('splits partitions between two members, rebalances on leave and keeps commits', async () => {
    server.core.topics.create('kp-grp', 2);
    const messages = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 2 }));
    await py('kafkaPython', { cmd: 'produce', bootstrap, topic: 'kp-grp', messages });
    const r = await py<{ split: { c1: number[]; c2: number[] }; after: number[]; seen: number; committed: [number, number][] }>('kafkaPython', { cmd: 'group', bootstrap, topic: 'kp-grp', group: 'kp-group', partitions: 2, count: 10 });
    expect([...r.split.c1, ...r.split.c2].sort()).toEqual([0, 1]);
    expect(r.split.c1.length).toBe(1);
    expect(r.after).toEqual([0, 1]);
    expect(r.committed).toEqual([[0, 5], [1, 5]]);

    const groups = await py<{ listed: string[]; described: Record<string, { state: string; members: number }>; offsets: Record<string, [string, number, number][]> }>('kafkaPython', { cmd: 'admin', op: 'groups', bootstrap });
    expect(groups.listed).toContain('kp-group');
    expect(groups.described['kp-group']).toEqual({ state: 'Empty', members: 0 });
    expect(groups.offsets['kp-group']).toEqual([['kp-grp', 0, 5], ['kp-grp', 1, 5]]);
    expect(await py('kafkaPython', { cmd: 'admin', op: 'delete_groups', bootstrap, groups: ['kp-group', 'kp-nope'] })).toEqual({ 'kp-group': null, 'kp-nope': 'GroupIdNotFoundError' });
  });
});
