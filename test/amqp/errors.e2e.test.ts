// Each error RabbitMQ answers with, at its level (channel.close for soft codes, connection.close
// for hard ones) and with its text, driven over a raw socket so exact replies can be checked.
import { describe, expect, test } from 'vitest';
import { frame } from '../../src/amqp/frame.js';
import { startTestServer } from '../helpers/server.js';
import { amqpServerPerFile } from './helpers.js';
import { RawClient } from './raw-client.js';

const server = amqpServerPerFile();
const port = (): number => server().ports.amqp as number;

async function opened(n = 1): Promise<RawClient> {
  const c = await RawClient.open(port());
  for (let i = 1; i <= n; i++) {
    c.send(i, 'channel.open', {});
    await c.expect('channel.open-ok');
  }
  return c;
}

async function connectionError(c: RawClient, code: number, text: string, classId?: number, methodId?: number): Promise<void> {
  const f = await c.expect('connection.close');
  expect(f.channel).toBe(0);
  expect(f.args).toMatchObject({ replyCode: code, replyText: text });
  if (classId !== undefined) expect(f.args).toMatchObject({ classId, methodId });
  c.send(0, 'connection.close-ok', {});
  await c.waitClosed();
}

async function channelError(c: RawClient, channel: number, code: number, text: string, classId?: number, methodId?: number): Promise<void> {
  const f = await c.expect('channel.close');
  expect(f.channel).toBe(channel);
  expect(f.args).toMatchObject({ replyCode: code, replyText: text });
  if (classId !== undefined) expect(f.args).toMatchObject({ classId, methodId });
  c.send(channel, 'channel.close-ok', {});
  // The connection keeps working: the same channel number can be opened again.
  c.send(channel, 'channel.open', {});
  await c.expect('channel.open-ok');
  c.end();
}

