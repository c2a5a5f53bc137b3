// One AMQP 0-9-1 connection: protocol header, start/tune/open handshake (PLAIN, AMQPLAIN,
// ANONYMOUS), heartbeats both ways, the channel map, and closing in both directions. Channel
// frames go to channel.ts; method handlers live in methods/. Errors follow RabbitMQ: soft
// reply codes close the channel, hard ones the connection (with the failing class/method ids).
// Not supported: connection.secure challenges (no mechanism needs them), AMQP 1.0 headers.

import type net from 'node:net';
import type { Broker } from '../core/index.js';
import type { Logger } from '../shared/logger.js';
import { Channel } from './channel.js';
import { CodecError, decodeMethod, UnknownMethod, type MethodArgs } from './codec.js';
import { AmqpError, err, fromBrokerError } from './errors.js';
import { erlangBinary, FrameError, FrameParser, PROTOCOL_HEADER, type FrameSink } from './frame.js';
import { CONNECTION_METHODS, sendStart } from './methods/connection.js';
import { HEARTBEAT_FRAME, methodFrame } from './output.js';
import { FRAME, methodByName, type MethodDef } from './spec.js';
import type { AmqpUser } from './access.js';
import type { Vhost } from './vhost.js';


export interface AmqpSettings {
  frameMax: number;
  channelMax: number;
  heartbeat: number;
  maxMessageSize: number;
  handshakeTimeoutMs: number;
  mechanisms: string[];
  users: Map<string, AmqpUser>;
  /** Users that may log in only from a loopback address (RabbitMQ's loopback_users). */
  loopbackUsers: string[];
  /** Bytes queued on a socket beyond which deliveries to it pause (consumer backpressure). */
  socketHighWater: number;
  /** Unacked deliveries older than this close their channel (406); 0 disables. */
  consumerTimeoutMs: number;
  /** Ready bytes in a consumed queue beyond which its publishers stop being read. */
  queueHighWater: number;
}

export interface ServerContext {
  core: Broker;
  settings: AmqpSettings;
  vhosts: Map<string, Vhost>;
  log: Logger;
  connections: Set<Connection>;
  product: string;
  version: string;
  /** Set by index.ts; undefined only in unit setups. */
  alarm?: { readonly active: boolean; apply(c: Connection): void };
  /** Under --data-dir: the definitions save in progress, which confirms wait for too. */
  durable?: { readonly saving: Promise<void> | undefined };
}

/** RabbitMQ's 504 for a method the connection state does not allow, with its state names. */
export function unexpectedMethod(state: ConnState): AmqpError {
  const names: Partial<Record<ConnState, string>> = { start: 'starting', tune: 'tuning', open: 'opening' };
  return err('CHANNEL_ERROR', `unexpected method in connection state ${names[state] ?? state}`);
}

export type ConnState = 'header' | 'start' | 'tune' | 'open' | 'running' | 'closing' | 'closed';

const def = (name: string): MethodDef => methodByName(name);

export class Connection implements FrameSink {
  state: ConnState = 'header';
  readonly parser = new FrameParser(this);
  readonly channels = new Map<number, Channel>();
  frameMax: number;
  channelMax: number;
  heartbeat = 0;
  user = '';
  /** The authenticated user (permissions), once start-ok succeeded. */
  account: AmqpUser | undefined;
  vhost: Vhost | undefined;
  clientProperties: Record<string, unknown> = {};
  capabilities: Record<string, unknown> = {};
  readonly log: Logger;
  private headerBytes: Buffer | undefined;
  private timers: NodeJS.Timeout[] = [];
  private corked = false;
  private receivedSinceCheck = true;
  private sentSinceBeat = false;
  private closeTimer: NodeJS.Timeout | undefined;
  private onClosed: (() => void)[] = [];
  private cleanedUp = false;
  /** Channels with publisher confirms to flush once the current input chunk is handled. */
  readonly confirmDirty = new Set<Channel>();
  /** Input paused because a queue it feeds is over its high-water mark. */
  private paused = false;
  /** Input paused by a resource alarm, memory or disk (this connection publishes). */
  private alarmPaused = false;
  private sentBlocked = false;
  /** Set on the first publish: resource alarms block only publishing connections. */
  publisher = false;

