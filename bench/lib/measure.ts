// Bounded measurement loops: every loop stops at a message count or a time limit, whichever
// comes first, so a slow or stuck server can never make a benchmark run forever.
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

export interface LoopOptions {
  /** Concurrent callers, each running `op` back to back. */
  concurrency: number;
  /** Stop once this many units (messages) are done... */
  maxUnits: number;
  /** ...or once this much time has passed. */
  maxMs: number;
  /** One call; resolves with the number of units (messages) it completed. */
  op: (caller: number) => Promise<number>;
}

export interface LoopResult {
  units: number;
  ms: number;
  perSecond: number;
}

export async function loop(options: LoopOptions): Promise<LoopResult> {
  const { concurrency, maxUnits, maxMs, op } = options;
  let units = 0;
  const started = performance.now();
  const deadline = started + maxMs;
  const caller = async (id: number): Promise<void> => {
    while (units < maxUnits && performance.now() < deadline) {
      // Not `units += await op()`: that reads `units` before the await and loses the other
      // callers' increments.
      const done = await op(id);
      units += done;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => caller(i)));
  const ms = performance.now() - started;
  return { units, ms, perSecond: (units * 1000) / ms };
}

/** Nearest-rank percentile of samples (p in 0..100). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Rejects when `promise` has not settled within ms (the work itself is abandoned, not cancelled). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A resolvable promise, for "wait until the consumer has seen N messages". */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
