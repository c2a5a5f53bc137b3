// Connection lifecycle: handshake properties, PLAIN and AMQPLAIN logins, configured users and
// vhosts, heartbeats both ways, close in both directions, update-secret, graceful shutdown
// with 320 CONNECTION_FORCED, and backpressure on publishers that outpace their consumer.
import amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connect, sleep, until } from './helpers.js';
import { RawClient } from './raw-client.js';

let server: TestServer;
let port: number;
beforeAll(async () => {
  server = await startTestServer({
    protocols: ['amqp'],
    resources: {
      amqp: {
        vhosts: ['/', 'dev'],
        users: [
          { name: 'guest', password: 'guest' },
          { name: 'app', password: 's3cret', vhosts: ['dev'] },
        ],
        exchanges: [{ vhost: 'dev', name: 'events', type: 'topic' }],
        queues: [{ vhost: 'dev', name: 'jobs', arguments: { 'x-max-length': 10 } }],
        bindings: [{ vhost: 'dev', source: 'events', destination: 'jobs', routing_key: 'job.*' }],
      },
    },
  });
  port = server.ports.amqp as number;
});
afterAll(async () => {
  await server.stop();
});

describe('handshake', () => {
  test('connection.start advertises RabbitMQ capabilities and mechanisms', async () => {
    const c = await RawClient.connect(port);
    c.sendBytes(Buffer.from('AMQP\0\0\x09\x01', 'latin1'));
    const start = await c.expect('connection.start');
    const props = Object.fromEntries((start.args?.['serverProperties'] as [string, { value: unknown }][]).map(([k, v]) => [k, v.value]));
    expect(String(props['product'])).toBe('RabbitMQ');
    const caps = Object.fromEntries((props['capabilities'] as [string, { value: unknown }][]).map(([k, v]) => [k, v.value]));
    for (const cap of ['publisher_confirms', 'exchange_exchange_bindings', 'basic.nack', 'consumer_cancel_notify', 'connection.blocked', 'consumer_priorities', 'authentication_failure_close', 'per_consumer_qos']) {
      expect(caps[cap]).toBe(true);
    }
    expect(String(start.args?.['mechanisms'])).toBe('PLAIN AMQPLAIN ANONYMOUS');
    c.send(0, 'connection.start-ok', { clientProperties: {}, mechanism: 'PLAIN', response: Buffer.from('\0guest\0guest'), locale: 'en_US' });
    const tune = await c.expect('connection.tune');
    expect(tune.args).toEqual({ channelMax: 2047, frameMax: 131072, heartbeat: 60 });
    c.end();
  });

  test('configured users, vhosts and predeclared topology', async () => {
    const c = await amqplib.connect(`amqp://app:s3cret@127.0.0.1:${port}/dev`);
    const ch = await c.createChannel();
    ch.publish('events', 'job.run', Buffer.from('go'));
    await sleep(20);
    const m = await ch.get('jobs', { noAck: true });
    expect(m && m.content.toString()).toBe('go');
    await c.close();
    const refused = await amqplib.connect(`amqp://app:s3cret@127.0.0.1:${port}/`).catch((e: Error) => e);
    expect(String((refused as Error).message)).toMatch(/ConnectionClose/);
    const raw = await RawClient.tuned(port, { user: 'app', password: 's3cret' });
    raw.send(0, 'connection.open', { virtualHost: '/' });
    expect((await raw.expect('connection.close')).args).toMatchObject({ replyCode: 530, replyText: "NOT_ALLOWED - access to vhost '/' refused for user 'app'" });
    raw.end();
    await expect(amqplib.connect(`amqp://app:wrong@127.0.0.1:${port}/dev`)).rejects.toThrow(/ACCESS_REFUSED|403/);
  });

  test('AMQPLAIN login', async () => {
    const c = await amqplib.connect({ protocol: 'amqp', hostname: '127.0.0.1', port, vhost: '/' }, { credentials: amqplib.credentials.amqplain('guest', 'guest') });
    await (await c.createChannel()).assertQueue('', { exclusive: true });
    await c.close();
  });

  test('update-secret is answered for password users', async () => {
    const c = await RawClient.open(port);
    c.send(0, 'connection.update-secret', { newSecret: Buffer.from('guest'), reason: 'rotate' });
    await c.expect('connection.update-secret-ok');
    c.end();
  });
});

