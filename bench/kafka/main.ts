// bench/kafka: kcat (librdkafka) and kafkajs against omnibroker and against librdkafka's mock
// cluster (bench/peers/kafka-mock.c), side by side in one run. Rows: producer throughput (kcat
// and kafkajs; 100 B and 1 KiB records; 1 and 8 partitions; acks=all), consumer throughput,
// end-to-end latency p50/p99 and the time a 3-member group takes to rebalance.
// BENCH_DURABLE=1: omnibroker with --data-dir (--fsync interval, the default) against omnibroker
// in memory, produce rows only (issue 8's target: durable within 80% of in memory, ratio >= 0.8).
// Usage: npm run bench:kafka (builds dist/ first).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withTimeout } from '../lib/measure.js';
import { BENCH_DURABLE as DURABLE, BENCH_FSYNC, benchArgs, durableArgs, startOmnibroker } from '../lib/omnibroker.js';
import { run, trackDir, type ServerProcess } from '../lib/proc.js';
import { oneLine, percentiles, Report, single, type Target } from '../lib/report.js';
import { startMock } from './mock.js';
import { endToEnd, kafkaClient, kafkajsConsume, kafkajsProduce, kcatConsume, kcatIdempotence, kcatProduce, kcatProduceCost, readableRecords, rebalance, transactionCommit, transactionCommitLibrdkafka, type Ctx } from './scenarios.js';

/** The produce rows' record sizes: `tag` goes into their topic names, `label` into their row names. */
const SMALL = { size: 100, count: 1_000_000, tag: '100', label: '100 B' };
const LARGE = { size: 1024, count: 200_000, tag: '1k', label: '1 KiB' };
/**
 * Records read back by the consumer rows: 8 partitions of 25,000 records (~2.7 MB each, under the
 * mock's ~5 MB per-partition retention), written partition by partition so none overflows.
 */
const CONSUME = { size: 100, perPartition: 25_000, partitions: 8, count: 200_000 };

const TOPICS = [
  { name: 'kcat-100-p1', partitions: 1 },
  { name: 'kcat-100-p8', partitions: 8 },
  { name: 'kcat-1k-p1', partitions: 1 },
  { name: 'kcat-1k-p8', partitions: 8 },
  { name: 'kafkajs-100', partitions: 1 },
  { name: 'kafkajs-1k', partitions: 1 },
  { name: 'consume', partitions: CONSUME.partitions },
  { name: 'e2e', partitions: 1 },
  { name: 'rebalance', partitions: 6 },
  { name: 'idem-100-plain', partitions: 1 },
  { name: 'idem-100-idempotent', partitions: 1 },
  { name: 'idem-1k-plain', partitions: 1 },
  { name: 'idem-1k-idempotent', partitions: 1 },
  { name: 'txn', partitions: 1 },
  { name: 'txn-py', partitions: 1 },
];

/** A file of `count` records of `size` bytes, one per line (kcat -l splits on newlines). */
function recordFile(dir: string, size: number, count: number): string {
  const line = size + 1;
  const buf = Buffer.alloc(line * count, 0x78);
  for (let i = size; i < buf.length; i += line) buf[i] = 0x0a;
  const file = join(dir, `records-${size}-${count}.txt`);
  writeFileSync(file, buf);
  return file;
}

async function connectCtx(bootstrap: string, pid: number, create: boolean): Promise<Ctx> {
  const kafka = kafkaClient(bootstrap);
  const admin = kafka.admin();
  await withTimeout(admin.connect(), 15_000, 'admin connect');
  try {
    await withTimeout(admin.listTopics(), 15_000, 'metadata');
  } catch (err) {
    await admin.disconnect().catch(() => undefined);
    throw err;
  }
  return {
    bootstrap,
    pid,
    kafka,
    admin,
    async topic(name, partitions) {
      // The mock has every topic pre-created (it has no CreateTopics); omnibroker gets them made
      // through the admin API, as applications do.
      if (!create) return;
      const existing = await admin.listTopics();
      if (!existing.includes(name)) await admin.createTopics({ topics: [{ topic: name, numPartitions: partitions }], waitForLeaders: true });
    },
    async empty(name) {
      if (!create) return;
      const offsets = await admin.fetchTopicOffsets(name);
      await admin.deleteTopicRecords({ topic: name, partitions: offsets.map((p) => ({ partition: p.partition, offset: p.high })) });
    },
  };
}

