// ListDeadLetterSourceQueues: queues whose RedrivePolicy targets this queue, in name order,
// paged like ListQueues. The response member is lowercase `queueUrls` in both flavours.

import { TEXT, invalidValue } from '../errors.js';
import { page } from './paging.js';
import type { Handler } from './types.js';

export interface ListDeadLetterSourceQueuesInput {
  QueueUrl: string;
  NextToken?: string;
  MaxResults?: number;
}

export const listDeadLetterSourceQueues: Handler<ListDeadLetterSourceQueuesInput> = (ctx, input, req) => {
  const q = ctx.resolve(input.QueueUrl, req);
  if (input.MaxResults !== undefined && (input.MaxResults < 1 || input.MaxResults > 1000)) {
    throw invalidValue('MaxResults', input.MaxResults, TEXT.maxResults);
  }
  const names = [...ctx.queues.values()].filter((s) => s.redrive?.deadLetterTargetArn === q.arn).map((s) => s.name).sort();
  const { items, nextToken } = page(names, input.MaxResults, input.NextToken);
  return { queueUrls: items.map((n) => ctx.url(req, n)), ...(nextToken !== undefined ? { NextToken: nextToken } : {}) };
};
