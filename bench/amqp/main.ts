// bench/amqp: amqplib against omnibroker and against Debian's rabbitmq-server (a private node on
// free loopback ports), side by side in one run. Rows: 1 publisher + 1 consumer over one queue
// (16 B and 1 KiB, with and without publisher confirms; manual ack, prefetch 100), fan-out to 10
// queues, round-trip latency p50/p99, and server memory per idle connection (1,000 connections).
// Usage: npm run bench:amqp (builds dist/ first).
import amqp from 'amqplib';
import { withTimeout } from '../lib/measure.js';
import { startOmnibroker } from '../lib/omnibroker.js';
import { oneLine, percentiles, Report, single, type Target } from '../lib/report.js';
import { startRabbit } from './rabbitmq.js';
import { DURABLE, fanOut, idleConnections, oneQueue, roundTrip, type Ctx } from './scenarios.js';

async function probe(ctx: Ctx): Promise<void> {
  const conn = await withTimeout(amqp.connect(ctx.url), 5000, 'connect');
  await conn.close();
}

async function omnibrokerTarget(): Promise<{ t: Target<Ctx>; stop: () => Promise<void> }> {
  let stop = async (): Promise<void> => {};
  try {
    const o = await startOmnibroker(['amqp']);
    stop = () => o.proc.stop();
    const ctx = { url: o.urls.amqp!, pid: o.proc.pid };
    await probe(ctx); // the shell closes AMQP connections until the front-end lands
    return { t: { label: 'omnibroker', ctx }, stop };
  } catch (err) {
    process.stderr.write(`omnibroker: not available: ${oneLine(err)}\n`);
    await stop();
    return { t: { label: 'omnibroker', ctx: undefined, unavailable: 'front-end not available' }, stop: async () => {} };
  }
}

async function rabbitTarget(): Promise<{ t: Target<Ctx>; stop: () => Promise<void>; version: string }> {
  try {
    process.stderr.write('starting rabbitmq-server (private node)...\n');
    const r = await startRabbit();
    try {
      await probe({ url: r.url, pid: r.pid });
    } catch (err) {
      await r.stop();
      throw err;
    }
    return { t: { label: 'rabbitmq', ctx: { url: r.url, pid: r.pid } }, stop: () => r.stop(), version: r.version };
  } catch (err) {
    process.stderr.write(`rabbitmq: not available: ${oneLine(err)}\n`);
    return { t: { label: 'rabbitmq', ctx: undefined, unavailable: `peer not available: ${oneLine(err).slice(0, 60)}` }, stop: async () => {}, version: '?' };
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const omni = await omnibrokerTarget();
  const peer = await rabbitTarget();
  const report = new Report<Ctx>(`AMQP 0-9-1: amqplib, manual ack, prefetch 100${DURABLE ? ', durable queues, persistent messages' : ''}`, omni.t, peer.t);
  try {
    for (const size of [16, 1024]) {
      for (const confirms of [false, true]) {
        const label = `1 pub + 1 consumer, ${size === 16 ? '16 B' : '1 KiB'}, ${confirms ? 'publisher confirms' : 'no confirms'}`;
        const cpu = `server CPU per message, ${size === 16 ? '16 B' : '1 KiB'}, ${confirms ? 'confirms' : 'no confirms'}`;
        await report.measure({
          metrics: [
            { name: label, unit: 'msg/s', better: 'higher' },
            { name: cpu, unit: 'µs', better: 'lower' },
          ],
          timeoutMs: 60_000,
          run: async (c) => {
            const r = await oneQueue(c, size, confirms);
            return { [label]: r.rate, [cpu]: r.cpuPerMsg };
          },
        });
      }
    }
    await report.measure(single('fan-out to 10 queues, 16 B (deliveries)', 'msg/s', 'higher', 60_000, fanOut));
    await report.measure(percentiles('round-trip latency p50 (publish -> deliver)', 'round-trip latency p99', 30_000, (c) => roundTrip(c)));
    await report.measure({ ...single('server RSS per idle connection (1,000 connections)', 'KiB', 'lower', 90_000, (c) => idleConnections(c)), rounds: 1 });
  } finally {
    await omni.stop();
    await peer.stop();
  }
  report.print([
    `peer: Debian rabbitmq-server ${peer.version} (classic queues, ${DURABLE ? 'durable, persistent messages' : 'non-durable'}, no plugins); each throughput row: separate publisher and consumer connections in this process.`,
    'idle-connection row: one round (RSS growth after opening 1,000 connections and 2 s of settling).',
    `total time ${((performance.now() - started) / 1000).toFixed(0)} s`,
  ]);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:amqp failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
