// Transaction state across kill -9: omnibroker runs as a child (`--data-dir DIR --fsync always`);
// raw requests initialise transactional ids, open a transaction (records, an added partition
// never written, a staged offset), and the child is killed with SIGKILL right after the last
// answer. On restart every answered coordinator change is there: the same producer ids with
// their epochs, the open transaction aborted (fenced, markers, read_committed not held, staged
// offset dropped), and no producer id handed out again.
import { describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import type { Msg } from '../../src/kafka/codec.js';
import { childBrokers } from '../helpers/child-broker.js';
import { producerBatch } from './batch-builder.js';
import { RawClient } from './raw-client.js';

const brokers = childBrokers('kafka');
type Producer = { producerId: number; producerEpoch: number };
const first = (r: Msg, key: string, inner: string): Msg => ((r[key] as Msg[])[0]?.[inner] as Msg[])[0] as Msg;

async function init(c: RawClient, txnId: string | null): Promise<Producer> {
  const r = await c.call(22, 4, { transactionalId: txnId, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
  expect(r.errorCode).toBe(0);
  return r as Producer;
}

describe('Kafka transaction state across kill -9', () => {
  it('keeps every answered coordinator change and aborts the open transaction', async () => {
    let b = await brokers.start();
    const port = Number(b.url.split(':').pop());
    const admin = new Kafka({ clientId: 'txn-crash', brokers: [b.url], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'tc-a', numPartitions: 1 }, { topic: 'tc-b', numPartitions: 1 }] });
    await admin.disconnect();
    let c = await RawClient.connect(port);
    const idle0 = await init(c, 'tc-idle');
    expect(await init(c, 'tc-idle')).toMatchObject({ producerId: idle0.producerId, producerEpoch: 1 });
    const open = await init(c, 'tc-open');
    const added = await c.call(24, 3, { v3AndBelowTransactionalId: 'tc-open', v3AndBelowProducerId: open.producerId, v3AndBelowProducerEpoch: open.producerEpoch, v3AndBelowTopics: [{ name: 'tc-a', partitions: [0] }, { name: 'tc-b', partitions: [0] }] });
    expect((added.resultsByTopicV3AndBelow as Msg[]).map((t) => (t.resultsByPartition as Msg[])[0]?.partitionErrorCode)).toEqual([0, 0]);
    const records = producerBatch(['t0', 't1'], { producerId: open.producerId, epoch: open.producerEpoch, sequence: 0, transactional: true });
    const produced = await c.call(0, 9, { transactionalId: 'tc-open', acks: -1, timeoutMs: 5000, topicData: [{ name: 'tc-a', partitionData: [{ index: 0, records }] }] });
    expect(first(produced, 'responses', 'partitionResponses')).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect((await c.call(25, 2, { transactionalId: 'tc-open', producerId: open.producerId, producerEpoch: open.producerEpoch, groupId: 'tc-group' })).errorCode).toBe(0);
    const staged = await c.call(28, 3, { transactionalId: 'tc-open', groupId: 'tc-group', producerId: open.producerId, producerEpoch: open.producerEpoch, generationId: -1, memberId: '', groupInstanceId: null, topics: [{ name: 'tc-a', partitions: [{ partitionIndex: 0, committedOffset: 2, committedLeaderEpoch: -1, committedMetadata: '' }] }] });
    expect(first(staged, 'topics', 'partitions').errorCode).toBe(0);
    const unused = await init(c, null);
    c.socket.destroy();
    b.child.kill('SIGKILL');
    expect(await b.exited).toBe('SIGKILL');

    b = await brokers.start();
    c = await RawClient.connect(Number(b.url.split(':').pop()));
    try {
      expect(await init(c, 'tc-idle')).toMatchObject({ producerId: idle0.producerId, producerEpoch: 2 });
      // The open transaction was aborted with a bumped epoch: the old producer is fenced.
      expect((await c.call(26, 3, { transactionalId: 'tc-open', producerId: open.producerId, producerEpoch: open.producerEpoch, committed: true })).errorCode).toBe(90);
      for (const topic of ['tc-a', 'tc-b']) {
        const r = await c.call(1, 11, {
          replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 1, sessionId: 0, sessionEpoch: -1,
          topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
          forgottenTopicsData: [], rackId: '',
        });
        const p = first(r, 'responses', 'partitions');
        // An abort marker in both partitions; read_committed is not held at the aborted records.
        const hw = topic === 'tc-a' ? 3 : 1;
        expect(p).toMatchObject({ errorCode: 0, highWatermark: hw, lastStableOffset: hw });
        if (topic === 'tc-a') expect(p.abortedTransactions).toEqual([{ producerId: open.producerId, firstOffset: 0 }]);
      }
      const offsets = await c.call(9, 7, { groupId: 'tc-group', topics: [{ name: 'tc-a', partitionIndexes: [0] }], requireStable: true });
      expect(first(offsets, 'topics', 'partitions')).toMatchObject({ errorCode: 0, committedOffset: -1 }); // staged offset dropped
      expect(await init(c, 'tc-open')).toMatchObject({ producerId: open.producerId, producerEpoch: 2 });
      expect((await init(c, null)).producerId).toBeGreaterThan(Math.max(unused.producerId, open.producerId, idle0.producerId));
    } finally {
      c.socket.destroy();
      b.child.kill('SIGKILL');
      await b.exited;
    }
  }, 60_000);
});
