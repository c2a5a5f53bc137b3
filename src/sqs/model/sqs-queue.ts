// One SQS queue: the core Queue plus what SQS adds on top (attributes as their wire strings,
// tags, ARN, purge/attempt bookkeeping). Attribute strings are the source of truth; apply()
// derives the core options from them (visibility -> lease length, delay, retention -> TTL,
// redrive maxReceiveCount -> maxReceives, FIFO -> grouped + 5-minute dedup window).

import type { Queue, QueueOptions } from '../../core/index.js';
import type { DurableQueue } from '../persistence/durable-queue.js';

export const ACCOUNT_ID = '000000000000';
export const DEDUP_WINDOW_MS = 5 * 60 * 1000;

export const DEFAULTS: Readonly<Record<string, string>> = {
  DelaySeconds: '0',
  MaximumMessageSize: '1048576',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  SqsManagedSseEnabled: 'true',
};

export const FIFO_DEFAULTS: Readonly<Record<string, string>> = {
  FifoQueue: 'true',
  ContentBasedDeduplication: 'false',
  DeduplicationScope: 'queue',
  FifoThroughputLimit: 'perQueue',
};

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export interface AttemptRecord {
  expiresAt: number;
  leases: number[];
}

export class SqsQueue {
  readonly arn: string;
  readonly fifo: boolean;
  readonly createdAt: number;
  lastModified: number;
  /** Settable attributes by name, as the strings GetQueueAttributes returns. */
  readonly attrs = new Map<string, string>();
  readonly tags = new Map<string, string>();
  lastPurgeAt: number | undefined;
  redrive: RedrivePolicy | undefined;
  /** FIFO ReceiveRequestAttemptId -> the leases that receive returned (kept 5 minutes). */
  readonly attempts = new Map<string, AttemptRecord>();
  /** The queue's journal and restart bookkeeping with --data-dir; undefined in memory mode. */
  durable: DurableQueue | undefined;

  constructor(readonly name: string, readonly region: string, readonly queue: Queue, now: number, createdAt = now) {
    this.fifo = name.endsWith('.fifo');
    this.arn = `arn:aws:sqs:${region}:${ACCOUNT_ID}:${name}`;
    this.createdAt = createdAt;
    this.lastModified = now;
    for (const [k, v] of Object.entries(DEFAULTS)) this.attrs.set(k, v);
    if (this.fifo) for (const [k, v] of Object.entries(FIFO_DEFAULTS)) this.attrs.set(k, v);
  }

  num(name: string): number {
    return Number(this.attrs.get(name) ?? DEFAULTS[name] ?? 0);
  }

  get contentBasedDedup(): boolean {
    return this.attrs.get('ContentBasedDeduplication') === 'true';
  }

  get dedupPerGroup(): boolean {
    return this.attrs.get('DeduplicationScope') === 'messageGroup';
  }

  /** Core options derived from the current attributes. */
  coreOptions(): Omit<QueueOptions, 'grouped' | 'maxPriority'> {
    return {
      defaultLeaseMs: this.num('VisibilityTimeout') * 1000,
      defaultDelayMs: this.num('DelaySeconds') * 1000,
      messageTtlMs: this.num('MessageRetentionPeriod') * 1000,
      maxReceives: this.redrive ? this.redrive.maxReceiveCount : Infinity,
      dedupWindowMs: this.fifo ? DEDUP_WINDOW_MS : 0,
    };
  }

  apply(): void {
    this.queue.configure(this.coreOptions());
  }
}
