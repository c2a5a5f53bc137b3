// GetQueueAttributes: `All` or named attributes; counts, timestamps (epoch seconds), ARN and
// the stored settable attributes. An unknown name is InvalidAttributeName. Both flavours.

import { readAttributes } from '../model/queue-attributes.js';
import type { Handler } from './types.js';

export interface GetQueueAttributesInput {
  QueueUrl: string;
  AttributeNames?: string[];
}

export const getQueueAttributes: Handler<GetQueueAttributesInput> = (ctx, input, req) => {
  const q = ctx.resolve(input.QueueUrl, req);
  const attrs = readAttributes(q, input.AttributeNames ?? [], ctx.clock.now());
  return Object.keys(attrs).length > 0 ? { Attributes: attrs } : {};
};
