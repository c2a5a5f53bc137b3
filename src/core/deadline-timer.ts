// One clock timer standing for the earliest of many deadlines (a queue's delayed messages,
// lease deadlines, the head's expiry): arming for a later time keeps the earlier timer, arming
// for an earlier one replaces it, so a busy queue holds one timer per kind, not one per message.

import type { Clock, TimerHandle } from './clock.js';

export class DeadlineTimer {
  private armed: { at: number; handle: TimerHandle } | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly fire: () => void,
  ) {}

  /** Fires at `at` unless already armed for that time or earlier. */
  armAt(at: number): void {
    if (this.armed && this.armed.at <= at) return;
    this.armed?.handle.cancel();
    this.armed = {
      at,
      handle: this.clock.at(at, () => {
        this.armed = undefined;
        this.fire();
      }),
    };
  }

  /** Stops the pending timer (the queue is gone; later arms for earlier times still fire). */
  cancel(): void {
    this.armed?.handle.cancel();
  }
}
