// The Kafka measurements, written once and run against each server in turn: kcat (librdkafka)
// producer and consumer throughput, kafkajs producer and consumer throughput, end-to-end latency
// and the time a 3-member group takes to rebalance. Every loop is bounded by count and time.
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';
import { deferred, percentile, sleep, withTimeout } from '../lib/measure.js';
import { cpuMs, run } from '../lib/proc.js';

export interface Ctx {
  bootstrap: string;
  pid: number;
  kafka: Kafka;
  admin: Admin;
  /** Makes sure the topic exists with this many partitions (created up front on the mock). */
  topic(name: string, partitions: number): Promise<void>;
  /**
   * Deletes the topic's records (DeleteRecords up to the high watermark) on a server that keeps
   * everything, so no round pays for the memory earlier rounds filled (first-touch page faults
   * grow dearer as the process grows here); the mock keeps ~5 MB per partition on its own.
   */
  empty(name: string): Promise<void>;
}

export function kafkaClient(bootstrap: string): Kafka {
  return new Kafka({
    clientId: 'omnibroker-bench',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 15_000,
    retry: { retries: 2, initialRetryTime: 100 },
  });
}

/** Records written to a topic: the sum of the partitions' high watermarks. */
export async function storedRecords(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high), 0);
}

/** Records still readable (high watermark - log start offset, summed over partitions). */
export async function readableRecords(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

const KCAT_LIMIT_MS = 30_000;

/**
 * kcat -P of `count` records from a file (one record per line), acks=all, into a fresh topic (all
 * partitions through librdkafka's default partitioner, or just `partition`); records/s counted
 * from what the server reports stored, and the server's CPU time (user + system, all threads)
 * per record while kcat ran: its cost whatever the client's speed on this shared machine.
 */
export async function kcatProduceCost(ctx: Ctx, file: string, count: number, topic: string, partitions: number, partition?: number, extra: string[] = []): Promise<{ rate: number; cpuUsPerRecord: number }> {
  await ctx.topic(topic, partitions);
  const before = await storedRecords(ctx.admin, topic);
  const args = ['-P', '-b', ctx.bootstrap, '-t', topic, '-X', 'acks=all', '-z', 'none', ...extra, '-l', file];
  if (partition !== undefined) args.push('-p', String(partition));
  const cpu0 = cpuMs(ctx.pid);
  const r = await run('kcat', args, { timeoutMs: KCAT_LIMIT_MS });
  const cpu = cpuMs(ctx.pid) - cpu0;
  if (r.code !== 0 && r.signal !== 'SIGKILL') throw new Error(`kcat -P exited ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  const stored = (await storedRecords(ctx.admin, topic)) - before;
  if (stored === 0) throw new Error(`kcat -P stored nothing${r.signal === 'SIGKILL' ? ` within ${KCAT_LIMIT_MS} ms` : ''}`);
  if (r.signal !== 'SIGKILL' && stored !== count) throw new Error(`kcat -P finished but ${stored} of ${count} records are stored`);
  return { rate: (stored * 1000) / r.ms, cpuUsPerRecord: (cpu * 1000) / stored };
}

/** kcatProduceCost's records/s alone. */
export async function kcatProduce(ctx: Ctx, file: string, count: number, topic: string, partitions: number, partition?: number, extra: string[] = []): Promise<number> {
  return (await kcatProduceCost(ctx, file, count, topic, partitions, partition, extra)).rate;
}

/** kcat -C of a whole topic (from the beginning to the end); records/s. */
export async function kcatConsume(ctx: Ctx, topic: string, expected: number): Promise<number> {
  // One line (the offset) per record, counted as it streams by.
  const r = await run('kcat', ['-C', '-b', ctx.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-c', String(expected), '-f', '%o\n'], { timeoutMs: KCAT_LIMIT_MS });
  if (r.code !== 0) throw new Error(`kcat -C exited ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  if (r.stdoutLines !== expected) throw new Error(`kcat -C read ${r.stdoutLines} of ${expected} records`);
  return (r.stdoutLines * 1000) / r.ms;
}

/** kafkajs producer, acks=-1, batches of 500 records with 4 sends in flight; records/s. */
export async function kafkajsProduce(ctx: Ctx, size: number, topic: string): Promise<number> {
  await ctx.topic(topic, 1);
  const producer = ctx.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const messages = Array.from({ length: 500 }, () => ({ value: Buffer.alloc(size, 0x78) }));
    await producer.send({ topic, acks: -1, messages }); // warm-up
    const deadline = performance.now() + 5000;
    let sent = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (sent < 500_000 && performance.now() < deadline) {
          await producer.send({ topic, acks: -1, messages });
          sent += messages.length;
        }
      }),
    );
    return (sent * 1000) / (performance.now() - started);
  } finally {
    await producer.disconnect();
  }
}

