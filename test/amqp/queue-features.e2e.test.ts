// Queue and exchange features beyond the basics: x-expires, single-active-consumer, quorum
// declaration rules and delivery limit, internal exchanges, if-unused exchange delete,
// the empty queue name, channel.flow and access.request, idempotent unbind.
import type { Channel, ConsumeMessage, GetMessage } from 'amqplib';
import { describe, expect, test } from 'vitest';
import { amqpServerPerFile, connect, openChannel, sleep, until } from './helpers.js';
import { RawClient } from './raw-client.js';

const server = amqpServerPerFile();

const channel = (): Promise<Channel> => openChannel(server());

const raw = (): Promise<RawClient> => RawClient.withChannel(server().ports.amqp as number);

describe('queue arguments', () => {
  test('x-expires deletes an unused queue; use postpones it', async () => {
    const ch = await channel();
    // Wide margins (a loaded 2-core machine stretched 250 ms sleeps past a 400 ms x-expires):
    // without renewal the queue would be gone at 1,500 ms, before the second check at ~1,800 ms;
    // each sleep may overrun by 600 ms before the test could fail for timing alone.
    await ch.assertQueue('expiring', { arguments: { 'x-expires': 1500 } });
    await sleep(900);
    await ch.checkQueue('expiring'); // a (passive) redeclare counts as use and renews the lease
    await sleep(900);
    await ch.checkQueue('expiring');
    await sleep(2000);
    await expect(ch.checkQueue('expiring')).rejects.toThrow(/NOT_FOUND/);
  });

  test('single-active-consumer: one consumer receives, the next takes over on cancel', async () => {
    const ch = await channel();
    await ch.assertQueue('sac-q', { exclusive: true, arguments: { 'x-single-active-consumer': true } });
    const a: string[] = [];
    const b: string[] = [];
    const first = await ch.consume('sac-q', (m) => m && a.push(m.content.toString()), { noAck: true });
    await ch.consume('sac-q', (m) => m && b.push(m.content.toString()), { noAck: true });
    for (const s of ['1', '2', '3']) ch.sendToQueue('sac-q', Buffer.from(s));
    await until(() => a.length === 3);
    expect(b).toEqual([]);
    await ch.cancel(first.consumerTag);
    ch.sendToQueue('sac-q', Buffer.from('4'));
    await until(() => b.length === 1);
    expect(b).toEqual(['4']);
  });

  test('quorum queues: durable, shared, named; delivery limit 20 drops poison messages', async () => {
    const ch = await channel();
    await expect(ch.assertQueue('qq-transient', { durable: false, arguments: { 'x-queue-type': 'quorum' } })).rejects.toThrow(
      "PRECONDITION_FAILED - invalid property 'non-durable' for queue 'qq-transient' in vhost '/'",
    );
    const ch2 = await channel();
    await ch2.assertQueue('qq', { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': 1 } });
    ch2.sendToQueue('qq', Buffer.from('poison'));
    await sleep(20);
    for (let i = 0; i < 2; i++) {
      const m = (await ch2.get('qq')) as GetMessage;
      expect(m.content.toString()).toBe('poison');
      expect(m.properties.headers?.['x-delivery-count']).toBe(i === 0 ? undefined : i);
      ch2.nack(m, false, true);
      await sleep(10);
    }
    expect(await ch2.get('qq')).toBe(false);
    await ch2.deleteQueue('qq');
  });
});

describe('quorum queues: global qos and exclusive consumers', () => {
  test('quorum queues ignore basic.consume exclusive', async () => {
    const ch = await channel();
    await ch.assertQueue('qq-excl', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await ch.consume('qq-excl', () => undefined, { exclusive: true });
    await ch.consume('qq-excl', () => undefined, { exclusive: true });
    expect((await ch.checkQueue('qq-excl')).consumerCount).toBe(2);
    await ch.deleteQueue('qq-excl');
  });

  test('consuming a quorum queue on a channel with global qos is 540 (a connection error)', async () => {
    const c = await connect(server());
    c.on('error', () => undefined);
    const closed = new Promise<Error>((resolve) => c.once('close', resolve));
    const ch = await c.createChannel();
    ch.on('error', () => undefined);
    await ch.assertQueue('qq-global', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await ch.prefetch(5, true);
    ch.consume('qq-global', () => undefined).catch(() => undefined);
    expect((await closed).message).toContain("NOT_IMPLEMENTED - queue 'qq-global' in vhost '/' does not support global qos");
  });
});

describe('consumer timeout', () => {
  test('an unacked delivery older than x-consumer-timeout closes the channel with 406 and is requeued', async () => {
    const c = await connect(server());
    const ch = await c.createChannel();
    const q = (await ch.assertQueue('', { exclusive: true, arguments: { 'x-consumer-timeout': 60 } })).queue;
    ch.sendToQueue(q, Buffer.from('slow'));
    await ch.consume(q, () => undefined);
    const e = await new Promise<Error>((resolve) => ch.once('error', resolve));
    expect(e.message).toContain(`PRECONDITION_FAILED - delivery acknowledgement on channel 1 timed out. Timeout value used: 60 ms. This timeout value can be configured, see consumers doc guide to learn more`);
    const ch2 = await c.createChannel();
    const m = (await ch2.get(q, { noAck: true })) as GetMessage;
    expect(m.fields.redelivered).toBe(true);
    await c.close();
  });
});

describe('exchanges', () => {
  test('publishing to an internal exchange is 403; e2e-bound internal exchanges route', async () => {
    const ch = await channel();
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    await ch.assertExchange('int.x', 'fanout', { internal: true, durable: false });
    await ch.assertExchange('pub.x', 'fanout', { durable: false });
    await ch.bindExchange('int.x', 'pub.x', '');
    await ch.bindQueue(q, 'int.x', '');
    ch.publish('pub.x', '', Buffer.from('via-internal'));
    await sleep(20);
    expect(((await ch.get(q, { noAck: true })) as GetMessage).content.toString()).toBe('via-internal');
    const closed = new Promise<Error>((resolve) => ch.once('error', resolve));
    ch.publish('int.x', '', Buffer.from('x'));
    expect((await closed).message).toContain("ACCESS_REFUSED - cannot publish to internal exchange 'int.x' in vhost '/'");
  });

  test('exchange.delete if-unused refuses while bound', async () => {
    const c = await raw();
    c.send(1, 'exchange.declare', { exchange: 'iu.x', type: 'direct' });
    await c.expect('exchange.declare-ok');
    c.send(1, 'queue.declare', { queue: '', exclusive: true });
    await c.expect('queue.declare-ok');
    c.send(1, 'queue.bind', { queue: '', exchange: 'iu.x', routingKey: 'k' });
    await c.expect('queue.bind-ok');
    c.send(1, 'exchange.delete', { exchange: 'iu.x', ifUnused: true });
    const f = await c.expect('channel.close');
    expect(f.args).toMatchObject({ replyCode: 406, replyText: "PRECONDITION_FAILED - exchange 'iu.x' in vhost '/' in use" });
    c.end();
  });
});

describe('channel odds and ends', () => {
  test("the empty queue name means the channel's last declared queue", async () => {
    const c = await raw();
    c.send(1, 'queue.purge', { queue: '' });
    expect((await c.expect('channel.close')).args).toMatchObject({ replyCode: 404, replyText: 'NOT_FOUND - no previously declared queue' });
    c.send(1, 'channel.close-ok', {});
    c.send(2, 'channel.open', {});
    await c.expect('channel.open-ok');
    c.send(2, 'queue.declare', { queue: '', exclusive: true });
    const name = (await c.expect('queue.declare-ok')).args?.['queue'];
    c.publish(2, '', name as string, Buffer.from('x'));
    c.send(2, 'queue.purge', { queue: '' });
    expect((await c.expect('queue.purge-ok')).args).toEqual({ messageCount: 1 });
    c.send(2, 'queue.unbind', { queue: '', exchange: 'amq.direct', routingKey: 'never-bound' });
    await c.expect('queue.unbind-ok');
    c.end();
  });

  test('channel.flow active=true, access.request and qos-ok', async () => {
    const c = await raw();
    c.send(1, 'channel.flow', { active: true });
    expect((await c.expect('channel.flow-ok')).args).toEqual({ active: true });
    c.send(1, 'access.request', { realm: '/data' });
    expect((await c.expect('access.request-ok')).args).toEqual({ ticket: 1 });
    c.end();
  });

  test('declare-ok counts consumers; redeclaring an own exclusive queue is fine', async () => {
    const ch = await channel();
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    await ch.consume(q, () => undefined);
    await ch.consume(q, () => undefined);
    expect(await ch.assertQueue(q, { exclusive: true })).toEqual({ queue: q, messageCount: 0, consumerCount: 2 });
  });

  test('server-sent cancel is not sent to clients without consumer_cancel_notify', async () => {
    // No client capabilities: in particular no consumer_cancel_notify.
    const c = await RawClient.tuned(server().ports.amqp as number, { clientProperties: {} });
    c.send(0, 'connection.open', { virtualHost: '/' });
    await c.expect('connection.open-ok');
    c.send(1, 'channel.open', {});
    await c.expect('channel.open-ok');
    c.send(1, 'queue.declare', { queue: 'nocancel-q' });
    await c.expect('queue.declare-ok');
    c.send(1, 'basic.consume', { queue: 'nocancel-q', consumerTag: 't' });
    await c.expect('basic.consume-ok');
    c.send(1, 'queue.delete', { queue: 'nocancel-q' });
    await c.expect('queue.delete-ok');
    await sleep(20);
    expect(c.frames.some((f) => f.method === 'basic.cancel')).toBe(false);
    c.end();
  });

  test('deliveries carry the consumer tag given by the client', async () => {
    const ch = await channel();
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    const got: ConsumeMessage[] = [];
    await ch.consume(q, (m) => m && got.push(m), { consumerTag: 'my-tag', noAck: true });
    ch.sendToQueue(q, Buffer.from('x'));
    await until(() => got.length === 1);
    expect(got[0]?.fields.consumerTag).toBe('my-tag');
  });
});
