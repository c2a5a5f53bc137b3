// The SQS HTTP app: every path, method and Host. A request with X-Amz-Target is the JSON
// flavour, anything else the Query flavour. Decode -> handler -> encode, with every failure
// (including oversized or unreadable bodies) answered in the request's own flavour.
//
// Why plain node:http and not fastify here (the admin listener keeps fastify): the SQS port
// is one catch-all route whose body is read raw, so fastify's router, content-type parsers,
// hooks and reply pipeline did nothing for it but cost: a CPU profile of SendMessage put
// about four fifths of the server's time in them. This handler does the same job directly:
// read the body (refusing it unread past BODY_LIMIT, as fastify's bodyLimit did), call the
// handler synchronously when it can answer synchronously, write one buffer with its headers.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { SqsError, toSqsError } from './errors.js';
import type { SqsContext } from './context.js';
import { HttpRequestInfo } from './http-request-info.js';
import { HANDLERS } from './operations/index.js';
import type { Output } from './operations/types.js';
import { decodeJsonRequest, jsonError, jsonReply, type DecodedRequest, type WireReply } from './wire/json.js';
import { decodeQueryRequest, queryError, queryReply } from './wire/query.js';

/** Actions that change queue definitions, tags, name-reuse timers or move tasks. */
const DEFINITION_ACTIONS = new Set([
  'CreateQueue',
  'DeleteQueue',
  'SetQueueAttributes',
  'TagQueue',
  'UntagQueue',
  'AddPermission',
  'RemovePermission',
  'PurgeQueue',
  'StartMessageMoveTask',
  'CancelMessageMoveTask',
]);

/** Large enough for a 1 MiB batch after URL/base64 encoding; larger bodies are cut off unread. */
export const BODY_LIMIT = 8 * 1024 * 1024;

/** Node's default (5 s) is shorter than SDK connection pools expect; fastify's 72 s was kept. */
const KEEP_ALIVE_MS = 72_000;

export interface AppOptions {
  fallbackOrigin: () => string;
  /** Aborted when the server stops: pending long polls answer (empty) at once. */
  shutdown: AbortSignal;
  onError?: (err: unknown) => void;
}

const EMPTY = Buffer.alloc(0);

function send(res: ServerResponse, w: WireReply, closing: boolean): void {
  // A flat header list written once; the bare media type (no '; charset=...'), as SQS sends.
  // The body goes to end() as a string: node:http then sends head and body in one write.
  const body = w.body;
  const headers: string[] = ['content-length', String(Buffer.byteLength(body, 'utf8'))];
  for (const name in w.headers) headers.push(name, w.headers[name] as string);
  // While the server stops, keep-alive sockets close after their last answer (so close() ends).
  if (closing) headers.push('connection', 'close');
  res.writeHead(w.status, headers);
  res.end(body, 'utf8');
}

/** One SQS request from decoded body to written answer. */
class Exchange {
  readonly isJson: boolean;
  readonly requestId = randomUUID();
  action = '';

  constructor(
    readonly ctx: SqsContext,
    readonly opts: AppOptions,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {
    this.isJson = typeof req.headers['x-amz-target'] === 'string';
  }

  run(body: Buffer): void {
    const { req } = this;
    const info = new HttpRequestInfo(req, this.res, this.opts.shutdown, this.opts.fallbackOrigin);
    let output: Output | Promise<Output>;
    try {
      const contentType = req.headers['content-type'];
      const decoded: DecodedRequest = this.isJson
        ? decodeJsonRequest(req.headers['x-amz-target'] as string, contentType, body, info.pathQueue)
        : decodeQueryRequest(req.method ?? 'POST', req.url ?? '/', contentType, body, info.pathQueue);
      this.action = decoded.op.name;
      const handler = HANDLERS.get(this.action);
      if (!handler) throw new SqsError('UnsupportedOperation', `${this.action} is not supported.`);
      output = handler(this.ctx, decoded.input, info);
    } catch (err) {
      this.fail(err);
      return;
    }
    // With --data-dir a definition change is on disk before SQS answers.
    const durable = this.ctx.durable;
    if (durable && DEFINITION_ACTIONS.has(this.action)) {
      Promise.resolve(output).then(async (out) => (await durable.save(), out)).then((out) => this.reply(out), (err: unknown) => this.fail(err));
    } else if (output instanceof Promise) {
      output.then((out) => this.reply(out), (err: unknown) => this.fail(err));
    } else {
      this.reply(output);
    }
  }

  reply(output: Output): void {
    // Only a gone client means "do not answer"; a shutdown still answers (empty long polls).
    if (this.req.socket.destroyed) return;
    send(this.res, this.isJson ? jsonReply(output, this.requestId) : queryReply(this.action, output, this.requestId), this.opts.shutdown.aborted);
  }

  fail(err: unknown): void {
    const e = toSqsError(err);
    if (e.errorName === 'InternalError') this.opts.onError?.(err);
    if (this.req.socket.destroyed) return;
    send(this.res, this.isJson ? jsonError(e, this.requestId) : queryError(e, this.requestId), this.opts.shutdown.aborted);
  }
}

function readBody(ex: Exchange): void {
  const { req } = ex;
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > BODY_LIMIT) {
    // Refused unread; node:http discards the rest of the body after the answer.
    ex.fail(new SqsError('RequestEntityTooLarge'));
    return;
  }
  let first: Buffer | undefined;
  let chunks: Buffer[] | undefined;
  let size = 0;
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (size > BODY_LIMIT) {
      // A chunked body that grows past the limit: stop keeping it and answer now.
      req.off('data', onData).off('end', onEnd);
      ex.fail(new SqsError('RequestEntityTooLarge'));
      return;
    }
    if (first === undefined) first = chunk;
    else (chunks ??= [first]).push(chunk);
  };
  const onEnd = (): void => ex.run(chunks ? Buffer.concat(chunks, size) : first ?? EMPTY);
  // A request that breaks off mid-body (client gone) has nobody to answer.
  req.on('data', onData).on('end', onEnd).on('error', ignore);
}

function ignore(): void {}

export function buildApp(ctx: SqsContext, opts: AppOptions): Server {
  const server = createServer((req, res) => readBody(new Exchange(ctx, opts, req, res)));
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  return server;
}
