// --data-dir restarts through amqplib: durable exchanges, queues (with arguments) and their
// bindings come back while transient, exclusive and auto-declared-transient ones do not;
// persistent messages in durable queues come back in order with their properties and headers
// byte-exact, unacked ones flagged redelivered; transient messages and messages acked,
// rejected or purged before the stop are gone. Users and vhosts from --config persist too.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type amqplib from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { dataDirs, startTestServer, type TestServer } from '../helpers/server.js';
import { connect, hasPika, PYTHON, sleep, until } from './helpers.js';


const dataDir = dataDirs('omnibroker-amqp-durable-');
const running = new Set<TestServer>();
afterAll(async () => {
  for (const s of running) await s.stop();
});

async function boot(dir: string, resources: Record<string, unknown> = {}): Promise<TestServer> {
  const s = await startTestServer({ protocols: ['amqp'], dataDir: dir, resources });
  running.add(s);
  return s;
}

async function stop(s: TestServer): Promise<void> {
  running.delete(s);
  await s.stop();
}

/** The exact wire bytes a consumer sees, for byte-exact comparisons across restarts. */
interface Seen {
  body: string;
  redelivered: boolean;
  properties: amqplib.MessageProperties;
}

async function drain(conn: amqplib.ChannelModel, queue: string, count: number): Promise<Seen[]> {
  const ch = await conn.createChannel();
  const out: Seen[] = [];
  await ch.consume(queue, (m) => {
    if (m) out.push({ body: m.content.toString('latin1'), redelivered: m.fields.redelivered, properties: m.properties });
  }, { noAck: true });
  await until(() => out.length >= count);
  await sleep(30);
  await ch.close();
  return out;
}

describe('AMQP durable definitions', () => {
  it('keeps durable exchanges, queues and bindings; drops transient ones', async () => {
    const dir = dataDir();
    let s = await boot(dir);
    let conn = await connect(s);
    const ch = await conn.createChannel();
    await ch.assertExchange('dx', 'topic', { durable: true, alternateExchange: 'dalt' });
    await ch.assertExchange('dalt', 'fanout', { durable: true });
    await ch.assertExchange('tx', 'direct', { durable: false });
    await ch.assertQueue('dq', { durable: true, arguments: { 'x-max-length': 100, 'x-message-ttl': 600000, 'x-dead-letter-exchange': 'dalt' } });
    await ch.assertQueue('tq', { durable: false });
    await ch.assertQueue('xq', { durable: true, exclusive: true });
    await ch.bindQueue('dq', 'dx', 'a.*');
    await ch.bindQueue('dq', 'amq.headers', '', { 'x-match': 'all', big: 2 ** 40, tag: 'v' });
    await ch.bindQueue('tq', 'dx', 'b.*');
    await ch.bindExchange('dalt', 'dx', 'c.#');
    await ch.assertQueue('gone', { durable: true });
    await ch.deleteQueue('gone');
    await conn.close();
    await stop(s);

    s = await boot(dir);
    conn = await connect(s);
    const c2 = await conn.createChannel();
    const ok = await c2.checkQueue('dq');
    expect(ok.queue).toBe('dq');
    // Same arguments: an equivalent redeclare succeeds, a different one is 406.
    await c2.assertQueue('dq', { durable: true, arguments: { 'x-max-length': 100, 'x-message-ttl': 600000, 'x-dead-letter-exchange': 'dalt' } });
    await c2.checkExchange('dx');
    await c2.checkExchange('dalt');
    const bad = await conn.createChannel();
    const closed = new Promise<Error & { code?: number }>((r) => bad.once('error', (e: Error & { code?: number }) => r(e)));
    void bad.checkQueue('tq').catch(() => {});
    expect((await closed).code).toBe(404);
    for (const [kind, name] of [['exchange', 'tx'], ['queue', 'xq'], ['queue', 'gone']] as const) {
      const c = await conn.createChannel();
      const e = new Promise<Error & { code?: number }>((r) => c.once('error', (x: Error & { code?: number }) => r(x)));
      void (kind === 'exchange' ? c.checkExchange(name) : c.checkQueue(name)).catch(() => {});
      expect((await e).code).toBe(404);
    }
    // Bindings route as before: topic, headers (with a 64-bit argument) and exchange-to-exchange.
    const pub = await conn.createConfirmChannel();
    pub.publish('dx', 'a.x', Buffer.from('topic'));
    pub.publish('amq.headers', '', Buffer.from('headers'), { headers: { big: 2 ** 40, tag: 'v' } });
    pub.publish('dx', 'zzz', Buffer.from('alternate'));
    await pub.waitForConfirms();
    const got = await drain(conn, 'dq', 2);
    expect(got.map((m) => m.body).sort()).toEqual(['headers', 'topic']);
    await conn.close();
    await stop(s);
  });

  it('keeps users and vhosts from --config; a later config without them does not remove them', async () => {
    const dir = dataDir();
    const resources = { amqp: { vhosts: [{ name: '/' }, { name: 'v2', limits: { 'max-queues': 5 } }], users: [{ name: 'alice', password: 'secret', tags: ['administrator'] }], permissions: [{ user: 'alice', vhost: 'v2', configure: '.*', write: '.*', read: '.*' }], loopback_users: [] } };
    let s = await boot(dir, resources);
    let conn = await connect(s, '').catch((e: Error) => e);
    expect(conn).toBeInstanceOf(Error); // guest does not exist with explicit users
    conn = await (await import('amqplib')).default.connect(`amqp://alice:secret@127.0.0.1:${s.ports.amqp}/v2`);
    const ch = await conn.createChannel();
    await ch.assertQueue('inv2', { durable: true });
    await conn.close();
    await stop(s);
    // Restart with no config at all: no default guest appears, alice and v2 remain.
    s = await boot(dir);
    const again = await connect(s).catch((e: Error) => e);
    expect(again).toBeInstanceOf(Error);
    conn = await (await import('amqplib')).default.connect(`amqp://alice:secret@127.0.0.1:${s.ports.amqp}/v2`);
    const c2 = await conn.createChannel();
    await c2.checkQueue('inv2');
    await conn.close();
    await stop(s);
  });
});