  constructor(readonly socket: net.Socket, readonly id: number, readonly ctx: ServerContext) {
    this.log = ctx.log.child({ proto: 'amqp', conn: id });
    this.frameMax = ctx.settings.frameMax;
    this.channelMax = ctx.settings.channelMax;
    // Before tune-ok the frame limit is the spec minimum (RabbitMQ 4.1+: 8192).
    this.parser.frameMax = 8192;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.cleanup());
    socket.on('drain', () => this.resumeConsumers());
    const t = setTimeout(() => {
      if (this.state !== 'running' && this.state !== 'closed') {
        this.log.info('handshake timeout');
        socket.destroy();
      }
    }, ctx.settings.handshakeTimeoutMs);
    t.unref();
    this.timers.push(t);
    ctx.connections.add(this);
  }

  // ---- input ---------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    this.receivedSinceCheck = true;
    if (this.state === 'closed') return;
    try {
      if (this.state === 'header') {
        chunk = this.readProtocolHeader(chunk);
        if (chunk.length === 0) return;
      }
      this.parser.push(chunk);
    } catch (e) {
      this.onError(e, 0);
    }
    if (this.confirmDirty.size > 0) {
      for (const ch of this.confirmDirty) ch.flushConfirms();
      this.confirmDirty.clear();
    }
  }

  private readProtocolHeader(chunk: Buffer): Buffer {
    const have = this.headerBytes ? Buffer.concat([this.headerBytes, chunk]) : chunk;
    if (have.length < 8) {
      this.headerBytes = have;
      return Buffer.alloc(0);
    }
    this.headerBytes = undefined;
    const header = have.subarray(0, 8);
    // 0-9-1, and RabbitMQ's acceptance of the 0-9 header AMQP 1 1 0 9.
    if (!header.equals(PROTOCOL_HEADER) && !header.equals(Buffer.from('AMQP\x01\x01\x00\x09', 'latin1'))) {
      this.state = 'closed';
      this.socket.end(PROTOCOL_HEADER);
      return Buffer.alloc(0);
    }
    this.state = 'start';
    sendStart(this);
    return have.subarray(8);
  }

  frame(type: number, channel: number, payload: Buffer): void {
    if (type === FRAME.heartbeat) {
      if (channel !== 0) throw err('UNEXPECTED_FRAME', 'type 8, all octets = <<>>');
      return;
    }
    if (this.state === 'closing') {
      // After sending connection.close only close / close-ok matter (spec 2.2.4).
      if (channel === 0 && type === FRAME.method) {
        const m = decodeMethod(payload);
        if (m.def.name === 'connection.close-ok') this.socket.destroy();
        else if (m.def.name === 'connection.close') this.sendMethod(0, 'connection.close-ok', {});
      }
      return;
    }
    if (type !== FRAME.method && type !== FRAME.header && type !== FRAME.body) {
      throw new FrameError(`type ${type}, all octets = ${erlangBinary(payload)}: unknown_frame`);
    }
    if (channel === 0) {
      if (type !== FRAME.method) throw err('UNEXPECTED_FRAME', 'expected method frame, got non method frame instead');
      const m = decodeMethod(payload);
      this.dispatchConnection(m.def, m.args);
      return;
    }
    if (this.state !== 'running') throw err('CHANNEL_ERROR', `unexpected frame on channel ${channel} in connection state ${this.state}`);
    const ch = this.channels.get(channel);
    if (ch) {
      ch.frame(type, payload);
      return;
    }
    if (type !== FRAME.method) throw err('UNEXPECTED_FRAME', 'expected method frame, got non method frame instead');
    const m = decodeMethod(payload);
    if (m.def.name !== 'channel.open') {
      const e = err('CHANNEL_ERROR', "expected 'channel.open'");
      e.classId = m.def.classId;
      e.methodId = m.def.methodId;
      throw e;
    }
    this.openChannel(channel);
  }

  private dispatchConnection(d: MethodDef, args: MethodArgs): void {
    const handler = CONNECTION_METHODS[d.name];
    try {
      if (!handler) throw unexpectedMethod(this.state);
      handler(this, args);
    } catch (e) {
      if (e instanceof AmqpError && e.classId === 0) {
        e.classId = d.classId;
        e.methodId = d.methodId;
      }
      throw e;
    }
  }

  private openChannel(n: number): void {
    if (n > this.channelMax || this.channels.size >= this.channelMax) {
      throw err('NOT_ALLOWED', `number of channels opened (${this.channels.size}) has reached the negotiated channel_max (${this.channelMax})`);
    }
    const limit = this.account?.maxChannels;
    if (limit !== undefined) {
      // A user limit counts the user's channels on all connections (rabbit_reader:create_channel).
      let open = 0;
      for (const c of this.ctx.connections) if (c.account === this.account) open += c.channels.size;
      if (open >= limit) throw err('NOT_ALLOWED', `number of channels opened for user '${this.user}' has reached the maximum allowed user limit of (${limit})`);
    }
    const ch = new Channel(this, n);
    this.channels.set(n, ch);
    this.sendMethod(n, 'channel.open-ok', { channelId: Buffer.alloc(0) });
  }

  /** Routes any failure to the right close: channel for soft errors, connection for hard. */
  onError(e: unknown, channel: number): void {
    let ae: AmqpError;
    if (e instanceof AmqpError) ae = e;
    else if (e instanceof FrameError) ae = err('FRAME_ERROR', e.message);
    else if (e instanceof CodecError) ae = err(e.reply, e.message);
    else if (e instanceof UnknownMethod) {
      ae = err('COMMAND_INVALID', `unknown method (class ${e.classId}, method ${e.methodId})`);
      ae.classId = e.classId;
      ae.methodId = e.methodId;
    } else {
      this.log.error({ err: e }, 'internal error');
      ae = fromBrokerError(e);
    }
    const ch = channel !== 0 ? this.channels.get(channel) : undefined;
    if (!ae.hard && ch) ch.closeWithError(ae);
    else this.closeWithError(ae);
  }

  /** Sends connection.close with the error and waits (briefly) for close-ok. */
  closeWithError(e: AmqpError): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.log.info({ code: e.code, text: e.text }, 'closing connection on error');
    this.startClose(e.code, e.text, e.classId, e.methodId);
  }

  startClose(code: number, text: string, classId = 0, methodId = 0): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.sendMethod(0, 'connection.close', { replyCode: code, replyText: text, classId, methodId });
    this.state = 'closing';
    this.releaseChannels();
    this.closeTimer = setTimeout(() => this.socket.destroy(), 3000);
    this.closeTimer.unref();
  }

  /** Resolves when the socket is gone (graceful shutdown waits on it). */
  whenClosed(): Promise<void> {
    if (this.cleanedUp) return Promise.resolve();
    return new Promise((resolve) => this.onClosed.push(resolve));
  }

  // ---- output ----------------------------------------------------------------------------

  write(buf: Buffer): void {
    if (this.state === 'closed') return;
    this.sentSinceBeat = true;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(buf);
  }

  sendMethod(channel: number, name: string, args: MethodArgs): void {
    this.write(methodFrame(channel, def(name), args));
  }

  /** True while the socket's outgoing buffer is over its high-water mark. */
  get outputBlocked(): boolean {
    return this.socket.writableLength > this.ctx.settings.socketHighWater;
  }

  private resumeConsumers(): void {
    for (const ch of this.channels.values()) ch.drainConsumers();
  }

  // ---- handshake steps (called from methods/connection.ts) ---------------------------------

  /** After tune-ok: frame limit and heartbeats take effect. */
  applyTune(frameMax: number, channelMax: number, heartbeat: number): void {
    this.frameMax = frameMax;
    this.channelMax = channelMax;
    this.parser.frameMax = frameMax;
    this.heartbeat = heartbeat;
    if (heartbeat > 0) this.startHeartbeats(heartbeat * 1000);
  }

  /** Send a heartbeat when nothing else went out for timeout/2; drop after two silent intervals. */
  private startHeartbeats(ms: number): void {
    const send = setInterval(() => {
      if (!this.sentSinceBeat) this.write(HEARTBEAT_FRAME);
      this.sentSinceBeat = false;
    }, ms / 2);
    let missed = 0;
    const check = setInterval(() => {
      // A connection we stopped reading (alarm, flow control) cannot show us its heartbeats;
      // rabbit_reader pauses the heartbeat monitor while blocked for the same reason.
      if (this.receivedSinceCheck || this.paused || this.alarmPaused) missed = 0;
      else if (++missed >= 2) {
        this.log.info('missed heartbeats from client, timeout: %ds', ms / 1000);
        this.socket.destroy();
      }
      this.receivedSinceCheck = false;
    }, ms);
    send.unref();
    check.unref();
    this.timers.push(send, check);
  }

  consumes(): boolean {
    for (const ch of this.channels.values()) if (ch.consumers.size > 0) return true;
    return false;
  }

  /** Hard-stops publishers' input when a queue they feed is over its high-water mark. */
  pauseInput(until: () => boolean): void {
    if (this.paused) return;
    this.paused = true;
    this.updateReading();
    const poll = setInterval(() => {
      if (this.state === 'closed' || until()) {
        clearInterval(poll);
        this.paused = false;
        this.updateReading();
      }
    }, 5);
    this.timers.push(poll);
  }

  /** First publish on this connection: from now on resource alarms apply to it. */
  markPublisher(): void {
    this.publisher = true;
    this.ctx.alarm?.apply(this);
  }

  /**
   * connection.blocked / unblocked (to clients with the capability) and input pausing;
   * `reason` is undefined once every alarm cleared. As rabbit_reader, blocked is sent once
   * while blocked (a second alarm joining does not send it again).
   */
  setAlarm(reason: string | undefined): void {
    if (this.state !== 'running') return;
    const active = reason !== undefined;
    // Only publishing connections are told, as rabbit_reader blocks (and notifies) a
    // connection once it publishes; consumers are never blocked.
    if (this.capabilities['connection.blocked'] === true && (this.publisher || !active) && active !== this.sentBlocked) {
      this.sentBlocked = active;
      if (active) this.sendMethod(0, 'connection.blocked', { reason });
      else this.sendMethod(0, 'connection.unblocked', {});
    }
    this.alarmPaused = active && this.publisher;
    this.updateReading();
  }

  private updateReading(): void {
    if (this.state === 'closed') return;
    if (this.paused || this.alarmPaused) this.socket.pause();
    else this.socket.resume();
  }

  // ---- teardown -------------------------------------------------------------------------------

  private releaseChannels(): void {
    for (const ch of this.channels.values()) ch.release();
    this.channels.clear();
    this.deleteExclusiveQueues();
  }

  private deleteExclusiveQueues(): void {
    for (const vh of this.ctx.vhosts.values()) {
      for (const q of vh.queues.list()) {
        if (vh.info(q)?.exclusiveOwner === this) vh.deleteQueue(q);
      }
    }
  }

  private cleanup(): void {
    // Runs once, when the socket is gone (state may already say 'closed' after a refusal).
    if (this.cleanedUp) return;
    this.cleanedUp = true;
    this.releaseChannels();
    this.state = 'closed';
    this.parser.stopped = true;
    for (const t of this.timers) clearInterval(t);
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.ctx.connections.delete(this);
    for (const fn of this.onClosed) fn();
  }

  /** Graceful shutdown: connection.close 320 CONNECTION_FORCED, as a stopping RabbitMQ node does. */
  shutdown(): Promise<void> {
    if (this.state === 'running') this.startClose(320, "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'");
    else this.socket.destroy();
    return this.whenClosed();
  }
}