describe('connection-level (hard) errors', () => {
  test('504 CHANNEL_ERROR: a method on an unopened channel', async () => {
    const c = await opened(0);
    c.send(3, 'basic.qos', { prefetchCount: 1 });
    await connectionError(c, 504, "CHANNEL_ERROR - expected 'channel.open'", 60, 10);
  });

  test("504 CHANNEL_ERROR: second 'channel.open'", async () => {
    const c = await opened(1);
    c.send(1, 'channel.open', {});
    await connectionError(c, 504, "CHANNEL_ERROR - second 'channel.open' seen", 20, 10);
  });

  test('505 UNEXPECTED_FRAME: content header without basic.publish', async () => {
    const c = await opened(1);
    c.sendBytes(RawClient.header(1, 0));
    await connectionError(c, 505, 'UNEXPECTED_FRAME - expected method frame, got non method frame instead');
  });

  test('505 UNEXPECTED_FRAME: a method where the content header was due', async () => {
    const c = await opened(1);
    c.send(1, 'basic.publish', { exchange: '', routingKey: 'x' });
    c.send(1, 'basic.qos', { prefetchCount: 1 });
    await connectionError(c, 505, 'UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead', 60, 40);
  });

  test('505 UNEXPECTED_FRAME: body frame with no publish, heartbeat on a channel', async () => {
    const c = await opened(1);
    c.sendBytes(frame(3, 1, Buffer.from('x')));
    await connectionError(c, 505, 'UNEXPECTED_FRAME - expected method frame, got non method frame instead');
    const d = await opened(1);
    d.sendBytes(frame(8, 1, Buffer.alloc(0)));
    await connectionError(d, 505, 'UNEXPECTED_FRAME - type 8, all octets = <<>>');
    const e = await opened(0);
    e.send(0, 'channel.open', {});
    await connectionError(e, 504, 'CHANNEL_ERROR - unexpected method in connection state running', 20, 10);
    const g = await opened(0);
    g.send(0, 'connection.open', { virtualHost: '/' });
    await connectionError(g, 504, 'CHANNEL_ERROR - unexpected method in connection state running', 10, 40);
  });

  test('501 FRAME_ERROR: bad frame-end octet and frames over frame_max', async () => {
    const c = await opened(1);
    const bad = frame(1, 1, Buffer.from([0, 60, 0, 10, 0, 0, 0, 0, 0, 0, 0]));
    bad[bad.length - 1] = 0;
    c.sendBytes(bad);
    await connectionError(c, 501, 'FRAME_ERROR - type 1, all octets = <<0,60,0,10,0,0,0,0,0,0,0>>: {invalid_frame_end_marker,0}');
    const d = await RawClient.withChannel(port(), { frameMax: 8192 });
    d.send(1, 'basic.publish', { exchange: '', routingKey: 'x' });
    d.sendBytes(RawClient.header(1, 20000));
    d.sendBytes(frame(3, 1, Buffer.alloc(20000)));
    await connectionError(d, 501, 'FRAME_ERROR - type 3, all octets = <<>>: {frame_too_large,20000,8184}');
  });

  test('501 FRAME_ERROR: unknown frame type; 505 for a content header of another class', async () => {
    const c = await opened(1);
    c.sendBytes(frame(5, 1, Buffer.from('abc')));
    await connectionError(c, 501, 'FRAME_ERROR - type 5, all octets = <<"abc">>: unknown_frame');
    const d = await opened(1);
    d.send(1, 'basic.publish', { exchange: '', routingKey: 'x' });
    d.sendBytes(frame(2, 1, Buffer.from([0, 50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0])));
    await connectionError(d, 505, 'UNEXPECTED_FRAME - expected content header for class 60, got one for class 50 instead', 60, 40);
  });

  test('502 SYNTAX_ERROR: malformed field table', async () => {
    const c = await opened(1);
    // queue.declare with an arguments table holding an unknown field type 'Z'.
    const payload = Buffer.concat([
      Buffer.from([0, 50, 0, 10, 0, 0, 1, 0x71, 0]),
      Buffer.from([0, 0, 0, 3, 1, 0x6b, 0x5a]),
    ]);
    c.sendBytes(frame(1, 1, payload));
    const f = await c.expect('connection.close');
    expect(f.args?.['replyCode']).toBe(502);
    c.end();
  });

  test('503 COMMAND_INVALID: unknown method id', async () => {
    const c = await opened(1);
    c.sendBytes(frame(1, 1, Buffer.from([0, 60, 0, 99])));
    const f = await c.expect('connection.close');
    expect(f.args).toMatchObject({ replyCode: 503, classId: 60, methodId: 99 });
    c.end();
  });

  test('530 NOT_ALLOWED: channel_max, unknown vhost, tune values', async () => {
    const c = await RawClient.open(port(), { channelMax: 2 });
    for (const n of [1, 2]) {
      c.send(n, 'channel.open', {});
      await c.expect('channel.open-ok');
    }
    c.send(3, 'channel.open', {});
    await connectionError(c, 530, 'NOT_ALLOWED - number of channels opened (2) has reached the negotiated channel_max (2)');

    const v = await RawClient.tuned(port());
    v.send(0, 'connection.open', { virtualHost: 'nope' });
    await connectionError(v, 530, 'NOT_ALLOWED - vhost nope not found', 10, 40);

    const t = await RawClient.tuned(port(), { frameMax: 4096 });
    await connectionError(t, 530, 'NOT_ALLOWED - negotiated frame_max = 4096 is lower than the minimum allowed value (8192)', 10, 31);
  });

  test('540 NOT_IMPLEMENTED: flow active=false, immediate, prefetch_size, recover requeue=false', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['channel.flow', { active: false }, 'NOT_IMPLEMENTED - active=false'],
      ['basic.qos', { prefetchSize: 10 }, 'NOT_IMPLEMENTED - prefetch_size!=0 (10)'],
      ['basic.recover', { requeue: false }, 'NOT_IMPLEMENTED - requeue=false'],
    ];
    for (const [m, args, text] of cases) {
      const c = await opened(1);
      c.send(1, m, args);
      await connectionError(c, 540, text);
    }
    const c = await opened(1);
    c.publish(1, '', 'q', Buffer.from('x'), {}, { immediate: true });
    await connectionError(c, 540, 'NOT_IMPLEMENTED - immediate=true', 60, 40);
  });

  test('a bad protocol header gets ours back and a closed socket', async () => {
    const c = await RawClient.connect(port());
    c.sendBytes(Buffer.from('AMQP\0\0\x09\x02', 'latin1'));
    await c.waitClosed();
    expect(c.raw.toString('latin1')).toBe('AMQP\0\0\x09\x01');
    const h = await RawClient.connect(port());
    h.sendBytes(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await h.waitClosed();
    expect(h.raw.toString('latin1')).toBe('AMQP\0\0\x09\x01');
  });

  test('a bad login is 403 when the client advertises authentication_failure_close', async () => {
    const c = await RawClient.connect(port());
    c.sendBytes(Buffer.from('AMQP\0\0\x09\x01', 'latin1'));
    await c.expect('connection.start');
    c.send(0, 'connection.start-ok', { clientProperties: { capabilities: { authentication_failure_close: true } }, mechanism: 'PLAIN', response: Buffer.from('\0guest\0wrong'), locale: 'en_US' });
    await connectionError(c, 403, 'ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile.');
    const d = await RawClient.connect(port());
    d.sendBytes(Buffer.from('AMQP\0\0\x09\x01', 'latin1'));
    await d.expect('connection.start');
    d.send(0, 'connection.start-ok', { clientProperties: {}, mechanism: 'PLAIN', response: Buffer.from('\0guest\0wrong'), locale: 'en_US' });
    await d.waitClosed();
    expect(d.frames.length).toBe(0);
  });
});