describe('AMQP persistent messages', () => {
  it('brings back persistent messages exactly, in order, unacked ones redelivered', async () => {
    const dir = dataDir();
    let s = await boot(dir);
    let conn = await connect(s);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('pq', { durable: true });
    await ch.assertQueue('tq2', { durable: false });
    const props = (i: number): amqplib.Options.Publish => ({
      persistent: true, contentType: 'application/octet-stream', messageId: `m${i}`, correlationId: 'c', timestamp: 1700000000 + i, priority: 3, type: 't', appId: 'app',
      headers: { i, s: 'str', f: 1.5, big: 2 ** 50, nested: { a: [1, 'x', true] }, bin: Buffer.from([0, 255, 7]) },
    });
    const body = (i: number): Buffer => Buffer.from(Array.from({ length: 20 + i }, (_, k) => (k * 31 + i) & 255));
    for (let i = 0; i < 20; i++) ch.sendToQueue('pq', body(i), props(i));
    ch.sendToQueue('pq', Buffer.from('transient'), { persistent: false });
    ch.sendToQueue('tq2', Buffer.from('in transient queue'), { persistent: true });
    await ch.waitForConfirms();
    const before = await conn.createChannel();
    const seenBefore: Seen[] = [];
    // Take the first 6: ack 0-1, reject 2 (gone), requeue 3 (redelivered), leave 4-5 unacked.
    await before.prefetch(6);
    const msgs: amqplib.ConsumeMessage[] = [];
    await before.consume('pq', (m) => {
      if (m) msgs.push(m);
    });
    await until(() => msgs.length >= 6);
    for (const m of msgs) seenBefore.push({ body: m.content.toString('latin1'), redelivered: m.fields.redelivered, properties: m.properties });
    // Cancelled first, so no further deliveries refill the prefetch window.
    await before.cancel(msgs[0]?.fields.consumerTag as string);
    before.ack(msgs[0] as amqplib.Message);
    before.ack(msgs[1] as amqplib.Message);
    before.nack(msgs[2] as amqplib.Message, false, false);
    before.nack(msgs[3] as amqplib.Message, false, true);
    await sleep(50);
    // Stop with 4 and 5 still unacked (the connection is closed by the server).
    conn.on('error', () => {}); // the server's connection.close 320 on stop
    await stop(s);

    s = await boot(dir);
    conn = await connect(s);
    const after = await drain(conn, 'pq', 17);
    expect(after.map((m) => m.body)).toEqual([3, ...Array.from({ length: 16 }, (_, k) => k + 4)].map((i) => body(i).toString('latin1')));
    expect(after.map((m) => m.redelivered)).toEqual([true, true, true, ...Array.from({ length: 14 }, () => false)]);
    for (const m of after) {
      const i = Number(m.properties.messageId?.slice(1));
      const earlier = seenBefore.find((x) => x.properties.messageId === `m${i}`);
      if (earlier) expect(m.properties).toEqual(earlier.properties);
      expect(m.properties).toMatchObject({ contentType: 'application/octet-stream', messageId: `m${i}`, correlationId: 'c', timestamp: 1700000000 + i, priority: 3, type: 't', appId: 'app' });
      expect(m.properties.headers).toEqual({ i, s: 'str', f: 1.5, big: 2 ** 50, nested: { a: [1, 'x', true] }, bin: Buffer.from([0, 255, 7]) });
      expect(m.properties.deliveryMode).toBe(2);
    }
    const c = await conn.createChannel();
    expect((await c.assertQueue('pq', { durable: true })).messageCount).toBe(0);
    await c.assertQueue('tq2', { durable: false });
    expect((await c.checkQueue('tq2')).messageCount).toBe(0);
    await conn.close();
    await stop(s);
    // Everything was consumed with noAck: the next start finds the queue empty.
    s = await boot(dir);
    conn = await connect(s);
    expect((await (await conn.createChannel()).checkQueue('pq')).messageCount).toBe(0);
    await conn.close();
    await stop(s);
  });

  it('forgets purged, expired and deleted-queue messages and keeps dead-letter copies', async () => {
    const dir = dataDir();
    let s = await boot(dir);
    let conn = await connect(s);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('purged', { durable: true });
    await ch.assertQueue('dlq', { durable: true });
    await ch.assertQueue('short', { durable: true, arguments: { 'x-message-ttl': 20, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'dlq' } });
    await ch.assertQueue('dropped', { durable: true });
    for (let i = 0; i < 3; i++) {
      ch.sendToQueue('purged', Buffer.from(`p${i}`), { persistent: true });
      ch.sendToQueue('dropped', Buffer.from(`d${i}`), { persistent: true });
    }
    ch.sendToQueue('short', Buffer.from('dies'), { persistent: true });
    await ch.waitForConfirms();
    await ch.purgeQueue('purged');
    await ch.deleteQueue('dropped');
    await until(async () => (await ch.checkQueue('dlq')).messageCount === 1);
    await conn.close();
    await stop(s);

    s = await boot(dir);
    conn = await connect(s);
    const c = await conn.createChannel();
    expect((await c.checkQueue('purged')).messageCount).toBe(0);
    expect((await c.checkQueue('short')).messageCount).toBe(0);
    const dl = await c.get('dlq', { noAck: true });
    expect(dl && dl.content.toString()).toBe('dies');
    expect(dl && (dl.properties.headers?.['x-death'] as { reason: string }[])[0]?.reason).toBe('expired');
    const e = new Promise<Error & { code?: number }>((r) => c.once('error', (x: Error & { code?: number }) => r(x)));
    void c.checkQueue('dropped').catch(() => {});
    expect((await e).code).toBe(404);
    await conn.close();
    await stop(s);
  });
});

