// Feeds a server-accepted socket's bytes to a FrameReader, reading into buffers it chooses.
//
// By default Node allocates a fresh 64 KiB buffer for every socket read; a 1 MB produce request
// then costs ~15 of them, each first-touched (page faults) and left to the garbage collector as
// external memory, which is what triggers most of the collections under heavy produce traffic.
// Node's `onread: { buffer, callback }` option (net.Socket, documented since v12) reads into
// buffers the caller supplies instead, but only sockets created by `new net.Socket()` take it;
// `net.Server` builds its own. For those, the same state the option sets is set here on the
// accepted socket before its first read: the symbols found by description, the handle's
// `useUserBuffer`. That is internal to Node (the same in 20 to 24), so every piece is checked and
// anything unexpected falls back to plain 'data' events, which feed the same reader.

import type net from 'node:net';
import type { FrameReader } from './frame-reader.js';

type Internals = Record<symbol, unknown> & { _handle?: { useUserBuffer?: (buf: Buffer) => void } | null };

/** OMNIBROKER_KAFKA_PLAIN_READS=1 forces the 'data' event path (tests cover both). */
const plainReads = process.env.OMNIBROKER_KAFKA_PLAIN_READS === '1';

/** Wires the socket's reads to `reader`; `after` runs once each read has been framed. */
export function feedFrames(socket: net.Socket, reader: FrameReader, after: () => void): 'user-buffer' | 'data-events' {
  if (!plainReads && useUserBuffers(socket, reader, after)) return 'user-buffer';
  socket.on('data', (chunk: Buffer) => {
    reader.push(chunk);
    after();
  });
  return 'data-events';
}

function useUserBuffers(socket: net.Socket, reader: FrameReader, after: () => void): boolean {
  const s = socket as unknown as Internals;
  const symbols = new Map(Object.getOwnPropertySymbols(s).map((sym) => [sym.description, sym]));
  const kBuffer = symbols.get('kBuffer');
  const kBufferCb = symbols.get('kBufferCb');
  const kBufferGen = symbols.get('kBufferGen');
  const handle = s._handle;
  if (kBuffer === undefined || kBufferCb === undefined || kBufferGen === undefined) return false;
  // Unset (null) on a socket made without `onread`, anything else means someone else owns it.
  if (s[kBuffer] !== null || s[kBufferCb] !== null || s[kBufferGen] !== null) return false;
  if (!handle || typeof handle.useUserBuffer !== 'function' || socket.listenerCount('data') > 0) return false;
  const first = reader.readTarget();
  try {
    handle.useUserBuffer(first);
  } catch {
    return false;
  }
  // What net.Socket's constructor and initSocketHandle do for `onread` with a buffer function:
  // the callback gets (bytesRead, the buffer last handed out); the function picks the next one.
  s[kBuffer] = first;
  s[kBufferGen] = () => reader.readTarget();
  s[kBufferCb] = (n: number, buf: Buffer) => {
    reader.read(buf, n);
    after();
  };
  return true;
}
