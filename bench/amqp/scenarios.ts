// The AMQP measurements, written once against amqplib and run against each server in turn.
// Every loop is bounded by a message count and a time limit.
import amqp, { type Channel, type ConfirmChannel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { once } from 'node:events';
import { deferred, percentile, sleep, withTimeout } from '../lib/measure.js';
import { cpuMs, rssKiB } from '../lib/proc.js';

export interface Ctx {
  url: string;
  /** Server process, for RSS. */
  pid: number;
}

const PREFETCH = 100;
const PUBLISH_MS = 2500;
/** After publishing stops, consumers may take this long to catch up, as long as they progress... */
const DRAIN_MS = 30_000;
/** ...and an error is reported when no message arrives for this long (lost or stuck). */
const STALL_MS = 3000;
const CONFIRM_WINDOW = 1000;
/** BENCH_DURABLE=1: durable queues and exchanges, persistent messages (delivery mode 2). */
export const DURABLE = process.env.BENCH_DURABLE === '1';
const PUBLISH_OPTIONS = DURABLE ? { persistent: true } : {};

let seq = 0;
const name = (what: string): string => `bench-${what}-${process.pid}-${++seq}`;

async function open(url: string): Promise<ChannelModel> {
  return withTimeout(amqp.connect(url), 10_000, 'connect');
}

/** Publishes `body` to (exchange, routingKey) until `max` messages or PUBLISH_MS; returns the count. */
async function publishLoop(ch: Channel | ConfirmChannel, confirms: boolean, exchange: string, routingKey: string, body: Buffer, max: number): Promise<number> {
  const deadline = performance.now() + PUBLISH_MS;
  let sent = 0;
  let outstanding = 0;
  let failure: Error | undefined;
  let windowOpen: (() => void) | undefined;
  while (sent < max && performance.now() < deadline) {
    if (failure) throw failure;
    if (confirms) {
      outstanding++;
      (ch as ConfirmChannel).publish(exchange, routingKey, body, PUBLISH_OPTIONS, (err) => {
        if (err) failure = new Error('publish nacked');
        outstanding--;
        if (windowOpen && outstanding < CONFIRM_WINDOW / 2) {
          windowOpen();
          windowOpen = undefined;
        }
      });
      sent++;
      if (outstanding >= CONFIRM_WINDOW) await new Promise<void>((resolve) => (windowOpen = resolve));
    } else {
      const ok = ch.publish(exchange, routingKey, body, PUBLISH_OPTIONS);
      sent++;
      if (!ok) await once(ch, 'drain');
      // Let the consumer (same process) run now and then, as a separate client process would.
      if (sent % 200 === 0) await new Promise((r) => setImmediate(r));
    }
  }
  if (confirms) await withTimeout((ch as ConfirmChannel).waitForConfirms(), DRAIN_MS, 'waiting for confirms');
  if (failure) throw failure;
  return sent;
}

interface Counter {
  received: number;
  /** Resolves once `received` reaches the target set with `until`. */
  until(n: number): Promise<void>;
}

async function consumeCounting(ch: Channel, queue: string): Promise<Counter> {
  let target = Infinity;
  let reached = deferred();
  const counter: Counter = {
    received: 0,
    until(n) {
      target = n;
      reached = deferred();
      if (counter.received >= n) reached.resolve();
      return reached.promise;
    },
  };
  await ch.prefetch(PREFETCH);
  await ch.consume(
    queue,
    (msg: ConsumeMessage | null) => {
      if (!msg) return;
      ch.ack(msg);
      if (++counter.received >= target) reached.resolve();
    },
    { noAck: false },
  );
  return counter;
}

/**
 * 1 publisher + 1 consumer over one queue (separate connections), manual ack, prefetch 100.
 * Returns consumed messages/s and the server's CPU time per message in µs.
 */
export async function oneQueue(ctx: Ctx, bodySize: number, confirms: boolean): Promise<{ rate: number; cpuPerMsg: number }> {
  const pub = await open(ctx.url);
  const sub = await open(ctx.url);
  try {
    const queue = name('q');
    const setup = await pub.createChannel();
    await setup.assertQueue(queue, { durable: DURABLE });
    const counter = await consumeCounting(await sub.createChannel(), queue);
    const ch = confirms ? await pub.createConfirmChannel() : await pub.createChannel();
    const body = Buffer.alloc(bodySize, 0x61);
    // Warm-up, not timed.
    const warm = await publishLoop(ch, confirms, '', queue, body, 2000);
    await withTimeout(counter.until(warm), DRAIN_MS, 'warm-up consume');
    const started = performance.now();
    const cpuBefore = cpuMs(ctx.pid);
    const sent = await publishLoop(ch, confirms, '', queue, body, bodySize > 100 ? 150_000 : 300_000);
    await waitForCount(() => counter.received, warm + sent, counter.until(warm + sent), 'consumer');
    const ms = performance.now() - started;
    const got = counter.received - warm;
    return { rate: (got * 1000) / ms, cpuPerMsg: ((cpuMs(ctx.pid) - cpuBefore) * 1000) / got };
  } finally {
    await closeQuietly(pub, sub);
  }
}

/** Waits until count() reaches target (`done` resolves then); fails on a stall or after DRAIN_MS. */
async function waitForCount(count: () => number, target: number, done: Promise<unknown>, who: string): Promise<void> {
  const deadline = performance.now() + DRAIN_MS;
  let last = count();
  let lastChange = performance.now();
  while (count() < target) {
    await Promise.race([done, sleep(100)]);
    const now = performance.now();
    const c = count();
    if (c >= target) return;
    if (c !== last) {
      last = c;
      lastChange = now;
    }
    if (now - lastChange > STALL_MS) throw new Error(`${who} got ${c} of ${target}, nothing new for ${STALL_MS} ms`);
    if (now > deadline) throw new Error(`${who} got ${c} of ${target} within ${DRAIN_MS} ms after publishing stopped`);
  }
}

/** 1 publisher -> fanout exchange bound to 10 queues, one consumer per queue; deliveries/s. */
export async function fanOut(ctx: Ctx): Promise<number> {
  const pub = await open(ctx.url);
  const sub = await open(ctx.url);
  try {
    const setup = await pub.createChannel();
    const exchange = name('fanout');
    await setup.assertExchange(exchange, 'fanout', { durable: DURABLE });
    const counters: Counter[] = [];
    for (let i = 0; i < 10; i++) {
      const queue = name(`fan${i}`);
      await setup.assertQueue(queue, { durable: DURABLE });
      await setup.bindQueue(queue, exchange, '');
      counters.push(await consumeCounting(await sub.createChannel(), queue));
    }
    const ch = await pub.createChannel();
    const body = Buffer.alloc(16, 0x61);
    const warm = await publishLoop(ch, false, exchange, '', body, 500);
    await withTimeout(Promise.all(counters.map((c) => c.until(warm))), DRAIN_MS, 'warm-up consume');
    const started = performance.now();
    const sent = await publishLoop(ch, false, exchange, '', body, 15_000);
    const total = (): number => counters.reduce((sum, c) => sum + c.received - warm, 0);
    await waitForCount(total, sent * 10, Promise.all(counters.map((c) => c.until(warm + sent))), 'consumers');
    return (total() * 1000) / (performance.now() - started);
  } finally {
    await closeQuietly(pub, sub);
  }
}

/** Publish one message, wait for its delivery, repeat: round-trip latency in ms. */
export async function roundTrip(ctx: Ctx): Promise<{ p50: number; p99: number }> {
  const pub = await open(ctx.url);
  const sub = await open(ctx.url);
  try {
    const queue = name('rt');
    const ch = await pub.createChannel();
    await ch.assertQueue(queue, { durable: DURABLE });
    const subCh = await sub.createChannel();
    await subCh.prefetch(PREFETCH);
    let arrived = deferred();
    await subCh.consume(queue, (msg) => {
      if (!msg) return;
      subCh.ack(msg);
      arrived.resolve();
    });
    const body = Buffer.alloc(16, 0x61);
    const samples: number[] = [];
    const deadline = performance.now() + 3000;
    for (let i = 0; i < 3000 && performance.now() < deadline; i++) {
      arrived = deferred();
      const t0 = performance.now();
      ch.publish('', queue, body, PUBLISH_OPTIONS);
      await withTimeout(arrived.promise, 5000, 'delivery');
      if (i >= 100) samples.push(performance.now() - t0); // the first 100 are warm-up
    }
    return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
  } finally {
    await closeQuietly(pub, sub);
  }
}

/** Opens 1,000 connections that then sit idle; the server's RSS growth per connection in KiB. */
export async function idleConnections(ctx: Ctx, count = 1000): Promise<number> {
  const conns: ChannelModel[] = [];
  try {
    await sleep(1000);
    const before = rssKiB(ctx.pid);
    const deadline = performance.now() + 60_000;
    while (conns.length < count) {
      if (performance.now() > deadline) throw new Error(`only ${conns.length} connections opened in 60 s`);
      const batch = await Promise.all(Array.from({ length: Math.min(25, count - conns.length) }, () => open(ctx.url)));
      conns.push(...batch);
    }
    await sleep(2000); // let the server settle (lazy allocations, GC)
    const after = rssKiB(ctx.pid);
    if (before === undefined || after === undefined) throw new Error('server process is gone');
    return (after - before) / count;
  } finally {
    await closeQuietly(...conns);
  }
}

async function closeQuietly(...conns: ChannelModel[]): Promise<void> {
  for (let i = 0; i < conns.length; i += 50) {
    await Promise.all(conns.slice(i, i + 50).map((c) => withTimeout(c.close(), 5000, 'close').catch(() => undefined)));
  }
}
