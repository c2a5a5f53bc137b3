// A message move task (StartMessageMoveTask): moves the ready messages of a dead-letter queue
// to a destination queue, or back to each message's original source, at most
// MaxNumberOfMessagesPerSecond per second (default 500), one step per clock second.
// Messages keep MessageId, body and attributes. In-flight messages are left where they are.

import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../../core/index.js';
import { metaOf } from './message-meta.js';
import type { SqsQueue } from './sqs-queue.js';

export type TaskStatus = 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

/** A task's progress as --data-dir keeps it; a RUNNING task resumes after a restart. */
export interface TaskRecord {
  id: string;
  status: TaskStatus;
  moved: number;
  toMove: number;
  startedAt: number;
  failureReason: string | undefined;
}

export class MoveTask {
  readonly id: string;
  readonly handle: string;
  status: TaskStatus = 'RUNNING';
  moved = 0;
  readonly toMove: number;
  readonly startedAt: number;
  failureReason: string | undefined;
  /** Told after each step and status change (durable mode saves the task list). */
  onChange: (() => void) | undefined;
  private timer: TimerHandle | undefined;

  constructor(
    readonly source: SqsQueue,
    readonly destinationArn: string | undefined,
    readonly ratePerSecond: number | undefined,
    private readonly clock: Clock,
    private readonly lookup: (arn: string) => SqsQueue | undefined,
    restored?: TaskRecord,
  ) {
    this.id = restored?.id ?? randomUUID();
    this.startedAt = restored?.startedAt ?? clock.now();
    this.toMove = restored?.toMove ?? source.queue.counts().ready;
    if (restored) {
      this.status = restored.status;
      this.moved = restored.moved;
      this.failureReason = restored.failureReason;
    }
    this.handle = Buffer.from(JSON.stringify({ taskId: this.id, sourceArn: source.arn })).toString('base64');
    if (this.status === 'RUNNING') this.timer = clock.at(clock.now(), () => this.step());
  }

  record(): TaskRecord {
    return { id: this.id, status: this.status, moved: this.moved, toMove: this.toMove, startedAt: this.startedAt, failureReason: this.failureReason };
  }

  private step(): void {
    this.timer = undefined;
    if (this.status !== 'RUNNING') return;
    this.moveBatch();
    this.onChange?.();
  }

  private moveBatch(): void {
    const budget = this.ratePerSecond ?? 500;
    for (let i = 0; i < budget; i++) {
      const [lease] = this.source.queue.lease(1, 60_000);
      if (!lease) {
        this.status = 'COMPLETED';
        return;
      }
      const m = lease.message;
      const meta = metaOf(m);
      const targetArn = this.destinationArn ?? meta.deadLetterSourceArn;
      const target = targetArn === undefined ? undefined : this.lookup(targetArn);
      if (!target) {
        // A message sent straight to the DLQ has no source to go back to.
        this.source.queue.release(lease.id, true);
        this.status = 'FAILED';
        this.failureReason = targetArn === undefined ? 'CouldNotDetermineMessageSource' : 'AWS.SimpleQueueService.NonExistentQueue';
        return;
      }
      const now = this.clock.now();
      const result = target.queue.enqueue({
        body: m.body,
        id: m.id,
        size: m.size,
        meta: { ...meta, deadLetterSourceArn: undefined, baseReceiveCount: 0, firstReceiveAt: undefined },
        ...(target.fifo ? { groupKey: meta.groupId ?? '' } : {}),
        ttlMs: Math.max(1, target.num('MessageRetentionPeriod') * 1000 - (now - meta.sentAt)),
      });
      const copy = target.durable && result.status !== 'rejected' ? target.durable.copied(result.message) : undefined;
      this.source.queue.ack(lease.id);
      this.source.durable?.movedTo(m, copy);
      this.moved++;
    }
    this.timer = this.clock.at(this.clock.now() + 1000, () => this.step());
  }

  cancel(status: TaskStatus = 'CANCELLED'): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.status === 'RUNNING') this.status = status;
  }

  /** Stops the timer without changing the status (server shutdown: a RUNNING task resumes). */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}
