// A list of parties waiting for "something became available" (a message ready in a queue,
// records appended to a log). Waking is explicit and synchronous; there is no polling.
// A waiter returns true when it is satisfied and should be removed, false to keep waiting.

export type Waiter = () => boolean;

export class WaiterList {
  private waiters = new Set<Waiter>();

  get size(): number {
    return this.waiters.size;
  }

  /** Registers `w`; the returned function removes it (a cancelled long poll, a closed socket). */
  add(w: Waiter): () => void {
    this.waiters.add(w);
    return () => {
      this.waiters.delete(w);
    };
  }

  /**
   * Offers the new state to waiters in arrival order until `stillAvailable` says there is
   * nothing left to hand out. Satisfied waiters are removed.
   */
  wake(stillAvailable: () => boolean = () => true): void {
    if (this.waiters.size === 0) return;
    for (const w of [...this.waiters]) {
      if (!stillAvailable()) return;
      if (!this.waiters.has(w)) continue;
      if (w()) this.waiters.delete(w);
    }
  }
}
