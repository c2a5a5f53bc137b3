// Exchanges, queues and bindings through amqplib: routing by type, e2e bindings, alternate
// exchanges, mandatory returns, confirms, tx, server-named / auto-delete / exclusive queues,
// TTL, max-length, dead-lettering with x-death.
import type { Channel, ConfirmChannel, GetMessage, Message } from 'amqplib';
import { describe, expect, test } from 'vitest';
import { amqpServerPerFile, connect, drain, openChannel, sleep, tempQueue, until } from './helpers.js';
import { RawClient } from './raw-client.js';

const server = amqpServerPerFile();

const channel = (): Promise<Channel> => openChannel(server());

describe('routing through exchanges', () => {
  test('direct, fanout, topic and headers exchanges deliver to the right queues', async () => {
    const ch = await channel();
    const [q1, q2, q3] = [await tempQueue(ch), await tempQueue(ch), await tempQueue(ch)];
    await ch.assertExchange('t.topic', 'topic', { durable: false });
    await ch.bindQueue(q1, 't.topic', 'orders.*.created');
    await ch.bindQueue(q2, 't.topic', 'orders.#');
    await ch.bindQueue(q3, 'amq.headers', '', { 'x-match': 'any', region: 'eu', tier: 'gold' });
    await ch.bindQueue(q3, 'amq.fanout', '');
    ch.publish('t.topic', 'orders.42.created', Buffer.from('created'));
    ch.publish('t.topic', 'orders.42.shipped.late', Buffer.from('shipped'));
    ch.publish('t.topic', 'users.1.created', Buffer.from('nobody'));
    ch.publish('amq.headers', 'ignored', Buffer.from('hdr-eu'), { headers: { region: 'eu' } });
    ch.publish('amq.headers', 'ignored', Buffer.from('hdr-us'), { headers: { region: 'us' } });
    ch.publish('amq.fanout', 'x', Buffer.from('fan'));
    await sleep(30);
    expect(await drain(ch, q1)).toEqual(['created']);
    expect(await drain(ch, q2)).toEqual(['created', 'shipped']);
    expect(await drain(ch, q3)).toEqual(['hdr-eu', 'fan']);
  });

  test('CC and BCC headers add routing keys; BCC is stripped', async () => {
    const ch = await channel();
    const [q1, q2, q3] = [await tempQueue(ch), await tempQueue(ch), await tempQueue(ch)];
    ch.sendToQueue(q1, Buffer.from('m'), { CC: [q2], BCC: [q3], headers: { other: 1 } });
    await sleep(30);
    const got = await Promise.all([q1, q2, q3].map((q) => ch.get(q, { noAck: true }) as Promise<GetMessage>));
    expect(got.map((m) => m.content.toString())).toEqual(['m', 'm', 'm']);
    for (const m of got) expect(m.properties.headers).toEqual({ other: 1, CC: [q2] });
  });

  test('exchange-to-exchange bindings and unbind', async () => {
    const ch = await channel();
    const q = await tempQueue(ch);
    await ch.assertExchange('e2e.src', 'direct', { durable: false });
    await ch.assertExchange('e2e.dst', 'fanout', { durable: false });
    await ch.bindExchange('e2e.dst', 'e2e.src', 'k');
    await ch.bindQueue(q, 'e2e.dst', '');
    ch.publish('e2e.src', 'k', Buffer.from('via'));
    ch.publish('e2e.src', 'other', Buffer.from('no'));
    await sleep(20);
    expect(await drain(ch, q)).toEqual(['via']);
    await ch.unbindExchange('e2e.dst', 'e2e.src', 'k');
    await ch.unbindExchange('e2e.dst', 'e2e.src', 'k'); // idempotent
    ch.publish('e2e.src', 'k', Buffer.from('gone'));
    await sleep(20);
    expect(await drain(ch, q)).toEqual([]);
  });

  test('alternate exchange takes unroutable messages (and mandatory does not return them)', async () => {
    const ch = await channel();
    const q = await tempQueue(ch);
    await ch.assertExchange('ae.target', 'fanout', { durable: false });
    await ch.assertExchange('ae.main', 'direct', { durable: false, alternateExchange: 'ae.target' });
    await ch.bindQueue(q, 'ae.target', '');
    const returned: Message[] = [];
    ch.on('return', (m: Message) => returned.push(m));
    ch.publish('ae.main', 'nowhere', Buffer.from('alt'), { mandatory: true });
    await sleep(30);
    expect(await drain(ch, q)).toEqual(['alt']);
    expect(returned).toEqual([]);
  });

  test('mandatory unroutable messages come back as basic.return 312 NO_ROUTE', async () => {
    const ch = await channel();
    const returned = new Promise<Message>((resolve) => ch.once('return', resolve));
    ch.publish('amq.direct', 'no-such-key', Buffer.from('back'), { mandatory: true, headers: { h: 'v' } });
    const m = await returned;
    expect(m.content.toString()).toBe('back');
    expect(m.fields).toMatchObject({ replyCode: 312, replyText: 'NO_ROUTE', exchange: 'amq.direct', routingKey: 'no-such-key' });
    expect(m.properties.headers).toEqual({ h: 'v' });
  });

  test('deleting exchanges: if-unused, idempotent, bindings removed', async () => {
    const ch = await channel();
    const q = await tempQueue(ch);
    await ch.assertExchange('del.x', 'direct', { durable: false });
    await ch.bindQueue(q, 'del.x', 'k');
    await ch.deleteExchange('del.x');
    await ch.deleteExchange('del.x');
    await expect(ch.checkExchange('del.x')).rejects.toThrow(/404/);
  });

  test('auto-delete exchanges go when their last binding goes', async () => {
    const ch = await channel();
    const q = await tempQueue(ch);
    await ch.assertExchange('auto.x', 'fanout', { durable: false, autoDelete: true });
    await ch.bindQueue(q, 'auto.x', '');
    await ch.unbindQueue(q, 'auto.x', '');
    const ch2 = await channel();
    await expect(ch2.checkExchange('auto.x')).rejects.toThrow(/NOT_FOUND/);
  });
});