async function omnibrokerTarget(label = 'omnibroker', args = benchArgs()): Promise<{ t: Target<Ctx>; stop: () => Promise<void> }> {
  let proc: ServerProcess | undefined;
  try {
    const o = await startOmnibroker(['kafka'], args);
    proc = o.proc;
    const ctx = await connectCtx(o.urls.kafka!, proc.pid, true); // the shell closes Kafka connections
    return { t: { label, ctx }, stop: () => stopCtx(ctx, proc) };
  } catch (err) {
    process.stderr.write(`${label}: not available: ${oneLine(err)}\n`);
    await proc?.stop();
    return { t: { label, ctx: undefined, unavailable: 'front-end not available' }, stop: async () => {} };
  }
}

async function mockTarget(): Promise<{ t: Target<Ctx>; stop: () => Promise<void> }> {
  let proc: ServerProcess | undefined;
  try {
    const m = await startMock(TOPICS);
    proc = m.proc;
    const ctx = await connectCtx(m.bootstrap, proc.pid, false);
    return { t: { label: 'librdkafka mock', ctx }, stop: () => stopCtx(ctx, proc) };
  } catch (err) {
    process.stderr.write(`librdkafka mock: not available: ${oneLine(err)}\n`);
    await proc?.stop();
    return { t: { label: 'librdkafka mock', ctx: undefined, unavailable: `peer not available: ${oneLine(err).slice(0, 60)}` }, stop: async () => {} };
  }
}

async function stopCtx(ctx: Ctx, proc: ServerProcess | undefined): Promise<void> {
  await ctx.admin.disconnect().catch(() => undefined);
  await proc?.stop();
}

