// The Query flavour (API version 2012-11-05): form-encoded POST or GET with `Action=...`,
// flattened parameters, XML responses and an XML ErrorResponse with the legacy code.
// Requests may be sent to `/` or to a queue URL; an explicit QueueUrl parameter wins.

import { SqsError, unknownAction } from '../errors.js';
import { OPERATIONS } from '../model/shapes.js';
import { decodeQuery, queryTree } from './decode-input.js';
import type { DecodedRequest, WireReply } from './json.js';
import { xmlError, xmlResponse } from './xml.js';

export function decodeQueryRequest(method: string, url: string, contentType: string | undefined, body: Buffer, pathQueue: string | undefined): DecodedRequest {
  const q = url.indexOf('?');
  const params = new URLSearchParams(q >= 0 ? url.slice(q + 1) : '');
  if (body.length > 0 && (contentType === undefined || /^application\/x-www-form-urlencoded\b/i.test(contentType))) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
  }
  const action = params.get('Action');
  if (action === null || action === '') {
    throw method === 'GET' ? new SqsError('UnknownOperation') : new SqsError('MissingAction');
  }
  const op = OPERATIONS.get(action);
  if (!op) throw unknownAction(action);
  // Queue-less actions (CreateQueue, ListQueues, ...) are not valid on a queue URL.
  if (!op.queue && pathQueue !== undefined) throw unknownAction(action);
  if (op.queue && pathQueue !== undefined && !params.has('QueueUrl')) params.set('QueueUrl', `/${pathQueue}`);
  return { op, input: decodeQuery(op.input, queryTree(params)) };
}

const XML_FIELDS = 'content-type: text/xml\r\nx-amzn-requestid: ';

export function queryReply(action: string, output: Record<string, unknown>, requestId: string): WireReply {
  const op = OPERATIONS.get(action);
  return { status: 200, fields: `${XML_FIELDS}${requestId}\r\n`, body: xmlResponse(action, op?.output, output, requestId) };
}

export function queryError(err: SqsError, requestId: string): WireReply {
  return {
    status: err.row.status,
    fields: `${XML_FIELDS}${requestId}\r\n`,
    body: xmlError(err.row.fault, err.row.code, err.messageFor('query'), requestId),
  };
}