describe('queues', () => {
  test('server-named queues, declare-ok counts, passive declare, purge and delete counts', async () => {
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    expect(queue).toMatch(/^amq\.gen-[A-Za-z0-9_-]{22}$/);
    ch.sendToQueue(queue, Buffer.from('1'));
    ch.sendToQueue(queue, Buffer.from('2'));
    await sleep(20);
    expect(await ch.checkQueue(queue)).toEqual({ queue, messageCount: 2, consumerCount: 0 });
    expect(await ch.purgeQueue(queue)).toEqual({ messageCount: 2 });
    ch.sendToQueue(queue, Buffer.from('3'));
    await sleep(20);
    expect(await ch.deleteQueue(queue)).toEqual({ messageCount: 1 });
    expect(await ch.deleteQueue(queue)).toEqual({ messageCount: 0 });
  });

  test('auto-delete queues go with their last consumer', async () => {
    const ch = await channel();
    await ch.assertQueue('auto-q', { autoDelete: true, durable: false });
    const { consumerTag } = await ch.consume('auto-q', () => undefined);
    await ch.cancel(consumerTag);
    const ch2 = await channel();
    await expect(ch2.checkQueue('auto-q')).rejects.toThrow(/NOT_FOUND/);
  });

  test('per-queue and per-message TTL', async () => {
    const ch = await channel();
    const q = await tempQueue(ch, { 'x-message-ttl': 30 });
    ch.sendToQueue(q, Buffer.from('short'));
    const q2 = await tempQueue(ch);
    ch.sendToQueue(q2, Buffer.from('expires'), { expiration: '20' });
    ch.sendToQueue(q2, Buffer.from('stays'));
    await sleep(80);
    expect(await drain(ch, q)).toEqual([]);
    expect(await drain(ch, q2)).toEqual(['stays']);
  });

  test('max-length drops the head; reject-publish nacks the confirm', async () => {
    const c = await connect(server());
    const ch: ConfirmChannel = await c.createConfirmChannel();
    const q = (await ch.assertQueue('', { exclusive: true, arguments: { 'x-max-length': 2 } })).queue;
    for (const s of ['a', 'b', 'c']) ch.sendToQueue(q, Buffer.from(s));
    await ch.waitForConfirms();
    expect(await drain(ch, q)).toEqual(['b', 'c']);
    const r = (await ch.assertQueue('', { exclusive: true, arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } })).queue;
    const results: (Error | null)[] = [];
    for (const s of ['a', 'b']) ch.sendToQueue(r, Buffer.from(s), {}, (e: Error | null) => results.push(e));
    await until(() => results.length === 2);
    expect(results[0]).toBeNull();
    expect(results[1]).toBeTruthy();
    await c.close();
  });

  test('priority queues deliver higher priorities first', async () => {
    const ch = await channel();
    const q = await tempQueue(ch, { 'x-max-priority': 5 });
    ch.sendToQueue(q, Buffer.from('low'), { priority: 1 });
    ch.sendToQueue(q, Buffer.from('high'), { priority: 5 });
    ch.sendToQueue(q, Buffer.from('none'));
    await sleep(20);
    expect(await drain(ch, q)).toEqual(['high', 'low', 'none']);
  });

  test('dead-lettering on reject, expiry and max-length, with x-death', async () => {
    const ch = await channel();
    const dead = await tempQueue(ch);
    await ch.assertExchange('dlx', 'fanout', { durable: false });
    await ch.bindQueue(dead, 'dlx', '');
    const work = await tempQueue(ch, { 'x-dead-letter-exchange': 'dlx' });
    ch.sendToQueue(work, Buffer.from('bad'), { headers: { keep: 1 } });
    await sleep(20);
    const m = (await ch.get(work)) as GetMessage;
    ch.reject(m, false);
    await sleep(20);
    const d = (await ch.get(dead, { noAck: true })) as GetMessage;
    expect(d.content.toString()).toBe('bad');
    expect(d.fields).toMatchObject({ exchange: 'dlx', routingKey: work });
    const headers = d.properties.headers as Record<string, unknown>;
    expect(headers['keep']).toBe(1);
    expect(headers['x-first-death-reason']).toBe('rejected');
    expect(headers['x-first-death-queue']).toBe(work);
    const death = (headers['x-death'] as Record<string, unknown>[])[0] as Record<string, unknown>;
    expect(death).toMatchObject({ count: 1, reason: 'rejected', queue: work, exchange: '', 'routing-keys': [work] });

    const retry = await tempQueue(ch, { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dead, 'x-message-ttl': 10 });
    ch.sendToQueue(retry, Buffer.from('late'), { expiration: '5' });
    await sleep(60);
    const e = (await ch.get(dead, { noAck: true })) as GetMessage;
    expect(e.content.toString()).toBe('late');
    expect(e.properties.expiration).toBeUndefined();
    const eDeath = ((e.properties.headers as Record<string, unknown>)['x-death'] as Record<string, unknown>[])[0];
    expect(eDeath).toMatchObject({ reason: 'expired', 'original-expiration': '5' });
  });
});

