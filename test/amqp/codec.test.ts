// Codec and framing without sockets: byte-exact field-table and property round trips for every
// field type, method encode/decode from the spec table, frames fed one byte at a time.
import { describe, expect, test } from 'vitest';
import { decodeMethod, decodeProperties, encodeContentHeader, encodeMethod, Reader, scanContentHeader, headersOf, plainTable, Writer, type FieldTable } from '../../src/amqp/codec.js';
import { frame, FrameError, FrameParser } from '../../src/amqp/frame.js';
import { contentFrames, methodFrame } from '../../src/amqp/output.js';
import { METHODS, methodByName } from '../../src/amqp/spec.js';

const everyType: FieldTable = [
  ['bool', { type: 't', value: true }],
  ['int8', { type: 'b', value: -5 }],
  ['uint8', { type: 'B', value: 250 }],
  ['int16', { type: 's', value: -30000 }],
  ['uint16', { type: 'u', value: 65000 }],
  ['int32', { type: 'I', value: -2000000000 }],
  ['uint32', { type: 'i', value: 4000000000 }],
  ['int64', { type: 'l', value: -9007199254740993n }],
  ['float', { type: 'f', value: 1.5 }],
  ['double', { type: 'd', value: Math.PI }],
  ['decimal', { type: 'D', value: { scale: 2, digits: 12345 } }],
  ['string', { type: 'S', value: Buffer.from('héllo') }],
  ['bytes', { type: 'x', value: Buffer.from([0, 1, 255]) }],
  ['time', { type: 'T', value: 1700000000 }],
  ['void', { type: 'V', value: null }],
  ['array', { type: 'A', value: [{ type: 'I', value: 1 }, { type: 'S', value: Buffer.from('x') }, { type: 'A', value: [] }] }],
  ['table', { type: 'F', value: [['nested', { type: 'F', value: [['deep', { type: 't', value: false }]] }], ['2', { type: 'V', value: null }], ['1', { type: 'b', value: 1 }]] }],
];

function encodeTable(t: FieldTable): Buffer {
  const w = new Writer(16);
  w.table(t);
  return w.take();
}

describe('field tables', () => {
  test('every field type round-trips byte-exact', () => {
    const bytes = encodeTable(everyType);
    const decoded = new Reader(bytes).table();
    expect(decoded).toEqual(everyType);
    expect(encodeTable(decoded).equals(bytes)).toBe(true);
  });

  test('plain view of values', () => {
    const p = plainTable(everyType);
    expect(p).toMatchObject({ bool: true, int8: -5, uint32: 4000000000, string: 'héllo', decimal: 123.45, void: null, time: 1700000000 });
    expect(p['int64']).toBe(-9007199254740993n);
    expect(p['table']).toEqual({ nested: { deep: false }, '2': null, '1': 1 });
  });

  test('malformed tables are errors, not crashes', () => {
    const bytes = encodeTable(everyType);
    for (let cut = 5; cut < bytes.length; cut += 7) {
      const broken = Buffer.from(bytes.subarray(0, cut));
      expect(() => new Reader(broken).table()).toThrow();
    }
    expect(() => new Reader(Buffer.from([0, 0, 0, 3, 1, 0x6b, 0x5a])).table()).toThrow(/malformed/);
  });
});

describe('methods', () => {
  test('every method in the spec table encodes and decodes', () => {
    for (const def of METHODS.values()) {
      const w = new Writer();
      const args: Record<string, unknown> = {};
      for (const a of def.args) {
        args[a.key] = a.type === 'bit' ? true : a.type === 'shortstr' ? 'sx' : a.type === 'longstr' ? Buffer.from('lx') : a.type === 'table' ? [['k', { type: 'I', value: 7 }]] : a.type === 'octet' ? 7 : 1234;
      }
      encodeMethod(w, def, args);
      const back = decodeMethod(w.take());
      expect(back.def.name).toBe(def.name);
      expect(back.args).toEqual(args);
    }
  });

  test('consecutive bits pack into one octet (queue.declare)', () => {
    const w = new Writer();
    encodeMethod(w, methodByName('queue.declare'), { ticket: 0, queue: 'q', passive: false, durable: true, exclusive: false, autoDelete: true, nowait: false, arguments: [] });
    expect([...w.take()]).toEqual([0, 50, 0, 10, 0, 0, 1, 0x71, 0b1010, 0, 0, 0, 0]);
  });
});

