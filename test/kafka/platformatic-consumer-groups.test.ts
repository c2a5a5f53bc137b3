// KIP-848 end to end with @platformatic/kafka (groupProtocol: 'consumer', the only installed
// client that speaks ConsumerGroupHeartbeat; librdkafka 2.0.2 and kafka-python 2.0.2 do not):
// two consumers share a topic's partitions through server-side assignment, one leaves, the
// other takes over its partitions and goes on from the committed offsets, with no committed
// record processed twice. Short heartbeat interval / session timeout keep it fast.
// Before producing after a rebalance the test waits for the clients' own view of their
// assignment and lets in-flight long polls end: platformatic 1.35 neither drops records of a
// long poll sent before a revocation nor keeps the positions of partitions it already owned
// when new ones arrive (it refetches committed offsets for all), client-side races that a
// real Kafka broker would expose the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Consumer, MessagesStreamModes, Producer, stringDeserializers, stringSerializers, type Message } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import type { Msg } from '../../src/kafka/codec.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { RawClient } from './raw-client.js';

let server: TestServer;
let bootstrap: string;
let raw: RawClient;

beforeAll(async () => {
  server = await startTestServer({ protocols: ['kafka'], extra: { KAFKA_GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS: '100', KAFKA_GROUP_CONSUMER_SESSION_TIMEOUT_MS: '5000' } });
  bootstrap = `127.0.0.1:${server.ports.kafka}`;
  raw = await RawClient.connect(server.ports.kafka as number);
});
afterAll(async () => {
  raw.socket.destroy();
  await server.stop();
});

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function clientPartitions(w: Worker): number[] {
  return (w.consumer.assignments ?? []).flatMap((a) => a.partitions).sort();
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 300));

async function describeGroup(groupId: string): Promise<Msg> {
  return ((await raw.call(69, 1, { groupIds: [groupId], includeAuthorizedOperations: false })).groups as Msg[])[0] as Msg;
}

interface Worker {
  consumer: Consumer<string, string, string, string>;
  seen: string[];
  done: Promise<void>;
  stop: () => Promise<void>;
}

async function startWorker(name: string, processed: Map<string, string[]>): Promise<Worker> {
  const consumer = new Consumer({ groupId: 'plat-848', clientId: name, bootstrapBrokers: [bootstrap], deserializers: stringDeserializers, groupProtocol: 'consumer', maxWaitTime: 50, retries: 20, retryDelay: 50 });
  const stream = await consumer.consume({ topics: ['plat-848'], mode: MessagesStreamModes.COMMITTED, fallbackMode: MessagesStreamModes.EARLIEST, autocommit: false });
  const seen: string[] = [];
  let stopping = false;
  const done = (async () => {
    for await (const m of stream as AsyncIterable<Message<string, string, string, string>>) {
      if (stopping) break;
      const key = `${m.partition}:${String(m.offset)}`;
      seen.push(key);
      processed.set(key, [...(processed.get(key) ?? []), name]);
      await m.commit();
    }
  })();
  return {
    consumer,
    seen,
    done,
    stop: async () => {
      stopping = true;
      await stream.close();
      await done.catch(() => undefined);
      await consumer.close();
    },
  };
}

describe('@platformatic/kafka with groupProtocol consumer', () => {
  it('shares partitions between two members, rebalances when one leaves, never reprocesses committed records', async () => {
    server.core.topics.create('plat-848', 4);
    const producer = new Producer({ clientId: 'plat-848-p', bootstrapBrokers: [bootstrap], serializers: stringSerializers });
    const produce = async (from: number, n: number): Promise<void> => {
      await producer.send({ messages: Array.from({ length: n }, (_, i) => ({ topic: 'plat-848', value: `v${from + i}`, partition: (from + i) % 4 })) });
    };
    await produce(0, 40);
    const processed = new Map<string, string[]>();

    const a = await startWorker('a', processed);
    await waitFor('a to own all partitions', async () => (await describeGroup('plat-848')).members[0]?.assignment.topicPartitions[0]?.partitions.length === 4);
    await waitFor('a to read the first batch', () => processed.size === 40);

    const b = await startWorker('b', processed);
    await waitFor('a stable two-member group', async () => {
      const d = await describeGroup('plat-848');
      return d.groupState === 'Stable' && (d.members as Msg[]).length === 2;
    });
    const d = await describeGroup('plat-848');
    expect(d).toMatchObject({ groupEpoch: 2, assignmentEpoch: 2, assignorName: 'uniform' });
    const owned = (d.members as Msg[]).map((m) => [m.clientId, m.assignment.topicPartitions[0]?.partitions ?? []] as [string, number[]]);
    expect(owned.map(([, p]) => p.length)).toEqual([2, 2]);
    expect(owned.flatMap(([, p]) => p).sort()).toEqual([0, 1, 2, 3]);

    await waitFor('the clients to see their assignments', () => clientPartitions(a).length + clientPartitions(b).length === 4 && clientPartitions(a).length === 2);
    await settle();
    await produce(40, 40);
    await waitFor('both to read the second batch', () => processed.size === 80);
    expect(a.seen.some((k) => Number(k.split(':')[1]) >= 10)).toBe(true);
    expect(b.seen.length).toBeGreaterThan(0);

    await a.stop(); // leaves with epoch -1
    await waitFor('b alone owns everything', async () => {
      const g = await describeGroup('plat-848');
      return (g.members as Msg[]).length === 1 && g.groupState === 'Stable' && g.members[0].assignment.topicPartitions[0]?.partitions.length === 4;
    });
    await waitFor('b to see every partition', () => clientPartitions(b).length === 4);
    await settle();
    await produce(80, 40);
    await waitFor('b to read the third batch', () => processed.size === 120);
    await b.stop();
    await producer.close();

    const twice = [...processed].filter(([, who]) => who.length > 1);
    expect(twice).toEqual([]);
    for (let p = 0; p < 4; p++) expect(server.core.offsets.get('plat-848', 'plat-848', p)?.offset).toBe(30);
    expect((await describeGroup('plat-848')).groupState).toBe('Empty');
  }, 40_000);

  it('uses the server assignor the member names; a classic kafkajs member cannot join the live group', async () => {
    server.core.topics.create('plat-848-r', 3);
    const consumer = new Consumer({ groupId: 'plat-848-r', clientId: 'r1', bootstrapBrokers: [bootstrap], deserializers: stringDeserializers, groupProtocol: 'consumer', groupRemoteAssignor: 'range', maxWaitTime: 50 });
    const stream = await consumer.consume({ topics: ['plat-848-r'], mode: MessagesStreamModes.EARLIEST, autocommit: false });
    try {
      await waitFor('range assignment', async () => {
        const d = await describeGroup('plat-848-r');
        return d.groupState === 'Stable' && d.members[0]?.assignment.topicPartitions[0]?.partitions.length === 3;
      });
      expect(await describeGroup('plat-848-r')).toMatchObject({ assignorName: 'range', members: [{ clientId: 'r1', memberType: 1 }] });
      const kafka = new Kafka({ clientId: 'classic', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
      const classic = kafka.consumer({ groupId: 'plat-848-r', retry: { retries: 0 } });
      await classic.connect();
      await classic.subscribe({ topic: 'plat-848-r' });
      const crashed = new Promise<string>((resolve) => classic.on(classic.events.CRASH, (e) => resolve(String((e.payload.error as { type?: string }).type))));
      await classic.run({ eachMessage: async () => undefined });
      expect(await crashed).toBe('INCONSISTENT_GROUP_PROTOCOL');
      await classic.disconnect();
    } finally {
      await stream.close();
      await consumer.close();
    }
  });
});
