// Transactions: markers, the last stable offset, read_committed vs read_uncommitted, staged
// offsets (UNSTABLE_OFFSET_COMMIT), timeouts and fencing over the raw protocol; committed and
// aborted transactions read back by kafkajs and librdkafka consumers in both isolation levels;
// consume-transform-produce with kafkajs sendOffsets and librdkafka send_offsets_to_transaction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import type { Msg } from '../../src/kafka/codec.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { producerBatch } from './batch-builder.js';
import { py } from './external-clients.js';
import { RawClient } from './raw-client.js';
import { readMessages } from './kafkajs-read.js';

let server: TestServer;
let raw: RawClient;
let kafka: Kafka;
let bootstrap: string;

beforeAll(async () => {
  server = await startTestServer({ protocols: ['kafka'] });
  raw = await RawClient.connect(server.ports.kafka as number);
  bootstrap = `127.0.0.1:${server.ports.kafka}`;
  kafka = new Kafka({ clientId: 'txn', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 50 } });
});
afterAll(async () => {
  raw.socket.destroy();
  await server.stop();
});

const first = (r: Msg, key: string, inner: string): Msg => ((r[key] as Msg[])[0]?.[inner] as Msg[])[0] as Msg;

async function fetchP0(topic: string, isolationLevel: number, fetchOffset = 0): Promise<Msg> {
  const r = await raw.call(1, 11, {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  return first(r, 'responses', 'partitions');
}

async function latest(topic: string, isolationLevel: number): Promise<number> {
  const r = await raw.call(2, 5, { replicaId: -1, isolationLevel, topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] });
  return first(r, 'topics', 'partitions').offset as number;
}

async function init(txnId: string, timeoutMs = 60_000): Promise<{ producerId: number; producerEpoch: number }> {
  const r = await raw.call(22, 4, { transactionalId: txnId, transactionTimeoutMs: timeoutMs, producerId: -1, producerEpoch: -1 });
  expect(r.errorCode).toBe(0);
  return r as { producerId: number; producerEpoch: number };
}

async function addPartition(txnId: string, p: { producerId: number; producerEpoch: number }, topic: string): Promise<number> {
  const r = await raw.call(24, 3, { v3AndBelowTransactionalId: txnId, v3AndBelowProducerId: p.producerId, v3AndBelowProducerEpoch: p.producerEpoch, v3AndBelowTopics: [{ name: topic, partitions: [0] }] });
  return first(r, 'resultsByTopicV3AndBelow', 'resultsByPartition').partitionErrorCode as number;
}

async function produceTxn(txnId: string, p: { producerId: number; producerEpoch: number }, topic: string, values: string[], sequence: number): Promise<Msg> {
  const r = await raw.call(0, 9, { transactionalId: txnId, acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records: producerBatch(values, { producerId: p.producerId, epoch: p.producerEpoch, sequence, transactional: true }) }] }] });
  return first(r, 'responses', 'partitionResponses');
}

const endTxn = async (txnId: string, p: { producerId: number; producerEpoch: number }, committed: boolean, version = 3): Promise<number> =>
  (await raw.call(26, version, { transactionalId: txnId, producerId: p.producerId, producerEpoch: p.producerEpoch, committed })).errorCode as number;