describe('AMQP streams on disk', () => {
  it('keeps a stream log: offsets, bodies and headers; confirms after the write', async () => {
    const dir = dataDir();
    let s = await boot(dir);
    let conn = await connect(s);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('st', { durable: true, arguments: { 'x-queue-type': 'stream' } });
    for (let i = 0; i < 10; i++) ch.sendToQueue('st', Buffer.from(`s${i}`), { headers: { n: i }, persistent: i % 2 === 0 });
    await ch.waitForConfirms();
    await conn.close();
    await stop(s);

    s = await boot(dir);
    conn = await connect(s);
    const c = await conn.createConfirmChannel();
    c.sendToQueue('st', Buffer.from('s10'), { headers: { n: 10 } });
    await c.waitForConfirms();
    const r = await conn.createChannel();
    await r.prefetch(100);
    const got: { body: string; offset: unknown; n: unknown }[] = [];
    await r.consume('st', (m) => {
      if (m) got.push({ body: m.content.toString(), offset: m.properties.headers?.['x-stream-offset'], n: m.properties.headers?.['n'] });
    }, { arguments: { 'x-stream-offset': 'first' } });
    await until(() => got.length >= 11);
    // Every stream message survives (streams have no transient messages), offsets unchanged.
    expect(got).toEqual(Array.from({ length: 11 }, (_, i) => ({ body: `s${i}`, offset: i, n: i })));
    await conn.close();
    await stop(s);
  });
});

