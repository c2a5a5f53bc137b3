// Shared helpers for the AMQP tests: a server per file and amqplib connections to it.
import amqplib from 'amqplib';
import type { TestServer } from '../helpers/server.js';

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
