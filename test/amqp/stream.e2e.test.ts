// Stream queues over AMQP 0-9-1 (stored in the core's Log): declare rules, consumer rules
// (qos and manual ack required, RabbitMQ's 406/540), x-stream-offset first/last/next/offset/
// timestamp/interval, the x-stream-offset delivery header, independent consumers, retention
// by x-max-length-bytes and x-max-age (driven with the core's ManualClock), and pika.
import { execFile } from 'node:child_process';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connect, hasPika, openChannel, PYTHON, sleep, until } from './helpers.js';

let server: TestServer;
const clock = new ManualClock(Date.now());
beforeAll(async () => {
  server = await startTestServer({ protocols: ['amqp'] }, clock);
});
afterAll(async () => {
  await server.stop();
});

const channel = (c?: ChannelModel): Promise<Channel> => openChannel(server, c);

const STREAM = { durable: true, arguments: { 'x-queue-type': 'stream' } };

async function declareWith(args: Record<string, unknown>, opts: Record<string, unknown> = {}): Promise<string> {
  const ch = await channel();
  try {
    await ch.assertQueue((opts['name'] as string | undefined) ?? 'st-bad', { durable: true, ...opts, arguments: { 'x-queue-type': 'stream', ...args } });
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}

/** Consumes with a prefetch, acking everything; returns the bodies and x-stream-offset headers seen. */
async function read(ch: Channel, q: string, offset: unknown, want: number, prefetch = 2): Promise<[string, unknown][]> {
  await ch.prefetch(prefetch);
  const got: [string, unknown][] = [];
  const args = offset === undefined ? {} : { 'x-stream-offset': offset };
  const { consumerTag } = await ch.consume(q, (m: ConsumeMessage | null) => {
    if (!m) return;
    got.push([m.content.toString(), m.properties.headers?.['x-stream-offset']]);
    ch.ack(m);
  }, { arguments: args });
  if (want > 0) await until(() => got.length >= want);
  else await sleep(30);
  await ch.cancel(consumerTag);
  return got;
}

describe('declaring streams', () => {
  test('durable, shared, named; only stream arguments', async () => {
    expect(await declareWith({}, { name: 'st-nd', durable: false })).toContain("PRECONDITION_FAILED - invalid property 'non-durable' for queue 'st-nd' in vhost '/'");
    expect(await declareWith({}, { name: 'st-ex', exclusive: true })).toContain("PRECONDITION_FAILED - invalid property 'exclusive-owner' for queue 'st-ex' in vhost '/'");
    expect(await declareWith({}, { name: 'st-ad', autoDelete: true })).toContain("PRECONDITION_FAILED - invalid property 'auto-delete' for queue 'st-ad' in vhost '/'");
    expect(await declareWith({}, { name: '' })).toContain('PRECONDITION_FAILED - Cannot declare a server-named queue for type rabbit_stream_queue');
    expect(await declareWith({ 'x-message-ttl': 1000 })).toContain("PRECONDITION_FAILED - invalid arg 'x-message-ttl' for queue 'st-bad' in vhost '/' of queue type rabbit_stream_queue");
    expect(await declareWith({ 'x-dead-letter-exchange': 'x' })).toContain("PRECONDITION_FAILED - invalid arg 'x-dead-letter-exchange' for queue 'st-bad' in vhost '/' of queue type rabbit_stream_queue");
    expect(await declareWith({ 'x-max-age': '1X' })).toContain("PRECONDITION_FAILED - invalid arg 'x-max-age' for queue 'st-bad' in vhost '/': invalid_max_age");
    expect(await declareWith({ 'x-max-age': 5 })).toContain("PRECONDITION_FAILED - invalid arg 'x-max-age' for queue 'st-bad' in vhost '/': {unacceptable_type,byte}"); // amqplib sends 5 as a byte
    expect(await declareWith({ 'x-max-age': '7D', 'x-max-length-bytes': 1000000 }, { name: 'st-ok' })).toBe('ok');
    expect(await declareWith({ 'x-queue-type': 'classic', 'x-max-age': '7D', 'x-max-length-bytes': 1000000 }, { name: 'st-ok' })).toContain(
      "PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue 'st-ok' in vhost '/': received 'classic' but current is 'stream'",
    );
    expect(await declareWith({ 'x-max-age': '8D', 'x-max-length-bytes': 1000000 }, { name: 'st-ok' })).toContain(
      "PRECONDITION_FAILED - inequivalent arg 'x-max-age' for queue 'st-ok' in vhost '/': received '8D' but current is '7D'",
    );
  });
});

describe('consuming streams', () => {
  test('a consumer needs a prefetch (406); no-ack, global qos, basic.get and purge are 540', async () => {
    const ch = await channel();
    await ch.assertQueue('st-rules', STREAM);
    const e1 = await ch.consume('st-rules', () => undefined).catch((e: Error) => e);
    expect((e1 as Error).message).toContain("PRECONDITION_FAILED - consumer prefetch count is not set for stream queue 'st-rules' in vhost '/'");
    const cases: [(c: Channel) => Promise<unknown>, string][] = [
      [async (c) => { await c.prefetch(5); await c.consume('st-rules', () => undefined, { noAck: true }); }, "NOT_IMPLEMENTED - automatic acknowledgement not supported by stream queues queue 'st-rules' in vhost '/'"],
      [async (c) => { await c.prefetch(5); await c.prefetch(5, true); await c.consume('st-rules', () => undefined); }, "NOT_IMPLEMENTED - queue 'st-rules' in vhost '/' does not support global qos"],
      [(c) => c.get('st-rules'), "NOT_IMPLEMENTED - basic.get not supported by stream queues queue 'st-rules' in vhost '/'"],
      [(c) => c.purgeQueue('st-rules'), "NOT_IMPLEMENTED - queue.purge not supported by stream queues queue 'st-rules' in vhost '/'"],
    ];
    for (const [fn, text] of cases) {
      const conn = await connect(server);
      conn.on('error', () => undefined);
      const closed = new Promise<Error>((resolve) => conn.once('close', resolve));
      const c = await channel(conn);
      await fn(c).catch(() => undefined);
      // 540 is a hard error: the whole connection closes.
      expect((await closed).message).toContain(text);
    }
  });

  test('offsets first / last / next / number / timestamp / interval, with the x-stream-offset header', async () => {
    const ch = await channel();
    await ch.assertQueue('st-off', STREAM);
    const before = { '!': 'timestamp', value: Math.floor(clock.now() / 1000) - 1 }; // an AMQP timestamp (seconds)
    for (let i = 0; i < 5; i++) ch.sendToQueue('st-off', Buffer.from(`m${i}`), { headers: { i } });
    await until(async () => (await ch.checkQueue('st-off')).messageCount === 5);
    expect(await read(await channel(), 'st-off', 'first', 5)).toEqual([['m0', 0], ['m1', 1], ['m2', 2], ['m3', 3], ['m4', 4]]);
    expect(await read(await channel(), 'st-off', 'last', 1)).toEqual([['m4', 4]]);
    expect(await read(await channel(), 'st-off', 3, 2)).toEqual([['m3', 3], ['m4', 4]]);
    expect((await read(await channel(), 'st-off', before, 5)).map(([b]) => b)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect((await read(await channel(), 'st-off', '1h', 5)).length).toBe(5);
    expect(await read(await channel(), 'st-off', 'next', 0)).toEqual([]);
    // Default (next) sees only what comes after it subscribed.
    const live = await channel();
    await live.prefetch(10);
    const got: string[] = [];
    await live.consume('st-off', (m) => { if (m) { got.push(m.content.toString()); live.ack(m); } });
    ch.sendToQueue('st-off', Buffer.from('m5'));
    await until(() => got.length === 1);
    expect(got).toEqual(['m5']);
    const bad = await channel();
    await bad.prefetch(1);
    const e = await bad.consume('st-off', () => undefined, { arguments: { 'x-stream-offset': '1X' } }).catch((x: Error) => x);
    expect((e as Error).message).toContain(`PRECONDITION_FAILED - invalid arg 'x-stream-offset' for queue 'st-off' in vhost '/': {invalid_stream_offset_arg,{longstr,<<"1X">>}}`);
  });

  test('consumers read independently and prefetch bounds unacked deliveries', async () => {
    const pub = await channel();
    await pub.assertQueue('st-ind', STREAM);
    const a = await channel();
    const b = await channel();
    await a.prefetch(3);
    await b.prefetch(3);
    const gotA: ConsumeMessage[] = [];
    const gotB: string[] = [];
    await a.consume('st-ind', (m) => m && gotA.push(m), { arguments: { 'x-stream-offset': 'first' } });
    await b.consume('st-ind', (m) => { if (m) { gotB.push(m.content.toString()); b.ack(m); } }, { arguments: { 'x-stream-offset': 'first' } });
    for (let i = 0; i < 10; i++) pub.sendToQueue('st-ind', Buffer.from(String(i)));
    await until(() => gotB.length === 10);
    await sleep(20);
    expect(gotA.length).toBe(3); // a acks nothing: three unacked is its limit
    a.ack(gotA[2] as ConsumeMessage, true);
    await until(() => gotA.length === 6);
    expect(gotA.map((m) => m.content.toString())).toEqual(['0', '1', '2', '3', '4', '5']);
    // Consuming removes nothing: a new reader still sees everything.
    expect((await read(await channel(), 'st-ind', 'first', 10)).length).toBe(10);
  });

  test('nack and reject only free credit (nothing is redelivered); dead letters can target a stream', async () => {
    const ch = await channel();
    await ch.assertQueue('st-nack', STREAM);
    for (const b of ['a', 'b']) ch.sendToQueue('st-nack', Buffer.from(b));
    await ch.prefetch(1);
    const got: string[] = [];
    await ch.consume('st-nack', (m) => { if (m) { got.push(m.content.toString()); ch.nack(m, false, true); } }, { arguments: { 'x-stream-offset': 'first' } });
    await until(() => got.length === 2);
    await sleep(30);
    expect(got).toEqual(['a', 'b']);
    const src = (await ch.assertQueue('', { exclusive: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'st-nack' } })).queue;
    ch.sendToQueue(src, Buffer.from('dead'));
    const m = await until(async () => (await ch.get(src)) || undefined);
    ch.reject(m, false);
    await until(() => got.length === 3);
    expect(got[2]).toBe('dead');
  });

  test('deleting a stream cancels its consumers', async () => {
    const ch = await channel();
    await ch.assertQueue('st-del', STREAM);
    await ch.prefetch(1);
    let cancelled = false;
    await ch.consume('st-del', (m) => { if (m === null) cancelled = true; });
    await (await channel()).deleteQueue('st-del');
    await until(() => cancelled);
  });
});

describe('retention', () => {
  test('x-max-length-bytes drops the oldest entries; x-max-age drops entries older than the age', async () => {
    const ch = await channel();
    await ch.assertQueue('st-bytes', { durable: true, arguments: { 'x-queue-type': 'stream', 'x-max-length-bytes': 300 } });
    for (let i = 0; i < 10; i++) ch.sendToQueue('st-bytes', Buffer.alloc(100, 48 + i));
    await until(async () => (await ch.checkQueue('st-bytes')).messageCount <= 3);
    const kept = await read(await channel(), 'st-bytes', 'first', 3);
    expect(kept.map(([, off]) => off)).toEqual([7, 8, 9]);

    await ch.assertQueue('st-age', { durable: true, arguments: { 'x-queue-type': 'stream', 'x-max-age': '10s' } });
    ch.sendToQueue('st-age', Buffer.from('old'));
    await until(async () => (await ch.checkQueue('st-age')).messageCount === 1);
    clock.advance(11000);
    ch.sendToQueue('st-age', Buffer.from('new'));
    await until(async () => (await ch.checkQueue('st-age')).messageCount === 1);
    expect(await read(await channel(), 'st-age', 'first', 1)).toEqual([['new', 1]]);
  });
});


const PIKA_STREAM = `
import json, sys, pika
conn = pika.BlockingConnection(pika.ConnectionParameters(host="127.0.0.1", port=int(sys.argv[1])))
ch = conn.channel()
ch.queue_declare("pika-stream", durable=True, arguments={"x-queue-type": "stream"})
ch.confirm_delivery()
for i in range(3):
    ch.basic_publish("", "pika-stream", str(i).encode())
ch.basic_qos(prefetch_count=10)
got = []
def on(c, m, p, b):
    got.append([b.decode(), p.headers["x-stream-offset"]])
    c.basic_ack(m.delivery_tag)
ch.basic_consume("pika-stream", on, arguments={"x-stream-offset": "first"})
while len(got) < 3:
    conn.process_data_events(time_limit=1)
out = {"got": got}
try:
    ch2 = conn.channel()
    ch2.basic_consume("pika-stream", on)
except pika.exceptions.ChannelClosedByBroker as e:
    out["noqos"] = [e.reply_code, e.reply_text]
conn.close()
print(json.dumps(out))
`;

test.skipIf(!hasPika)('pika: stream offsets and the prefetch rule', async () => {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(PYTHON, ['-c', PIKA_STREAM, String(server.ports.amqp)], { timeout: 20000 }, (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out)));
  });
  expect(JSON.parse(stdout)).toEqual({
    got: [['0', 0], ['1', 1], ['2', 2]],
    noqos: [406, "PRECONDITION_FAILED - consumer prefetch count is not set for stream queue 'pika-stream' in vhost '/'"],
  });
});
