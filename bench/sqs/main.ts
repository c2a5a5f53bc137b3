// bench/sqs: @aws-sdk/client-sqs against omnibroker and against fauxqs (the npm SQS emulator,
// run under Node 24), side by side in one run. Rows: SendMessage with 1 and 16 callers (plus the
// server's CPU per message at 16), SendMessageBatch of 10, Receive+Delete, long-poll wake-up.
// BENCH_DURABLE=1: omnibroker with --data-dir (--fsync interval, the default; BENCH_FSYNC to
// change) against omnibroker in memory, same rows (SendMessage is answered once durable).
// Usage: npm run bench:sqs (builds dist/ first). Every loop is bounded by count and time.
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { loop, percentile, sleep } from '../lib/measure.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_DURABLE as DURABLE, BENCH_FSYNC as FSYNC, benchArgs, durableArgs, startOmnibroker } from '../lib/omnibroker.js';
import { ensurePeerPackages, PEER_NODE, PEERS_DIR } from '../lib/peers.js';
import { cpuMs, startServer, trackDir, type ServerProcess } from '../lib/proc.js';
import { oneLine, percentiles, Report, type Metric, type Scenario, type Target } from '../lib/report.js';

interface Ctx {
  client: SQSClient;
  pid: number;
}

const BODY = 'x'.repeat(100);
const SEND_MAX = 20_000;
const LOOP_MS = 3000;

function client(endpoint: string): SQSClient {
  // A literal endpoint keeps every request on this server whatever host the queue URLs name;
  // maxAttempts 1 so a refusing server fails fast instead of being retried.
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
  });
}

let queueSeq = 0;
async function freshQueue(c: Ctx, attributes: Record<string, string> = {}): Promise<string> {
  const out = await c.client.send(new CreateQueueCommand({ QueueName: `bench-${process.pid}-${++queueSeq}`, Attributes: attributes }));
  if (!out.QueueUrl) throw new Error('CreateQueue returned no QueueUrl');
  return out.QueueUrl;
}

async function sendLoop(c: Ctx, concurrency: number): Promise<Record<string, number>> {
  const QueueUrl = await freshQueue(c);
  // Warm-up: connections opened and code paths compiled on both sides before timing.
  await Promise.all(Array.from({ length: concurrency }, () => c.client.send(new SendMessageCommand({ QueueUrl, MessageBody: BODY }))));
  const cpuBefore = cpuMs(c.pid);
  const r = await loop({
    concurrency,
    maxUnits: SEND_MAX,
    maxMs: LOOP_MS,
    op: async () => {
      await c.client.send(new SendMessageCommand({ QueueUrl, MessageBody: BODY }));
      return 1;
    },
  });
  const serverCpuMs = cpuMs(c.pid) - cpuBefore;
  return { rate: r.perSecond, cpuPerMsg: (serverCpuMs * 1000) / r.units, serverCpuShare: (serverCpuMs / r.ms) * 100 };
}

function batchEntries(n: number): { Id: string; MessageBody: string }[] {
  return Array.from({ length: n }, (_, i) => ({ Id: `m${i}`, MessageBody: BODY }));
}

async function sendBatch(c: Ctx, QueueUrl: string): Promise<number> {
  const out = await c.client.send(new SendMessageBatchCommand({ QueueUrl, Entries: batchEntries(10) }));
  if (out.Failed && out.Failed.length > 0) throw new Error(`SendMessageBatch failed entries: ${out.Failed[0]?.Code ?? '?'}`);
  return out.Successful?.length ?? 0;
}

async function batchLoop(c: Ctx): Promise<Record<string, number>> {
  const QueueUrl = await freshQueue(c);
  await sendBatch(c, QueueUrl);
  const cpuBefore = cpuMs(c.pid);
  const r = await loop({ concurrency: 1, maxUnits: SEND_MAX * 2, maxMs: LOOP_MS, op: () => sendBatch(c, QueueUrl) });
  return { rate: r.perSecond, cpuPerMsg: ((cpuMs(c.pid) - cpuBefore) * 1000) / r.units };
}

