// Listening, connection tracking and graceful close for the binary protocols (AMQP, Kafka).
// A protocol supplies one handler per accepted socket; the handler returns how to close its
// connection politely when the server shuts down (AMQP sends connection.close 320 first).

import net from 'node:net';
import type { Logger } from './logger.js';
import { StartupError } from './startup-error.js';

export interface ConnectionHandle {
  /** Close the connection the way the protocol expects; resolve when it is gone. */
  shutdown(): Promise<void> | void;
}

export interface TcpListenOptions {
  host: string;
  port: number;
  /** For the error line: the protocol's name and the flag that sets its port. */
  label: string;
  flag: string;
  log: Logger;
  onConnection(socket: net.Socket, id: number): ConnectionHandle;
}

export interface TcpServer {
  readonly port: number;
  readonly connectionCount: number;
  close(graceMs?: number): Promise<void>;
}

let connectionIds = 0;

export async function listenTcp(options: TcpListenOptions): Promise<TcpServer> {
  const connections = new Map<net.Socket, ConnectionHandle>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    const id = ++connectionIds;
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    options.log.info({ conn: id, remote }, 'connection opened');
    try {
      const handle = options.onConnection(socket, id);
      connections.set(socket, handle);
      socket.once('close', (hadError) => {
        connections.delete(socket);
        options.log.info({ conn: id, remote, hadError }, 'connection closed');
      });
    } catch (err) {
      options.log.error({ err, conn: id }, 'connection setup failed');
      socket.destroy();
    }
  });
  await listen(server, options);
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    get connectionCount() {
      return connections.size;
    },
    async close(graceMs = 3000): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const polite = Promise.allSettled([...connections.values()].map((c) => c.shutdown()));
      await Promise.race([polite, delay(graceMs)]);
      for (const socket of connections.keys()) socket.destroy();
      await closed;
    },
  };
}

export function listen(server: net.Server, o: { host: string; port: number; label: string; flag: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => reject(listenError(err, o));
    server.once('error', onError);
    server.listen(o.port, o.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

export function listenError(err: NodeJS.ErrnoException, o: { host: string; port: number; label: string; flag: string }): Error {
  if (err.code === 'EADDRINUSE') {
    return new StartupError(`${o.label} port ${o.port} on ${o.host} is already in use; choose another with ${o.flag}`);
  }
  if (err.code === 'EACCES') {
    return new StartupError(`${o.label} port ${o.port} on ${o.host} needs privileges this process lacks; choose another with ${o.flag}`);
  }
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
    return new StartupError(`cannot bind ${o.label} to address ${o.host}; choose another with --host`);
  }
  return new StartupError(`cannot listen for ${o.label} on ${o.host}:${o.port}: ${err.message}`);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
