// Batches recovered from --data-dir stay in their segment files (index-only recovery, issue 8:
// "served back by reading file ranges"): after a restart no recovered entry holds its bytes in
// memory, and kafkajs reads every record back exactly from the files (keys, headers, gzip);
// batches produced beyond KAFKA_LOG_MEMORY_CACHE_BYTES are let go once written and read back
// from their files too (Fetch, ListOffsets by timestamp);
// the log cleaner compacts recovered batches like in-memory ones; retention (retention.bytes
// with a small segment.bytes) and DeleteRecords delete whole segment files, so disk use follows
// the live data.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CompressionTypes, type Consumer } from 'kafkajs';
import { storedBytes } from '../../src/core/index.js';
import { dataDirs } from '../helpers/server.js';
import { readMessages } from './kafkajs-read.js';
import { restartableKafka } from './restartable.js';

/** A new data directory, removed after the file's tests. */
const freshDir = dataDirs('omnibroker-kafka-stored-');
const { start, stop } = restartableKafka('stored', { KAFKA_LOG_CLEANER_BACKOFF_MS: '50' });

/** `expected` records of `topic` from the beginning, in delivery order. */
function readAll(consumer: Consumer, topic: string, expected: number): Promise<{ key: string; value: string; offset: string; partition: number; headers: Record<string, string> }[]> {
  return readMessages(consumer, topic, expected, (message, partition) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
    return { key: String(message.key), value: String(message.value), offset: message.offset, partition, headers };
  });
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir)) n += statSync(join(dir, f)).size;
  return n;
}

