// Bad input never crashes the server: a whole session fed one byte per write, sockets cut
// mid-frame, random garbage after the handshake; other connections keep being served.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { frame } from '../../src/amqp/frame.js';
import { methodFrame } from '../../src/amqp/output.js';
import { methodByName } from '../../src/amqp/spec.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { sleep } from './helpers.js';
import { RawClient } from './raw-client.js';

let server: TestServer;
let port: number;
beforeAll(async () => {
  server = await startTestServer({ protocols: ['amqp'] });
  port = server.ports.amqp as number;
});
afterAll(async () => {
  await server.stop();
});

test('a publish and get written one byte at a time', async () => {
  const c = await RawClient.open(port);
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
  const healthy = await RawClient.open(port);
  healthy.send(1, 'channel.open', {});
  await healthy.expect('channel.open-ok');
  for (let i = 0; i < 20; i++) {
    const c = await RawClient.open(port);
    const f = methodFrame(1, methodByName('channel.open'), {});
    c.sendBytes(i % 2 === 0 ? f.subarray(0, 1 + (i % f.length)) : randomBytes(64 + i * 13));
    await sleep(2);
    c.end();
  }
  for (let i = 0; i < 10; i++) {
    const c = await RawClient.connect(port);
    c.sendBytes(randomBytes(200));
    await sleep(2);
    c.end();
  }
  healthy.send(1, 'queue.declare', { queue: '', exclusive: true });
  expect((await healthy.expect('queue.declare-ok')).args?.['queue']).toMatch(/^amq\.gen-/);
  healthy.end();
});
