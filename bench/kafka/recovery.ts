// bench/kafka/recovery: how long a real start (`node dist/cli.js --data-dir DIR`) takes to
// recover about 1 GiB of Kafka record batches (issue 8's target: under 5 s), and the server's
// resident memory once ready. Fills DIR through the wire (raw Produce v9, acks=1, pipelined,
// 1 MiB batches of 1 KiB records over 8 partitions), stops the server cleanly, then times
// spawn -> ready line for BENCH_ROUNDS restarts (default 3) and checks every partition's high
// watermark came back; the server's RSS after the writes shows the produce path's memory
// (KAFKA_LOG_MEMORY_CACHE_BYTES of the newest batches). Page cache stays warm (dropping it needs root); noted in the output.
// Usage: npm run build && npx tsx bench/kafka/recovery.ts [MiB] (default 1024).
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writer } from '../../src/kafka/bytes.js';
import { encode, inRange, loadMessages } from '../../src/kafka/codec.js';
import { startOmnibroker } from '../lib/omnibroker.js';
import { rssKiB, trackDir } from '../lib/proc.js';
import { producerBatch } from '../../test/kafka/batch-builder.js';
import { kafkaClient } from './scenarios.js';

const TOTAL_MIB = Number(process.argv[2] ?? 1024);
const PARTITIONS = 8;
const RECORDS_PER_BATCH = 1024;
const RECORD_BYTES = 1000;
const IN_FLIGHT = 16;
const TOPIC = 'recovery';

/** One uncompressed magic-2 batch of RECORDS_PER_BATCH keyless records (the broker stamps the base offset). */
const BATCH = producerBatch(Array.from({ length: RECORDS_PER_BATCH }, () => 'a'.repeat(RECORD_BYTES)), { timestamp: Date.now() });

/** A framed Produce v9 request (acks=1) carrying `records` to one partition. */
function produceRequest(records: Buffer, partition: number): Buffer {
  const def = loadMessages().get(0)!;
  const w = new Writer();
  w.int32(0);
  w.int16(0);
  w.int16(9);
  w.int32(partition);
  w.string('recovery-bench', false);
  if (inRange(def.flexible, 9)) w.uvarint(0);
  encode(def.request, 9, true, { transactionalId: null, acks: 1, timeoutMs: 30_000, topicData: [{ name: TOPIC, partitionData: [{ index: partition, records }] }] }, w);
  const buf = w.toBuffer();
  buf.writeInt32BE(buf.length - 4, 0);
  return buf;
}

/** Sends `count` produce requests round-robin over the partitions, IN_FLIGHT at a time. */
async function fill(port: number, count: number): Promise<void> {
  const requests = Array.from({ length: PARTITIONS }, (_, p) => produceRequest(BATCH, p));
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  let sent = 0;
  let answered = 0;
  let pending = Buffer.alloc(0);
  await new Promise<void>((resolve, reject) => {
    const send = (): void => {
      while (sent < count && sent - answered < IN_FLIGHT) socket.write(requests[sent++ % PARTITIONS]!);
    };
    socket.on('error', reject);
    socket.on('data', (d) => {
      pending = pending.length === 0 ? d : Buffer.concat([pending, d]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        pending = pending.subarray(4 + pending.readInt32BE(0));
        answered++;
      }
      if (answered === count) resolve();
      else send();
    });
    send();
  });
  socket.destroy();
}

async function highWatermarks(bootstrap: string): Promise<number> {
  const admin = kafkaClient(bootstrap).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(TOPIC);
    return offsets.reduce((sum, o) => sum + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'omnibroker-bench-recovery-'));
  trackDir(dir);
  const args = ['--data-dir', dir, '--fsync', 'never'];
  const requests = Math.ceil((TOTAL_MIB * 1024 * 1024) / BATCH.length);
  try {
    const emptyStart = performance.now();
    const first = await startOmnibroker(['kafka'], args);
    process.stdout.write(`start on an empty data dir (node start-up, no recovery): ${((performance.now() - emptyStart) / 1000).toFixed(2)} s\n`);
    const bootstrap = first.urls.kafka!;
    const admin = kafkaClient(bootstrap).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    await admin.disconnect();
    const t0 = performance.now();
    await fill(Number(bootstrap.split(':').pop()), requests);
    const fillS = (performance.now() - t0) / 1000;
    const written = await highWatermarks(bootstrap);
    await new Promise((r) => setTimeout(r, 1000)); // let the server settle (pending writes, a GC)
    const rssFull = rssKiB(first.proc.pid) ?? 0;
    await first.proc.stop();
    const mib = (requests * BATCH.length) / 1024 / 1024;
    process.stdout.write(`wrote ${mib.toFixed(0)} MiB (${written.toLocaleString('en-US')} records, ${requests} batches) in ${fillS.toFixed(1)} s; server RSS after writing ${(rssFull / 1024).toFixed(0)} MiB\n`);
    const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
    for (let i = 0; i < rounds; i++) {
      const start = performance.now();
      const o = await startOmnibroker(['kafka'], args);
      const readyS = (performance.now() - start) / 1000;
      const rss = rssKiB(o.proc.pid) ?? 0;
      const recovered = await highWatermarks(o.urls.kafka!);
      await o.proc.stop();
      const ok = recovered === written ? 'all records back' : `MISMATCH: ${recovered} of ${written} records`;
      process.stdout.write(`restart ${i + 1}: spawn -> ready ${readyS.toFixed(2)} s, RSS when ready ${(rss / 1024).toFixed(0)} MiB, ${ok}\n`);
    }
    process.stdout.write('(warm page cache: the files were just written or read; cold-cache reads add the disk time)\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench/kafka/recovery failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