describe('Kafka batches recovered from --data-dir are served from their files', () => {
  it('keeps recovered batches on disk and reads them back exactly through kafkajs', async () => {
    const dir = freshDir();
    let { server, kafka } = await start(dir);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'st-plain', numPartitions: 2 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const sent: { key: string; value: string }[] = [];
    for (let i = 0; i < 20; i++) {
      const messages = Array.from({ length: 5 }, (_, j) => ({ key: `k${i}-${j}`, value: `value-${i}-${j}-${'x'.repeat(i * 10)}`, headers: { n: String(i * 5 + j) } }));
      sent.push(...messages.map((m) => ({ key: m.key, value: m.value })));
      await producer.send({ topic: 'st-plain', messages, compression: i % 2 === 0 ? CompressionTypes.None : CompressionTypes.GZIP });
    }
    await producer.disconnect();
    await stop(server);

    ({ server, kafka } = await start(dir));
    const logs = server.core.topics.get('st-plain')?.partitions ?? [];
    const entries = logs.flatMap((l) => [...l.all()]);
    expect(entries.length).toBeGreaterThanOrEqual(20); // kafkajs sends one batch per partition
    expect(entries.every((e) => storedBytes(e) !== undefined)).toBe(true);
    const got = await readAll(kafka.consumer({ groupId: 'st-reader', maxWaitTimeInMs: 50 }), 'st-plain', sent.length);
    expect(got.map((m) => ({ key: m.key, value: m.value })).sort((a, b) => a.key.localeCompare(b.key))).toEqual([...sent].sort((a, b) => a.key.localeCompare(b.key)));
    expect(got.every((m) => m.headers.n !== undefined)).toBe(true);
    // Offsets per partition run 0..n-1 as before the restart.
    for (const p of [0, 1]) {
      const offsets = got.filter((m) => m.partition === p).map((m) => Number(m.offset));
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
    // New batches after the restart are served together with the stored ones.
    const again = kafka.producer();
    await again.connect();
    await again.send({ topic: 'st-plain', messages: [{ key: 'after', value: 'after-restart', partition: 0 }] });
    await again.disconnect();
    const all = await readAll(kafka.consumer({ groupId: 'st-reader-2', maxWaitTimeInMs: 50 }), 'st-plain', sent.length + 1);
    expect(all.filter((m) => m.key === 'after').map((m) => m.value)).toEqual(['after-restart']);
  }, 40_000);

  it('compacts recovered batches, keeping the latest record per key at its offset', async () => {
    const dir = freshDir();
    let { server, kafka } = await start(dir);
    const admin = kafka.admin();
    await admin.connect();
    // A long compaction lag keeps the cleaner away until the restart.
    await admin.createTopics({ topics: [{ topic: 'st-compact', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'min.compaction.lag.ms', value: '3600000' }] }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    for (let round = 0; round < 4; round++) {
      await producer.send({ topic: 'st-compact', messages: ['a', 'b', 'c'].map((k) => ({ key: k, value: `${k}${round}` })) });
    }
    await producer.disconnect();
    await stop(server);

    ({ server, kafka } = await start(dir));
    const admin2 = kafka.admin();
    await admin2.connect();
    await admin2.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'st-compact', configEntries: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'min.compaction.lag.ms', value: '0' }] }] }); // AlterConfigs replaces the whole set
    await admin2.disconnect();
    const log = server.core.topics.get('st-compact')?.partitions[0];
    // Only the last round's batch keeps records (compaction leaves the others empty and drops them).
    await expect.poll(() => [...(log?.all() ?? [])].length, { timeout: 5000 }).toBe(1);
    const got = await readAll(kafka.consumer({ groupId: 'st-compact-reader', maxWaitTimeInMs: 50 }), 'st-compact', 3);
    expect(got.map((m) => [m.key, m.value, m.offset])).toEqual([['a', 'a3', '9'], ['b', 'b3', '10'], ['c', 'c3', '11']]);
  }, 30_000);

  it('deletes whole segment files on retention and DeleteRecords, before and after a restart', async () => {
    const dir = freshDir();
    let { server, kafka } = await start(dir);
    const admin = kafka.admin();
    await admin.connect();
    // segment.bytes 4 KiB: each ~1 KiB batch fills a quarter of a segment.
    await admin.createTopics({ topics: [
      { topic: 'st-ret', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '4096' }, { name: 'retention.bytes', value: '8192' }] },
      { topic: 'st-del', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '4096' }] },
    ] });
    const producer = kafka.producer();
    await producer.connect();
    const value = 'v'.repeat(1000);
    for (let i = 0; i < 40; i++) {
      await producer.send({ topic: 'st-ret', messages: [{ value }] });
      await producer.send({ topic: 'st-del', messages: [{ value }] });
    }
    const retDir = join(dir, 'logs', 'kafka.st-ret-0');
    const delDir = join(dir, 'logs', 'kafka.st-del-0');
    // 40 KiB written to each; retention keeps about 8 KiB of batches, so a few segments.
    await expect.poll(() => readdirSync(retDir).length, { timeout: 5000 }).toBeLessThanOrEqual(4);
    expect(dirBytes(retDir)).toBeLessThan(16_384);
    expect(readdirSync(delDir).length).toBeGreaterThanOrEqual(10);
    expect((await admin.fetchTopicOffsets('st-del'))[0]?.high).toBe('40'); // also loads the topic's metadata into kafkajs
    await admin.deleteTopicRecords({ topic: 'st-del', partitions: [{ partition: 0, offset: '36' }] });
    await expect.poll(() => readdirSync(delDir).length, { timeout: 5000 }).toBeLessThanOrEqual(3);
    await admin.disconnect();
    await stop(server);

    // After a restart the log start offsets and the freed space stay; later writes are trimmed too.
    ({ server, kafka } = await start(dir));
    expect(server.core.topics.get('st-del')?.partitions[0]?.logStartOffset).toBe(36);
    const ret = server.core.topics.get('st-ret')?.partitions[0];
    const startBefore = ret?.logStartOffset ?? 0;
    expect(startBefore).toBeGreaterThan(25);
    const p2 = kafka.producer();
    await p2.connect();
    for (let i = 0; i < 20; i++) await p2.send({ topic: 'st-ret', messages: [{ value }] });
    await p2.disconnect();
    expect(ret?.logStartOffset).toBeGreaterThan(startBefore + 15);
    await expect.poll(() => readdirSync(retDir).length, { timeout: 5000 }).toBeLessThanOrEqual(4);
    expect(dirBytes(retDir)).toBeLessThan(16_384);
  }, 30_000);

  it('lets go of produced batches beyond the memory budget and serves them from their files', async () => {
    const dir = freshDir();
    const { server, kafka } = await start(dir, { KAFKA_LOG_MEMORY_CACHE_BYTES: '8192' });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'st-budget', numPartitions: 1 }] });
    const producer = kafka.producer();
    await producer.connect();
    const sent: string[] = [];
    for (let i = 0; i < 30; i++) {
      const value = `${i}-${'y'.repeat(1000)}`;
      sent.push(value);
      await producer.send({ topic: 'st-budget', messages: [{ key: `k${i}`, value, timestamp: String(1_700_000_000_000 + i * 1000) }] });
    }
    await producer.disconnect();
    const log = server.core.topics.get('st-budget')?.partitions[0];
    const stored = (): boolean[] => [...(log?.all() ?? [])].map((e) => storedBytes(e) !== undefined);
    // The oldest batches are in their files only, the newest (under 8 KiB) still in memory.
    await expect.poll(() => stored().filter(Boolean).length, { timeout: 5000 }).toBeGreaterThanOrEqual(20);
    expect(stored().at(-1)).toBe(false);
    expect(stored()[0]).toBe(true);
    const got = await readAll(kafka.consumer({ groupId: 'st-budget-reader', maxWaitTimeInMs: 50 }), 'st-budget', sent.length);
    expect(got.map((m) => m.value)).toEqual(sent);
    expect(got.map((m) => m.offset)).toEqual(sent.map((_, i) => String(i)));
    // ListOffsets by timestamp reads a batch that is in its file only.
    const byTime = await admin.fetchTopicOffsetsByTimestamp('st-budget', 1_700_000_000_000 + 2500);
    expect(byTime).toEqual([expect.objectContaining({ partition: 0, offset: '3' })]);
    await admin.disconnect();
  }, 30_000);
});
