// Publishing and consuming through amqplib: deliveries, acks, nack/reject, get, qos, cancel,
// recover, confirms, tx, mandatory returns, redelivery after connection loss.
import type { Channel, ConsumeMessage, GetMessage } from 'amqplib';
import { describe, expect, test } from 'vitest';
import { amqpServerPerFile, connect, nextClose, sleep, until } from './helpers.js';

const server = amqpServerPerFile();

async function channel(): Promise<Channel> {
  const c = await connect(server());
  return c.createChannel();
}

describe('publish and consume', () => {
  test('messages arrive in order with properties intact, delivery tags count from 1', async () => {
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    for (let i = 0; i < 5; i++) {
      ch.sendToQueue(queue, Buffer.from(`m${i}`), { contentType: 'text/plain', correlationId: `c${i}`, priority: 3, timestamp: 1700000000, headers: { n: i } });
    }
    const got: ConsumeMessage[] = [];
    await ch.consume(queue, (m) => m && got.push(m));
    await until(() => got.length === 5);
    expect(got.map((m) => m.content.toString())).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(got.map((m) => m.fields.deliveryTag)).toEqual([1, 2, 3, 4, 5]);
    expect(got[2]?.properties).toMatchObject({ contentType: 'text/plain', correlationId: 'c2', priority: 3, timestamp: 1700000000, headers: { n: 2 } });
    expect(got[0]?.fields).toMatchObject({ redelivered: false, exchange: '', routingKey: queue });
    await ch.close();
  });

  test('large bodies span many frames and come back byte-identical', async () => {
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    const body = Buffer.alloc(1_000_000);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
    ch.sendToQueue(queue, body);
    const got = await new Promise<ConsumeMessage>((resolve) => void ch.consume(queue, (x) => x && resolve(x), { noAck: true }));
    expect(got.content.equals(body)).toBe(true);
  });

  test('basic.get returns message_count and get-empty when drained', async () => {
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    ch.sendToQueue(queue, Buffer.from('a'));
    ch.sendToQueue(queue, Buffer.from('b'));
    await sleep(20);
    const first = (await ch.get(queue)) as GetMessage;
    expect(first.content.toString()).toBe('a');
    expect(first.fields.messageCount).toBe(1);
    const second = (await ch.get(queue, { noAck: true })) as GetMessage;
    expect(second.content.toString()).toBe('b');
    expect(await ch.get(queue)).toBe(false);
    ch.ack(first);
  });

  test('nack with requeue redelivers in the original position with redelivered=true', async () => {
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    for (const s of ['a', 'b', 'c']) ch.sendToQueue(queue, Buffer.from(s));
    await sleep(20);
    const a = (await ch.get(queue)) as GetMessage;
    const b = (await ch.get(queue)) as GetMessage;
    ch.nack(b, false, true);
    ch.nack(a, false, true);
    await sleep(20);
    const again = (await ch.get(queue, { noAck: true })) as GetMessage;
    expect(again.content.toString()).toBe('a');
    expect(again.fields.redelivered).toBe(true);
    const next = (await ch.get(queue, { noAck: true })) as GetMessage;
    expect(next.content.toString()).toBe('b');
    const last = (await ch.get(queue, { noAck: true })) as GetMessage;
    expect(last.fields.redelivered).toBe(false);
  });

  test('reject without requeue drops; ack multiple settles everything up to the tag', async () => {
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    for (let i = 0; i < 4; i++) ch.sendToQueue(queue, Buffer.from(String(i)));
    await sleep(20);
    const ms: GetMessage[] = [];
    for (let i = 0; i < 4; i++) ms.push((await ch.get(queue)) as GetMessage);
    ch.reject(ms[0] as GetMessage, false);
    ch.ack(ms[2] as GetMessage, true);
    ch.ack(ms[3] as GetMessage);
    await ch.recover();
    expect(await ch.get(queue)).toBe(false);
    const check = await ch.checkQueue(queue);
    expect(check.messageCount).toBe(0);
  });

  test('unknown delivery tag closes the channel with 406, the connection survives', async () => {
    const c = await connect(server());
    const ch = await c.createChannel();
    const closed = nextClose(ch);
    ch.ack({ fields: { deliveryTag: 999 } } as unknown as GetMessage);
    const e = await closed;
    expect(e.message).toContain('PRECONDITION_FAILED - unknown delivery tag 999');
    expect(e.code).toBe(406);
    const ch2 = await c.createChannel();
    await ch2.assertQueue('', { exclusive: true });
    await c.close();
  });

  test('recover requeues all unacked; requeue=false is 540 NOT_IMPLEMENTED on the connection', async () => {
    const c = await connect(server());
    const ch = await c.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    ch.sendToQueue(queue, Buffer.from('x'));
    await sleep(20);
    await ch.get(queue);
    await ch.recover();
    const m = (await ch.get(queue, { noAck: true })) as GetMessage;
    expect(m.fields.redelivered).toBe(true);
    await c.close();
  });
});