/**
 * Plain then idempotent kcat production of the same file into one partition, back to back on the
 * same server (`-X enable.idempotence=true`: InitProducerId, producer id/epoch/sequence in every
 * batch, at most 5 requests in flight); records/s of each and their ratio.
 */
export async function kcatIdempotence(ctx: Ctx, file: string, count: number, topic: string): Promise<{ plain: number; idempotent: number; idempotentCpuUs: number }> {
  const plain = await kcatProduceCost(ctx, file, count, `${topic}-plain`, 1);
  await ctx.empty(`${topic}-plain`);
  const idempotent = await kcatProduceCost(ctx, file, count, `${topic}-idempotent`, 1, undefined, ['-X', 'enable.idempotence=true']);
  await ctx.empty(`${topic}-idempotent`);
  return { plain: plain.rate, idempotent: idempotent.rate, idempotentCpuUs: idempotent.cpuUsPerRecord };
}

let txnSeq = 0;

/**
 * Transactional commit latency: a kafkajs transactional producer (idempotent, one request in
 * flight) repeats begin, send one 100 B record (acks=-1), commit. Each sample is the time from
 * begin to the resolved commit (AddPartitionsToTxn, Produce and EndTxn round trips, plus the
 * control batch the broker writes). Up to 300 rounds or 5 s; the first 20 are warm-up.
 */
