// ListQueues: queues in name order, filtered by QueueNamePrefix, paged with MaxResults
// (1..1000) and an opaque NextToken. No QueueUrls key when nothing matches. Both flavours.

import { TEXT, invalidValue } from '../errors.js';
import type { Handler } from './types.js';
import { page } from './paging.js';

export interface ListQueuesInput {
  QueueNamePrefix?: string;
  NextToken?: string;
  MaxResults?: number;
}

export const listQueues: Handler<ListQueuesInput> = (ctx, input, req) => {
  if (input.MaxResults !== undefined && (input.MaxResults < 1 || input.MaxResults > 1000)) {
    throw invalidValue('MaxResults', input.MaxResults, TEXT.maxResults);
  }
  const names = [...ctx.queues.keys()].filter((n) => n.startsWith(input.QueueNamePrefix ?? '')).sort();
  const { items, nextToken } = page(names, input.MaxResults, input.NextToken);
  const out: Record<string, unknown> = {};
  if (items.length > 0) out.QueueUrls = items.map((n) => ctx.url(req, n));
  if (nextToken !== undefined) out.NextToken = nextToken;
  return out;
};