describe('prefetch and competing consumers', () => {
  test('per-consumer prefetch is exact and acks release more', async () => {
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    for (let i = 0; i < 10; i++) ch.sendToQueue(queue, Buffer.from(String(i)));
    await ch.prefetch(3);
    const got: ConsumeMessage[] = [];
    await ch.consume(queue, (m) => m && got.push(m));
    await sleep(50);
    expect(got.length).toBe(3);
    ch.ack(got[0] as ConsumeMessage);
    await until(() => got.length === 4);
    await sleep(30);
    expect(got.length).toBe(4);
    ch.ack(got[3] as ConsumeMessage, true);
    await until(() => got.length === 7);
  });

  test('global prefetch is shared by the channel consumers', async () => {
    const ch = await channel();
    const q1 = (await ch.assertQueue('', { exclusive: true })).queue;
    const q2 = (await ch.assertQueue('', { exclusive: true })).queue;
    for (let i = 0; i < 5; i++) {
      ch.sendToQueue(q1, Buffer.from('a'));
      ch.sendToQueue(q2, Buffer.from('b'));
    }
    await ch.prefetch(4, true);
    let n = 0;
    await ch.consume(q1, () => n++);
    await ch.consume(q2, () => n++);
    await sleep(50);
    expect(n).toBe(4);
  });

  test('competing consumers are served round-robin', async () => {
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    const seen: string[] = [];
    await ch.consume(queue, (m) => m && seen.push('A' + m.content.toString()), { noAck: true });
    await ch.consume(queue, (m) => m && seen.push('B' + m.content.toString()), { noAck: true });
    for (let i = 0; i < 4; i++) ch.sendToQueue(queue, Buffer.from(String(i)));
    await until(() => seen.length === 4);
    expect(seen).toEqual(['A0', 'B1', 'A2', 'B3']);
  });

  test('consumer priorities: the higher priority consumer gets messages while it has credit', async () => {
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    const seen: string[] = [];
    await ch.consume(queue, () => seen.push('low'), { noAck: true, priority: 1 });
    await ch.consume(queue, () => seen.push('high'), { noAck: true, priority: 5 });
    for (let i = 0; i < 3; i++) ch.sendToQueue(queue, Buffer.from('x'));
    await until(() => seen.length === 3);
    expect(seen).toEqual(['high', 'high', 'high']);
  });
});

