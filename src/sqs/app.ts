// The SQS HTTP app: one catch-all route on any path and Host. A request with X-Amz-Target is
// the JSON flavour, anything else the Query flavour. Decode -> handler -> encode, with every
// failure (including oversized or unreadable bodies) answered in the request's own flavour.

import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { SqsError, toSqsError } from './errors.js';
import type { RequestInfo, SqsContext } from './context.js';
import { HANDLERS } from './operations/index.js';
import { decodeJsonRequest, jsonError, jsonReply, type WireReply } from './wire/json.js';
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

export interface AppOptions {
  fallbackOrigin: () => string;
  /** Aborted when the server stops: pending long polls answer (empty) at once. */
  shutdown: AbortSignal;
  onError?: (err: unknown) => void;
}

function requestInfo(req: FastifyRequest, reply: FastifyReply, opts: AppOptions): { info: RequestInfo; aborted: () => boolean } {
  const host = req.headers.host;
  const proto = req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  const auth = req.headers.authorization ?? '';
  const region = /Credential=[^/]*\/\d{8}\/([a-z0-9-]+)\/sqs\//.exec(auth)?.[1] ?? 'us-east-1';
  const path = (req.url.split('?')[0] ?? '/').split('/').filter(Boolean);
  const trace = req.headers['x-amzn-trace-id'];
  // The disconnect signal is built on first use: only long polls need it, and it is not free.
  let signal: AbortSignal | undefined;
  const disconnect = (): AbortSignal => {
    if (signal) return signal;
    const ac = new AbortController();
    const res = reply.raw;
    if (req.raw.socket.destroyed) ac.abort();
    else res.on('close', () => {
      if (!res.writableFinished) ac.abort();
    });
    signal = AbortSignal.any([ac.signal, opts.shutdown]);
    return signal;
  };
  const info: RequestInfo = {
    origin: host ? `${proto}://${host}` : opts.fallbackOrigin(),
    region,
    traceHeader: typeof trace === 'string' ? trace : undefined,
    pathQueue: path.length >= 2 ? safeDecode(path[path.length - 1] as string) : undefined,
    get signal() {
      return disconnect();
    },
  };
  // Only a gone client means "do not answer"; a shutdown still answers (empty) below.
  return { info, aborted: () => req.raw.socket.destroyed };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function send(reply: FastifyReply, w: WireReply): FastifyReply {
  // A Buffer keeps fastify from appending '; charset=utf-8': SQS sends the bare media type.
  return reply.code(w.status).headers(w.headers).send(Buffer.from(w.body, 'utf8'));
}

export function buildApp(ctx: SqsContext, opts: AppOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: { statusCode?: number; code?: string }, req, reply) => {
    const requestId = randomUUID();
    if (err.statusCode === undefined || err.statusCode >= 500) opts.onError?.(err);
    const e =
      err.statusCode === 413 ? new SqsError('RequestEntityTooLarge')
      : err.statusCode !== undefined && err.statusCode < 500 ? new SqsError('SerializationException', 'The request could not be read.')
      : new SqsError('InternalError');
    return send(reply, req.headers['x-amz-target'] !== undefined ? jsonError(e, requestId) : queryError(e, requestId));
  });

  app.all('/*', async (req, reply) => {
    const requestId = randomUUID();
    const target = req.headers['x-amz-target'];
    const isJson = typeof target === 'string';
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const { info, aborted } = requestInfo(req, reply, opts);
    const contentType = req.headers['content-type'];
    let action = '';
    try {
      const decoded = isJson
        ? decodeJsonRequest(target, contentType, body, info.pathQueue)
        : decodeQueryRequest(req.method, req.url, contentType, body, info.pathQueue);
      action = decoded.op.name;
      const handler = HANDLERS.get(action);
      if (!handler) throw new SqsError('UnsupportedOperation', `${action} is not supported.`);
      const output = await handler(ctx, decoded.input, info);
      // With --data-dir a definition change is on disk before SQS answers.
      if (ctx.durable && DEFINITION_ACTIONS.has(action)) await ctx.durable.save();
      if (aborted()) return reply;
      return send(reply, isJson ? jsonReply(output, requestId) : queryReply(action, output, requestId));
    } catch (err) {
      const e = toSqsError(err);
      if (e.errorName === 'InternalError') opts.onError?.(err);
      return send(reply, isJson ? jsonError(e, requestId) : queryError(e, requestId));
    }
  });
  return app;
}