describe('AMQP quorum queue return counts', () => {
  it('keeps x-delivery-count across a restart', async () => {
    const dir = dataDir();
    let s = await boot(dir);
    let conn = await connect(s);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('qq', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    ch.sendToQueue('qq', Buffer.from('counted'), { persistent: true });
    await ch.waitForConfirms();
    for (let i = 0; i < 2; i++) {
      const m = await ch.get('qq');
      if (!m) throw new Error('no message');
      ch.nack(m, false, true);
    }
    await sleep(30);
    await conn.close();
    await stop(s);
    s = await boot(dir);
    conn = await connect(s);
    const c = await conn.createChannel();
    const m = await c.get('qq', { noAck: true });
    expect(m && m.fields.redelivered).toBe(true);
    expect(m && m.properties.headers?.['x-delivery-count']).toBe(2);
    await conn.close();
    await stop(s);
  });
});

describe('AMQP durable edge cases', () => {
  it('a queue deleted and declared again keeps only the new messages and its new arguments', async () => {
    const dir = dataDir();
    let s = await boot(dir);
    let conn = await connect(s);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('again', { durable: true });
    ch.sendToQueue('again', Buffer.from('old'), { persistent: true });
    await ch.waitForConfirms();
    await ch.deleteQueue('again');
    await ch.assertQueue('again', { durable: true, arguments: { 'x-max-priority': 5 } });
    ch.sendToQueue('again', Buffer.from('new'), { persistent: true, priority: 1 });
    ch.sendToQueue('again', Buffer.from('urgent'), { persistent: true, priority: 5 });
    await ch.waitForConfirms();
    await conn.close();
    await stop(s);

    s = await boot(dir);
    conn = await connect(s);
    const c = await conn.createChannel();
    // The priority argument came back with the queue: the urgent message is first.
    const got = await drain(conn, 'again', 2);
    expect(got.map((m) => m.body)).toEqual(['urgent', 'new']);
    expect((await c.checkQueue('again')).messageCount).toBe(0);
    await conn.close();
    await stop(s);
  });
});

// amqplib has no tx API; pika (Debian's python3-pika) does. Skipped only where pika is missing.
describe.skipIf(!hasPika)('AMQP transactions on disk (pika)', () => {
  it('persistent messages published in a transaction survive once tx.commit-ok is received', async () => {
    const dir = dataDir();
    let s = await boot(dir);
    const script = [
      'import pika, sys',
      'c = pika.BlockingConnection(pika.ConnectionParameters(host="127.0.0.1", port=int(sys.argv[1]), credentials=pika.PlainCredentials("guest", "guest")))',
      'ch = c.channel()',
      'ch.queue_declare("ptx", durable=True)',
      'ch.tx_select()',
      'for i in range(5): ch.basic_publish("", "ptx", ("t%d" % i).encode(), pika.BasicProperties(delivery_mode=2))',
      'ch.basic_publish("", "ptx", b"rolled-back", pika.BasicProperties(delivery_mode=2))',
      'ch.tx_rollback()',
      'ch.basic_publish("", "ptx", b"t5", pika.BasicProperties(delivery_mode=2))',
      'ch.tx_commit()',
      'c.close()',
    ].join('\n');
    await new Promise<void>((resolve, reject) => {
      execFile(PYTHON, ['-c', script, String(s.ports.amqp)], { timeout: 20000 }, (err, _out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve()));
    });
    await stop(s);
    s = await boot(dir);
    const conn = await connect(s);
    const got = await drain(conn, 'ptx', 1);
    expect(got.map((m) => m.body)).toEqual(['t5']);
    await conn.close();
    await stop(s);
  });
});
