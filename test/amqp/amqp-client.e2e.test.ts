// The same broker through a second official client, @cloudamqp/amqp-client: topology, publish
// with every property and header type, consume/ack/nack, get, confirms, tx, qos, errors.
import { AMQPClient, type AMQPMessage } from '@cloudamqp/amqp-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { sleep, until } from './helpers.js';

let server: TestServer;
let client: AMQPClient;
beforeAll(async () => {
  server = await startTestServer({ protocols: ['amqp'] });
  client = new AMQPClient(`amqp://guest:guest@127.0.0.1:${server.ports.amqp}`);
  await client.connect();
});
afterAll(async () => {
  await client.close();
  await server.stop();
});

describe('@cloudamqp/amqp-client', () => {
  test('properties and headers of every type round-trip', async () => {
    const ch = await client.channel();
    const { name } = await ch.queueDeclare('', { exclusive: true });
    const headers = { str: 'x', int: 42, neg: -7, big: 2 ** 40, float: 1.25, bool: true, nested: { a: [1, 'two', false] }, none: null };
    await ch.basicPublish('', name, 'payload', {
      contentType: 'application/json', contentEncoding: 'utf-8', headers, deliveryMode: 2, priority: 3, correlationId: 'corr',
      replyTo: 'reply', expiration: '60000', messageId: 'mid', timestamp: new Date(1700000000000), type: 'kind', userId: 'guest', appId: 'app',
    });
    const msg = (await ch.basicGet(name, { noAck: true })) as AMQPMessage;
    expect(msg.bodyToString()).toBe('payload');
    expect(msg.properties).toMatchObject({ contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 2, priority: 3, correlationId: 'corr', replyTo: 'reply', expiration: '60000', messageId: 'mid', type: 'kind', userId: 'guest', appId: 'app' });
    expect(msg.properties.timestamp?.getTime()).toBe(1700000000000);
    expect(msg.properties.headers).toEqual(headers);
    await ch.close();
  });

  test('topic routing, consume with manual ack, nack requeue redelivers', async () => {
    const ch = await client.channel();
    await ch.exchangeDeclare('ac.topic', 'topic');
    const { name } = await ch.queueDeclare('', { exclusive: true });
    await ch.queueBind(name, 'ac.topic', 'a.#');
    await ch.basicPublish('ac.topic', 'a.b.c', 'one');
    await ch.basicPublish('ac.topic', 'b.c', 'skip');
    const seen: [string, boolean][] = [];
    await ch.basicConsume(name, { noAck: false }, async (m) => {
      seen.push([m.bodyToString() as string, m.redelivered]);
      if (!m.redelivered) await m.nack(true);
      else await m.ack();
    });
    await until(() => seen.length === 2);
    expect(seen).toEqual([['one', false], ['one', true]]);
    await ch.close();
  });

  test('publisher confirms and transactions', async () => {
    const ch = await client.channel();
    const { name } = await ch.queueDeclare('', { exclusive: true });
    await ch.confirmSelect();
    const tags = await Promise.all([1, 2, 3].map((i) => ch.basicPublish('', name, String(i))));
    expect(tags).toEqual([1, 2, 3]);
    const tx = await client.channel();
    await tx.txSelect();
    await tx.basicPublish('', name, 'rolled');
    await tx.txRollback();
    await tx.basicPublish('', name, 'kept');
    await tx.txCommit();
    await sleep(10);
    const { messageCount } = await ch.queueDeclare(name, { passive: true });
    expect(messageCount).toBe(4);
    await ch.close();
    await tx.close();
  });

  test('qos limits unacked deliveries; queue and exchange deletion', async () => {
    const ch = await client.channel();
    const { name } = await ch.queueDeclare('', { exclusive: true });
    for (let i = 0; i < 5; i++) await ch.basicPublish('', name, String(i));
    await ch.basicQos(2);
    const held: AMQPMessage[] = [];
    await ch.basicConsume(name, { noAck: false }, (m) => void held.push(m));
    await sleep(50);
    expect(held.length).toBe(2);
    await held[1]?.ack(true);
    await until(() => held.length === 4);
    await ch.exchangeDeclare('ac.del', 'fanout');
    await ch.exchangeDelete('ac.del');
    await ch.close();
  });

  test('a channel error rejects the call with the reply text and leaves the connection usable', async () => {
    const ch = await client.channel();
    await expect(ch.queueDeclare('ac-missing', { passive: true })).rejects.toThrow("NOT_FOUND - no queue 'ac-missing' in vhost '/'");
    const ch2 = await client.channel();
    await ch2.queueDeclare('', { exclusive: true });
    await ch2.close();
  });
});
