// The x-delayed-message exchange (rabbitmq-delayed-message-exchange plugin semantics): routing
// by x-delayed-type, the x-delay header (held, then routed with x-delay negated), no header or
// x-delay <= 0 routes at once, bad x-delayed-type is 406, the type is kept on redeclare,
// deleting the exchange drops held messages; driven through amqplib and pika.
import { execFile } from 'node:child_process';
import type { Channel, GetMessage } from 'amqplib';
import { describe, expect, test } from 'vitest';
import { amqpServerPerFile, hasPika, openChannel, PYTHON, sleep, until } from './helpers.js';

const server = amqpServerPerFile();

const channel = (): Promise<Channel> => openChannel(server());

describe('x-delayed-message', () => {
  test('declare needs a valid x-delayed-type (406 with the plugin text); redeclare keeps the type', async () => {
    const ch = await channel();
    await expect(ch.assertExchange('dx-bad', 'x-delayed-message', { durable: false })).rejects.toThrow(
      "PRECONDITION_FAILED - Invalid argument, 'x-delayed-type' must be an existing exchange type",
    );
    const ch2 = await channel();
    await ch2.assertExchange('dx-ok', 'x-delayed-message', { durable: false, arguments: { 'x-delayed-type': 'topic' } });
    await ch2.assertExchange('dx-ok', 'x-delayed-message', { durable: false, arguments: { 'x-delayed-type': 'topic' } });
    await expect(ch2.assertExchange('dx-ok', 'topic', { durable: false })).rejects.toThrow(
      "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'dx-ok' in vhost '/': received 'topic' but current is 'x-delayed-message'",
    );
  });

  test('x-delay holds the message, then routes it by the delayed type with x-delay negated', async () => {
    const ch = await channel();
    await ch.assertExchange('dx-topic', 'x-delayed-message', { durable: false, arguments: { 'x-delayed-type': 'topic' } });
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    const other = (await ch.assertQueue('', { exclusive: true })).queue;
    await ch.bindQueue(q, 'dx-topic', 'orders.*');
    await ch.bindQueue(other, 'dx-topic', 'payments.#');
    const sent = Date.now();
    ch.publish('dx-topic', 'orders.new', Buffer.from('later'), { headers: { 'x-delay': 120, keep: 'x' } });
    ch.publish('dx-topic', 'orders.new', Buffer.from('now'));
    ch.publish('dx-topic', 'orders.new', Buffer.from('zero'), { headers: { 'x-delay': 0 } });
    await sleep(40);
    expect(((await ch.get(q, { noAck: true })) as GetMessage).content.toString()).toBe('now');
    expect(((await ch.get(q, { noAck: true })) as GetMessage).content.toString()).toBe('zero');
    expect(await ch.get(q)).toBe(false);
    const m = await until(async () => (await ch.get(q, { noAck: true })) || undefined, 2000) as GetMessage;
    expect(Date.now() - sent).toBeGreaterThanOrEqual(110);
    expect(m.content.toString()).toBe('later');
    expect(m.fields).toMatchObject({ exchange: 'dx-topic', routingKey: 'orders.new' });
    expect(m.properties.headers).toMatchObject({ 'x-delay': -120, keep: 'x' });
    expect(await ch.get(other)).toBe(false);
  });

  test('deleting the exchange drops its held messages; a held mandatory message is returned at once', async () => {
    const ch = await channel();
    await ch.assertExchange('dx-del', 'x-delayed-message', { durable: false, arguments: { 'x-delayed-type': 'direct' } });
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    await ch.bindQueue(q, 'dx-del', 'k');
    const returned: string[] = [];
    ch.on('return', (m) => returned.push(m.content.toString()));
    ch.publish('dx-del', 'k', Buffer.from('held'), { headers: { 'x-delay': 50 }, mandatory: true });
    await until(() => returned.length === 1);
    await ch.deleteExchange('dx-del');
    await sleep(100);
    expect(await ch.get(q)).toBe(false);
  });
});


const PIKA_DELAYED = `
import json, sys, time, pika
conn = pika.BlockingConnection(pika.ConnectionParameters(host="127.0.0.1", port=int(sys.argv[1])))
ch = conn.channel()
ch.exchange_declare("pika-delayed", exchange_type="x-delayed-message", arguments={"x-delayed-type": "direct"})
q = ch.queue_declare("", exclusive=True).method.queue
ch.queue_bind(q, "pika-delayed", "rk")
t0 = time.time()
ch.basic_publish("pika-delayed", "rk", b"hello", pika.BasicProperties(headers={"x-delay": 100}))
early = ch.basic_get(q, auto_ack=True)[0] is None
while True:
    m, p, b = ch.basic_get(q, auto_ack=True)
    if m:
        break
    conn.sleep(0.01)
print(json.dumps({"early_empty": early, "waited": time.time() - t0 >= 0.09, "body": b.decode(), "x_delay": p.headers["x-delay"] - (1 << 64)}))
conn.close()
`;

// pika 1.2/1.3 reads the signed long 'l' as unsigned: RabbitMQ's -100 arrives as 2^64-100
// (pika issue #1531, seen with the real plugin too), so the script undoes that.
test.skipIf(!hasPika)('pika: a delayed publish arrives after x-delay', async () => {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(PYTHON, ['-c', PIKA_DELAYED, String(server().ports.amqp)], { timeout: 20000 }, (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out)));
  });
  expect(JSON.parse(stdout)).toEqual({ early_empty: true, waited: true, body: 'hello', x_delay: -100 });
});
