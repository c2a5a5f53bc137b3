// Where a queue keeps its ready (deliverable now) messages, in delivery order. Three shapes:
// - OrderedReady: plain FIFO by enqueue seq; a returned message goes back to its old place.
// - PriorityReady: one OrderedReady per priority level, highest level first (AMQP x-max-priority).
// - GroupedReady: FIFO per group key, and a group with a message in flight is skipped
//   (SQS FIFO queues: strict order per MessageGroupId).
// The queue owns leases, expiry and limits; a ready store only orders messages.

import type { StoredMessage } from './message.js';
import { Deque, MinHeap } from './structures.js';

export interface ReadyStore {
  readonly size: number;
  readonly bytes: number;
  /** A message newer than every message appended so far. */
  append(m: StoredMessage): void;
  /** A message coming back (requeue, delay elapsed): it takes its place by seq. */
  restore(m: StoredMessage): void;
  /** The message `take()` would return. */
  peek(): StoredMessage | undefined;
  /** Removes the next deliverable message; `sameGroup` lets one receive continue a group it opened. */
  take(sameGroup?: string): StoredMessage | undefined;
  /** Removes a specific message (it expired, or a limit pushed it out). */
  remove(m: StoredMessage): boolean;
  clear(): StoredMessage[];
  values(): StoredMessage[];
  /** Grouped stores only: a message of `group` was leased / its lease ended. */
  leased(m: StoredMessage): void;
  settled(m: StoredMessage): void;
}

const bySeq = (a: StoredMessage, b: StoredMessage): boolean => a.seq < b.seq;

export class OrderedReady implements ReadyStore {
  private main = new Deque<StoredMessage>();
  private returned = new MinHeap<StoredMessage>(bySeq);
  private removed = new Set<StoredMessage>();
  size = 0;
  bytes = 0;

  append(m: StoredMessage): void {
    this.main.push(m);
    this.size++;
    this.bytes += m.size;
  }

  restore(m: StoredMessage): void {
    this.returned.push(m);
    this.size++;
    this.bytes += m.size;
  }

  peek(): StoredMessage | undefined {
    this.skipRemoved();
    const a = this.main.peek();
    const b = this.returned.peek();
    if (!a) return b;
    if (!b) return a;
    return b.seq < a.seq ? b : a;
  }

  take(): StoredMessage | undefined {
    const next = this.peek();
    if (!next) return undefined;
    if (next === this.main.peek()) this.main.shift();
    else this.returned.pop();
    this.size--;
    this.bytes -= next.size;
    return next;
  }

  remove(m: StoredMessage): boolean {
    if (this.peek() === m) {
      this.take();
      return true;
    }
    // Removal from the middle is rare (expiry of a non-head message); mark and skip lazily.
    if (!this.values().includes(m)) return false;
    this.removed.add(m);
    this.size--;
    this.bytes -= m.size;
    return true;
  }

  clear(): StoredMessage[] {
    const all = this.values();
    this.main = new Deque();
    this.returned.clear();
    this.removed.clear();
    this.size = 0;
    this.bytes = 0;
    return all;
  }

  values(): StoredMessage[] {
    const all = [...this.main, ...this.returned.values()].filter((m) => !this.removed.has(m));
    return all.sort((a, b) => a.seq - b.seq);
  }

  leased(): void {}
  settled(): void {}

  private skipRemoved(): void {
    if (this.removed.size === 0) return;
    for (;;) {
      const a = this.main.peek();
      if (a && this.removed.delete(a)) {
        this.main.shift();
        continue;
      }
      const b = this.returned.peek();
      if (b && this.removed.delete(b)) {
        this.returned.pop();
        continue;
      }
      return;
    }
  }
}

export class PriorityReady implements ReadyStore {
  private levels: OrderedReady[];
  size = 0;
  bytes = 0;

  constructor(maxPriority: number) {
    this.levels = Array.from({ length: maxPriority + 1 }, () => new OrderedReady());
  }

  private level(m: StoredMessage): OrderedReady {
    const top = this.levels.length - 1;
    return this.levels[Math.min(Math.max(m.priority, 0), top)] as OrderedReady;
  }

  append(m: StoredMessage): void {
    this.level(m).append(m);
    this.size++;
    this.bytes += m.size;
  }

  restore(m: StoredMessage): void {
    this.level(m).restore(m);
    this.size++;
    this.bytes += m.size;
  }

  private topLevel(): OrderedReady | undefined {
    for (let i = this.levels.length - 1; i >= 0; i--) {
      const level = this.levels[i] as OrderedReady;
      if (level.size > 0) return level;
    }
    return undefined;
  }