async function receiveDeleteLoop(c: Ctx): Promise<Record<string, number>> {
  const QueueUrl = await freshQueue(c);
  const prefill = 10_000;
  // Fill with 4 concurrent batch senders (not timed); bounded by count.
  const fill = await loop({ concurrency: 4, maxUnits: prefill, maxMs: 30_000, op: () => sendBatch(c, QueueUrl) });
  const filled = fill.units;
  const cpuBefore = cpuMs(c.pid);
  const r = await loop({
    concurrency: 1,
    maxUnits: filled,
    maxMs: LOOP_MS,
    op: async () => {
      const got = await c.client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60 }));
      const messages = got.Messages ?? [];
      if (messages.length === 0) throw new Error('queue ran dry before the loop ended');
      const del = await c.client.send(
        new DeleteMessageBatchCommand({ QueueUrl, Entries: messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })) }),
      );
      if (del.Failed && del.Failed.length > 0) throw new Error(`DeleteMessageBatch failed entries: ${del.Failed[0]?.Code ?? '?'}`);
      return messages.length;
    },
  });
  return { rate: r.perSecond, cpuPerMsg: ((cpuMs(c.pid) - cpuBefore) * 1000) / r.units };
}

async function longPoll(c: Ctx): Promise<{ p50: number; p99: number }> {
  const QueueUrl = await freshQueue(c);
  const samples: number[] = [];
  const deadline = performance.now() + 6000;
  for (let i = 0; i < 60 && performance.now() < deadline; i++) {
    const waiting = c.client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 5 }));
    let returnedAt = 0;
    const done = waiting.then((out) => {
      returnedAt = performance.now();
      return out;
    });
    await sleep(30); // let the receive reach the server and start waiting
    const sentAt = performance.now();
    await c.client.send(new SendMessageCommand({ QueueUrl, MessageBody: BODY }));
    const out = await done;
    const m = out.Messages?.[0];
    if (!m) throw new Error('the waiting receive returned empty');
    if (i > 0) samples.push(returnedAt - sentAt); // the first round is warm-up
    await c.client.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'd', ReceiptHandle: m.ReceiptHandle! }] }));
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function target(label: string, start: () => Promise<{ endpoint: string; proc: ServerProcess }>): Promise<{ t: Target<Ctx>; stop: () => Promise<void> }> {
  let proc: ServerProcess | undefined;
  try {
    const started = await start();
    proc = started.proc;
    const ctx: Ctx = { client: client(started.endpoint), pid: proc.pid };
    // Probe: omnibroker's shell answers UnsupportedOperation until the SQS front-end lands.
    await freshQueue(ctx);
    return { t: { label, ctx }, stop: () => stop(ctx, proc) };
  } catch (err) {
    process.stderr.write(`${label}: not available: ${oneLine(err)}\n`);
    await proc?.stop();
    const reason = label.startsWith('omnibroker') ? 'front-end not available' : `peer not available: ${oneLine(err).slice(0, 60)}`;
    return { t: { label, ctx: undefined, unavailable: reason }, stop: async () => {} };
  }
}

/** omnibroker's SQS port, started with these server arguments. */
function omnibrokerTarget(label: string, args = benchArgs()): Promise<{ t: Target<Ctx>; stop: () => Promise<void> }> {
  return target(label, async () => {
    const o = await startOmnibroker(['sqs'], args);
    return { endpoint: o.urls.sqs!, proc: o.proc };
  });
}

async function stop(ctx: Ctx, proc: ServerProcess | undefined): Promise<void> {
  ctx.client.destroy();
  await proc?.stop();
}

