// ListDeadLetterSourceQueues: queues whose RedrivePolicy targets this queue, in name order,
// paged like ListQueues. The response member is lowercase `queueUrls` in both flavours.

import { SqsError, TEXT } from '../errors.js';
import { page } from './paging.js';
import type { Handler } from './types.js';

export interface ListDeadLetterSourceQueuesInput {
  QueueUrl: string;
  NextToken?: string;
  MaxResults?: number;
}

export const listDeadLetterSourceQueues: Handler<ListDeadLetterSourceQueuesInput> = (ctx, input, req) => {
  const q = ctx.resolve(input.QueueUrl, req);
  // MaxResults=0 is what SDKs send for "not set"; SQS lists everything then.
  const max = input.MaxResults === 0 ? undefined : input.MaxResults;
  if (max !== undefined && (max < 1 || max > 1000)) throw new SqsError('InvalidParameterValue', TEXT.maxResults);
  const names = [...ctx.queues.values()].filter((s) => s.redrive?.deadLetterTargetArn === q.arn).map((s) => s.name).sort();
  const { items, nextToken } = page(names, max, input.NextToken);
  return { queueUrls: items.map((n) => ctx.url(req, n)), ...(nextToken !== undefined ? { NextToken: nextToken } : {}) };
};