  peek(): StoredMessage | undefined {
    return this.topLevel()?.peek();
  }

  take(): StoredMessage | undefined {
    const m = this.topLevel()?.take();
    if (m) {
      this.size--;
      this.bytes -= m.size;
    }
    return m;
  }

  remove(m: StoredMessage): boolean {
    const ok = this.level(m).remove(m);
    if (ok) {
      this.size--;
      this.bytes -= m.size;
    }
    return ok;
  }

  clear(): StoredMessage[] {
    const all = this.values();
    for (const level of this.levels) level.clear();
    this.size = 0;
    this.bytes = 0;
    return all;
  }

  /** Delivery order: highest priority first, then by seq. */
  values(): StoredMessage[] {
    const out: StoredMessage[] = [];
    for (let i = this.levels.length - 1; i >= 0; i--) out.push(...(this.levels[i] as OrderedReady).values());
    return out;
  }

  leased(): void {}
  settled(): void {}
}

interface GroupState {
  ready: OrderedReady;
  inFlight: number;
}

export class GroupedReady implements ReadyStore {
  private groups = new Map<string, GroupState>();
  /** Groups that may have a deliverable head, ordered by that head's seq (validated on use). */
  private candidates = new MinHeap<{ seq: number; key: string }>((a, b) => a.seq < b.seq);
  size = 0;
  bytes = 0;

  private group(key: string): GroupState {
    let g = this.groups.get(key);
    if (!g) {
      g = { ready: new OrderedReady(), inFlight: 0 };
      this.groups.set(key, g);
    }
    return g;
  }

  private offer(key: string, g: GroupState): void {
    const head = g.ready.peek();
    if (head && g.inFlight === 0) this.candidates.push({ seq: head.seq, key });
  }

  append(m: StoredMessage): void {
    const key = m.groupKey ?? '';
    const g = this.group(key);
    const wasEmpty = g.ready.size === 0;
    g.ready.append(m);
    this.size++;
    this.bytes += m.size;
    if (wasEmpty) this.offer(key, g);
  }

  restore(m: StoredMessage): void {
    const key = m.groupKey ?? '';
    const g = this.group(key);
    g.ready.restore(m);
    this.size++;
    this.bytes += m.size;
    this.offer(key, g);
  }

  private nextGroup(): [string, GroupState] | undefined {
    for (;;) {
      const c = this.candidates.peek();
      if (!c) return undefined;
      const g = this.groups.get(c.key);
      const head = g?.ready.peek();
      if (g && head && g.inFlight === 0 && head.seq === c.seq) return [c.key, g];
      this.candidates.pop();
    }
  }

  peek(): StoredMessage | undefined {
    return this.nextGroup()?.[1].ready.peek();
  }

  take(sameGroup?: string): StoredMessage | undefined {
    let g: GroupState | undefined;
    if (sameGroup !== undefined) {
      g = this.groups.get(sameGroup);
      if (!g || g.ready.size === 0) return undefined;
    } else {
      g = this.nextGroup()?.[1];
      if (!g) return undefined;
      this.candidates.pop();
    }
    const m = g.ready.take() as StoredMessage;
    this.size--;
    this.bytes -= m.size;
    return m;
  }

  remove(m: StoredMessage): boolean {
    const key = m.groupKey ?? '';
    const g = this.groups.get(key);
    if (!g || !g.ready.remove(m)) return false;
    this.size--;
    this.bytes -= m.size;
    this.offer(key, g);
    this.forget(key, g);
    return true;
  }

  clear(): StoredMessage[] {
    const all = this.values();
    for (const [key, g] of this.groups) {
      g.ready.clear();
      this.forget(key, g);
    }
    this.candidates.clear();
    this.size = 0;
    this.bytes = 0;
    return all;
  }

  values(): StoredMessage[] {
    const out: StoredMessage[] = [];
    for (const g of this.groups.values()) out.push(...g.ready.values());
    return out.sort((a, b) => a.seq - b.seq);
  }

  leased(m: StoredMessage): void {
    this.group(m.groupKey ?? '').inFlight++;
  }

  settled(m: StoredMessage): void {
    const key = m.groupKey ?? '';
    const g = this.groups.get(key);
    if (!g) return;
    g.inFlight--;
    if (g.inFlight === 0) this.offer(key, g);
    this.forget(key, g);
  }

  private forget(key: string, g: GroupState): void {
    if (g.inFlight === 0 && g.ready.size === 0) this.groups.delete(key);
  }
}