describe('transactions over the raw protocol', () => {
  it('finds the transaction coordinator', async () => {
    const r = await raw.call(10, 4, { keyType: 1, coordinatorKeys: ['t1', ''] });
    expect(r.coordinators).toMatchObject([{ key: 't1', nodeId: 1, port: server.ports.kafka, errorCode: 0 }, { key: '', errorCode: 42 }]);
  });

  it('holds the last stable offset at an open transaction and writes markers Kafka clients understand', async () => {
    server.core.topics.create('tx-raw', 1);
    const p = await init('tx-raw');
    expect(await addPartition('tx-raw', p, 'tx-raw')).toBe(0);
    expect(await produceTxn('tx-raw', p, 'tx-raw', ['a0', 'a1'], 0)).toMatchObject({ errorCode: 0, baseOffset: 0 });
    // Open transaction: read_committed sees nothing, read_uncommitted the batch; LSO 0, HW 2.
    const open = await fetchP0('tx-raw', 1);
    expect(open).toMatchObject({ highWatermark: 2, lastStableOffset: 0, abortedTransactions: [] });
    expect((open.records as Buffer | null)?.length ?? 0).toBe(0);
    expect(((await fetchP0('tx-raw', 0)).records as Buffer).length).toBeGreaterThan(0);
    expect(await latest('tx-raw', 1)).toBe(0);
    expect(await latest('tx-raw', 0)).toBe(2);
    expect(await endTxn('tx-raw', p, false)).toBe(0);
    expect(await endTxn('tx-raw', p, false)).toBe(0); // a retried abort
    expect(await endTxn('tx-raw', p, true)).toBe(48); // commit after abort: INVALID_TXN_STATE
    // The abort marker at offset 2: a control batch (attributes 0x30) whose record key (after the
    // length, attributes, timestamp delta, offset delta and key length bytes) is (0, 0).
    const log = server.core.topics.get('tx-raw')?.partitions[0];
    const marker = log?.read(2, 1 << 20)[0]?.bytes as Buffer;
    expect(marker.readBigInt64BE(0)).toBe(2n);
    expect(marker.readInt16BE(21) & 0x30).toBe(0x30);
    expect(Number(marker.readBigInt64BE(43))).toBe(p.producerId);
    expect(marker.subarray(61 + 5, 61 + 9)).toEqual(Buffer.from([0, 0, 0, 0]));
    const after = await fetchP0('tx-raw', 1);
    expect(after).toMatchObject({ highWatermark: 3, lastStableOffset: 3, abortedTransactions: [{ producerId: p.producerId, firstOffset: 0 }] });
    expect(await latest('tx-raw', 1)).toBe(3);
    // read_uncommitted gets no aborted-transaction list.
    expect((await fetchP0('tx-raw', 0)).abortedTransactions).toBeNull();
    // The next transaction continues the sequence; its commit marker is type 1.
    expect(await addPartition('tx-raw', p, 'tx-raw')).toBe(0);
    expect(await produceTxn('tx-raw', p, 'tx-raw', ['c0'], 2)).toMatchObject({ errorCode: 0, baseOffset: 3 });
    expect(await endTxn('tx-raw', p, true)).toBe(0);
    const commitMarker = log?.read(4, 1 << 20)[0]?.bytes as Buffer;
    expect(commitMarker.readInt16BE(61 + 5 + 2)).toBe(1);
    // Fetching from 3 no longer lists the aborted transaction that ended at 2.
    expect((await fetchP0('tx-raw', 1, 3)).abortedTransactions).toEqual([]);
  });

  it('rejects transactional produce outside the transaction and fences older producers', async () => {
    server.core.topics.create('tx-fence', 1);
    const old = await init('tx-fence');
    expect(await produceTxn('tx-fence', old, 'tx-fence', ['x'], 0)).toMatchObject({ errorCode: 48 });
    expect(await addPartition('tx-fence', old, 'tx-fence')).toBe(0);
    expect(await produceTxn('tx-fence', old, 'tx-fence', ['x'], 0)).toMatchObject({ errorCode: 0 });
    // A new producer with the same transactional id aborts the open transaction and fences the old one.
    const fresh = await init('tx-fence');
    expect(fresh.producerEpoch).toBe(old.producerEpoch + 1);
    expect(await latest('tx-fence', 1)).toBe(2);
    expect(await produceTxn('tx-fence', old, 'tx-fence', ['y'], 1)).toMatchObject({ errorCode: 47 });
    expect(await addPartition('tx-fence', old, 'tx-fence')).toBe(90);
    expect(await endTxn('tx-fence', old, true, 1)).toBe(47);
    expect(await endTxn('tx-fence', old, true, 2)).toBe(90);
    expect(await endTxn('tx-fence', { producerId: 424242, producerEpoch: 0 }, true)).toBe(49);
    expect(await endTxn('tx-fence', fresh, true)).toBe(48); // nothing open
    const unknown = await raw.call(24, 3, { v3AndBelowTransactionalId: 'tx-fence', v3AndBelowProducerId: fresh.producerId, v3AndBelowProducerEpoch: fresh.producerEpoch, v3AndBelowTopics: [{ name: 'tx-fence', partitions: [0, 7] }] });
    expect((unknown.resultsByTopicV3AndBelow as Msg[])[0]?.resultsByPartition).toEqual([{ partitionIndex: 0, partitionErrorCode: 55 }, { partitionIndex: 7, partitionErrorCode: 3 }]);
  });

  it('keeps the last stable offset at the oldest of concurrent transactions on one partition', async () => {
    server.core.topics.create('tx-concurrent', 1);
    const a = await init('tx-conc-a');
    const b = await init('tx-conc-b');
    expect(await addPartition('tx-conc-a', a, 'tx-concurrent')).toBe(0);
    expect(await addPartition('tx-conc-b', b, 'tx-concurrent')).toBe(0);
    expect(await produceTxn('tx-conc-a', a, 'tx-concurrent', ['a0'], 0)).toMatchObject({ baseOffset: 0 });
    expect(await produceTxn('tx-conc-b', b, 'tx-concurrent', ['b0'], 0)).toMatchObject({ baseOffset: 1 });
    expect(await produceTxn('tx-conc-a', a, 'tx-concurrent', ['a1'], 1)).toMatchObject({ baseOffset: 2 });
    expect(await latest('tx-concurrent', 1)).toBe(0);
    expect(await endTxn('tx-conc-b', b, false)).toBe(0); // abort marker at 3; a is still open
    expect(await latest('tx-concurrent', 1)).toBe(0);
    expect(await endTxn('tx-conc-a', a, true)).toBe(0); // commit marker at 4
    expect(await latest('tx-concurrent', 1)).toBe(5);
    expect((await fetchP0('tx-concurrent', 1)).abortedTransactions).toEqual([{ producerId: b.producerId, firstOffset: 1 }]);
  });

  it('aborts a transaction that outlives its timeout and bumps the epoch', async () => {
    server.core.topics.create('tx-timeout', 1);
    const p = await init('tx-timeout', 150);
    expect(await addPartition('tx-timeout', p, 'tx-timeout')).toBe(0);
    expect(await produceTxn('tx-timeout', p, 'tx-timeout', ['late'], 0)).toMatchObject({ errorCode: 0 });
    expect(await latest('tx-timeout', 1)).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(await latest('tx-timeout', 1)).toBe(2);
    expect((await fetchP0('tx-timeout', 1)).abortedTransactions).toEqual([{ producerId: p.producerId, firstOffset: 0 }]);
    expect(await endTxn('tx-timeout', p, true)).toBe(90);
  });

  it('stages TxnOffsetCommit offsets until commit (UNSTABLE_OFFSET_COMMIT for require_stable)', async () => {
    server.core.topics.create('tx-offsets', 1);
    server.core.offsets.commit('tx-group', 'tx-offsets', 0, { offset: 1, metadata: '', committedAt: 0, epoch: -1 });
    const p = await init('tx-offsets');
    const txnCommit = (): Promise<Msg> => raw.call(28, 3, { transactionalId: 'tx-offsets', groupId: 'tx-group', producerId: p.producerId, producerEpoch: p.producerEpoch, generationId: -1, memberId: '', groupInstanceId: null, topics: [{ name: 'tx-offsets', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: 'm' }] }] });
    expect(first(await txnCommit(), 'topics', 'partitions').errorCode).toBe(48); // group not added yet
    expect((await raw.call(25, 2, { transactionalId: 'tx-offsets', producerId: p.producerId, producerEpoch: p.producerEpoch, groupId: 'tx-group' })).errorCode).toBe(0);
    expect(first(await txnCommit(), 'topics', 'partitions').errorCode).toBe(0);
    const fetchOffsets = async (requireStable: boolean): Promise<Msg> => first(await raw.call(9, 7, { groupId: 'tx-group', topics: [{ name: 'tx-offsets', partitionIndexes: [0] }], requireStable }), 'topics', 'partitions');
    expect(await fetchOffsets(true)).toMatchObject({ errorCode: 88, committedOffset: -1 });
    expect(await fetchOffsets(false)).toMatchObject({ errorCode: 0, committedOffset: 1 });
    expect(await endTxn('tx-offsets', p, true)).toBe(0);
    expect(await fetchOffsets(true)).toMatchObject({ errorCode: 0, committedOffset: 5, metadata: 'm' });
  });
});

