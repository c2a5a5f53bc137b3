// Shared helpers for the AMQP tests: a server per file and amqplib connections to it.
import { execFileSync } from 'node:child_process';
import amqplib, { type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * One AMQP-only server for the calling test file: started in beforeAll, stopped in afterAll.
 * The returned accessor gives the running server (call it inside tests and hooks).
 */
export function amqpServerPerFile(): () => TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer({ protocols: ['amqp'] });
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('the AMQP test server is not started yet (use it inside tests)');
    return server;
  };
}

export function url(server: TestServer, extra = ''): string {
  return `amqp://guest:guest@127.0.0.1:${server.ports.amqp}${extra}`;
}

export async function connect(server: TestServer, extra = ''): Promise<amqplib.ChannelModel> {
  return amqplib.connect(url(server, extra));
}

/** Resolves with the error that closes the channel (or connection) next. */
export function nextClose(emitter: { once(e: 'close' | 'error', fn: (err?: unknown) => void): unknown }): Promise<Error & { code?: number }> {
  return new Promise((resolve) => emitter.once('error', (e) => resolve(e as Error & { code?: number })));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `fn` returns a truthy value (polling; for asynchronous deliveries). */
export async function until<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 2000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(5);
  }
}

/**
 * A channel on `conn` (or a new connection). Expected channel closes are asserted through the
 * rejected promises, so the channel's 'error' event is swallowed.
 */
export async function openChannel(server: TestServer, conn?: ChannelModel): Promise<Channel> {
  const ch = await (conn ?? (await connect(server))).createChannel();
  ch.on('error', () => undefined);
  return ch;
}

/** A server-named exclusive queue with these x-arguments; resolves with its name. */
export async function tempQueue(ch: Channel, args: Record<string, unknown> = {}): Promise<string> {
  return (await ch.assertQueue('', { exclusive: true, arguments: args })).queue;
}

/** basic.get (no-ack) until the queue is empty: the bodies, in queue order. */
export async function drain(ch: Channel, queue: string): Promise<string[]> {
  const out: string[] = [];
  for (let m = await ch.get(queue, { noAck: true }); m; m = await ch.get(queue, { noAck: true })) out.push(m.content.toString());
  return out;
}

/** Records `conn`'s connection.blocked ("blocked: <reason>") and unblocked notices, in order. */
export function blockedEvents(conn: ChannelModel): string[] {
  const events: string[] = [];
  conn.on('blocked', (reason: string) => events.push(`blocked: ${reason}`));
  conn.on('unblocked', () => events.push('unblocked'));
  return events;
}

/** sendToQueue on a confirm channel: true when the broker acks it, false when it nacks. */
export function sendConfirmed(ch: ConfirmChannel, queue: string, body: string, persistent: boolean): Promise<boolean> {
  return new Promise((r) => ch.sendToQueue(queue, Buffer.from(body), { persistent }, (e) => r(!e)));
}

/** Debian's python3 (the one python3-pika is installed for by .ci/run). */
export const PYTHON = '/usr/bin/python3';

export const hasPika = ((): boolean => {
  try {
    execFileSync(PYTHON, ['-c', 'import pika'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
