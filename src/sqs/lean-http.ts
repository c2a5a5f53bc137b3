// A small HTTP/1.1 server on node:net for the SQS port (RFC 9112 message framing only):
// request line and headers up to 16 KiB, Content-Length or chunked bodies (trailers skipped),
// `Expect: 100-continue`, keep-alive (HTTP/1.1 default, HTTP/1.0 on request), pipelined
// requests answered in order, one write per answer. Skipped: upgrades, HTTP/2, obs-fold.
// Why not node:http: on this machine node:http's own JS costs ~60-75 µs of CPU per request,
// a plain net.Server ~40 µs, and SQS requests are small single-route exchanges (see
// docs/performance.md). A malformed head gets a bare 400 and the connection is closed.

import { STATUS_CODES } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';

/**
 * The request headers this server and the SQS app read (lower-case names); every other header
 * is checked for syntax and then skipped (keeping them cost a third of the head parsing).
 * Add a name here before reading it.
 */
export const KEPT_HEADERS = [
  'host',
  'content-type',
  'content-length',
  'transfer-encoding',
  'connection',
  'expect',
  'authorization',
  'x-amz-target',
  'x-forwarded-proto',
  'x-amzn-trace-id',
] as const;

export type KeptHeader = (typeof KEPT_HEADERS)[number];

export interface LeanRequest {
  readonly method: string;
  readonly url: string;
  /** KEPT_HEADERS only; repeated headers joined with ", " (Host, Content-Type, Authorization: first). */
  readonly headers: ReadonlyMap<KeptHeader, string>;
}

/** Answers one request; `gone` / `onGone` tell a long poll that its client went away. */
export interface Responder {
  readonly gone: boolean;
  onGone(fn: () => void): void;
  /**
   * Writes the answer: status line, Date, Content-Length (of `body`), then `fields` (header
   * lines already formatted as `name: value\r\n`), Connection, body.
   */
  answer(status: number, fields: string, body: string): void;
}

export interface LeanHandler {
  /** Head parsed. Return false to refuse the body unread (it is then skipped on the wire). */
  head(req: LeanRequest, declaredLength: number | undefined, res: Responder): boolean;
  /** Body received in full (after head() returned true). */
  body(req: LeanRequest, body: Buffer, res: Responder): void;
  /** A chunked body grew past the caller's limit: answer now, the rest is skipped. */
  tooLarge(req: LeanRequest, res: Responder): void;
  readonly bodyLimit: number;
}

const MAX_HEAD = 16 * 1024;
const MAX_AHEAD = 1024 * 1024;
const FIRST_WINS = new Set(['host', 'content-type', 'content-length', 'authorization']);
/** KEPT_HEADERS by name length: a name is matched in place, without making a string for it. */
const KEPT_BY_LENGTH: (KeptHeader[] | undefined)[] = [];
for (const name of KEPT_HEADERS) (KEPT_BY_LENGTH[name.length] ??= []).push(name);
/** RFC 9110 5.6.2 tchar: 1 = allowed, 2 = allowed upper-case letter (the name needs lower-casing). */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") TCHAR[c.charCodeAt(0)] = 1;
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') TCHAR[c.charCodeAt(0)] = 2;
const REQUEST_LINE = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/;
const EMPTY: Buffer = Buffer.alloc(0);
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

let dateSecond = 0;
let dateText = '';
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}

/**
 * The header lines of a head from `start` (`text`: request line and header lines, no final CRLF CRLF),
 * split on CRLF as RFC 9112 2.2 frames them; undefined for a field name that is not a token
 * (or a line without a colon) or two different Content-Length values. Scans with indexOf and
 * makes strings only for KEPT_HEADERS.
 */
function parseHeaders(text: string, start: number): Map<KeptHeader, string> | undefined {
  const headers = new Map<KeptHeader, string>();
  let pos = start;
  let eol: number;
  while (pos < text.length) {
    eol = text.indexOf('\r\n', pos);
    if (eol < 0) eol = text.length;
    const colon = text.indexOf(':', pos);
    if (colon <= pos || colon > eol) return undefined;
    let upper = false;
    for (let i = pos; i < colon; i++) {
      const c = text.charCodeAt(i);
      const kind = c < 128 ? (TCHAR[c] as number) : 0;
      if (kind === 0) return undefined;
      if (kind === 2) upper = true;
    }
    const candidates = KEPT_BY_LENGTH[colon - pos];
    if (candidates !== undefined) {
      const lower = upper ? text.slice(pos, colon).toLowerCase() : undefined;
      let key: KeptHeader | undefined;
      for (const name of candidates) {
        if (lower === undefined ? text.startsWith(name, pos) : lower === name) {
          key = name;
          break;
        }
      }
      if (key !== undefined) {
        const value = text.slice(colon + 1, eol).trim();
        const prev = headers.get(key);
        if (prev === undefined) headers.set(key, value);
        else if (key === 'content-length' && prev !== value) return undefined;
        else if (!FIRST_WINS.has(key)) headers.set(key, `${prev}, ${value}`);
      }
    }
    pos = eol + 2;
  }
  return headers;
}