/** Everything `consumer` reads of `topic` once `expected` records arrived, plus 300 ms for a wrongly delivered extra one. */
function readAll(consumer: Consumer, topic: string, expected: number): Promise<string[]> {
  return readMessages(consumer, topic, expected, (m) => String(m.value), { settleMs: 300 });
}

describe('transactions through clients', () => {
  it('kafkajs: committed records are read by both isolation levels, aborted ones only by read_uncommitted', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'tx-kjs', numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer({ transactionalId: 'kjs-tx', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const t1 = await producer.transaction();
    await t1.send({ topic: 'tx-kjs', messages: [{ value: 'aborted-1' }, { value: 'aborted-2' }] });
    await t1.abort();
    const t2 = await producer.transaction();
    await t2.send({ topic: 'tx-kjs', messages: [{ value: 'committed-1' }] });
    await t2.send({ topic: 'tx-kjs', messages: [{ value: 'committed-2' }] });
    await t2.commit();
    await producer.disconnect();
    const committed = await readAll(kafka.consumer({ groupId: 'kjs-rc', readUncommitted: false, maxWaitTimeInMs: 100 }), 'tx-kjs', 2);
    expect(committed).toEqual(['committed-1', 'committed-2']);
    const everything = await readAll(kafka.consumer({ groupId: 'kjs-ru', readUncommitted: true, maxWaitTimeInMs: 100 }), 'tx-kjs', 4);
    expect(everything).toEqual(['aborted-1', 'aborted-2', 'committed-1', 'committed-2']);
  });

  it('kafkajs: consume-transform-produce commits output and input offsets atomically', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'ctp-in', numPartitions: 1 }, { topic: 'ctp-out', numPartitions: 1 }] });
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic: 'ctp-in', messages: ['a', 'b', 'c'].map((value) => ({ value })) });
    await plain.disconnect();
    const producer = kafka.producer({ transactionalId: 'ctp-kjs', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const consumer = kafka.consumer({ groupId: 'ctp-group', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'ctp-in', fromBeginning: true });
    let n = 0;
    let abortedOnce = false;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`processed ${n}`)), 15_000);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          const txn = await producer.transaction();
          await txn.send({ topic: 'ctp-out', messages: [{ value: String(message.value).toUpperCase() }] });
          await txn.sendOffsets({ consumerGroupId: 'ctp-group', topics: [{ topic, partitions: [{ partition, offset: String(Number(message.offset) + 1) }] }] });
          if (message.offset === '1' && !abortedOnce) {
            // One aborted attempt: its output and offsets must vanish.
            abortedOnce = true;
            await txn.abort();
            const retry = await producer.transaction();
            await retry.send({ topic: 'ctp-out', messages: [{ value: String(message.value).toUpperCase() }] });
            await retry.sendOffsets({ consumerGroupId: 'ctp-group', topics: [{ topic, partitions: [{ partition, offset: String(Number(message.offset) + 1) }] }] });
            await retry.commit();
          } else {
            await txn.commit();
          }
          if (++n === 3) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    await producer.disconnect();
    const offsets = await admin.fetchOffsets({ groupId: 'ctp-group', topics: ['ctp-in'] });
    expect(offsets[0]?.partitions).toEqual([{ partition: 0, offset: '3', metadata: null }]);
    await admin.disconnect();
    const out = await readAll(kafka.consumer({ groupId: 'ctp-check', maxWaitTimeInMs: 100 }), 'ctp-out', 3);
    expect(out).toEqual(['A', 'B', 'C']);
  });

  it('librdkafka: aborted and committed transactions per isolation level, and send_offsets_to_transaction', async () => {
    server.core.topics.create('tx-ck', 1);
    const done = await py('confluentTxn', { cmd: 'txns', bootstrap, topic: 'tx-ck', txnId: 'ck-tx', txns: [{ values: ['x1', 'x2'], commit: false }, { values: ['y1'], commit: true }, { values: ['x3'], commit: false }, { values: ['y2', 'y3'], commit: true }] }, 60_000);
    expect(done).toEqual({ ok: true });
    const rc = await py<{ messages: { offset: number; value: string }[] }>('confluentTxn', { cmd: 'read', bootstrap, topic: 'tx-ck', isolation: 'read_committed', timeout: 3 });
    expect(rc.messages.map((m) => m.value)).toEqual(['y1', 'y2', 'y3']);
    const ru = await py<{ messages: { offset: number; value: string }[] }>('confluentTxn', { cmd: 'read', bootstrap, topic: 'tx-ck', isolation: 'read_uncommitted', count: 6, timeout: 5 });
    expect(ru.messages.map((m) => m.value)).toEqual(['x1', 'x2', 'y1', 'x3', 'y2', 'y3']);

    server.core.topics.create('ck-in', 1);
    server.core.topics.create('ck-out', 1);
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic: 'ck-in', messages: ['p', 'q'].map((value) => ({ value })) });
    await plain.disconnect();
    const ctp = await py('confluentTxn', { cmd: 'ctp', bootstrap, input: 'ck-in', output: 'ck-out', group: 'ck-ctp', txnId: 'ck-ctp-tx', count: 2 }, 60_000);
    expect(ctp).toEqual({ done: 2, committed: [2] });
    const out = await py<{ messages: { value: string }[] }>('confluentTxn', { cmd: 'read', bootstrap, topic: 'ck-out', isolation: 'read_committed', count: 2, timeout: 5 });
    expect(out.messages.map((m) => m.value)).toEqual(['P', 'Q']);
  });
});
