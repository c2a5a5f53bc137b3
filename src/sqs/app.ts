// The SQS HTTP app: every path, method and Host. A request with X-Amz-Target is the JSON
// flavour, anything else the Query flavour. Decode -> handler -> encode, with every failure
// (including oversized or unreadable bodies) answered in the request's own flavour.
//
// Why not fastify (which still serves the admin listener) nor node:http: the SQS port is one
// catch-all route whose body is read raw, and a CPU profile of SendMessage put about four
// fifths of the server's time in fastify and node:http's request/response machinery. The
// small HTTP/1.1 server in lean-http.ts does the framing; this file keeps the SQS rules:
// bodies past BODY_LIMIT refused (unread when the length is declared), synchronous handlers
// answered without an async hop, one write per answer.

import { randomUUID } from 'node:crypto';
import { SqsError, toSqsError } from './errors.js';
import type { SqsContext } from './context.js';
import { HttpRequestInfo } from './http-request-info.js';
import { LeanServer, type LeanRequest, type Responder } from './lean-http.js';
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

export interface AppOptions {
  /** `http://<advertised host>:<port>`: for requests without a Host header. */
  advertisedOrigin: () => string;
  /** --advertised-host was given: queue URLs use advertisedOrigin whatever Host was sent. */
  ignoreHostHeader?: boolean;
  /** Aborted when the server stops: pending long polls answer (empty) at once. */
  shutdown: AbortSignal;
  onError?: (err: unknown) => void;
}

function send(res: Responder, w: WireReply): void {
  res.answer(w.status, w.fields, w.body);
}

/** One SQS request from decoded body to written answer. */
class Exchange {
  readonly isJson: boolean;
  readonly requestId = randomUUID();
  action = '';

  constructor(
    readonly ctx: SqsContext,
    readonly opts: AppOptions,
    readonly req: LeanRequest,
    readonly res: Responder,
  ) {
    this.isJson = req.headers.has('x-amz-target');
  }

  run(body: Buffer): void {
    const { req } = this;
    const info = new HttpRequestInfo(req, this.res, this.opts);
    let output: Output | Promise<Output>;
    try {
      const contentType = req.headers.get('content-type');
      const decoded: DecodedRequest = this.isJson
        ? decodeJsonRequest(req.headers.get('x-amz-target') as string, contentType, body, info.pathQueue)
        : decodeQueryRequest(req.method, req.url, contentType, body, info.pathQueue);
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
    if (this.res.gone) return;
    send(this.res, this.isJson ? jsonReply(output, this.requestId) : queryReply(this.action, output, this.requestId));
  }

  fail(err: unknown): void {
    const e = toSqsError(err);
    if (e.errorName === 'InternalError') this.opts.onError?.(err);
    if (this.res.gone) return;
    send(this.res, this.isJson ? jsonError(e, this.requestId) : queryError(e, this.requestId));
  }
}

export function buildApp(ctx: SqsContext, opts: AppOptions): LeanServer {
  const tooLarge = (req: LeanRequest, res: Responder): void => new Exchange(ctx, opts, req, res).fail(new SqsError('RequestEntityTooLarge'));
  return new LeanServer({
    bodyLimit: BODY_LIMIT,
    head(req, declared, res) {
      if (declared === undefined || declared <= BODY_LIMIT) return true;
      tooLarge(req, res);
      return false;
    },
    body: (req, body, res) => new Exchange(ctx, opts, req, res).run(body),
    tooLarge,
  });
}
