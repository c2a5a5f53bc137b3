// GetQueueUrl: the URL of an existing queue, minted from the request's Host. The owner
// account id is accepted and ignored (one account). Both flavours.

import { SqsError, TEXT, queueNotFound } from '../errors.js';
import type { Handler } from './types.js';

export interface GetQueueUrlInput {
  QueueName: string;
  QueueOwnerAWSAccountId?: string;
}

export const getQueueUrl: Handler<GetQueueUrlInput> = (ctx, input, req) => {
  if (input.QueueName === '') throw new SqsError('InvalidParameterValue', TEXT.noQueueName);
  if (!ctx.queues.has(input.QueueName)) throw queueNotFound();
  return { QueueUrl: ctx.url(req, input.QueueName) };
};
