// The queue primitive: ready / delayed / leased messages, redelivery, expiry, limits,
// dedup and dead-lettering, plus push consumers and pull waiters. It owns message state
// transitions only; naming, attributes and wire semantics belong to the front-ends.
// Every method is synchronous: a state change never awaits, so no locks are needed.

import { randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';
import { DeadlineTimer } from './deadline-timer.js';
import { BrokerError } from './errors.js';
import type { DeadLetterReason, EnqueueInput, StoredMessage } from './message.js';
import { GroupedReady, OrderedReady, PriorityReady, type ReadyStore } from './ready-store.js';
import { MinHeap } from './structures.js';
import { WaiterList } from './waiters.js';

export type OverflowMode = 'drop-head' | 'reject-new' | 'reject-new-dead-letter';

export interface QueueOptions {
  /** Strict order per group key, a group blocked while any of its messages is leased. */
  grouped?: boolean;
  /** Enables priorities 0..maxPriority (higher first). */
  maxPriority?: number;
  /** Lease length used when a lease call gives none; Infinity = until acked. */
  defaultLeaseMs?: number;
  /** Delay applied to messages enqueued without their own delay. */
  defaultDelayMs?: number;
  /** Queue-wide message TTL; Infinity = none. */
  messageTtlMs?: number;
  maxLength?: number;
  maxLengthBytes?: number;
  overflow?: OverflowMode;
  /** A lease that would be number maxReceives+1 dead-letters instead (SQS maxReceiveCount). */
  maxReceives?: number;
  /** A message returned more than maxReturns times dead-letters (quorum x-delivery-limit). */
  maxReturns?: number;
  /** Repeats of a dedup key within this window are duplicates. */
  dedupWindowMs?: number;
}

export interface Lease {
  readonly id: number;
  readonly message: StoredMessage;
  deadline: number;
  readonly consumerTag: string | undefined;
}

export interface QueueConsumer {
  readonly tag: string;
  readonly priority: number;
  /** Manual-ack consumers keep a lease per delivery; no-ack deliveries are settled at once. */
  readonly noAck: boolean;
  /** How many more deliveries it accepts right now (prefetch credit). */
  credit(): number;
  deliver(lease: Lease): void;
}

export type EnqueueResult =
  | { status: 'ready' | 'delayed'; message: StoredMessage }
  | { status: 'duplicate'; message: StoredMessage }
  | { status: 'rejected'; reason: 'max_length' };

export interface QueueCounts {
  ready: number;
  delayed: number;
  leased: number;
  readyBytes: number;
}

export type DeadLetterSink = (message: StoredMessage, reason: DeadLetterReason, queue: Queue) => void;

let leaseIds = 1;

export class Queue {
  readonly name: string;
  readonly createdAt: number;
  /** Front-end data kept with the queue (attributes, arguments, tags). */
  meta: Record<string, unknown> = {};
  /** Where dead-lettered messages go; unset means they are dropped. */
  deadLetterSink: DeadLetterSink | undefined;
  /** Called after any message is removed for good; lets owners track last-use (x-expires). */
  onActivity: (() => void) | undefined;

  private options: Required<QueueOptions>;
  private ready: ReadyStore;
  private delayed = new MinHeap<StoredMessage>((a, b) => a.availableAt < b.availableAt || (a.availableAt === b.availableAt && a.seq < b.seq));
  private leases = new Map<number, Lease>();
  private deadlines = new MinHeap<{ at: number; id: number }>((a, b) => a.at < b.at);
  private dedup = new Map<string, { expiresAt: number; message: StoredMessage }>();
  private consumers: QueueConsumer[] = [];
  private nextConsumer = 0;
  private seq = 0;
  private readonly delayTimer: DeadlineTimer;
  private readonly leaseTimer: DeadlineTimer;
  private readonly expiryTimer: DeadlineTimer;
  private draining = false;
  private drainAgain = false;
  private deleted = false;
  readonly waiters = new WaiterList();

  constructor(name: string, private readonly clock: Clock, options: QueueOptions = {}) {
    this.name = name;
    this.createdAt = clock.now();
    this.options = withDefaults(options);
    validateOptions(this.options);
    this.ready = makeReadyStore(this.options);
    this.delayTimer = new DeadlineTimer(clock, () => this.onDelayTimer());
    this.leaseTimer = new DeadlineTimer(clock, () => this.onLeaseTimer());
    this.expiryTimer = new DeadlineTimer(clock, () => this.onExpiryTimer());
  }

  get settings(): Readonly<Required<QueueOptions>> {
    return this.options;
  }

  /** Changes options in place; ordering options (grouped, maxPriority) are fixed at creation. */
  configure(changes: Omit<QueueOptions, 'grouped' | 'maxPriority'>): void {
    const next = withDefaults({ ...this.options, ...changes });
    validateOptions(next);
    this.options = next;
    this.enforceLimits();
    this.drain();
  }

  // ---- enqueue -------------------------------------------------------------------------

  enqueue(input: EnqueueInput): EnqueueResult {
    this.assertLive();
    const now = this.clock.now();
    const o = this.options;
    if (input.dedupKey !== undefined && o.dedupWindowMs > 0) {
      this.pruneDedup(now);
      const seen = this.dedup.get(input.dedupKey);
      if (seen) return { status: 'duplicate', message: seen.message };
    }
    const size = input.size ?? input.body.length;
    const overflow = this.overflowFor(size);
    if (overflow && o.overflow !== 'drop-head') {
      const msg = this.makeMessage(input, size, now);
      if (o.overflow === 'reject-new-dead-letter') this.deadLetter(msg, 'maxlen');
      return { status: 'rejected', reason: 'max_length' };
    }
    const msg = this.makeMessage(input, size, now);
    if (input.dedupKey !== undefined && o.dedupWindowMs > 0) {
      this.dedup.set(input.dedupKey, { expiresAt: now + o.dedupWindowMs, message: msg });
    }
    if (msg.availableAt > now) {
      this.delayed.push(msg);
      this.armDelayTimer();
      return { status: 'delayed', message: msg };
    }
    this.ready.append(msg);
    if (overflow) this.enforceLimits();
    this.armExpiryTimer();
    if (this.consumers.length > 0 || this.waiters.size > 0) this.drain();
    return { status: 'ready', message: msg };
  }

  private makeMessage(input: EnqueueInput, size: number, now: number): StoredMessage {
    const o = this.options;
    const delay = input.delayMs ?? o.defaultDelayMs;
    const ttl = Math.min(input.ttlMs ?? Infinity, o.messageTtlMs);
    return {
      seq: this.seq++,
      id: input.id ?? randomUUID(),
      body: input.body,
      meta: input.meta,
      size,
      priority: o.maxPriority > 0 ? Math.min(Math.max(input.priority ?? 0, 0), o.maxPriority) : 0,
      groupKey: input.groupKey,
      enqueuedAt: now,
      availableAt: now + delay,
      expiresAt: now + ttl,
      receiveCount: 0,
      returnCount: 0,
      firstLeasedAt: undefined,
      redelivered: false,
    };
  }

  /** Would adding `size` more bytes (one more message) exceed a limit? */
  private overflowFor(size: number): boolean {
    const o = this.options;
    return this.ready.size + 1 > o.maxLength || this.ready.bytes + size > o.maxLengthBytes;
  }

  private enforceLimits(): void {
    const o = this.options;
    while (this.ready.size > 0 && (this.ready.size > o.maxLength || this.ready.bytes > o.maxLengthBytes)) {
      const head = this.ready.take() as StoredMessage;
      this.deadLetter(head, 'maxlen');
    }
  }

  // ---- leasing (pull) -----------------------------------------------------------------

  /**
   * Leases up to `max` ready messages for `leaseMs` (default: the queue's). On a grouped queue
   * a single call keeps taking from the group it started with before moving to the next.
   */
  lease(max: number, leaseMs?: number, consumerTag?: string): Lease[] {
    this.assertLive();
    const out: Lease[] = [];
    let group: string | undefined;
    while (out.length < max) {
      const m = this.takeDeliverable(group);
      if (!m) {
        if (group === undefined) break;
        group = undefined; // this group is exhausted; continue with the next one
        continue;
      }
      if (this.options.grouped) group = m.groupKey ?? '';
      out.push(this.openLease(m, leaseMs ?? this.options.defaultLeaseMs, consumerTag));
    }
    return out;
  }

  /** Takes the next ready message, dead-lettering expired and over-delivered ones on the way. */
  private takeDeliverable(sameGroup?: string): StoredMessage | undefined {
    const now = this.clock.now();
    for (;;) {
      const m = this.ready.take(sameGroup);
      if (!m) return undefined;
      // Strictly past: a message whose TTL ends right now may still go to a consumer that is
      // ready for it (RabbitMQ's x-message-ttl=0 means "deliver at once or expire").
      if (m.expiresAt < now) {
        this.deadLetter(m, 'expired');
        continue;
      }
      if (m.receiveCount >= this.options.maxReceives) {
        this.deadLetter(m, 'delivery_limit');
        continue;
      }
      return m;
    }
  }

  private openLease(m: StoredMessage, leaseMs: number, consumerTag: string | undefined, keep = true): Lease {
    const now = this.clock.now();
    m.receiveCount++;
    m.firstLeasedAt ??= now;
    const lease: Lease = { id: leaseIds++, message: m, deadline: now + leaseMs, consumerTag };
    if (!keep) {
      this.onActivity?.();
      return lease;
    }
    this.leases.set(lease.id, lease);
    this.ready.leased(m);
    if (Number.isFinite(lease.deadline)) {
      this.deadlines.push({ at: lease.deadline, id: lease.id });
      this.armLeaseTimer();
    }
    return lease;
  }

  getLease(id: number): Lease | undefined {
    return this.leases.get(id);
  }

  /** Settles a lease for good (delete / ack). False when the lease is not current. */
  ack(leaseId: number): boolean {
    const lease = this.leases.get(leaseId);
    if (!lease) return false;
    this.leases.delete(leaseId);
    this.ready.settled(lease.message);
    this.onActivity?.();
    if (this.options.grouped) this.drain();
    return true;
  }

  /**
   * Ends a lease without deleting: `requeue` puts the message back in its place (marked
   * redelivered, optionally not visible for `delayMs`); otherwise it is dead-lettered as rejected.
   */
  release(leaseId: number, requeue: boolean, delayMs = 0): boolean {
    const lease = this.leases.get(leaseId);
    if (!lease) return false;
    this.leases.delete(leaseId);
    this.ready.settled(lease.message);
    if (requeue) this.returnMessage(lease.message, delayMs);
    else this.deadLetter(lease.message, 'rejected');
    this.drain();
    return true;
  }

  /** Moves a lease's deadline (SQS ChangeMessageVisibility). 0 from now releases at once. */
  extendLease(leaseId: number, leaseMs: number): boolean {
    const lease = this.leases.get(leaseId);
    if (!lease) return false;
    if (leaseMs <= 0) return this.release(leaseId, true);
    lease.deadline = this.clock.now() + leaseMs;
    if (Number.isFinite(lease.deadline)) {
      this.deadlines.push({ at: lease.deadline, id: lease.id });
      this.armLeaseTimer();
    }
    return true;
  }

  private returnMessage(m: StoredMessage, delayMs: number): void {
    m.redelivered = true;
    m.returnCount++;
    if (m.returnCount > this.options.maxReturns) {
      this.deadLetter(m, 'delivery_limit');
      return;
    }
    const now = this.clock.now();
    if (delayMs > 0) {
      m.availableAt = now + delayMs;
      this.delayed.push(m);
      this.armDelayTimer();
    } else {
      this.ready.restore(m);
      this.armExpiryTimer();
    }
  }

  /** Leases of one consumer, e.g. to requeue them when its channel closes. */
  leasesOf(consumerTag: string): Lease[] {
    return [...this.leases.values()].filter((l) => l.consumerTag === consumerTag);
  }

  // ---- push consumers and waiters -------------------------------------------------------

  addConsumer(consumer: QueueConsumer): void {
    this.assertLive();
    this.consumers.push(consumer);
    // Stable sort keeps registration order within a priority (round-robin fairness).
    this.consumers.sort((a, b) => b.priority - a.priority);
    this.drain();
  }

  removeConsumer(tag: string): QueueConsumer | undefined {
    const i = this.consumers.findIndex((c) => c.tag === tag);
    if (i < 0) return undefined;
    const [c] = this.consumers.splice(i, 1);
    if (this.nextConsumer > i) this.nextConsumer--;
    return c;
  }

  get consumerCount(): number {
    return this.consumers.length;
  }

  consumerList(): readonly QueueConsumer[] {
    return this.consumers;
  }

  /**
   * Hands ready messages to consumers with credit (highest priority first, round-robin
   * within a priority), then to pull waiters. Re-entrant calls are folded into the running one.
   */
  drain(): void {
    if (this.deleted) return;
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = true;
    try {
      do {
        this.drainAgain = false;
        this.dispatchToConsumers();
        if (this.ready.size > 0 && this.waiters.size > 0) this.waiters.wake(() => this.ready.size > 0);
      } while (this.drainAgain);
    } finally {
      this.draining = false;
    }
  }

  private dispatchToConsumers(): void {
    while (this.ready.size > 0 && this.consumers.length > 0) {
      const consumer = this.pickConsumer();
      if (!consumer) return;
      const m = this.takeDeliverable();
      if (!m) return;
      // Push deliveries are held until acked (no deadline); no-ack ones are settled at once.
      consumer.deliver(this.openLease(m, Infinity, consumer.tag, !consumer.noAck));
    }
  }

  private pickConsumer(): QueueConsumer | undefined {
    const list = this.consumers;
    const n = list.length;
    // The list is sorted by priority, so the first consumer with credit has the top priority
    // that can take a message now; lower priorities only get messages when it is blocked.
    let top: number | undefined;
    for (const c of list) {
      if (c.credit() > 0) {
        top = c.priority;
        break;
      }
    }
    if (top === undefined) return undefined;
    for (let k = 0; k < n; k++) {
      const i = (this.nextConsumer + k) % n;
      const c = list[i] as QueueConsumer;
      if (c.priority === top && c.credit() > 0) {
        this.nextConsumer = (i + 1) % n;
        return c;
      }
    }
    return undefined;
  }

  // ---- timers: delays, lease deadlines, expiry -----------------------------------------------

  private armDelayTimer(): void {
    const next = this.delayed.peek();
    if (next) this.delayTimer.armAt(next.availableAt);
  }

  private onDelayTimer(): void {
    if (this.deleted) return;
    this.promoteDelayed();
    this.armDelayTimer();
    this.drain();
  }

  private promoteDelayed(): void {
    const now = this.clock.now();
    for (let m = this.delayed.peek(); m && m.availableAt <= now; m = this.delayed.peek()) {
      this.delayed.pop();
      this.ready.restore(m);
    }
    this.enforceLimits();
    this.armExpiryTimer();
  }

  private armLeaseTimer(): void {
    const next = this.deadlines.peek();
    if (next) this.leaseTimer.armAt(next.at);
  }

  private onLeaseTimer(): void {
    if (this.deleted) return;
    this.expireLeases();
    this.armLeaseTimer();
    this.drain();
  }

  private expireLeases(): void {
    const now = this.clock.now();
    for (let d = this.deadlines.peek(); d && d.at <= now; d = this.deadlines.peek()) {
      this.deadlines.pop();
      const lease = this.leases.get(d.id);
      // Stale heap entries (acked, or deadline moved) are skipped lazily.
      if (!lease || lease.deadline !== d.at) continue;
      this.leases.delete(d.id);
      this.ready.settled(lease.message);
      this.returnMessage(lease.message, 0);
    }
  }

  private armExpiryTimer(): void {
    const head = this.ready.peek();
    if (head && Number.isFinite(head.expiresAt)) this.expiryTimer.armAt(head.expiresAt);
  }

  private onExpiryTimer(): void {
    if (this.deleted) return;
    this.expireHead();
    this.armExpiryTimer();
  }

  /** Messages expire at the head of the queue (RabbitMQ semantics): drop or dead-letter them. */
  expireHead(): number {
    const now = this.clock.now();
    let n = 0;
    for (let m = this.ready.peek(); m && m.expiresAt <= now; m = this.ready.peek()) {
      this.ready.take();
      this.deadLetter(m, 'expired');
      n++;
    }
    return n;
  }

  /** Runs due timers' work now (used by counts and by tests of the real clock). */
  catchUp(): void {
    this.promoteDelayed();
    this.expireLeases();
    this.expireHead();
  }

  // ---- dead letters, purge, delete ---------------------------------------------------------

  private deadLetter(m: StoredMessage, reason: DeadLetterReason): void {
    this.onActivity?.();
    this.deadLetterSink?.(m, reason, this);
  }

  /** Removes ready messages (and, when asked, delayed and leased ones). Returns how many. */
  purge(opts: { leased?: boolean; delayed?: boolean } = {}): number {
    let n = this.ready.clear().length;
    if (opts.delayed) n += this.delayed.clear().length;
    if (opts.leased) {
      n += this.leases.size;
      for (const lease of this.leases.values()) this.ready.settled(lease.message);
      this.leases.clear();
      this.deadlines.clear();
    }
    return n;
  }

  /** Forgets every remembered dedup key (SQS PurgeQueue clears the FIFO dedup history). */
  clearDedup(): void {
    this.dedup.clear();
  }

  /**
   * Removes one ready (not leased, not delayed) message for good, e.g. an SQS delete with a
   * receipt handle whose visibility already expired. False when it is not ready.
   */
  removeReady(m: StoredMessage): boolean {
    if (!this.ready.remove(m)) return false;
    this.onActivity?.();
    return true;
  }

  /** Marks the queue deleted: timers stop, waiters and consumers are dropped. */
  destroy(): void {
    this.deleted = true;
    this.delayTimer.cancel();
    this.leaseTimer.cancel();
    this.expiryTimer.cancel();
    this.consumers = [];
  }

  get isDeleted(): boolean {
    return this.deleted;
  }

  // ---- inspection ---------------------------------------------------------------------------

  counts(): QueueCounts {
    return {
      ready: this.ready.size,
      delayed: this.delayed.length,
      leased: this.leases.size,
      readyBytes: this.ready.bytes,
    };
  }

  /** Every stored message in delivery order, without changing any state (admin peek). */
  peekAll(): { state: 'ready' | 'delayed' | 'leased'; message: StoredMessage }[] {
    return [
      ...this.ready.values().map((message) => ({ state: 'ready' as const, message })),
      ...[...this.delayed.values()].sort((a, b) => a.availableAt - b.availableAt).map((message) => ({ state: 'delayed' as const, message })),
      ...[...this.leases.values()].map((l) => ({ state: 'leased' as const, message: l.message })),
    ];
  }

  /**
   * Puts back messages recovered from durable storage, oldest first, with their stored state
   * (receive and return counts, redelivered flag, availability, expiry). Leases do not survive
   * a restart: a message leased when the server stopped is available again at its stored
   * `availableAt` (the lease deadline, if the front-end recorded one). A `dedupKey` still inside
   * the dedup window is remembered again. Limits are not applied: this is state, not new input.
   * A message given a `lease` whose deadline is still ahead comes back *leased* (not ready, its
   * group blocked) until that deadline, for protocols whose leases outlive the server (SQS
   * visibility); find those leases with `leasesOf(lease.consumerTag)`.
   */
  restore(messages: ReadonlyArray<Omit<StoredMessage, 'seq'> & { dedupKey?: string | undefined; lease?: { deadline: number; consumerTag: string } | undefined }>): StoredMessage[] {
    this.assertLive();
    const now = this.clock.now();
    const out: StoredMessage[] = [];
    for (const r of messages) {
      const { dedupKey, lease, ...fields } = r;
      const msg: StoredMessage = { ...fields, seq: this.seq++ };
      if (dedupKey !== undefined && this.options.dedupWindowMs > 0 && msg.enqueuedAt + this.options.dedupWindowMs > now) {
        this.dedup.set(dedupKey, { expiresAt: msg.enqueuedAt + this.options.dedupWindowMs, message: msg });
      }
      if (lease && lease.deadline > now) {
        const l: Lease = { id: leaseIds++, message: msg, deadline: lease.deadline, consumerTag: lease.consumerTag };
        this.leases.set(l.id, l);
        this.ready.leased(msg);
        if (Number.isFinite(l.deadline)) this.deadlines.push({ at: l.deadline, id: l.id });
      } else if (msg.availableAt > now) this.delayed.push(msg);
      else this.ready.append(msg);
      out.push(msg);
    }
    this.armLeaseTimer();
    this.armDelayTimer();
    this.armExpiryTimer();
    this.drain();
    return out;
  }

  private pruneDedup(now: number): void {
    // Entries are inserted in time order with one window, so expired ones are at the front.
    for (const [key, entry] of this.dedup) {
      if (entry.expiresAt > now) break;
      this.dedup.delete(key);
    }
  }

  private assertLive(): void {
    if (this.deleted) throw new BrokerError('not_found', `queue '${this.name}' was deleted`);
  }
}

function withDefaults(o: QueueOptions): Required<QueueOptions> {
  return {
    grouped: o.grouped ?? false,
    maxPriority: o.maxPriority ?? 0,
    defaultLeaseMs: o.defaultLeaseMs ?? Infinity,
    defaultDelayMs: o.defaultDelayMs ?? 0,
    messageTtlMs: o.messageTtlMs ?? Infinity,
    maxLength: o.maxLength ?? Infinity,
    maxLengthBytes: o.maxLengthBytes ?? Infinity,
    overflow: o.overflow ?? 'drop-head',
    maxReceives: o.maxReceives ?? Infinity,
    maxReturns: o.maxReturns ?? Infinity,
    dedupWindowMs: o.dedupWindowMs ?? 0,
  };
}

function validateOptions(o: Required<QueueOptions>): void {
  const nonNegative: (keyof QueueOptions)[] = ['maxPriority', 'defaultLeaseMs', 'defaultDelayMs', 'messageTtlMs', 'maxLength', 'maxLengthBytes', 'maxReceives', 'maxReturns', 'dedupWindowMs'];
  for (const key of nonNegative) {
    const v = o[key] as number;
    if (typeof v !== 'number' || Number.isNaN(v) || v < 0) {
      throw new BrokerError('invalid_argument', `queue option ${key} must be a non-negative number`);
    }
  }
  if (o.maxPriority > 255) throw new BrokerError('invalid_argument', 'queue option maxPriority must be at most 255');
}

function makeReadyStore(o: Required<QueueOptions>): ReadyStore {
  if (o.grouped) return new GroupedReady();
  if (o.maxPriority > 0) return new PriorityReady(o.maxPriority);
  return new OrderedReady();
}
