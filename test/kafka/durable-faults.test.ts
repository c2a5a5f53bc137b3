// A full disk under the Kafka front-end (--data-dir with an injected ENOSPC): the Produce whose
// write fails answers KAFKA_STORAGE_ERROR, new produces are refused with it while the disk
// stays full, reads keep being served, and once the engine's retry succeeds produces are
// accepted again; after a restart every acknowledged record is there at its offset.
import { afterAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { Broker, FileStore } from '../../src/core/index.js';
import { testConfig } from '../../src/config.js';
import { createLogger } from '../../src/shared/logger.js';
import { kafka as kafkaFrontEnd } from '../../src/kafka/index.js';
import type { FrontEnd } from '../../src/shared/front-end.js';
import { countingIo, removeTempDirs, sleep, tempDir } from '../core/storage/helpers.js';
import { readMessages, valueText } from './kafkajs-read.js';

afterAll(removeTempDirs);

async function startOn(dir: string, io = countingIo()): Promise<{ core: Broker; fe: FrontEnd; client: Kafka }> {
  const core = new Broker({ store: new FileStore(dir, { fsync: 'always', io }) });
  await core.store.open();
  const fe = await kafkaFrontEnd.start(core, testConfig({ protocols: ['kafka'], dataDir: dir }), createLogger('silent', false));
  const client = new Kafka({ clientId: 'faults-it', brokers: [`127.0.0.1:${fe.port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  return { core, fe, client };
}

async function errorType(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    const err = e as { type?: string; cause?: { type?: string }; originalError?: { type?: string } };
    return String(err.type ?? err.originalError?.type ?? err.cause?.type);
  }
}

describe('Kafka on a full disk', () => {
  it('answers KAFKA_STORAGE_ERROR, keeps serving reads, and recovers when space returns', async () => {
    const dir = tempDir();
    const io = countingIo();
    let { core, fe, client } = await startOn(dir, io);
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'full', numPartitions: 1 }] });
    await admin.disconnect();
    const producer = client.producer();
    await producer.connect();
    const send = (value: string): Promise<unknown> => producer.send({ topic: 'full', acks: -1, messages: [{ value }] });
    await send('before');

    io.failWrites('ENOSPC', 1);
    expect(await errorType(send('write-fails'))).toBe('KAFKA_STORAGE_ERROR');
    // While the journal is failed, a produce is refused before anything is appended.
    const highBefore = core.topics.get('full')?.partitions[0]?.highWatermark;
    expect(await errorType(send('refused'))).toBe('KAFKA_STORAGE_ERROR');
    expect(core.topics.get('full')?.partitions[0]?.highWatermark).toBe(highBefore);

    // Reads are still served.
    const seen = await readMessages(client.consumer({ groupId: 'full-reader', maxWaitTimeInMs: 50 }), 'full', 2, valueText);
    // The batch whose write failed was appended in memory; the engine's retry stores it too
    // (Kafka: a produce that failed with a storage error may still have been appended).
    expect(seen).toEqual(['before', 'write-fails']);

    // The engine retries every 500 ms; then produces succeed again.
    let accepted: string | undefined = 'KAFKA_STORAGE_ERROR';
    for (let waited = 0; accepted === 'KAFKA_STORAGE_ERROR' && waited < 5000; waited += 100) {
      await sleep(100);
      accepted = await errorType(send('after'));
    }
    expect(accepted).toBeUndefined();
    await producer.disconnect();
    await fe.close();
    await core.close();

    ({ core, fe, client } = await startOn(dir));
    const values = [...(core.topics.get('full')?.partitions[0]?.all() ?? [])].map((e) => e.baseOffset);
    expect(values).toEqual([0, 1, 2]);
    const offsets = await client.admin().fetchTopicOffsets('full');
    expect(offsets[0]).toMatchObject({ low: '0', high: '3' });
    await fe.close();
    await core.close();
  }, 20_000);
});
