// Bad input never crashes the server: a whole session fed one byte per write, sockets cut
// mid-frame, random garbage after the handshake; other connections keep being served.
import { randomBytes } from 'node:crypto';
import { expect, test } from 'vitest';
import { frame } from '../../src/amqp/frame.js';
import { methodFrame } from '../../src/amqp/output.js';
import { methodByName } from '../../src/amqp/spec.js';
import { amqpServerPerFile, sleep } from './helpers.js';
import { RawClient } from './raw-client.js';

const server = amqpServerPerFile();
const port = (): number => server().ports.amqp as number;

test('a publish and get written one byte at a time', async () => {
  const c = await RawClient.open(port());
  const m = (name: string, args: Record<string, unknown>) => methodFrame(1, methodByName(name), args);
  const body = Buffer.from('split into single bytes');
  const bytes = Buffer.concat([
    m('channel.open', {}),
    m('queue.declare', { queue: 'bytewise', exclusive: true }),
    m('basic.publish', { exchange: '', routingKey: 'bytewise' }),
    RawClient.header(1, body.length, { headers: [['k', { type: 'S', value: Buffer.from('v') }]] }),
    frame(3, 1, body.subarray(0, 5)),
    frame(3, 1, body.subarray(5)),
    m('basic.get', { queue: 'bytewise', noAck: true }),
  ]);
  for (const b of bytes) {
    c.sendBytes(Buffer.from([b]));
    await new Promise((r) => setImmediate(r));
  }
  const ok = await c.expect('basic.get-ok');
  expect(ok.args).toMatchObject({ routingKey: 'bytewise', messageCount: 0 });
  await sleep(20);
  const bodyFrames = c.frames.filter((f) => f.type === 3);
  expect(Buffer.concat(bodyFrames.map((f) => f.payload)).toString()).toBe(body.toString());
  c.end();
});

test('sockets cut mid-frame and garbage do not disturb other connections', async () => {
  const healthy = await RawClient.withChannel(port());
  for (let i = 0; i < 20; i++) {
    const c = await RawClient.open(port());
    const f = methodFrame(1, methodByName('channel.open'), {});
    c.sendBytes(i % 2 === 0 ? f.subarray(0, 1 + (i % f.length)) : randomBytes(64 + i * 13));
    await sleep(2);
    c.end();
  }
  for (let i = 0; i < 10; i++) {
    const c = await RawClient.connect(port());
    c.sendBytes(randomBytes(200));
    await sleep(2);
    c.end();
  }
  healthy.send(1, 'queue.declare', { queue: '', exclusive: true });
  expect((await healthy.expect('queue.declare-ok')).args?.['queue']).toMatch(/^amq\.gen-/);
  healthy.end();
});

test('content headers with every property and field type come back byte-identical', async () => {
  const { Writer, encodeContentHeader } = await import('../../src/amqp/codec.js');
  const table: [string, unknown][] = [
    ['t', { type: 't', value: true }], ['b', { type: 'b', value: -1 }], ['B', { type: 'B', value: 255 }],
    ['s', { type: 's', value: -2 }], ['u', { type: 'u', value: 65535 }], ['I', { type: 'I', value: -3 }],
    ['i', { type: 'i', value: 4294967295 }], ['l', { type: 'l', value: -4n }], ['f', { type: 'f', value: 0.5 }],
    ['d', { type: 'd', value: 0.25 }], ['D', { type: 'D', value: { scale: 3, digits: -1234 } }],
    ['S', { type: 'S', value: Buffer.from('long string') }], ['x', { type: 'x', value: Buffer.from([1, 2, 3]) }],
    ['T', { type: 'T', value: 1234567890 }], ['V', { type: 'V', value: null }],
    ['A', { type: 'A', value: [{ type: 'F', value: [['n', { type: 'I', value: 1 }]] }] }],
  ];
  const w = new Writer();
  encodeContentHeader(w, 4, {
    contentType: 'a/b', contentEncoding: 'e', headers: table, deliveryMode: 2, priority: 1, correlationId: 'c', replyTo: 'r',
    expiration: '100000', messageId: 'm', timestamp: 99, type: 'ty', userId: 'guest', appId: 'app', clusterId: 'cl',
  });
  const header = w.take();
  const c = await RawClient.withChannel(port());
  c.send(1, 'queue.declare', { queue: '', exclusive: true });
  const q = (await c.expect('queue.declare-ok')).args?.['queue'] as string;
  c.send(1, 'basic.publish', { exchange: '', routingKey: q });
  c.sendBytes(frame(2, 1, header));
  c.sendBytes(frame(3, 1, Buffer.from('body')));
  c.send(1, 'basic.consume', { queue: q, noAck: true });
  await c.expect('basic.deliver');
  await sleep(20);
  const got = c.frames.find((f) => f.type === 2);
  expect(got?.payload.equals(header)).toBe(true);
  c.end();
});

test('random methods with random arguments never crash the server', async () => {
  const { METHODS } = await import('../../src/amqp/spec.js');
  const defs = [...METHODS.values()];
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const words = ['', 'q', 'amq.direct', 'amq.gen-x', 'x', 'topic', 'fanout', 'headers', 'direct', 'amq.rabbitmq.reply-to', '#', 'a.*', 'x-delayed-message', 'st'];
  // Random argument tables over the keys part 2 interprets, with values of every shape.
  const keys = ['x-queue-type', 'x-stream-offset', 'x-delayed-type', 'x-max-age', 'x-message-ttl', 'x-expires', 'x-dead-letter-exchange', 'x-dead-letter-routing-key', 'x-max-length-bytes', 'x-overflow', 'x-max-priority', 'x-delivery-limit', 'x-single-active-consumer', 'x-priority', 'x-queue-mode', 'alternate-exchange'];
  const values: unknown[] = ['stream', 'quorum', 'classic', 'first', 'last', 'next', '1h', '7D', 'bogus', 'direct', 'x-delayed-message', '', -1, 0, 3, 2 ** 40, true, 1.5, ['a'], { k: 1 }];
  const table = (): Record<string, unknown> => {
    const t: Record<string, unknown> = {};
    for (let k = rand(4); k > 0; k--) t[keys[rand(keys.length)] as string] = values[rand(values.length)];
    return t;
  };
  for (let round = 0; round < 15; round++) {
    const c = await RawClient.open(port());
    for (let i = 0; i < 40 && !c.closed; i++) {
      const def = defs[rand(defs.length)] as (typeof defs)[number];
      const args: Record<string, unknown> = {};
      for (const a of def.args) {
        args[a.key] = a.type === 'bit' ? rand(2) === 1 : a.type === 'shortstr' ? words[rand(words.length)] : a.type === 'longstr' ? Buffer.from('x') : a.type === 'table' ? table() : a.type === 'octet' ? rand(256) : rand(5);
      }
      const channel = rand(4);
      c.send(channel, def.name, args);
      if (def.content && rand(2) === 0) {
        c.sendBytes(RawClient.header(channel, 3));
        c.sendBytes(frame(3, channel, Buffer.from('abc')));
      }
    }
    await sleep(5);
    c.end();
  }
  const ok = await RawClient.withChannel(port());
  ok.send(1, 'queue.declare', { queue: '', exclusive: true });
  await ok.expect('queue.declare-ok');
  ok.end();
});