describe('channel-level (soft) errors', () => {
  test('404 NOT_FOUND: publish to a missing exchange, passive declares', async () => {
    const c = await opened(1);
    c.publish(1, 'missing-x', 'k', Buffer.from('x'));
    await channelError(c, 1, 404, "NOT_FOUND - no exchange 'missing-x' in vhost '/'", 60, 40);
    const d = await opened(1);
    d.send(1, 'queue.declare', { queue: 'missing-q', passive: true });
    await channelError(d, 1, 404, "NOT_FOUND - no queue 'missing-q' in vhost '/'", 50, 10);
    const e = await opened(1);
    e.send(1, 'exchange.declare', { exchange: 'missing-x', type: 'direct', passive: true });
    await channelError(e, 1, 404, "NOT_FOUND - no exchange 'missing-x' in vhost '/'", 40, 10);
  });

  test('403 ACCESS_REFUSED: reserved names and the default exchange', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['exchange.declare', { exchange: 'amq.mine', type: 'direct' }, "ACCESS_REFUSED - exchange name 'amq.mine' contains reserved prefix 'amq.*'"],
      ['queue.declare', { queue: 'amq.q' }, "ACCESS_REFUSED - queue name 'amq.q' contains reserved prefix 'amq.*'"],
      ['exchange.delete', { exchange: 'amq.direct' }, "ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost '/' not allowed"],
      ['exchange.declare', { exchange: '', type: 'direct' }, 'ACCESS_REFUSED - operation not permitted on the default exchange'],
      ['queue.bind', { queue: 'q', exchange: '' }, 'ACCESS_REFUSED - operation not permitted on the default exchange'],
    ];
    for (const [m, args, text] of cases) {
      const c = await opened(1);
      c.send(1, m, args);
      await channelError(c, 1, 403, text);
    }
  });

  test('405 RESOURCE_LOCKED: another connection touches an exclusive queue', async () => {
    const owner = await opened(1);
    owner.send(1, 'queue.declare', { queue: 'excl-q', exclusive: true });
    await owner.expect('queue.declare-ok');
    const text = "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'excl-q' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.";
    for (const [m, args] of [
      ['queue.declare', { queue: 'excl-q', exclusive: true }],
      ['queue.declare', { queue: 'excl-q', passive: true }],
      ['basic.consume', { queue: 'excl-q' }],
      ['basic.get', { queue: 'excl-q' }],
      ['queue.purge', { queue: 'excl-q' }],
      ['queue.delete', { queue: 'excl-q' }],
    ] as [string, Record<string, unknown>][]) {
      const c = await opened(1);
      c.send(1, m, args);
      await channelError(c, 1, 405, text);
    }
    // The exclusive queue goes away with its connection.
    owner.end();
    await new Promise((r) => setTimeout(r, 50));
    const c = await opened(1);
    c.send(1, 'queue.declare', { queue: 'excl-q', passive: true });
    await channelError(c, 1, 404, "NOT_FOUND - no queue 'excl-q' in vhost '/'");
  });

  test('406 PRECONDITION_FAILED: inequivalent redeclares with RabbitMQ texts', async () => {
    const c = await opened(1);
    c.send(1, 'queue.declare', { queue: 'eq-q', durable: false, arguments: { 'x-message-ttl': 1000 } });
    await c.expect('queue.declare-ok');
    c.send(1, 'exchange.declare', { exchange: 'eq-x', type: 'direct' });
    await c.expect('exchange.declare-ok');
    const cases: [string, Record<string, unknown>, string][] = [
      ['queue.declare', { queue: 'eq-q', durable: true, arguments: { 'x-message-ttl': 1000 } }, "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'eq-q' in vhost '/': received 'true' but current is 'false'"],
      ['queue.declare', { queue: 'eq-q', arguments: { 'x-message-ttl': 2000 } }, "PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'eq-q' in vhost '/': received '2000' but current is '1000'"],
      ['queue.declare', { queue: 'eq-q', arguments: {} }, "PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'eq-q' in vhost '/': received none but current is the value '1000' of type 'signedint'"],
      ['exchange.declare', { exchange: 'eq-x', type: 'fanout' }, "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'eq-x' in vhost '/': received 'fanout' but current is 'direct'"],
      ['exchange.declare', { exchange: 'eq-x', type: 'direct', durable: true }, "PRECONDITION_FAILED - inequivalent arg 'durable' for exchange 'eq-x' in vhost '/': received 'true' but current is 'false'"],
      ['exchange.declare', { exchange: 'eq-x2', type: 'x-unknown' }, "PRECONDITION_FAILED - unknown exchange type 'x-unknown'"],
      ['basic.ack', { deliveryTag: 7 }, 'PRECONDITION_FAILED - unknown delivery tag 7'],
      ['tx.commit', {}, 'PRECONDITION_FAILED - channel is not transactional'],
      ['queue.declare', { queue: 'bad-q', arguments: { 'x-message-ttl': -1 } }, "PRECONDITION_FAILED - invalid arg 'x-message-ttl' for queue 'bad-q' in vhost '/': {value_negative,-1}"],
      ['queue.declare', { queue: 'bad-q', arguments: { 'x-expires': 0 } }, "PRECONDITION_FAILED - invalid arg 'x-expires' for queue 'bad-q' in vhost '/': {value_zero,0}"],
      ['queue.declare', { queue: 'bad-q', arguments: { 'x-overflow': 'foo' } }, "PRECONDITION_FAILED - invalid arg 'x-overflow' for queue 'bad-q' in vhost '/': invalid_overflow"],
      ['basic.consume', { queue: 'eq-q', arguments: { 'x-priority': 'a' } }, 'PRECONDITION_FAILED - invalid arg \'x-priority\' for queue \'eq-q\' in vhost \'/\': "expected integer, got longstr"'],
      ['basic.ack', { deliveryTag: 5, multiple: true }, 'PRECONDITION_FAILED - unknown delivery tag 5'],
      ['queue.declare', { queue: 'xp', arguments: { 'x-max-priority': 300 } }, "PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue 'xp' in vhost '/': {max_value_exceeded,300}"],
      ['queue.declare', { queue: 'xp2', arguments: { 'x-message-ttl': 'abc' } }, 'PRECONDITION_FAILED - invalid arg \'x-message-ttl\' for queue \'xp2\' in vhost \'/\': "expected integer, got longstr"'],
      ['queue.declare', { queue: 'xp3', arguments: { 'x-dead-letter-exchange': 5 } }, "PRECONDITION_FAILED - invalid type 'signedint' for arg 'x-dead-letter-exchange' in queue 'xp3' in vhost '/'"],
      ['queue.declare', { queue: 'xp4', arguments: { 'x-single-active-consumer': 'yes' } }, "PRECONDITION_FAILED - invalid arg 'x-single-active-consumer' for queue 'xp4' in vhost '/': {unacceptable_type,longstr}"],
      ['queue.declare', { queue: '', durable: true, arguments: { 'x-queue-type': 'quorum' } }, 'PRECONDITION_FAILED - Cannot declare a server-named queue for type rabbit_quorum_queue'],
      ['queue.declare', { queue: 'qq-e', durable: true, exclusive: true, arguments: { 'x-queue-type': 'quorum' } }, "PRECONDITION_FAILED - invalid property 'exclusive-owner' for queue 'qq-e' in vhost '/'"],
      ['queue.declare', { queue: 'eq-q', arguments: { 'x-message-ttl': 1000, 'x-queue-type': 'quorum' } }, "PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue 'eq-q' in vhost '/': received the value 'quorum' of type 'longstr' but current is none"],
      // Texts below were compared with a live RabbitMQ (3.10; unchanged in 4.2's rabbit_amqqueue).
      ['queue.declare', { queue: 'xa1', arguments: { 'x-overflow': 1 } }, "PRECONDITION_FAILED - invalid arg 'x-overflow' for queue 'xa1' in vhost '/': {unacceptable_type,signedint}"],
      ['queue.declare', { queue: 'xa2', arguments: { 'x-dead-letter-exchange': 'd', 'x-dead-letter-routing-key': 5 } }, "PRECONDITION_FAILED - invalid arg 'x-dead-letter-routing-key' for queue 'xa2' in vhost '/': {unacceptable_type,signedint}"],
      ['queue.declare', { queue: 'xa3', arguments: { 'x-dead-letter-routing-key': 'k' } }, "PRECONDITION_FAILED - invalid arg 'x-dead-letter-routing-key' for queue 'xa3' in vhost '/': routing_key_but_no_dlx_defined"],
      ['queue.declare', { queue: 'xa4', arguments: { 'x-queue-type': 'foo' } }, 'PRECONDITION_FAILED - invalid arg \'x-queue-type\' for queue \'xa4\' in vhost \'/\': "unsupported queue type \'foo\'"'],
      ['queue.declare', { queue: 'xa5', arguments: { 'x-queue-type': 5 } }, "PRECONDITION_FAILED - invalid arg 'x-queue-type' for queue 'xa5' in vhost '/': {unacceptable_type,signedint}"],
      ['queue.declare', { queue: 'xa6', arguments: { 'x-queue-mode': 'foo' } }, 'PRECONDITION_FAILED - invalid arg \'x-queue-mode\' for queue \'xa6\' in vhost \'/\': "unsupported queue mode \'foo\'"'],
      ['queue.declare', { queue: 'xa7', arguments: { 'x-delivery-limit': 'a' } }, "PRECONDITION_FAILED - invalid arg 'x-delivery-limit' for queue 'xa7' in vhost '/' of queue type rabbit_classic_queue"],
      ['queue.declare', { queue: 'xa8', arguments: { 'x-max-priority': -1 } }, "PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue 'xa8' in vhost '/': {value_negative,-1}"],
      ['queue.declare', { queue: 'xa9', arguments: { 'x-max-length': 'a' } }, 'PRECONDITION_FAILED - invalid arg \'x-max-length\' for queue \'xa9\' in vhost \'/\': "expected integer, got longstr"'],
      ['queue.declare', { queue: 'xa10', arguments: { 'x-expires': -3 } }, "PRECONDITION_FAILED - invalid arg 'x-expires' for queue 'xa10' in vhost '/': {value_negative,-3}"],
      ['queue.declare', { queue: 'xa11', arguments: { 'x-single-active-consumer': 1 } }, "PRECONDITION_FAILED - invalid arg 'x-single-active-consumer' for queue 'xa11' in vhost '/': {unacceptable_type,signedint}"],
      ['queue.declare', { queue: 'qq-a', durable: true, autoDelete: true, arguments: { 'x-queue-type': 'quorum' } }, "PRECONDITION_FAILED - invalid property 'auto-delete' for queue 'qq-a' in vhost '/'"],
    ];
    for (const [m, args, text] of cases) {
      const d = await opened(1);
      d.send(1, m, args);
      await channelError(d, 1, 406, text);
    }
    // Unknown x- arguments are not compared (RabbitMQ ignores them).
    c.send(1, 'queue.declare', { queue: 'eq-q', arguments: { 'x-message-ttl': 1000, 'x-whatever': 1 } });
    await c.expect('queue.declare-ok');
    c.send(1, 'queue.declare', { queue: 'eq-q', arguments: { 'x-message-ttl': 1000, 'x-queue-type': 'classic' } });
    await c.expect('queue.declare-ok');
    c.end();
  });

  test('406: confirm and tx exclude each other; bad expiration; queue in use / not empty', async () => {
    const a = await opened(1);
    a.send(1, 'confirm.select', {});
    await a.expect('confirm.select-ok');
    a.send(1, 'tx.select', {});
    await channelError(a, 1, 406, 'PRECONDITION_FAILED - cannot switch from confirm to tx mode');
    const b = await opened(1);
    b.send(1, 'tx.select', {});
    await b.expect('tx.select-ok');
    b.send(1, 'confirm.select', {});
    await channelError(b, 1, 406, 'PRECONDITION_FAILED - cannot switch from tx to confirm mode');
    for (const [props, text] of [
      [{ expiration: '-5' }, "PRECONDITION_FAILED - invalid expiration '-5': {value_negative,-5}"],
      [{ expiration: '5abc' }, 'PRECONDITION_FAILED - invalid expiration \'5abc\': {leftover_string,"abc"}'],
      [{ expiration: '1.5' }, 'PRECONDITION_FAILED - invalid expiration \'1.5\': {leftover_string,".5"}'],
      [{ expiration: ' 5' }, "PRECONDITION_FAILED - invalid expiration ' 5': no_integer"],
      [{ expiration: '' }, "PRECONDITION_FAILED - invalid expiration '': no_integer"],
      [{ userId: 'bob' }, "PRECONDITION_FAILED - user_id property set to 'bob' but authenticated user was 'guest'"],
    ] as [Record<string, unknown>, string][]) {
      const x = await opened(1);
      x.publish(1, '', 'q', Buffer.from('x'), props);
      await channelError(x, 1, 406, text, 60, 40);
    }
    const r = await opened(1);
    r.send(1, 'basic.consume', { queue: 'amq.rabbitmq.reply-to', noAck: true, consumerTag: 'r' });
    await r.expect('basic.consume-ok');
    r.send(1, 'basic.consume', { queue: 'amq.rabbitmq.reply-to', noAck: true, consumerTag: 'r2' });
    await channelError(r, 1, 406, 'PRECONDITION_FAILED - reply consumer already set', 60, 20);
    const c = await opened(1);
    c.publish(1, '', 'q', Buffer.from('x'), { expiration: 'abc' });
    await channelError(c, 1, 406, "PRECONDITION_FAILED - invalid expiration 'abc': no_integer");
    const d = await opened(1);
    d.send(1, 'queue.declare', { queue: 'busy-q' });
    await d.expect('queue.declare-ok');
    d.publish(1, '', 'busy-q', Buffer.from('x'));
    d.send(1, 'queue.delete', { queue: 'busy-q', ifEmpty: true });
    await channelError(d, 1, 406, "PRECONDITION_FAILED - queue 'busy-q' in vhost '/' not empty");
    const e = await opened(1);
    e.send(1, 'basic.consume', { queue: 'busy-q' });
    await e.expect('basic.consume-ok');
    e.send(1, 'queue.delete', { queue: 'busy-q', ifUnused: true });
    const f = await e.expect('channel.close');
    expect(f.args?.['replyText']).toBe("PRECONDITION_FAILED - queue 'busy-q' in vhost '/' in use");
    e.end();
  });

  test('406: message larger than max_message_size', async () => {
    const s = await startTestServer({ protocols: ['amqp'], extra: { AMQP_MAX_MESSAGE_SIZE: '1000' } });
    try {
      const c = await RawClient.withChannel(s.ports.amqp as number);
      c.publish(1, '', 'q', Buffer.alloc(1001));
      const f = await c.expect('channel.close');
      expect(f.args).toMatchObject({ replyCode: 406, replyText: 'PRECONDITION_FAILED - message size 1001 is larger than configured max size 1000' });
      c.end();
    } finally {
      await s.stop();
    }
  });
});
