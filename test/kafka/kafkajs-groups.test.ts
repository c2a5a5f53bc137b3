// kafkajs consumer groups: several members sharing partitions, rebalancing on join/leave,
// committed offsets resumed by a later member, and the group admin calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let kafka: Kafka;

beforeAll(async () => {
  server = await startTestServer({ protocols: ['kafka'] });
  kafka = new Kafka({ clientId: 'grp', brokers: [`127.0.0.1:${server.ports.kafka}`], logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 50 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'shared', numPartitions: 4 }, { topic: 'resume', numPartitions: 2 }] });
  await admin.disconnect();
});
afterAll(async () => {
  await server.stop();
});

async function waitFor(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function member(groupId: string, seen: Map<string, string[]>, name: string): Consumer {
  const c = kafka.consumer({ groupId, heartbeatInterval: 300, maxWaitTimeInMs: 100, sessionTimeout: 6000, rebalanceTimeout: 6000 });
  c.on(c.events.GROUP_JOIN, () => undefined);
  void (async () => {
    await c.connect();
    await c.subscribe({ topic: 'shared', fromBeginning: true });
    await c.run({
      eachMessage: async ({ message }) => {
        const list = seen.get(name) ?? [];
        list.push(message.value?.toString() ?? '');
        seen.set(name, list);
      },
    });
  })();
  return c;
}

describe('kafkajs consumer groups', () => {
  it('splits partitions between members and rebalances when one leaves', async () => {
    const seen = new Map<string, string[]>();
    const assignments = new Map<string, number>();
    const a = member('g-shared', seen, 'a');
    const b = member('g-shared', seen, 'b');
    for (const [name, c] of [['a', a], ['b', b]] as const) {
      c.on(c.events.GROUP_JOIN, (e) => {
        assignments.set(name, (e.payload.memberAssignment.shared ?? []).length);
      });
    }
    await waitFor(() => assignments.get('a') === 2 && assignments.get('b') === 2, 'two members with two partitions each');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'shared', messages: Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `m${i}`, partition: i % 4 })) });
    const total = (): number => (seen.get('a')?.length ?? 0) + (seen.get('b')?.length ?? 0);
    await waitFor(() => total() === 40, 'all 40 messages');
    expect(seen.get('a')?.length).toBe(20);
    expect(seen.get('b')?.length).toBe(20);

    const admin = kafka.admin();
    await admin.connect();
    const described = await admin.describeGroups(['g-shared']);
    expect(described.groups[0]).toMatchObject({ groupId: 'g-shared', state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner' });
    expect(described.groups[0]?.members).toHaveLength(2);
    const listed = await admin.listGroups();
    expect(listed.groups).toContainEqual({ groupId: 'g-shared', protocolType: 'consumer' });
    await expect(admin.deleteGroups(['g-shared'])).rejects.toThrow();

    await b.disconnect();
    await waitFor(() => assignments.get('a') === 4, 'the remaining member owning all partitions');
    await producer.send({ topic: 'shared', messages: Array.from({ length: 8 }, (_, i) => ({ value: `late${i}`, partition: i % 4 })) });
    await waitFor(() => (seen.get('a') ?? []).filter((v) => v.startsWith('late')).length === 8, 'late messages at the survivor');
    await a.disconnect();
    await producer.disconnect();

    const after = await admin.describeGroups(['g-shared']);
    expect(after.groups[0]?.state).toBe('Empty');
    const offsets = await admin.fetchOffsets({ groupId: 'g-shared', topics: ['shared'] });
    expect(offsets[0]?.partitions.map((p) => p.offset).sort()).toEqual(['12', '12', '12', '12']);
    await admin.deleteGroups(['g-shared']);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain('g-shared');
    await admin.disconnect();
  });

  it('resumes from committed offsets with a new member', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'resume', messages: Array.from({ length: 10 }, (_, i) => ({ value: `r${i}`, partition: i % 2 })) });
    const first: string[] = [];
    const c1 = kafka.consumer({ groupId: 'g-resume', heartbeatInterval: 300, maxWaitTimeInMs: 100 });
    await c1.connect();
    await c1.subscribe({ topic: 'resume', fromBeginning: true });
    await c1.run({ eachMessage: async ({ message }) => void first.push(message.value?.toString() ?? '') });
    await waitFor(() => first.length === 10, 'first 10');
    await c1.disconnect();

    await producer.send({ topic: 'resume', messages: Array.from({ length: 4 }, (_, i) => ({ value: `s${i}`, partition: i % 2 })) });
    const second: string[] = [];
    const c2 = kafka.consumer({ groupId: 'g-resume', heartbeatInterval: 300, maxWaitTimeInMs: 100 });
    await c2.connect();
    await c2.subscribe({ topic: 'resume', fromBeginning: true });
    await c2.run({ eachMessage: async ({ message }) => void second.push(message.value?.toString() ?? '') });
    await waitFor(() => second.length === 4, 'the 4 new messages');
    await new Promise((r) => setTimeout(r, 300));
    expect(second.sort()).toEqual(['s0', 's1', 's2', 's3']);
    await c2.disconnect();
    await producer.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: 'g-resume', topic: 'resume', partitions: [{ partition: 0, offset: '1' }] });
    const offs = await admin.fetchOffsets({ groupId: 'g-resume', topics: ['resume'] });
    expect(offs[0]?.partitions.find((p) => p.partition === 0)?.offset).toBe('1');
    await admin.disconnect();
  });

  it('round-trips commit metadata', async () => {
    const c = kafka.consumer({ groupId: 'g-meta', maxWaitTimeInMs: 100 });
    await c.connect();
    await c.subscribe({ topic: 'resume', fromBeginning: true });
    await c.run({ autoCommit: false, eachMessage: async () => undefined });
    await c.commitOffsets([{ topic: 'resume', partition: 1, offset: '3', metadata: 'hello-meta' } as never]);
    await c.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const offs = await admin.fetchOffsets({ groupId: 'g-meta', topics: ['resume'] });
    expect(offs[0]?.partitions.find((p) => p.partition === 1)).toMatchObject({ offset: '3', metadata: 'hello-meta' });
    await admin.disconnect();
  });
});