describe('cancel and server-sent cancel', () => {
  test('basic.cancel stops deliveries; unacked stay with the channel', async () => {
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    const got: ConsumeMessage[] = [];
    const { consumerTag } = await ch.consume(queue, (m) => m && got.push(m));
    expect(consumerTag).toMatch(/^amq\.ctag-/);
    ch.sendToQueue(queue, Buffer.from('1'));
    await until(() => got.length === 1);
    await ch.cancel(consumerTag);
    ch.sendToQueue(queue, Buffer.from('2'));
    await sleep(30);
    expect(got.length).toBe(1);
    ch.ack(got[0] as ConsumeMessage);
    expect(((await ch.get(queue, { noAck: true })) as GetMessage).content.toString()).toBe('2');
  });

  test('deleting a queue sends basic.cancel to its consumers', async () => {
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    const cancelled = new Promise<unknown>((resolve) => void ch.consume(queue, (m) => m === null && resolve(true)));
    const ch2 = await channel();
    await ch2.assertQueue('sc-q');
    const cancelled2 = new Promise<unknown>((resolve) => void ch2.consume('sc-q', (m) => m === null && resolve(true)));
    await (await channel()).deleteQueue('sc-q');
    expect(await cancelled2).toBe(true);
    await ch.deleteQueue(queue);
    expect(await cancelled).toBe(true);
  });

  test('duplicate consumer tag is 530 NOT_ALLOWED on the connection', async () => {
    const c = await connect(server());
    const ch = await c.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.consume(queue, () => undefined, { consumerTag: 'dup' });
    const closed = nextClose(c);
    ch.consume(queue, () => undefined, { consumerTag: 'dup' }).catch(() => undefined);
    expect((await closed).message).toContain("NOT_ALLOWED - attempt to reuse consumer tag 'dup'");
  });

  test('exclusive consumer conflicts are 403', async () => {
    const ch = await channel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.consume(queue, () => undefined, { exclusive: true });
    const closed = nextClose(ch);
    ch.consume(queue, () => undefined).catch(() => undefined);
    expect((await closed).message).toBe(`Channel closed by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - queue '${queue}' in vhost '/' in exclusive use"`);
  });
});

describe('connection loss', () => {
  test('unacked deliveries are requeued when the connection dies', async () => {
    const c1 = await connect(server());
    const ch1 = await c1.createChannel();
    await ch1.assertQueue('requeue-on-death');
    await ch1.purgeQueue('requeue-on-death');
    for (let i = 0; i < 3; i++) ch1.sendToQueue('requeue-on-death', Buffer.from(String(i)));
    const got: ConsumeMessage[] = [];
    await ch1.consume('requeue-on-death', (m) => m && got.push(m));
    await until(() => got.length === 3);
    ch1.ack(got[0] as ConsumeMessage);
    await sleep(20);
    (c1 as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    await sleep(50);
    const ch2 = await channel();
    const a = (await ch2.get('requeue-on-death', { noAck: true })) as GetMessage;
    const b = (await ch2.get('requeue-on-death', { noAck: true })) as GetMessage;
    expect([a.content.toString(), b.content.toString()]).toEqual(['1', '2']);
    expect(a.fields.redelivered).toBe(true);
    await ch2.deleteQueue('requeue-on-death');
  });
});

describe('direct reply-to', () => {
  test('RPC through amq.rabbitmq.reply-to', async () => {
    const server1 = await channel();
    await server1.assertQueue('rpc-q', { exclusive: true });
    await server1.consume('rpc-q', (m) => {
      if (!m) return;
      server1.sendToQueue(m.properties.replyTo as string, Buffer.from(m.content.toString().toUpperCase()), { correlationId: m.properties.correlationId as string });
      server1.ack(m);
    });
    const client = await channel();
    const replies: ConsumeMessage[] = [];
    await client.consume('amq.rabbitmq.reply-to', (m) => m && replies.push(m), { noAck: true });
    client.sendToQueue('rpc-q', Buffer.from('ping'), { replyTo: 'amq.rabbitmq.reply-to', correlationId: 'c1' });
    await until(() => replies.length === 1);
    expect(replies[0]?.content.toString()).toBe('PING');
    expect(replies[0]?.properties.correlationId).toBe('c1');
    expect(replies[0]?.fields.routingKey).toMatch(/^amq\.rabbitmq\.reply-to\./);
    const name = replies[0]?.fields.routingKey as string;
    expect(await server1.checkQueue(name)).toEqual({ queue: name, messageCount: 0, consumerCount: 1 });
  });

  test('publishing with reply-to but no reply consumer is 406', async () => {
    const ch = await channel();
    const closed = nextClose(ch);
    ch.sendToQueue('anything', Buffer.from('x'), { replyTo: 'amq.rabbitmq.reply-to' });
    expect((await closed).message).toContain('PRECONDITION_FAILED - fast reply consumer does not exist');
  });

  test('a reply consumer must be no-ack', async () => {
    const ch = await channel();
    const closed = nextClose(ch);
    ch.consume('amq.rabbitmq.reply-to', () => undefined, { noAck: false }).catch(() => undefined);
    expect((await closed).message).toContain('PRECONDITION_FAILED - reply consumer cannot acknowledge');
  });
});

