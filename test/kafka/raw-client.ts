// A raw Kafka protocol client for tests: encodes requests with our own message definitions,
// writes them on a plain socket and decodes the responses, so tests can send exactly the bytes
// no official client would (or call APIs no installed client implements).
import net from 'node:net';
import { expect } from 'vitest';
import { Reader, Writer } from '../../src/kafka/bytes.js';
import { decode, encode, inRange, loadMessages, type Msg } from '../../src/kafka/codec.js';

const defs = loadMessages();

export function request(apiKey: number, version: number, correlationId: number, body: Msg): Buffer {
  const def = defs.get(apiKey);
  if (!def) throw new Error(`no def ${apiKey}`);
  const flexible = inRange(def.flexible, version);
  const w = new Writer();
  w.int32(0);
  w.int16(apiKey);
  w.int16(version);
  w.int32(correlationId);
  w.string('wire-test', false);
  if (flexible) w.uvarint(0);
  encode(def.request, version, flexible, body, w);
  const buf = w.toBuffer();
  buf.writeInt32BE(buf.length - 4, 0);
  return buf;
}

export class RawClient {
  private buf = Buffer.alloc(0);
  private waiting: ((b: Buffer) => void)[] = [];
  readonly closed: Promise<void>;
  constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.drain();
    });
    this.closed = new Promise((r) => socket.once('close', () => r()));
    socket.on('error', () => undefined);
  }
  static async connect(port: number): Promise<RawClient> {
    const s = net.connect(port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    return new RawClient(s);
  }
  private drain(): void {
    while (this.buf.length >= 4 && this.waiting.length > 0) {
      const size = this.buf.readInt32BE(0);
      if (this.buf.length < 4 + size) return;
      const frame = this.buf.subarray(4, 4 + size);
      this.buf = this.buf.subarray(4 + size);
      this.waiting.shift()?.(frame);
    }
  }
  next(): Promise<Buffer> {
    return new Promise((r) => {
      this.waiting.push(r);
      this.drain();
    });
  }
  async call(apiKey: number, version: number, body: Msg, correlationId = 7): Promise<Msg> {
    this.socket.write(request(apiKey, version, correlationId, body));
    return parse(apiKey, version, await this.next(), correlationId);
  }
}

export function parse(apiKey: number, version: number, frame: Buffer, correlationId: number): Msg {
  const def = defs.get(apiKey);
  if (!def) throw new Error('no def');
  const r = new Reader(frame);
  expect(r.int32()).toBe(correlationId);
  const flexible = inRange(def.flexible, version);
  if (flexible && apiKey !== 18) expect(r.uvarint()).toBe(0);
  const out = decode(def.response, version, flexible, r);
  expect(r.remaining).toBe(0);
  return out;
}

