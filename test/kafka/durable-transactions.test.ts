// The transaction coordinator's state across a restart on --data-dir (issue 8): a transactional
// id keeps its producer id, and InitProducerId after the restart bumps that id's epoch, so the
// producer from before the restart is fenced; a transaction open at the stop is aborted on
// recovery (epoch bumped, abort markers in every partition it added, so read_committed readers
// skip its records and are not held at the last stable offset) and its TxnOffsetCommit offsets
// are dropped; a committed transaction stays committed (a retried EndTxn answers NONE); producer
// ids issued before the restart, used or not, are never issued again. Raw requests and kafkajs.
import { afterAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import type { Msg } from '../../src/kafka/codec.js';
import { dataDirs, startTestServer, type TestServer } from '../helpers/server.js';
import { producerBatch } from './batch-builder.js';
import { RawClient } from './raw-client.js';

const dir = dataDirs('omnibroker-kafka-txn-')();
let server: TestServer | undefined;
let raw: RawClient | undefined;

afterAll(async () => {
  raw?.socket.destroy();
  await server?.stop();
});

type Producer = { producerId: number; producerEpoch: number };
const first = (r: Msg, key: string, inner: string): Msg => ((r[key] as Msg[])[0]?.[inner] as Msg[])[0] as Msg;

async function restart(): Promise<RawClient> {
  const port = server?.ports.kafka as number;
  raw?.socket.destroy();
  await server?.stop();
  server = await startTestServer({ protocols: ['kafka'], dataDir: dir, kafkaPort: port });
  raw = await RawClient.connect(port);
  return raw;
}

async function init(c: RawClient, txnId: string | null): Promise<Producer> {
  const r = await c.call(22, 4, { transactionalId: txnId, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
  expect(r.errorCode).toBe(0);
  return r as Producer;
}

async function addPartitions(c: RawClient, txnId: string, p: Producer, topics: string[]): Promise<void> {
  const r = await c.call(24, 3, { v3AndBelowTransactionalId: txnId, v3AndBelowProducerId: p.producerId, v3AndBelowProducerEpoch: p.producerEpoch, v3AndBelowTopics: topics.map((name) => ({ name, partitions: [0] })) });
  for (const t of r.resultsByTopicV3AndBelow as Msg[]) expect((t.resultsByPartition as Msg[])[0]?.partitionErrorCode).toBe(0);
}

async function produce(c: RawClient, txnId: string | null, p: Producer, topic: string, values: string[], sequence: number): Promise<Msg> {
  const records = producerBatch(values, { producerId: p.producerId, epoch: p.producerEpoch, sequence, transactional: txnId !== null });
  return first(await c.call(0, 9, { transactionalId: txnId, acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] }), 'responses', 'partitionResponses');
}

const endTxn = async (c: RawClient, txnId: string, p: Producer, committed: boolean): Promise<number> =>
  (await c.call(26, 3, { transactionalId: txnId, producerId: p.producerId, producerEpoch: p.producerEpoch, committed })).errorCode as number;

async function fetchP0(c: RawClient, topic: string, isolationLevel: number): Promise<Msg> {
  const r = await c.call(1, 11, {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  return first(r, 'responses', 'partitions');
}

const fetchOffset = async (c: RawClient, group: string, topic: string): Promise<Msg> =>
  first(await c.call(9, 7, { groupId: group, topics: [{ name: topic, partitionIndexes: [0] }], requireStable: true }), 'topics', 'partitions');

/** Control batches (attributes bit 5) of a partition as [producer id, epoch, commit?]. */
function markers(topic: string): [number, number, boolean][] {
  const log = server?.core.topics.get(topic)?.partitions[0];
  return [...(log?.all() ?? [])].filter((e) => (e.bytes.readInt16BE(21) & 0x20) !== 0).map((e) => [Number(e.bytes.readBigInt64BE(43)), e.bytes.readInt16BE(51), e.bytes.readInt16BE(e.bytes.length - 10) === 1]);
}

describe('Kafka transaction state across a restart', () => {
  it('keeps transactional ids, aborts the open transaction everywhere, drops its offsets, never reissues producer ids', async () => {
    server = await startTestServer({ protocols: ['kafka'], dataDir: dir });
    raw = await RawClient.connect(server.ports.kafka as number);
    for (const t of ['dt-a', 'dt-b', 'dt-c']) server.core.topics.create(t, 1);
    server.core.offsets.commit('dt-group', 'dt-a', 0, { offset: 1, metadata: '', committedAt: 0, epoch: -1 });

    // A committed transaction.
    const done = await init(raw, 'dt-done');
    await addPartitions(raw, 'dt-done', done, ['dt-c']);
    expect(await produce(raw, 'dt-done', done, 'dt-c', ['kept-1', 'kept-2'], 0)).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(await endTxn(raw, 'dt-done', done, true)).toBe(0);

    // An open transaction: records in dt-a, dt-b added but never written, an offset staged.
    const open = await init(raw, 'dt-open');
    await addPartitions(raw, 'dt-open', open, ['dt-a', 'dt-b']);
    expect(await produce(raw, 'dt-open', open, 'dt-a', ['lost-1', 'lost-2'], 0)).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect((await raw.call(25, 2, { transactionalId: 'dt-open', producerId: open.producerId, producerEpoch: open.producerEpoch, groupId: 'dt-group' })).errorCode).toBe(0);
    const staged = await raw.call(28, 3, { transactionalId: 'dt-open', groupId: 'dt-group', producerId: open.producerId, producerEpoch: open.producerEpoch, generationId: -1, memberId: '', groupInstanceId: null, topics: [{ name: 'dt-a', partitions: [{ partitionIndex: 0, committedOffset: 2, committedLeaderEpoch: -1, committedMetadata: 'staged' }] }] });
    expect(first(staged, 'topics', 'partitions').errorCode).toBe(0);
    expect((await fetchOffset(raw, 'dt-group', 'dt-a')).errorCode).toBe(88); // UNSTABLE_OFFSET_COMMIT while open

    // A transactional id initialised twice and never used; an idempotent id never used in a batch.
    const idle0 = await init(raw, 'dt-idle');
    const idle1 = await init(raw, 'dt-idle');
    expect(idle1).toMatchObject({ producerId: idle0.producerId, producerEpoch: 1 });
    const unused = await init(raw, null);

    const c = await restart();

    // Same producer id, next epoch (InitProducerId bumps the stored epoch).
    expect(await init(c, 'dt-idle')).toMatchObject({ producerId: idle0.producerId, producerEpoch: 2 });

    // The open transaction was aborted with a bumped epoch: its producer is fenced everywhere.
    expect(await endTxn(c, 'dt-open', open, true)).toBe(90); // PRODUCER_FENCED (EndTxn v3)
    expect((await produce(c, 'dt-open', open, 'dt-a', ['zombie'], 2)).errorCode).toBe(47); // INVALID_PRODUCER_EPOCH
    expect(markers('dt-a')).toEqual([[open.producerId, 1, false]]);
    expect(markers('dt-b')).toEqual([[open.producerId, 1, false]]); // added, never written: marker anyway, as Kafka writes
    // read_committed is not held at the aborted records: LSO = high watermark, the range is listed as aborted.
    const committedView = await fetchP0(c, 'dt-a', 1);
    expect(committedView).toMatchObject({ errorCode: 0, highWatermark: 3, lastStableOffset: 3 });
    expect(committedView.abortedTransactions).toEqual([{ producerId: open.producerId, firstOffset: 0 }]);
    // The staged offset was dropped: the group's offset is the one committed before, and stable.
    expect(await fetchOffset(c, 'dt-group', 'dt-a')).toMatchObject({ errorCode: 0, committedOffset: 1 });

    // The committed transaction stays committed: a retried EndTxn(commit) is answered NONE.
    expect(await endTxn(c, 'dt-done', done, true)).toBe(0);
    expect(markers('dt-c')).toEqual([[done.producerId, 0, true]]);

    // InitProducerId for the aborted id: same producer id, epoch past the recovery bump.
    const reopened = await init(c, 'dt-open');
    expect(reopened).toMatchObject({ producerId: open.producerId, producerEpoch: 2 });
    await addPartitions(c, 'dt-open', reopened, ['dt-a']);
    expect(await produce(c, 'dt-open', reopened, 'dt-a', ['again'], 0)).toMatchObject({ errorCode: 0, baseOffset: 3 });
    expect(await endTxn(c, 'dt-open', reopened, true)).toBe(0);

    // No producer id from before the restart is handed out again, even one never used in a batch.
    const fresh = await init(c, null);
    expect(fresh.producerId).toBeGreaterThan(Math.max(unused.producerId, open.producerId, done.producerId, idle0.producerId));

    // A second restart keeps the epochs reached after the first.
    const c2 = await restart();
    expect(await init(c2, 'dt-open')).toMatchObject({ producerId: open.producerId, producerEpoch: 3 });
    expect(markers('dt-a')).toHaveLength(2); // nothing open any more: no new abort marker
  }, 30_000);

  it('kafkajs: a transactional producer from before the restart is fenced by its successor, which keeps the producer id', async () => {
    const port = server?.ports.kafka as number;
    const kafka = new Kafka({ clientId: 'dt-kjs', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 6, initialRetryTime: 100, maxRetryTime: 500 } });
    server?.core.topics.create('dt-kjs', 1);
    const old = kafka.producer({ transactionalId: 'kjs-txn', maxInFlightRequests: 1, idempotent: true });
    await old.connect();
    const t1 = await old.transaction();
    await t1.send({ topic: 'dt-kjs', messages: [{ value: 'before' }] });
    await t1.commit();
    const before = [...(server?.core.topics.get('dt-kjs')?.partitions[0]?.all() ?? [])][0];
    const pid = Number(before?.bytes.readBigInt64BE(43));

    await restart();
    const successor = kafka.producer({ transactionalId: 'kjs-txn', maxInFlightRequests: 1, idempotent: true });
    await successor.connect();
    const t2 = await successor.transaction();
    await t2.send({ topic: 'dt-kjs', messages: [{ value: 'after' }] });
    await t2.commit();
    const entries = [...(server?.core.topics.get('dt-kjs')?.partitions[0]?.all() ?? [])];
    const data = entries.filter((e) => (e.bytes.readInt16BE(21) & 0x20) === 0);
    expect(data.map((e) => Number(e.bytes.readBigInt64BE(43)))).toEqual([pid, pid]);
    expect(data.map((e) => e.bytes.readInt16BE(51))).toEqual([0, 1]);

    // The zombie (still holding epoch 0) cannot write or commit any more.
    const zombie = await old.transaction().then(async (t) => {
      await t.send({ topic: 'dt-kjs', messages: [{ value: 'zombie' }] });
      await t.commit();
      return 'committed';
    }).catch((err: Error) => err.name);
    expect(zombie).not.toBe('committed');
    await old.disconnect().catch(() => undefined);
    await successor.disconnect();
    const values = [...(server?.core.topics.get('dt-kjs')?.partitions[0]?.all() ?? [])].filter((e) => (e.bytes.readInt16BE(21) & 0x20) === 0).length;
    expect(values).toBe(2);
  }, 30_000);
});
