// StartMessageMoveTask / ListMessageMoveTasks / CancelMessageMoveTask: redrive a dead-letter
// queue's messages to a destination or back to their original source queues. One running
// task per source; List shows newest first with progress; TaskHandle only while running.

import { SqsError, TEXT, invalidValue } from '../errors.js';
import { MoveTask } from '../model/move-task.js';
import type { Handler } from './types.js';

export interface StartMessageMoveTaskInput {
  SourceArn: string;
  DestinationArn?: string;
  MaxNumberOfMessagesPerSecond?: number;
}

const notFound = (param: string): SqsError => new SqsError('ResourceNotFoundException', TEXT.resourceMissing(param));

const ARN = /^arn:[^:]+:[^:]+:[^:]*:[^:]*:.+$/;

export const startMessageMoveTask: Handler<StartMessageMoveTaskInput> = (ctx, input) => {
  if (!ARN.test(input.SourceArn)) throw new SqsError('InvalidParameterValue', TEXT.arnFormat('SourceArn'));
  if (input.DestinationArn !== undefined && !ARN.test(input.DestinationArn)) throw new SqsError('InvalidParameterValue', TEXT.arnFormat('DestinationArn'));
  const source = ctx.byArn(input.SourceArn);
  if (!source) throw notFound('SourceArn');
  const isDlq = [...ctx.queues.values()].some((q) => q.redrive?.deadLetterTargetArn === source.arn);
  if (!isDlq) throw new SqsError('InvalidParameterValue', TEXT.notADlq);
  if (input.DestinationArn !== undefined) {
    const destination = ctx.byArn(input.DestinationArn);
    if (!destination) throw notFound('DestinationArn');
    if (destination === source) throw new SqsError('InvalidParameterValue', TEXT.sameArn);
    if (destination.fifo !== source.fifo) throw new SqsError('InvalidParameterValue', TEXT.taskQueueTypes);
  }
  const rate = input.MaxNumberOfMessagesPerSecond;
  if (rate !== undefined && (rate < 1 || rate > 500)) throw new SqsError('InvalidParameterValue', TEXT.taskRate);
  if (ctx.tasks.some((t) => t.source === source && t.status === 'RUNNING')) {
    throw new SqsError('InvalidParameterValue', TEXT.taskRunning);
  }
  const task = new MoveTask(source, input.DestinationArn, rate, ctx.clock, (arn) => ctx.byArn(arn));
  ctx.durable?.track(task);
  ctx.tasks.push(task);
  return { TaskHandle: task.handle };
};

export const listMessageMoveTasks: Handler<{ SourceArn: string; MaxResults?: number }> = (ctx, input) => {
  const source = ctx.byArn(input.SourceArn);
  if (!source) throw notFound('SourceArn');
  const max = input.MaxResults ?? 1;
  if (max < 1 || max > 10) throw invalidValue('MaxResults', max, TEXT.taskMaxResults);
  const tasks = ctx.tasks.filter((t) => t.source === source).reverse().slice(0, max);
  return {
    Results: tasks.map((t) => ({
      ...(t.status === 'RUNNING' ? { TaskHandle: t.handle } : {}),
      Status: t.status,
      SourceArn: t.source.arn,
      ...(t.destinationArn !== undefined ? { DestinationArn: t.destinationArn } : {}),
      ...(t.ratePerSecond !== undefined ? { MaxNumberOfMessagesPerSecond: t.ratePerSecond } : {}),
      ApproximateNumberOfMessagesMoved: t.moved,
      ApproximateNumberOfMessagesToMove: t.toMove,
      ...(t.failureReason !== undefined ? { FailureReason: t.failureReason } : {}),
      StartedTimestamp: t.startedAt,
    })),
  };
};

export const cancelMessageMoveTask: Handler<{ TaskHandle: string }> = (ctx, input) => {
  let id: unknown;
  try {
    id = (JSON.parse(Buffer.from(input.TaskHandle, 'base64').toString('utf8')) as { taskId?: unknown }).taskId;
  } catch {
    id = undefined;
  }
  if (typeof id !== 'string') throw new SqsError('InvalidParameterValue', TEXT.badTaskHandle);
  const task = ctx.tasks.find((t) => t.id === id);
  if (!task || task.status !== 'RUNNING') throw new SqsError('ResourceNotFoundException', TEXT.noTask);
  task.cancel();
  return { ApproximateNumberOfMessagesMoved: task.moved };
};
