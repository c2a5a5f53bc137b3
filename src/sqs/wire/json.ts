// The JSON flavour (AWS JSON 1.0): `X-Amz-Target: AmazonSQS.<Action>` and a JSON body in,
// JSON out. Errors carry `__type` and message, plus the `x-amzn-query-error: <Code>;<Fault>`
// header from which SDKs in query-compatible mode name their exception classes.

import { SqsError } from '../errors.js';
import { OPERATIONS, type OperationModel } from '../model/shapes.js';
import { decodeJson, type Input } from './decode-input.js';

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

export interface WireReply {
  status: number;
  /** Header lines as written (`name: value\r\n` each), after Date and Content-Length. */
  fields: string;
  body: string;
}

/** The bare media type (no '; charset=...'), as SQS sends it. */
const JSON_FIELDS = `content-type: ${JSON_CONTENT_TYPE}\r\nx-amzn-requestid: `;

export interface DecodedRequest {
  op: OperationModel;
  input: Input;
}

/** X-Amz-Target -> operation, for the targets this endpoint knows (a fixed set). */
const TARGETS = new Map([...OPERATIONS].map(([name, op]) => [`AmazonSQS.${name}`, op]));

export function decodeJsonRequest(target: string, contentType: string | undefined, body: Buffer, pathQueue: string | undefined): DecodedRequest {
  const op = TARGETS.get(target);
  if (!op) {
    const action = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : undefined;
    throw new SqsError('InvalidAction', `The action ${action ?? target} is not valid for this endpoint.`);
  }
  // The SDKs send exactly JSON_CONTENT_TYPE: the pattern is only tried for anything else.
  if (contentType !== undefined && contentType !== JSON_CONTENT_TYPE && !/^application\/(x-amz-json-1\.0|json)\b/i.test(contentType)) {
    throw new SqsError('SerializationException', `Unsupported content type ${contentType} for the JSON protocol; use ${JSON_CONTENT_TYPE}.`);
  }
  let doc: unknown = {};
  if (body.length > 0) {
    try {
      doc = JSON.parse(body.toString('utf8'));
    } catch {
      throw new SqsError('SerializationException', 'Could not parse the request body as JSON.');
    }
  }
  if (op.queue && pathQueue !== undefined && doc !== null && typeof doc === 'object' && !('QueueUrl' in doc)) {
    (doc as Record<string, unknown>).QueueUrl = `/${pathQueue}`;
  }
  return { op, input: decodeJson(op.input, doc) };
}

export function jsonReply(output: Record<string, unknown>, requestId: string): WireReply {
  return { status: 200, fields: `${JSON_FIELDS}${requestId}\r\n`, body: encodeJson(output) };
}

/** What JSON.stringify would escape in a string (quote, backslash, controls, lone surrogates). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * JSON.stringify's exact output. Flat objects of strings (SendMessage, CreateQueue, GetQueueUrl
 * results, `{}`) are written by concatenation: on Node 20 JSON.stringify costs about twice as
 * much for such small objects. Anything else goes to JSON.stringify.
 */
export function encodeJson(output: Record<string, unknown>): string {
  // Only plain objects: a class instance could carry an inherited toJSON.
  const proto: unknown = Object.getPrototypeOf(output);
  if (proto !== Object.prototype && proto !== null) return JSON.stringify(output);
  let out = '{';
  for (const key in output) {
    if (!Object.hasOwn(output, key)) return JSON.stringify(output);
    const v = output[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || NEEDS_ESCAPE.test(v) || NEEDS_ESCAPE.test(key)) return JSON.stringify(output);
    out += out.length === 1 ? `"${key}":"${v}"` : `,"${key}":"${v}"`;
  }
  return `${out}}`;
}

export function jsonError(err: SqsError, requestId: string): WireReply {
  return {
    status: err.row.status,
    fields: `${JSON_FIELDS}${requestId}\r\nx-amzn-query-error: ${err.row.code};${err.row.fault}\r\n`,
    body: JSON.stringify({ __type: err.row.type, message: err.messageFor('json') }),
  };
}
