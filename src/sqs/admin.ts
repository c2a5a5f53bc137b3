// Test affordances on the HTTP admin listener (never on the SQS port):
//   GET  /sqs/queues                 names with message counts
//   GET  /sqs/queues/:name/messages  every stored message (ready, delayed, in flight) without
//                                    changing visibility or receive counts
//   POST /sqs/reset                  deletes all SQS queues, move tasks and name-reuse timers

import type { FastifyInstance } from 'fastify';
import type { SqsContext } from './context.js';
import { metaOf } from './model/message-meta.js';
import { renderAttributes } from './model/message-attributes.js';

export function registerSqsAdmin(app: FastifyInstance, ctx: SqsContext): void {
  app.get('/sqs/queues', async () => ({
    queues: [...ctx.queues.values()].map((q) => ({ name: q.name, arn: q.arn, fifo: q.fifo, ...q.queue.counts() })),
  }));

  app.get<{ Params: { name: string } }>('/sqs/queues/:name/messages', async (req, reply) => {
    const q = ctx.queues.get(req.params.name);
    if (!q) return reply.code(404).send({ error: `queue '${req.params.name}' does not exist` });
    return {
      queue: q.name,
      messages: q.queue.peekAll().map(({ state, message: m }) => {
        const meta = metaOf(m);
        return {
          messageId: m.id,
          state,
          body: m.body.toString('utf8'),
          receiveCount: m.receiveCount + meta.baseReceiveCount,
          sentTimestamp: meta.sentAt,
          availableAt: m.availableAt,
          ...(meta.attributes ? { messageAttributes: renderAttributes(meta.attributes) } : {}),
          ...(meta.groupId !== undefined ? { messageGroupId: meta.groupId } : {}),
          ...(meta.dedupId !== undefined ? { messageDeduplicationId: meta.dedupId } : {}),
          ...(meta.sequenceNumber !== undefined ? { sequenceNumber: meta.sequenceNumber } : {}),
          ...(meta.deadLetterSourceArn !== undefined ? { deadLetterQueueSourceArn: meta.deadLetterSourceArn } : {}),
        };
      }),
    };
  });

  app.post('/sqs/reset', async () => {
    const queues = ctx.queues.size;
    await ctx.reset();
    return { reset: true, queuesDeleted: queues };
  });
}
