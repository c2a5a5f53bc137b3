// ListQueues: queues in name order, filtered by QueueNamePrefix, paged with MaxResults
// (1..1000) and an opaque NextToken. No QueueUrls key when nothing matches. Both flavours.

import { SqsError, TEXT } from '../errors.js';
import type { Handler } from './types.js';
import { page } from './paging.js';

export interface ListQueuesInput {
  QueueNamePrefix?: string;
  NextToken?: string;
  MaxResults?: number;
}

export const listQueues: Handler<ListQueuesInput> = (ctx, input, req) => {
  // MaxResults=0 is what SDKs send for "not set"; SQS lists everything then.
  const max = input.MaxResults === 0 ? undefined : input.MaxResults;
  if (max !== undefined && (max < 1 || max > 1000)) throw new SqsError('InvalidParameterValue', TEXT.maxResults);
  const names = [...ctx.queues.keys()].filter((n) => n.startsWith(input.QueueNamePrefix ?? '')).sort();
  const { items, nextToken } = page(names, max, input.NextToken);
  const out: Record<string, unknown> = {};
  if (items.length > 0) out.QueueUrls = items.map((n) => ctx.url(req, n));
  if (nextToken !== undefined) out.NextToken = nextToken;
  return out;
};
