// Dead-letter moves. The core calls a queue's deadLetterSink when a receive would exceed
// maxReceives (SQS's lazy move, made during that receive) and when a message's retention
// ran out. SQS drops expired messages and moves over-received ones to the RedrivePolicy
// target, keeping MessageId, body and attributes and adding DeadLetterQueueSourceArn.
// With --data-dir the move is journalled: the copy first, the source's removal once the
// copy is durable (a crash in between leaves a duplicate, never a loss).

import type { DeadLetterReason, StoredMessage } from '../../core/index.js';
import type { SqsContext } from '../context.js';
import { metaOf } from './message-meta.js';
import type { SqsQueue } from './sqs-queue.js';

export function attachDeadLetter(ctx: SqsContext, q: SqsQueue): void {
  q.queue.deadLetterSink = (m: StoredMessage, reason: DeadLetterReason) => {
    const target = reason === 'delivery_limit' && q.redrive ? ctx.byArn(q.redrive.deadLetterTargetArn) : undefined;
    if (!target) {
      // Expired, or no dead-letter queue to go to: the message is gone for good.
      q.durable?.removed(m);
      return;
    }
    const meta = metaOf(m);
    const now = ctx.clock.now();
    const result = target.queue.enqueue({
      body: m.body,
      id: m.id,
      size: m.size,
      meta: { ...meta, deadLetterSourceArn: q.arn, baseReceiveCount: meta.baseReceiveCount + m.receiveCount, firstReceiveAt: meta.firstReceiveAt ?? m.firstLeasedAt },
      ...(target.fifo ? { groupKey: meta.groupId ?? '' } : {}),
      delayMs: 0,
      // Retention counts from the original send, not from the move (AWS documents this).
      ttlMs: Math.max(1, target.num('MessageRetentionPeriod') * 1000 - (now - meta.sentAt)),
    });
    const copy = target.durable && result.status !== 'rejected' ? target.durable.copied(result.message) : undefined;
    q.durable?.movedTo(m, copy);
  };
}