describe('confirms and transactions', () => {
  test('publisher confirms ack every publish, including unroutable ones', async () => {
    const c = await connect(server());
    const ch = await c.createConfirmChannel();
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    const acks: number[] = [];
    for (let i = 0; i < 50; i++) ch.sendToQueue(q, Buffer.from(String(i)), {}, (e: Error | null) => !e && acks.push(i));
    ch.publish('amq.direct', 'nowhere', Buffer.from('x'), {}, (e: Error | null) => !e && acks.push(-1));
    await ch.waitForConfirms();
    expect(acks.length).toBe(51);
    expect((await ch.checkQueue(q)).messageCount).toBe(50);
    await c.close();
  });

  test('tx: publishes and acks take effect on commit, vanish on rollback (raw client)', async () => {
    const c = await RawClient.withChannel(server().ports.amqp as number);
    c.send(1, 'queue.declare', { queue: '', exclusive: true });
    const q = (await c.expect('queue.declare-ok')).args?.['queue'] as string;
    c.send(1, 'tx.select', {});
    await c.expect('tx.select-ok');
    c.publish(1, '', q, Buffer.from('rolled-back'));
    c.send(1, 'tx.rollback', {});
    await c.expect('tx.rollback-ok');
    c.publish(1, '', q, Buffer.from('committed'));
    c.send(1, 'queue.declare', { queue: q, passive: true });
    expect((await c.expect('queue.declare-ok')).args?.['messageCount']).toBe(0);
    c.send(1, 'tx.commit', {});
    await c.expect('tx.commit-ok');
    c.send(1, 'basic.get', { queue: q });
    const got = await c.expect('basic.get-ok');
    expect(got.args).toMatchObject({ deliveryTag: 1, messageCount: 0 });
    c.send(1, 'basic.ack', { deliveryTag: 1 });
    c.send(1, 'tx.rollback', {});
    await c.expect('tx.rollback-ok');
    // The rolled-back ack leaves the delivery unacked: acking it again inside a commit works.
    c.send(1, 'basic.ack', { deliveryTag: 1 });
    c.send(1, 'tx.commit', {});
    await c.expect('tx.commit-ok');
    c.send(1, 'queue.declare', { queue: q, passive: true });
    expect((await c.expect('queue.declare-ok')).args?.['messageCount']).toBe(0);
    c.end();
  });
});