describe('content headers', () => {
  const props = {
    contentType: 'application/json', contentEncoding: 'gzip', headers: everyType, deliveryMode: 2, priority: 7, correlationId: 'c', replyTo: 'r',
    expiration: '60000', messageId: 'm', timestamp: 1700000000, type: 't', userId: 'guest', appId: 'a',
  };
  test('all properties round-trip byte-exact', () => {
    const w = new Writer();
    encodeContentHeader(w, 42, props);
    const bytes = w.take();
    const d = decodeProperties(bytes);
    expect(d.bodySize).toBe(42);
    expect(d.properties).toEqual(props);
    const w2 = new Writer();
    encodeContentHeader(w2, d.bodySize, d.properties);
    expect(w2.take().equals(bytes)).toBe(true);
  });

  test('the scan reads only what routing needs', () => {
    const w = new Writer();
    encodeContentHeader(w, 3, props);
    const bytes = w.take();
    const s = scanContentHeader(bytes);
    expect(s).toMatchObject({ classId: 60, bodySize: 3, priority: 7, expiration: '60000', userId: 'guest' });
    expect(headersOf(bytes, s)).toEqual(everyType);
  });
});

describe('framing', () => {
  const stream = Buffer.concat([
    methodFrame(1, methodByName('basic.publish'), { exchange: 'x', routingKey: 'k' }),
    contentFrames(1, methodByName('basic.deliver'), { consumerTag: 't', deliveryTag: 1 }, Buffer.from([0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0]), Buffer.alloc(20, 1), 8192),
    frame(8, 0, Buffer.alloc(0)),
  ]);

  function parseAll(chunks: Buffer[]): [number, number, string][] {
    const out: [number, number, string][] = [];
    const p = new FrameParser({ frame: (t, c, payload) => out.push([t, c, payload.toString('hex')]) });
    for (const c of chunks) p.push(c);
    return out;
  }

  test('one byte at a time gives the same frames as one chunk', () => {
    const whole = parseAll([stream]);
    expect(whole.map((f) => f[0])).toEqual([1, 1, 2, 3, 8]);
    const bytes = [...stream].map((b) => Buffer.from([b]));
    expect(parseAll(bytes)).toEqual(whole);
    for (const size of [2, 3, 7, 8, 13, 64]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.subarray(i, i + size));
      expect(parseAll(chunks)).toEqual(whole);
    }
  });

  test('bodies split to frame_max and reassemble', () => {
    const body = Buffer.alloc(30000, 9);
    const bytes = contentFrames(1, methodByName('basic.deliver'), { consumerTag: 't', deliveryTag: 1 }, Buffer.from([0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0x75, 0x30, 0, 0]), body, 8192);
    const frames = parseAll([bytes]);
    expect(frames.map((f) => f[0])).toEqual([1, 2, 3, 3, 3, 3]);
    expect(frames.filter((f) => f[0] === 3).reduce((n, f) => n + f[2].length / 2, 0)).toBe(30000);
  });

  test('a bad frame-end and an oversized frame are frame errors', () => {
    const bad = Buffer.from(frame(1, 0, Buffer.from([1, 2])));
    bad[bad.length - 1] = 0;
    expect(() => parseAll([bad])).toThrow(FrameError);
    const p = new FrameParser({ frame: () => undefined });
    p.frameMax = 8192;
    expect(() => p.push(frame(3, 1, Buffer.alloc(9000)).subarray(0, 7))).toThrow(/frame_too_large,9000,8184/);
  });
});
