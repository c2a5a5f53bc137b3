// Per-server SQS state shared by all handlers: the core namespace, the SQS view of each
// queue, recently deleted names (60-second reuse rule) and message move tasks. Also the
// per-request facts handlers need: the origin queue URLs are minted from and the region.

import type { Broker, Clock, Lease, QueueSpace, StoredMessage } from '../core/index.js';
import { queueNotFound } from './errors.js';
import type { MoveTask } from './model/move-task.js';
import type { Receipt } from './model/receipt.js';
import { ACCOUNT_ID, SqsQueue } from './model/sqs-queue.js';
import type { SqsPersistence } from './persistence/sqs-persistence.js';

export interface RequestInfo {
  /** scheme://host[:port] taken from the request's Host header. */
  readonly origin: string;
  /** From the SigV4 credential scope; us-east-1 when unsigned. */
  readonly region: string;
  /** X-Amzn-Trace-Id request header (becomes the AWSTraceHeader system attribute). */
  readonly traceHeader: string | undefined;
  /** Queue name from the request path (`/<account>/<name>`), if any. */
  readonly pathQueue: string | undefined;
  /** Aborted when the client goes away (cancels long polls). */
  readonly signal: AbortSignal;
}

export class SqsContext {
  readonly space: QueueSpace;
  readonly clock: Clock;
  readonly queues = new Map<string, SqsQueue>();
  readonly deletedAt = new Map<string, number>();
  readonly tasks: MoveTask[] = [];
  /** Set with --data-dir: where queues, messages and FIFO state are journalled. */
  durable: SqsPersistence | undefined;

  constructor(readonly core: Broker) {
    this.space = core.queues('sqs');
    this.clock = core.clock;
  }

  url(req: RequestInfo, name: string): string {
    return `${req.origin}/${ACCOUNT_ID}/${name}`;
  }

  /** The queue a QueueUrl (or the request path) names; the host part is ignored on purpose. */
  resolve(queueUrl: string | undefined, req: RequestInfo): SqsQueue {
    const name = queueUrl !== undefined && queueUrl !== '' ? nameFromUrl(queueUrl) : req.pathQueue;
    const q = name === undefined ? undefined : this.queues.get(name);
    if (!q) throw queueNotFound();
    return q;
  }

  byArn(arn: string): SqsQueue | undefined {
    const name = arn.split(':')[5];
    const q = name === undefined ? undefined : this.queues.get(name);
    return q && q.arn === arn ? q : undefined;
  }

  /** The lease a receipt handle names while it is current (also one issued before a restart). */
  currentLease(q: SqsQueue, r: Receipt): Lease | undefined {
    const lease = q.queue.getLease(r.leaseId);
    if (lease && lease.message.seq === r.seq && lease.message.id === r.messageId) return lease;
    const restored = q.durable?.restoredLeases.get(r.messageId);
    if (restored === undefined) return undefined;
    const l = q.queue.getLease(restored);
    if (!l) {
      q.durable?.restoredLeases.delete(r.messageId);
      return undefined;
    }
    return l.message.id === r.messageId && l.message.receiveCount === r.receive ? l : undefined;
  }

  /** The stored message a stale receipt handle points at, if it still exists (rare path: a scan). */
  findMessage(q: SqsQueue, seq: number, id: string): { state: string; message: StoredMessage } | undefined {
    // Messages restored after a restart got new seqs (below restoredCount): match them by id.
    const restored = q.durable?.restoredCount ?? 0;
    return q.queue.peekAll().find((e) => e.message.id === id && (e.message.seq === seq || e.message.seq < restored));
  }

  /** Drops every SQS queue and all bookkeeping (admin reset); resolves when that is durable. */
  async reset(): Promise<void> {
    for (const t of this.tasks) t.cancel('CANCELLED');
    this.tasks.length = 0;
    const dropped: Promise<void>[] = [];
    for (const [name, q] of this.queues) {
      this.space.delete(name);
      q.queue.waiters.wake();
      if (this.durable) dropped.push(this.durable.drop(q));
    }
    this.queues.clear();
    this.deletedAt.clear();
    if (this.durable) await Promise.all([...dropped, this.durable.save()]);
  }
}

// Clients send the same few queue URLs over and over: parse each once (bounded cache).
const urlNames = new Map<string, string | undefined>();

export function nameFromUrl(url: string): string | undefined {
  let name = urlNames.get(url);
  if (name !== undefined || urlNames.has(url)) return name;
  const path = url.replace(/^[a-z]+:\/\/[^/]*/i, '').split('?')[0] ?? '';
  const parts = path.split('/').filter(Boolean);
  name = parts[parts.length - 1];
  if (urlNames.size >= 1024) urlNames.clear();
  urlNames.set(url, name);
  return name;
}
