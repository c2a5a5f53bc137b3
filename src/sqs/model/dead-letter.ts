// Dead-letter moves. The core calls a queue's deadLetterSink when a receive would exceed
// maxReceives (SQS's lazy move, made during that receive) and when a message's retention
// ran out. SQS drops expired messages and moves over-received ones to the RedrivePolicy
// target, keeping MessageId, body and attributes and adding DeadLetterQueueSourceArn.

import type { DeadLetterReason, StoredMessage } from '../../core/index.js';
import type { SqsContext } from '../context.js';
import { metaOf } from './message-meta.js';
import type { SqsQueue } from './sqs-queue.js';

export function attachDeadLetter(ctx: SqsContext, q: SqsQueue): void {
  q.queue.deadLetterSink = (m: StoredMessage, reason: DeadLetterReason) => {
    if (reason !== 'delivery_limit' || !q.redrive) return;
    const target = ctx.byArn(q.redrive.deadLetterTargetArn);
    if (!target) return;
    const meta = metaOf(m);
    const now = ctx.clock.now();
    target.queue.enqueue({
      body: m.body,
      id: m.id,
      size: m.size,
      meta: { ...meta, deadLetterSourceArn: q.arn, baseReceiveCount: meta.baseReceiveCount + m.receiveCount, firstReceiveAt: meta.firstReceiveAt ?? m.firstLeasedAt },
      ...(target.fifo ? { groupKey: meta.groupId ?? '' } : {}),
      delayMs: 0,
      // Retention counts from the original send, not from the move (AWS documents this).
      ttlMs: Math.max(1, target.num('MessageRetentionPeriod') * 1000 - (now - meta.sentAt)),
    });
  };
}