async function main(): Promise<void> {
  const started = performance.now();
  const kcat = await run('kcat', ['-V'], { timeoutMs: 5000 }).catch(() => undefined);
  if (!kcat || kcat.code !== 0) throw new Error('kcat is not installed (apt-get install kcat)');
  const dir = mkdtempSync(join(tmpdir(), 'omnibroker-bench-kafka-'));
  trackDir(dir); // removed at the end, or on exit if we are interrupted
  // Durable rows: the data dir lives under the run's temp dir (removed at the end).
  const dataDir = join(dir, 'data');
  const omni = DURABLE ? await omnibrokerTarget('omnibroker --data-dir', durableArgs(dataDir)) : await omnibrokerTarget();
  const peer = DURABLE ? await omnibrokerTarget('omnibroker in memory') : await mockTarget();
  const title = DURABLE ? 'Kafka durable (--data-dir) vs in memory: kcat (librdkafka 2.0.2) and kafkajs 2.2.4, acks=all' : 'Kafka: kcat (librdkafka 2.0.2) and kafkajs 2.2.4, acks=all';
  const report = new Report<Ctx>(title, omni.t, peer.t);
  try {
    const sizes = [SMALL, LARGE].map((s) => ({ ...s, file: recordFile(dir, s.size, s.count) }));
    for (const { size, count, tag, label, file } of sizes) {
      for (const partitions of [1, 8]) {
        const name = `kcat produce ${label}, ${partitions} partition${partitions > 1 ? 's' : ''} (${count.toLocaleString('en-US')} records)`;
        const cpu = `server CPU per record, kcat produce ${label}, ${partitions} partition${partitions > 1 ? 's' : ''}`;
        const mb = 'kcat produce 1 KiB, 1 partition, volume';
        const volume = size === 1024 && partitions === 1;
        await report.measure({
          metrics: [
            { name, unit: 'records/s', better: 'higher' },
            ...(volume ? [{ name: mb, unit: 'MB/s', better: 'higher' as const }] : []),
            { name: cpu, unit: 'µs', better: 'lower' },
          ],
          timeoutMs: 60_000,
          run: async (c) => {
            const r = await kcatProduceCost(c, file, count, `kcat-${tag}-p${partitions}`, partitions);
            await c.empty(`kcat-${tag}-p${partitions}`);
            return { [name]: r.rate, [mb]: (r.rate * size) / 1e6, [cpu]: r.cpuUsPerRecord };
          },
        });
      }
    }
    for (const { count, tag, label, file } of sizes) {
      const rate = `kcat produce ${label}, 1 partition, idempotent (enable.idempotence=true)`;
      const ratio = `idempotent / plain kcat produce ${label}, same round`;
      const cpu = `server CPU per record, kcat produce ${label}, idempotent`;
      await report.measure({
        metrics: [
          { name: rate, unit: 'records/s', better: 'higher' },
          { name: ratio, unit: 'x, mean of rounds', better: 'higher', combine: 'mean' },
          { name: cpu, unit: 'µs', better: 'lower' },
        ],
        timeoutMs: 90_000,
        run: async (c) => {
          const r = await kcatIdempotence(c, file, count, `idem-${tag}`);
          return { [rate]: r.idempotent, [ratio]: r.idempotent / r.plain, [cpu]: r.idempotentCpuUs };
        },
      });
    }
    await report.measure(percentiles('transactional commit latency p50 (kafkajs: begin, send 1 record, commit)', 'transactional commit latency p99 (kafkajs)', 60_000, (c) => transactionCommit(c, 'txn')));
    await report.measure(percentiles('transactional commit latency p50 (confluent-kafka 1.7: begin, produce 1 record, commit)', 'transactional commit latency p99 (confluent-kafka 1.7)', 60_000, (c) => transactionCommitLibrdkafka(c, 'txn-py')));
    await report.measure(single('kafkajs produce 100 B, 1 partition, batches of 500', 'records/s', 'higher', 40_000, (c) => kafkajsProduce(c, 100, 'kafkajs-100')));
    await report.measure(single('kafkajs produce 1 KiB, 1 partition, batches of 500', 'records/s', 'higher', 40_000, (c) => kafkajsProduce(c, 1024, 'kafkajs-1k')));

    // The consumer, latency and rebalance rows compare against the peer only.
    if (!DURABLE) {
      const consumeFile = recordFile(dir, CONSUME.size, CONSUME.perPartition);
      const filled = new Map<string, number>();
      const fill = async (c: Ctx, target: string): Promise<number> => {
        let n = filled.get(target);
        if (n === undefined) {
          for (let p = 0; p < CONSUME.partitions; p++) await kcatProduce(c, consumeFile, CONSUME.perPartition, 'consume', CONSUME.partitions, p);
          n = await readableRecords(c.admin, 'consume');
          filled.set(target, n);
        }
        return n;
      };
      const kcatRow = `kcat consume 100 B, 8 partitions, whole topic (${CONSUME.count.toLocaleString('en-US')} records)`;
      const kcatRun = async (c: Ctx, target: string): Promise<number> => {
        const n = await fill(c, target);
        if (n !== CONSUME.count) throw new Error(`only ${n} of ${CONSUME.count} records readable`);
        return kcatConsume(c, 'consume', n);
      };
      await report.measure({ ...single(kcatRow, 'records/s', 'higher', 90_000, kcatRun), rounds: 3 });
      await report.measure(single('kafkajs consume, same topic (from first batch)', 'records/s', 'higher', 60_000, async (c, target) => kafkajsConsume(c, 'consume', await fill(c, target))));
      await report.measure(percentiles('end-to-end latency p50 (kafkajs send acks=-1 -> eachMessage)', 'end-to-end latency p99', 60_000, (c) => endToEnd(c, 'e2e')));
      await report.measure({ ...single('rebalance: 3rd member joins a 2-member group (kafkajs, session timeout 6 s)', 'ms', 'lower', 60_000, (c) => rebalance(c, 'rebalance')), rounds: 1 });
    }
  } finally {
    await omni.stop();
    await peer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  if (DURABLE) {
    report.print([
      `left: omnibroker --data-dir --fsync ${BENCH_FSYNC} (group commit; a produce is answered once written, fsync within 5 ms); right: omnibroker in memory. Ratio = durable / in memory.`,
      'kcat: librdkafka defaults (linger.ms 5, batch.num.messages 10000), -X acks=all, -z none; records/s from the high watermarks after kcat exits.',
      `total time ${((performance.now() - started) / 1000).toFixed(0)} s`,
    ]);
    return;
  }
  report.print([
    'peer: librdkafka 2.0.2 rd_kafka_mock_cluster (1 broker, in memory; keeps ~5 MB per partition, so consumer rows read a topic that fits).',
    'kcat: librdkafka defaults (linger.ms 5, batch.num.messages 10000, sticky partitioning of keyless records), -X acks=all, -z none;',
    'records/s counted from the high watermarks the server reports after kcat exits (process start-up included).',
    'kcat consume: best of 3 rounds; rebalance: 1 round.',
    `total time ${((performance.now() - started) / 1000).toFixed(0)} s`,
  ]);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:kafka failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