const statusLines = new Map<number, string>();
function statusLine(status: number): string {
  let line = statusLines.get(status);
  if (line === undefined) {
    line = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n`;
    statusLines.set(status, line);
  }
  return line;
}

const enum Body { None, Length, Chunked }
const enum Chunk { Size, Data, DataEnd, Trailer }

class Connection implements Responder {
  gone = false;
  private pending: Buffer = EMPTY;
  /** A request is being handled; later pipelined bytes wait in `pending`. */
  private busy = false;
  private answered = false;
  private keepAlive = true;
  private headOnly = false;
  private goneFns: (() => void)[] | undefined;
  private req: LeanRequest | undefined;
  // Body reading state.
  private body = Body.None;
  private remaining = 0;
  private parts: Buffer[] = [];
  private size = 0;
  private discard = false;
  private chunk = Chunk.Size;
  private line = '';
  private parsing = false;

  constructor(
    private readonly socket: Socket,
    private readonly handler: LeanHandler,
    private readonly owner: LeanServer,
  ) {
    socket.setNoDelay(true);
    socket.setTimeout(owner.idleTimeoutMs, () => socket.destroy());
    socket.on('data', (b: Buffer) => this.onData(b));
    socket.on('error', () => undefined);
    socket.on('close', () => this.onClose());
  }

  onGone(fn: () => void): void {
    (this.goneFns ??= []).push(fn);
  }

  private onClose(): void {
    this.gone = true;
    this.owner.connections.delete(this);
    const fns = this.goneFns;
    this.goneFns = undefined;
    if (fns) for (const fn of fns) fn();
  }

  private onData(b: Buffer): void {
    this.pending = this.pending.length === 0 ? b : Buffer.concat([this.pending, b]);
    // A client pipelining far ahead of a slow answer (a long poll) is held back by TCP.
    if (this.busy && this.body === Body.None && this.pending.length > MAX_AHEAD) this.socket.pause();
    this.pump();
  }

  /** Reads as far as the bytes allow: a body in progress, then the next request's head. */
  private pump(): void {
    if (this.parsing) return;
    this.parsing = true;
    try {
      while (!this.gone && this.pending.length > 0) {
        if (this.body !== Body.None) {
          if (!this.readBody()) return;
        } else if (this.busy) return;
        else if (!this.readHead()) return;
      }
    } finally {
      this.parsing = false;
    }
  }

  private fatal(status: number): void {
    this.pending = EMPTY;
    this.socket.end(`${statusLine(status)}connection: close\r\ncontent-length: 0\r\n\r\n`);
    this.gone = true;
  }

  private readHead(): boolean {
    let buf = this.pending;
    // RFC 9112 2.2: empty lines before a request line are ignored (some clients send a stray
    // CRLF after a body).
    while (buf.length >= 2 && buf[0] === 13 && buf[1] === 10) buf = buf.subarray(2);
    this.pending = buf;
    const end = buf.indexOf(HEAD_END);
    if (end < 0) {
      if (buf.length > MAX_HEAD) this.fatal(431);
      return false;
    }
    if (end > MAX_HEAD) return (this.fatal(431), false);
    const text = buf.toString('latin1', 0, end);
    this.pending = buf.subarray(end + 4);
    let lineEnd = text.indexOf('\r\n');
    if (lineEnd < 0) lineEnd = text.length;
    const m = REQUEST_LINE.exec(text.slice(0, lineEnd));
    if (!m) return (this.fatal(400), false);
    const headers = parseHeaders(text, lineEnd + 2);
    if (headers === undefined) return (this.fatal(400), false);
    const connection = headers.get('connection')?.toLowerCase() ?? '';
    this.keepAlive = m[3] === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    const te = headers.get('transfer-encoding');
    const cl = headers.get('content-length');
    let declared: number | undefined;
    if (te !== undefined) {
      // RFC 9112 6.1: chunked must be the final coding; with Content-Length too, refuse (smuggling).
      if (te.toLowerCase() !== 'chunked' || cl !== undefined) return (this.fatal(400), false);
    } else if (cl !== undefined) {
      if (!/^\d{1,15}$/.test(cl)) return (this.fatal(400), false);
      declared = Number(cl);
    }
    const req: LeanRequest = { method: m[1] as string, url: m[2] as string, headers };
    this.req = req;
    this.busy = true;
    this.answered = false;
    this.headOnly = req.method === 'HEAD';
    if (this.owner.closing) this.keepAlive = false;
    this.parts.length = 0;
    this.size = 0;
    this.body = te !== undefined ? Body.Chunked : declared ? Body.Length : Body.None;
    this.remaining = declared ?? 0;
    this.chunk = Chunk.Size;
    this.line = '';
    this.discard = !this.handler.head(req, declared, this);
    if (this.discard) return true;
    if (this.body !== Body.None && headers.get('expect')?.toLowerCase() === '100-continue') this.socket.write('HTTP/1.1 100 Continue\r\n\r\n');
    if (this.body === Body.None) this.handler.body(req, EMPTY, this);
    else if (this.body === Body.Length && this.pending.length >= this.remaining && this.remaining <= this.handler.bodyLimit) {
      // The usual case: the whole body came with the head. Hand it over as a slice of what
      // was read, skipping the part collection of readBody().
      const n = this.remaining;
      const rest = this.pending;
      this.pending = rest.length === n ? EMPTY : rest.subarray(n);
      this.remaining = 0;
      this.finishBody(rest.length === n ? rest : rest.subarray(0, n));
    }
    return true;
  }

  /** Consumes body bytes from `pending`; true once the body is complete. */
  private readBody(): boolean {
    if (this.body === Body.Length) {
      const n = Math.min(this.remaining, this.pending.length);
      this.keep(this.pending.subarray(0, n));
      this.pending = this.pending.subarray(n);
      this.remaining -= n;
      if (this.remaining > 0) return false;
      return this.finishBody();
    }
    return this.readChunked();
  }

  private keep(part: Buffer): void {
    if (this.discard || part.length === 0) return;
    this.size += part.length;
    if (this.size > this.handler.bodyLimit) {
      this.discard = true;
      this.parts = [];
      this.handler.tooLarge(this.req as LeanRequest, this);
      return;
    }
    this.parts.push(part);
  }

  private readChunked(): boolean {
    let buf = this.pending;
    while (buf.length > 0) {
      if (this.chunk === Chunk.Data) {
        const n = Math.min(this.remaining, buf.length);
        this.keep(buf.subarray(0, n));
        buf = buf.subarray(n);
        this.remaining -= n;
        if (this.remaining === 0) {
          this.chunk = Chunk.DataEnd;
          this.line = '';
        }
        continue;
      }
      const nl = buf.indexOf(10);
      const piece = buf.toString('latin1', 0, nl < 0 ? buf.length : nl + 1);
      buf = nl < 0 ? EMPTY : buf.subarray(nl + 1);
      this.line += piece;
      if (this.line.length > 4096) return (this.fatal(400), false);
      if (nl < 0) break;
      const text = this.line.replace(/\r?\n$/, '');
      this.line = '';
      if (this.chunk === Chunk.DataEnd) {
        if (text !== '') return (this.fatal(400), false);
        this.chunk = Chunk.Size;
      } else if (this.chunk === Chunk.Size) {
        const size = /^([0-9a-fA-F]{1,8})(;.*)?$/.exec(text);
        if (!size) return (this.fatal(400), false);
        this.remaining = parseInt(size[1] as string, 16);
        this.chunk = this.remaining === 0 ? Chunk.Trailer : Chunk.Data;
      } else if (text === '') {
        this.pending = buf;
        return this.finishBody();
      }
    }
    this.pending = buf;
    return false;
  }

  /** The body is complete: `whole` when it came in one piece, else the parts kept. */
  private finishBody(whole?: Buffer): boolean {
    this.body = Body.None;
    if (!this.discard) {
      const body = whole ?? (this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.size));
      this.parts.length = 0;
      this.handler.body(this.req as LeanRequest, body, this);
    }
    this.discard = false;
    if (this.answered) this.next();
    return true;
  }

  answer(status: number, fields: string, body: string): void {
    if (this.gone || this.answered) return;
    this.answered = true;
    if (this.owner.closing) this.keepAlive = false;
    const head = `${statusLine(status)}date: ${httpDate()}\r\ncontent-length: ${Buffer.byteLength(body, 'utf8')}\r\n${fields}${this.keepAlive ? this.owner.keepAliveHeader : 'connection: close\r\n\r\n'}`;
    this.socket.write(this.headOnly ? head : head + body, 'utf8');
    this.goneFns = undefined;
    if (!this.keepAlive) {
      this.socket.end();
      this.gone = true;
      return;
    }
    if (this.body === Body.None) this.next();
  }

  /** The current exchange is over (answered, body read): go on with pipelined bytes. */
  private next(): void {
    this.busy = false;
    this.req = undefined;
    if (this.socket.isPaused()) this.socket.resume();
    if (this.pending.length > 0) queueMicrotask(() => this.pump());
  }

  /** Server stopping: an idle connection closes now, a busy one after its answer. */
  shutdown(): void {
    // A half-received head is dropped too: close() must not wait for a slow client.
    if (!this.busy) this.socket.end();
  }
}

export class LeanServer {
  readonly server: Server;
  readonly connections = new Set<Connection>();
  closing = false;
  /** Idle keep-alive connections close after this (fastify's default, longer than SDK pools'). */
  readonly idleTimeoutMs = 72_000;
  /** Announced like node:http does, so clients retire a pooled socket before the server does. */
  readonly keepAliveHeader = `connection: keep-alive\r\nkeep-alive: timeout=${this.idleTimeoutMs / 1000}\r\n\r\n`;

  constructor(handler: LeanHandler) {
    this.server = createServer((socket) => {
      const c = new Connection(socket, handler, this);
      this.connections.add(c);
    });
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host, port }, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as { port: number }).port);
      });
    });
  }

  /** Stops accepting; resolves when every connection has finished its answer and closed. */
  close(): Promise<void> {
    this.closing = true;
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.connections) c.shutdown();
    return done;
  }
}
