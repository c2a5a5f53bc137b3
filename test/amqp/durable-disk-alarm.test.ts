// The disk alarm under --data-dir, through amqplib: when the storage engine cannot write for
// lack of space (ENOSPC injected by wrapping the engine's I/O object in-process), a persistent
// publish already read is nacked, publishing connections get connection.blocked "low on disk"
// and are not read any more (their next publish waits, unconfirmed), connections that only
// consume are neither told nor paused and keep being served; once the engine's retry writes
// again, connection.unblocked arrives, the waiting publish is read and confirmed, and what was
// confirmed survives a restart. The free-space side (disk_free_limit, set through the admin
// port like rabbitmqctl set_disk_free_limit) blocks before any write fails. pika sees the same.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeIo } from '../../src/core/storage/io.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connect, drain, hasPika, PYTHON, sendConfirmed, sleep, until } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'omnibroker-amqp-disk-'));
let server: TestServer;
const original = { ...nodeIo };
const enospc = (): Promise<void> => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));

beforeAll(async () => {
  server = await startTestServer({ protocols: ['amqp'], dataDir: dir, fsync: 'always' });
});
afterAll(async () => {
  Object.assign(nodeIo, original);
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

function watch(conn: amqplib.ChannelModel): string[] {
  const events: string[] = [];
  conn.on('blocked', (reason: string) => events.push(`blocked: ${reason}`));
  conn.on('unblocked', () => events.push('unblocked'));
  return events;
}

async function bodies(conn: amqplib.ChannelModel, queue: string): Promise<string[]> {
  const ch = await conn.createChannel();
  const out = await drain(ch, queue);
  await ch.close();
  return out;
}

describe('AMQP disk alarm (--data-dir, full disk)', () => {
  it('blocks publishers with "low on disk", serves consumers, unblocks when writes succeed again', async () => {
    const pub = await connect(server);
    const pubEvents = watch(pub);
    const ch = await pub.createConfirmChannel();
    await ch.assertQueue('disk', { durable: true });
    expect(await sendConfirmed(ch, 'disk', 'before', true)).toBe(true);
    const sub = await connect(server);
    const subEvents = watch(sub);
    const reader = await sub.createChannel();
    await reader.assertQueue('drain', { durable: true });
    expect(await sendConfirmed(ch, 'drain', 'to-consume', true)).toBe(true);

    nodeIo.writev = enospc;
    // Read before the alarm went up: the engine refused it, so it is nacked (not confirmed).
    expect(await sendConfirmed(ch, 'disk', 'refused', true)).toBe(false);
    await until(() => pubEvents.includes('blocked: low on disk'));
    // The publisher is not read any more: this publish waits on the socket, unconfirmed.
    let held: boolean | undefined;
    const heldDone = sendConfirmed(ch, 'disk', 'held', true).then((ok) => (held = ok));
    await sleep(300);
    expect(held).toBeUndefined();
    expect(pubEvents).toEqual(['blocked: low on disk']);

    // Consumers go on: a consumer-only connection is neither told nor paused.
    const got: string[] = [];
    await reader.consume('drain', (m) => m && got.push(m.content.toString()), { noAck: true });
    await until(() => got.length === 1);
    expect(got).toEqual(['to-consume']);
    const m = await reader.get('disk', { noAck: true });
    expect(m && m.content.toString()).toBe('before');
    expect(subEvents).toEqual([]);

    // Space comes back: the engine's retry (every 500 ms) writes, the alarm clears.
    nodeIo.writev = original.writev;
    await until(() => pubEvents.includes('unblocked'), 5000);
    await heldDone;
    expect(held).toBe(true);
    expect(pubEvents).toEqual(['blocked: low on disk', 'unblocked']);
    expect(await sendConfirmed(ch, 'disk', 'after', true)).toBe(true);
    expect(subEvents).toEqual([]);
    await pub.close();
    await sub.close();

    // Everything confirmed is on disk. (The 'before' get's remove record was not written while
    // the disk was full, so it may come back: at least once, as documented.)
    await server.stop();
    server = await startTestServer({ protocols: ['amqp'], dataDir: dir, fsync: 'always' });
    const again = await connect(server);
    const left = await bodies(again, 'disk');
    expect(left.filter((b) => b !== 'before' && b !== 'refused')).toEqual(['held', 'after']);
    await again.close();
  });

  it('a connection that first publishes during the alarm is blocked then; the memory alarm joins as "low on memory & disk"', async () => {
    const admin = `http://127.0.0.1:${server.ports.http}/amqp/memory-high-watermark`;
    const setWatermark = (bytes: number): Promise<unknown> => fetch(admin, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bytes }) }).then((r) => r.json());
    const first = await connect(server);
    const firstEvents = watch(first);
    const ch = await first.createConfirmChannel();
    await ch.assertQueue('disk2', { durable: true });
    expect(await sendConfirmed(ch, 'disk2', 'one', true)).toBe(true);
    const late = await connect(server);
    const lateEvents = watch(late);
    const lateCh = await late.createConfirmChannel();

    nodeIo.writev = enospc;
    try {
      expect(await sendConfirmed(ch, 'disk2', 'refused', true)).toBe(false);
      await until(() => firstEvents.length === 1);
      expect(lateEvents).toEqual([]);
      // Its first publish is read (and refused by the engine), then it is blocked too.
      expect(await sendConfirmed(lateCh, 'disk2', 'late', true)).toBe(false);
      await until(() => lateEvents.length === 1);
      expect(lateEvents).toEqual(['blocked: low on disk']);
      // A second alarm while blocked sends nothing new (rabbit_reader sends blocked once)...
      expect(await setWatermark(1)).toMatchObject({ alarm: true });
      const third = await connect(server);
      const thirdEvents = watch(third);
      const thirdCh = await third.createConfirmChannel();
      void sendConfirmed(thirdCh, 'disk2', 'third', false);
      // ...but a connection blocked now hears both resources.
      await until(() => thirdEvents.length === 1);
      expect(thirdEvents).toEqual(['blocked: low on memory & disk']);
      nodeIo.writev = original.writev;
      await sleep(1200);
      // Disk space is back, memory is still over the watermark: still blocked.
      expect(firstEvents).toEqual(['blocked: low on disk']);
      expect(await setWatermark(Number.MAX_SAFE_INTEGER)).toMatchObject({ alarm: false });
      await until(() => firstEvents.length === 2 && lateEvents.length === 2 && thirdEvents.length === 2, 5000);
      expect(firstEvents[1]).toBe('unblocked');
      await third.close();
    } finally {
      nodeIo.writev = original.writev;
      await setWatermark(Number.MAX_SAFE_INTEGER);
    }
    expect(await sendConfirmed(lateCh, 'disk2', 'late-after', true)).toBe(true);
    await first.close();
    await late.close();
  });

  it('free space below disk_free_limit raises the disk alarm before any write fails (rabbitmqctl set_disk_free_limit)', async () => {
    const admin = `http://127.0.0.1:${server.ports.http}/amqp/disk-free-limit`;
    const setLimit = (bytes: number): Promise<unknown> => fetch(admin, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bytes }) }).then((r) => r.json());
    // heartbeat=1: a blocked connection is not read, yet must not be dropped for "missed
    // heartbeats" (rabbit_reader pauses its heartbeat monitor while blocked).
    const pub = await connect(server, '?heartbeat=1');
    const events = watch(pub);
    let closed = false;
    pub.on('close', () => (closed = true));
    const ch = await pub.createConfirmChannel();
    await ch.assertQueue('limit', { durable: true });
    expect(await sendConfirmed(ch, 'limit', 'one', true)).toBe(true);
    // More than any disk has free: the alarm goes up at once, nothing is nacked.
    expect(await setLimit(Number.MAX_SAFE_INTEGER)).toEqual({ limit: Number.MAX_SAFE_INTEGER, alarm: true });
    await until(() => events.length === 1);
    expect(events).toEqual(['blocked: low on disk']);
    let confirmed: boolean | undefined;
    const waiting = sendConfirmed(ch, 'limit', 'two', true).then((ok) => (confirmed = ok));
    await sleep(3500); // more than two heartbeat intervals whatever the phase
    expect(confirmed).toBeUndefined();
    expect(closed).toBe(false);
    expect(await setLimit(50_000_000)).toEqual({ limit: 50_000_000, alarm: false });
    await waiting;
    expect(confirmed).toBe(true);
    expect(events).toEqual(['blocked: low on disk', 'unblocked']);
    await pub.close();
  });

  it.skipIf(!hasPika)('pika: nack, connection.blocked "low on disk", connection.unblocked, then confirmed', async () => {
    const script = fileURLToPath(new URL('./python/pika_disk_alarm.py', import.meta.url));
    const py = spawn(PYTHON, [script, String(server.ports.amqp)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    py.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines: string[] = [];
    createInterface({ input: py.stdout }).on('line', (l) => lines.push(l));
    const exited = new Promise<number | null>((r) => py.on('exit', r));
    const next = async (n: number): Promise<void> => {
      await until(() => lines.length >= n || py.exitCode !== null, 8000).catch(() => undefined);
      if (lines.length < n) throw new Error(`pika said ${JSON.stringify(lines)}; stderr: ${stderr}`);
    };
    try {
      await next(1);
      nodeIo.writev = enospc;
      py.stdin.write('\n');
      await next(3);
      nodeIo.writev = original.writev;
      py.stdin.write('\n');
      await next(5);
    } finally {
      nodeIo.writev = original.writev;
      py.stdin.end();
    }
    expect(await exited).toBe(0);
    expect(lines).toEqual(['ready', 'nacked', 'blocked: low on disk', 'unblocked', 'confirmed after']);
  });
});