describe('heartbeats and close', () => {
  test('the server sends heartbeats at timeout/2 and drops a silent client after two intervals', async () => {
    const c = await RawClient.open(port, { heartbeat: 1 });
    await sleep(1200);
    expect(c.frames.some((f) => f.type === 8)).toBe(true);
    await c.waitClosed(3500);
  });

  test('a client that heartbeats stays connected (amqplib heartbeat=1)', async () => {
    const c = await connect(server, '?heartbeat=1');
    await sleep(2600);
    const ch = await c.createChannel();
    await ch.assertQueue('', { exclusive: true });
    await c.close();
  });

  test('client-initiated close gets close-ok and cleans up exclusive queues', async () => {
    const c = await RawClient.withChannel(port);
    c.send(1, 'queue.declare', { queue: 'closing-excl', exclusive: true });
    await c.expect('queue.declare-ok');
    c.send(1, 'channel.close', { replyCode: 200, replyText: 'bye' });
    await c.expect('channel.close-ok');
    c.send(0, 'connection.close', { replyCode: 200, replyText: 'bye' });
    await c.expect('connection.close-ok');
    await c.waitClosed();
    // The server tidies up on its socket's close, which may come just after the client's.
    await until(() => server.core.queues('amqp:/').get('closing-excl') === undefined);
  });

  test('handshake timeout closes a client that never finishes', async () => {
    const s = await startTestServer({ protocols: ['amqp'], extra: { AMQP_HANDSHAKE_TIMEOUT_MS: '100' } });
    const c = await RawClient.connect(s.ports.amqp as number);
    c.sendBytes(Buffer.from('AMQP\0\0\x09\x01', 'latin1'));
    await c.waitClosed(1000);
    await s.stop();
  });

  test('shutdown sends connection.close 320 CONNECTION_FORCED to every client', async () => {
    const s = await startTestServer({ protocols: ['amqp'] });
    const c = await amqplib.connect(`amqp://guest:guest@127.0.0.1:${s.ports.amqp}`);
    const closed = new Promise<Error & { code?: number }>((resolve) => c.once('close', resolve));
    await s.stop();
    const e = await closed;
    expect(e.message).toContain("CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'");
    expect(e.code).toBe(320);
  });
});

describe('flow control', () => {
  test('a publisher outpacing its consumer is paused at the high-water mark, then resumes', async () => {
    const s = await startTestServer({ protocols: ['amqp'], extra: { AMQP_QUEUE_HIGH_WATER: '100000' } });
    try {
      const c = await amqplib.connect(`amqp://guest:guest@127.0.0.1:${s.ports.amqp}`);
      const c2 = await amqplib.connect(`amqp://guest:guest@127.0.0.1:${s.ports.amqp}`);
      const pub = await c.createChannel();
      const cons = await c2.createChannel();
      const q = (await cons.assertQueue('', { exclusive: true })).queue;
      await cons.prefetch(1);
      const held: amqplib.ConsumeMessage[] = [];
      await cons.consume(q, (m) => m && held.push(m));
      const body = Buffer.alloc(1000);
      for (let i = 0; i < 1000; i++) pub.sendToQueue(q, body);
      await sleep(300);
      const queue = s.core.queues('amqp:/').require(q);
      // Input stopped near the mark instead of buffering all 1 MB into the queue.
      expect(queue.counts().readyBytes).toBeLessThan(400000);
      await cons.cancel(held[0]?.fields.consumerTag as string);
      cons.ack(held[0] as amqplib.ConsumeMessage);
      let got = 0;
      await cons.consume(q, () => got++, { noAck: true });
      await until(() => got >= 998, 5000);
      await c.close();
      await c2.close();
    } finally {
      await s.stop();
    }
  });

  test('a no-ack consumer that stops reading its socket stops receiving (bounded server buffering)', async () => {
    const slow = await RawClient.withChannel(port);
    slow.send(1, 'queue.declare', { queue: 'slow-reader', exclusive: true });
    await slow.expect('queue.declare-ok');
    slow.send(1, 'basic.consume', { queue: 'slow-reader', noAck: true });
    await slow.expect('basic.consume-ok');
    slow.socket.pause();
    const pub = await connect(server);
    const ch = await pub.createChannel();
    const body = Buffer.alloc(64 * 1024);
    for (let i = 0; i < 400; i++) ch.sendToQueue('slow-reader', body); // 25 MiB
    const queue = server.core.queues('amqp:/').require('slow-reader');
    // At most the socket high-water mark (4 MiB) plus kernel buffers go out; the rest waits.
    // Generous waits: 25 MiB through a loaded 2-core CI machine can take several seconds.
    await until(() => queue.counts().ready >= 250, 15000);
    await sleep(100);
    expect(queue.counts().ready).toBeGreaterThanOrEqual(250);
    slow.socket.resume();
    await until(() => queue.counts().ready === 0, 15000);
    slow.end();
    await pub.close();
  });

  test('memory alarm: connection.blocked to publishers, input paused until unblocked', async () => {
    const admin = `http://127.0.0.1:${server.ports.http}/amqp/memory-high-watermark`;
    const setWatermark = (bytes: number) => fetch(admin, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bytes }) }).then((r) => r.json());
    const c = await connect(server);
    const ch = await c.createChannel();
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    ch.sendToQueue(q, Buffer.from('before'));
    await sleep(20);
    const blocked = new Promise<string>((resolve) => c.once('blocked', resolve));
    expect(await setWatermark(1)).toMatchObject({ alarm: true });
    expect(await blocked).toBe('low on memory');
    ch.sendToQueue(q, Buffer.from('during'));
    await sleep(50);
    const queue = server.core.queues('amqp:/').require(q);
    expect(queue.counts().ready).toBe(1);
    const unblocked = new Promise<void>((resolve) => c.once('unblocked', resolve));
    expect(await setWatermark(Number.MAX_SAFE_INTEGER)).toMatchObject({ alarm: false });
    await unblocked;
    await until(() => queue.counts().ready === 2);
    await c.close();
  });
});