async function main(): Promise<void> {
  const started = performance.now();
  const dataDir = DURABLE ? mkdtempSync(join(tmpdir(), 'omnibroker-bench-sqs-')) : undefined;
  if (dataDir) trackDir(dataDir);
  const omni = dataDir ? await omnibrokerTarget('omnibroker --data-dir', durableArgs(dataDir)) : await omnibrokerTarget('omnibroker');
  const peer = DURABLE
    ? await omnibrokerTarget('omnibroker in memory')
    : await target('fauxqs', async () => {
        await ensurePeerPackages();
        const proc = await startServer(PEER_NODE, [`${PEERS_DIR}fauxqs-launch.mjs`], { ready: /^fauxqs ready (\d+)$/, timeoutMs: 20_000, cwd: PEERS_DIR });
        return { endpoint: `http://127.0.0.1:${proc.readyMatch[1]!}`, proc };
      });
  const report = new Report<Ctx>(DURABLE ? `SQS durable (--data-dir --fsync ${FSYNC}) vs in memory: @aws-sdk/client-sqs, 100-byte bodies` : 'SQS: @aws-sdk/client-sqs, 100-byte bodies', omni.t, peer.t);
  try {
    // Throughput rows come with the server's CPU time per message: one client process saturates
    // before either server does on this 2-core machine, and CPU per message is what shows a
    // server's own cost (its capacity per core is 1e6 / µs).
    const throughput = (name: string, fn: (c: Ctx) => Promise<Record<string, number>>, extra: Metric[] = []): Scenario<Ctx> => ({
      metrics: [
        { name, unit: 'msg/s', better: 'higher' },
        { name: `server CPU per message, ${name}`, unit: 'µs', better: 'lower' },
        ...extra,
      ],
      timeoutMs: 60_000,
      run: async (c) => {
        const r = await fn(c);
        return { [name]: r.rate!, [`server CPU per message, ${name}`]: r.cpuPerMsg!, ...(extra[0] ? { [extra[0].name]: r.serverCpuShare! } : {}) };
      },
    });
    await report.measure(throughput('SendMessage, 1 caller', (c) => sendLoop(c, 1)));
    await report.measure(throughput('SendMessage, 16 callers', (c) => sendLoop(c, 16), [{ name: 'server CPU busy, SendMessage x16', unit: '% of one core', better: 'lower' }]));
    await report.measure(throughput('SendMessageBatch of 10, 1 caller', batchLoop));
    await report.measure(throughput('ReceiveMessage(10) + DeleteMessageBatch, 1 caller', receiveDeleteLoop));
    await report.measure(percentiles('long-poll wake-up p50 (send -> waiting receive returns)', 'long-poll wake-up p99', 30_000, longPoll));
  } finally {
    await omni.stop();
    await peer.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
  if (DURABLE) {
    report.print([
      `left: omnibroker --data-dir --fsync ${FSYNC} (SendMessage / DeleteMessage answered once durable per the policy; group commit); right: omnibroker in memory. Ratio = durable / in memory.`,
      'one client process tops out near 1,500 SDK calls/s here, so msg/s rows are client-bound; "server CPU per message" shows the cost of durability.',
      `total time ${((performance.now() - started) / 1000).toFixed(0)} s`,
    ]);
    return;
  }
  report.print([
    `client: @aws-sdk/client-sqs (JSON protocol), one SQSClient per server, keep-alive; peer: fauxqs under Node ${await peerNodeVersion()}.`,
    'one client process tops out near 1,500 SDK calls/s here, so msg/s rows are client-bound once a server is fast;',
    'compare servers by "server CPU per message" (capacity per core = 1e6 / µs) and "server CPU busy".',
    `total time ${((performance.now() - started) / 1000).toFixed(0)} s`,
  ]);
}

async function peerNodeVersion(): Promise<string> {
  const { run } = await import('../lib/proc.js');
  const r = await run(PEER_NODE, ['--version'], { timeoutMs: 5000 }).catch(() => undefined);
  return r?.stdout.trim() ?? '?';
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:sqs failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
