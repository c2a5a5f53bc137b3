// The neutral message the queue primitive stores. Front-ends put whatever they must carry
// through the core (AMQP content-header bytes, SQS message attributes) in `meta`; the core
// never looks inside it. `size` is what length limits count (the front-end decides what
// bytes count, e.g. SQS counts body plus attributes).

export interface EnqueueInput {
  body: Buffer;
  /** Opaque front-end data carried with the message. */
  meta?: unknown;
  /** Bytes counted by size limits; defaults to body.length. */
  size?: number;
  id?: string;
  /** 0..maxPriority of the queue; higher is delivered first. */
  priority?: number;
  /** Ordering group (SQS MessageGroupId) on grouped queues. */
  groupKey?: string;
  /** Dedup key; a repeat within the queue's dedup window is reported as a duplicate. */
  dedupKey?: string;
  /** Not deliverable before now + delayMs (overrides the queue's default delay). */
  delayMs?: number;
  /** Per-message TTL; the lower of this and the queue's TTL applies. */
  ttlMs?: number;
}

export interface StoredMessage {
  /** Enqueue order within the queue; requeued messages go back to their place by seq. */
  readonly seq: number;
  readonly id: string;
  readonly body: Buffer;
  meta: unknown;
  readonly size: number;
  readonly priority: number;
  readonly groupKey: string | undefined;
  readonly enqueuedAt: number;
  availableAt: number;
  /** Absolute expiry time; Infinity when the message never expires. */
  expiresAt: number;
  /** How many times the message has been leased. */
  receiveCount: number;
  /** How many times a lease ended by returning it to the queue (nack/requeue, timeout). */
  returnCount: number;
  firstLeasedAt: number | undefined;
  /** True once the message has been leased and returned. */
  redelivered: boolean;
}

export type DeadLetterReason = 'rejected' | 'expired' | 'maxlen' | 'delivery_limit';
