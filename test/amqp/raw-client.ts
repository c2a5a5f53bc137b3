// A minimal AMQP client over a raw socket, built on our codec, for tests that must send what
// real clients never send (bad frames, wrong order, odd values) or inspect exact replies.
import net from 'node:net';
import { decodeMethod, encodeContentHeader, Writer, type MethodArgs } from '../../src/amqp/codec.js';
import { frame, FrameParser, PROTOCOL_HEADER } from '../../src/amqp/frame.js';
import { methodFrame } from '../../src/amqp/output.js';
import { methodByName } from '../../src/amqp/spec.js';

export interface RawFrame {
  type: number;
  channel: number;
  payload: Buffer;
  method?: string;
  args?: MethodArgs;
}

export class RawClient {
  readonly frames: RawFrame[] = [];
  closed = false;
  private waiters: (() => void)[] = [];
  private parser = new FrameParser({
    frame: (type, channel, payload) => {
      const f: RawFrame = { type, channel, payload: Buffer.from(payload) };
      if (type === 1) {
        const m = decodeMethod(payload);
        f.method = m.def.name;
        f.args = m.args;
      }
      this.frames.push(f);
      this.wake();
    },
  });
  raw = Buffer.alloc(0);

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.raw = Buffer.concat([this.raw, d]);
      try {
        this.parser.push(d);
      } catch {
        // not frames (e.g. a protocol header reply); tests read `raw`
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawClient(socket);
  }

  /**
   * Connects and runs the handshake up to tune-ok (PLAIN login, guest/guest unless told): the
   * caller sends connection.open, or awaits the close that a refused tune-ok gets.
   */
  static async tuned(port: number, o: { user?: string; password?: string; clientProperties?: MethodArgs; channelMax?: number; frameMax?: number; heartbeat?: number } = {}): Promise<RawClient> {
    const c = await RawClient.connect(port);
    c.socket.write(PROTOCOL_HEADER);
    await c.expect('connection.start');
    const response = Buffer.from(`\0${o.user ?? 'guest'}\0${o.password ?? 'guest'}`);
    c.send(0, 'connection.start-ok', { clientProperties: o.clientProperties ?? {}, mechanism: 'PLAIN', response, locale: 'en_US' });
    await c.expect('connection.tune');
    c.send(0, 'connection.tune-ok', { channelMax: o.channelMax ?? 10, frameMax: o.frameMax ?? 131072, heartbeat: o.heartbeat ?? 0 });
    return c;
  }

  /** Connects and completes the handshake (PLAIN guest/guest) on vhost '/'. */
  static async open(port: number, tune: { frameMax?: number; channelMax?: number; heartbeat?: number } = {}): Promise<RawClient> {
    const clientProperties = { capabilities: { consumer_cancel_notify: true, authentication_failure_close: true } };
    const c = await RawClient.tuned(port, { ...tune, clientProperties, channelMax: tune.channelMax ?? 2047 });
    c.send(0, 'connection.open', { virtualHost: '/' });
    await c.expect('connection.open-ok');
    return c;
  }

  /** RawClient.open, then channel 1 opened: where most raw-socket scenarios start. */
  static async withChannel(port: number, tune: { frameMax?: number; channelMax?: number; heartbeat?: number } = {}): Promise<RawClient> {
    const c = await RawClient.open(port, tune);
    c.send(1, 'channel.open', {});
    await c.expect('channel.open-ok');
    return c;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  send(channel: number, method: string, args: MethodArgs): void {
    this.socket.write(methodFrame(channel, methodByName(method), args));
  }

  sendBytes(b: Buffer): void {
    this.socket.write(b);
  }

  /** A content header frame for class 60 (basic) with the given body size and properties. */
  static header(channel: number, bodySize: number, props: MethodArgs = {}): Buffer {
    const w = new Writer();
    encodeContentHeader(w, bodySize, props);
    return frame(2, channel, w.take());
  }

  publish(channel: number, exchange: string, routingKey: string, body: Buffer, props: MethodArgs = {}, flags: MethodArgs = {}): void {
    this.send(channel, 'basic.publish', { exchange, routingKey, ...flags });
    this.sendBytes(RawClient.header(channel, body.length, props));
    if (body.length > 0) this.sendBytes(frame(3, channel, body));
  }

  /** Waits for (and removes) the next frame with this method name. */
  async expect(method: string, ms = 2000): Promise<RawFrame> {
    const end = Date.now() + ms;
    for (;;) {
      const i = this.frames.findIndex((f) => f.method === method);
      if (i >= 0) return this.frames.splice(i, 1)[0] as RawFrame;
      if (this.closed) throw new Error(`socket closed while waiting for ${method}; got ${this.frames.map((f) => f.method ?? f.type).join(',')}`);
      if (Date.now() > end) throw new Error(`timed out waiting for ${method}; got ${this.frames.map((f) => f.method ?? f.type).join(',')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, end - Date.now());
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async waitClosed(ms = 2000): Promise<void> {
    const end = Date.now() + ms;
    while (!this.closed) {
      if (Date.now() > end) throw new Error('socket still open');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  end(): void {
    this.socket.destroy();
  }
}
