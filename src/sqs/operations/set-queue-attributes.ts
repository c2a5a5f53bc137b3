// SetQueueAttributes: validates every name and value first (nothing is applied when one is
// bad), then stores them and reconfigures the core queue (visibility, delay, retention,
// redrive). `""` for Policy / RedrivePolicy / RedriveAllowPolicy / KmsMasterKeyId removes it.

import { missingParameter } from '../errors.js';
import { checkThroughput, storeAttributes, validateAttributes } from '../model/queue-attributes.js';
import type { Handler } from './types.js';

export interface SetQueueAttributesInput {
  QueueUrl: string;
  Attributes?: Record<string, string>;
}

export const setQueueAttributes: Handler<SetQueueAttributesInput> = (ctx, input, req) => {
  const q = ctx.resolve(input.QueueUrl, req);
  const attrs = input.Attributes ?? {};
  if (Object.keys(attrs).length === 0) throw missingParameter('Attribute.Name');
  validateAttributes(ctx, attrs, q.fifo, q.name, false);
  if (q.fifo) checkThroughput(q, attrs);
  storeAttributes(ctx, q, attrs);
  return {};
};