export async function transactionCommit(ctx: Ctx, topic: string): Promise<{ p50: number; p99: number }> {
  await ctx.topic(topic, 1);
  const producer = ctx.kafka.producer({ transactionalId: `bench-txn-${process.pid}-${++txnSeq}`, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const samples: number[] = [];
    const value = Buffer.alloc(100, 0x78);
    const deadline = performance.now() + 5000;
    for (let i = 0; i < 300 && performance.now() < deadline; i++) {
      const t0 = performance.now();
      const txn = await producer.transaction();
      await txn.send({ topic, acks: -1, messages: [{ value }] });
      await txn.commit();
      if (i >= 20) samples.push(performance.now() - t0);
    }
    if (samples.length === 0) throw new Error('no transaction finished after the warm-up');
    return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
  } finally {
    await producer.disconnect();
  }
}

const TXN_DRIVER = fileURLToPath(new URL('./txn_latency.py', import.meta.url));

/**
 * The same loop with python3-confluent-kafka 1.7 (librdkafka 2.0.2, linger.ms 0), run by
 * txn_latency.py under Debian's /usr/bin/python3: begin, produce one 100 B record,
 * commit_transaction (which flushes, then sends EndTxn). Up to 300 rounds or 5 s.
 */
export async function transactionCommitLibrdkafka(ctx: Ctx, topic: string): Promise<{ p50: number; p99: number }> {
  await ctx.topic(topic, 1);
  const r = await run('/usr/bin/python3', [TXN_DRIVER, ctx.bootstrap, topic, `bench-txn-py-${process.pid}-${++txnSeq}`, '300', '5'], { timeoutMs: 40_000 });
  if (r.code !== 0) throw new Error(`txn_latency.py exited ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  const samples = (JSON.parse(r.stdout) as { samples: number[] }).samples;
  if (samples.length === 0) throw new Error('no transaction finished after the warm-up');
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

function consumer(ctx: Ctx, groupId: string): Consumer {
  return ctx.kafka.consumer({ groupId, heartbeatInterval: 100, sessionTimeout: 6000, rebalanceTimeout: 6000, maxWaitTimeInMs: 100, minBytes: 1 });
}

let groupSeq = 0;
const group = (what: string): string => `bench-${what}-${process.pid}-${++groupSeq}`;

/** kafkajs consumer reading a whole topic from the beginning; records/s from the first batch on. */
export async function kafkajsConsume(ctx: Ctx, topic: string, expected: number): Promise<number> {
  const c = consumer(ctx, group('consume'));
  await c.connect();
  try {
    await c.subscribe({ topics: [topic], fromBeginning: true });
    let got = 0;
    let first = 0;
    const done = deferred<number>();
    await c.run({
      eachBatch: async ({ batch }) => {
        if (first === 0) first = performance.now();
        got += batch.messages.length;
        if (got >= expected) done.resolve(performance.now());
      },
    });
    const end = await withTimeout(done.promise, 30_000, `consuming ${expected} records (got ${got})`);
    return (got * 1000) / (end - first);
  } finally {
    await c.disconnect();
  }
}

/** kafkajs producer (acks=-1) -> kafkajs consumer, one record at a time: latency in ms. */
export async function endToEnd(ctx: Ctx, topic: string): Promise<{ p50: number; p99: number }> {
  await ctx.topic(topic, 1);
  const producer = ctx.kafka.producer({ allowAutoTopicCreation: false });
  const c = consumer(ctx, group('e2e'));
  await producer.connect();
  await c.connect();
  try {
    await c.subscribe({ topics: [topic], fromBeginning: false });
    let arrived = deferred();
    const joined = deferred();
    c.on(c.events.GROUP_JOIN, () => joined.resolve());
    await c.run({ eachMessage: async () => arrived.resolve() });
    await withTimeout(joined.promise, 20_000, 'joining the group');
    await sleep(500); // let the first fetch of the new assignment start
    const samples: number[] = [];
    const deadline = performance.now() + 5000;
    for (let i = 0; i < 600 && performance.now() < deadline; i++) {
      arrived = deferred();
      const t0 = performance.now();
      await producer.send({ topic, acks: -1, messages: [{ value: Buffer.alloc(100, 0x78) }] });
      await withTimeout(arrived.promise, 5000, 'delivery');
      if (i >= 20) samples.push(performance.now() - t0);
    }
    return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
  } finally {
    await c.disconnect();
    await producer.disconnect();
  }
}

/**
 * Two members are stable in a group; a third joins. Time from the third member's start until all
 * three have joined the new generation (kafkajs GROUP_JOIN), heartbeat interval 100 ms.
 */
export async function rebalance(ctx: Ctx, topic: string): Promise<number> {
  await ctx.topic(topic, 6);
  const groupId = group('rebalance');
  const members: { c: Consumer; joins: number[] }[] = [];
  const start = async (): Promise<void> => {
    const c = consumer(ctx, groupId);
    const m = { c, joins: [] as number[] };
    c.on(c.events.GROUP_JOIN, () => m.joins.push(performance.now()));
    members.push(m);
    await c.connect();
    await c.subscribe({ topics: [topic] });
    await c.run({ eachMessage: async () => {} });
  };
  const waitFor = async (pred: () => boolean, what: string): Promise<void> => {
    const deadline = performance.now() + 30_000;
    while (!pred()) {
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(5);
    }
  };
  try {
    await start();
    await start();
    await waitFor(() => members.every((m) => m.joins.length > 0), 'the first two members to join');
    // Stable: no join for 1 s.
    await waitFor(() => performance.now() - Math.max(...members.flatMap((m) => m.joins)) > 1000, 'a stable group');
    const t0 = performance.now();
    await start();
    await waitFor(() => members.every((m) => m.joins.some((t) => t > t0)), 'all three members to join');
    return Math.max(...members.map((m) => m.joins.find((t) => t > t0)!)) - t0;
  } finally {
    await Promise.all(members.map((m) => m.c.disconnect().catch(() => undefined)));
  }
}
