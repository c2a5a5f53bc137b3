// x-delayed-message under --data-dir, through amqplib: persistent messages held by a durable
// delayed exchange survive a restart (as the plugin keeps them in Mnesia) and are routed when
// their delay is over, counted from the publish (one already due is routed right after the
// start), with x-delay negated and every other property intact; transient messages and
// non-durable delayed exchanges are not kept; a routed message is not routed again after the
// next restart; deleting the exchange drops what it held, on disk too; a held message the disk
// refused (ENOSPC) is nacked, never confirmed.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type amqplib from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeIo } from '../../src/core/storage/io.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { blockedEvents, connect, sleep, until } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'omnibroker-amqp-delayed-'));
let server: TestServer | undefined;
const start = async (): Promise<TestServer> => (server = await startTestServer({ protocols: ['amqp'], dataDir: dir, fsync: 'always' }));
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Got { body: string; at: number; msg: amqplib.ConsumeMessage }

async function collect(conn: amqplib.ChannelModel, queue: string): Promise<Got[]> {
  const ch = await conn.createChannel();
  const got: Got[] = [];
  await ch.consume(queue, (m) => {
    if (!m) return;
    got.push({ body: m.content.toString(), at: Date.now(), msg: m });
    ch.ack(m);
  });
  return got;
}

describe('x-delayed-message with --data-dir', () => {
  it('keeps held persistent messages of durable delayed exchanges across a restart, with their remaining delay', async () => {
    let s = await start();
    let conn = await connect(s);
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange('later', 'x-delayed-message', { durable: true, arguments: { 'x-delayed-type': 'direct' } });
    await ch.assertExchange('later-t', 'x-delayed-message', { durable: false, arguments: { 'x-delayed-type': 'direct' } });
    await ch.assertQueue('later-q', { durable: true });
    await ch.bindQueue('later-q', 'later', 'k');
    await ch.bindQueue('later-q', 'later-t', 'k');
    const sent = Date.now();
    const props = (delay: number, persistent = true): amqplib.Options.Publish => ({ persistent, correlationId: `c${delay}`, headers: { 'x-delay': delay, app: 'kept', n: 7 } });
    ch.publish('later', 'k', Buffer.from('due-at-start'), props(300));
    ch.publish('later', 'k', Buffer.from('after-restart'), props(2500));
    ch.publish('later', 'k', Buffer.from('transient'), props(300, false));
    ch.publish('later-t', 'k', Buffer.from('non-durable-exchange'), props(300));
    ch.publish('later', 'other-key', Buffer.from('unroutable'), props(300));
    await ch.waitForConfirms();
    await conn.close();
    await s.stop();
    await sleep(Math.max(0, sent + 400 - Date.now())); // the first one falls due while stopped

    s = await start();
    const restarted = Date.now();
    conn = await connect(s);
    const got = await collect(conn, 'later-q');
    await until(() => got.length >= 2, 6000);
    await sleep(300);
    expect(got.map((g) => g.body)).toEqual(['due-at-start', 'after-restart']);
    const [due, after] = got as [Got, Got];
    expect(due.at - restarted).toBeLessThan(1000);
    expect(after.at - sent).toBeGreaterThanOrEqual(2500 - 20);
    expect(after.msg.properties.headers).toEqual({ 'x-delay': -2500, app: 'kept', n: 7 });
    expect(after.msg.properties.correlationId).toBe('c2500');
    expect(after.msg.properties.deliveryMode).toBe(2);
    expect(after.msg.fields.exchange).toBe('later');
    expect(after.msg.fields.routingKey).toBe('k');
    expect(after.msg.fields.redelivered).toBe(false);
    const check = await conn.createChannel();
    check.on('error', () => {});
    await expect(check.checkExchange('later-t')).rejects.toThrow(/NOT_FOUND/);
    await conn.close();

    // Routed (and acked) messages are not held any more: nothing comes back after a restart.
    await s.stop();
    s = await start();
    conn = await connect(s);
    const again = await collect(conn, 'later-q');
    await sleep(600);
    expect(again.map((g) => g.body)).toEqual([]);
    // The exchange is still an x-delayed-message exchange after two restarts.
    const ch3 = await conn.createConfirmChannel();
    const published = Date.now();
    ch3.publish('later', 'k', Buffer.from('new'), { persistent: true, headers: { 'x-delay': 300 } });
    await ch3.waitForConfirms();
    await until(() => again.length === 1);
    expect((again[0] as Got).at - published).toBeGreaterThanOrEqual(300 - 20);
    await conn.close();
  });

  it('a deleted delayed exchange drops what it held, on disk too', async () => {
    let s = server as TestServer;
    let conn = await connect(s);
    const ch = await conn.createConfirmChannel();
    const declare = async (c: amqplib.Channel): Promise<void> => {
      await c.assertExchange('gone', 'x-delayed-message', { durable: true, arguments: { 'x-delayed-type': 'fanout' } });
      await c.assertQueue('gone-q', { durable: true });
      await c.bindQueue('gone-q', 'gone', '');
    };
    await declare(ch);
    ch.publish('gone', '', Buffer.from('held'), { persistent: true, headers: { 'x-delay': 400 } });
    await ch.waitForConfirms();
    const files = join(dir, 'queues', encodeURIComponent('amqp-delayed:/'), 'gone');
    expect(existsSync(files)).toBe(true);
    await ch.deleteExchange('gone');
    await until(() => !existsSync(files));
    await conn.close();
    await s.stop();
    s = await start();
    conn = await connect(s);
    const c2 = await conn.createChannel();
    await declare(c2);
    const got = await collect(conn, 'gone-q');
    await sleep(800);
    expect(got).toEqual([]);
    await conn.close();
  });

  it('a held message the full disk refused is nacked; confirms resume when the disk does', async () => {
    const conn = await connect(server as TestServer);
    const events = blockedEvents(conn);
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange('full-dx', 'x-delayed-message', { durable: true, arguments: { 'x-delayed-type': 'direct' } });
    await ch.assertQueue('full-dq', { durable: true });
    await ch.bindQueue('full-dq', 'full-dx', 'k');
    const send = (body: string): Promise<boolean> => new Promise((r) => ch.publish('full-dx', 'k', Buffer.from(body), { persistent: true, headers: { 'x-delay': 200 } }, (e) => r(!e)));
    expect(await send('first')).toBe(true);
    const original = nodeIo.writev;
    nodeIo.writev = () => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
    try {
      expect(await send('refused')).toBe(false);
      await until(() => events.length === 1);
    } finally {
      nodeIo.writev = original;
    }
    await until(() => events.length === 2, 5000);
    expect(events).toEqual(['blocked: low on disk', 'unblocked']);
    expect(await send('after')).toBe(true);
    const got = await collect(conn, 'full-dq');
    await until(() => got.some((g) => g.body === 'after'), 3000);
    expect(got.map((g) => g.body).filter((b) => b !== 'refused')).toEqual(['first', 'after']);
    await conn.close();
  });
});
