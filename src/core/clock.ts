// The core's only source of time. Everything time-based (visibility timeouts, delays, TTLs,
// dedup windows, long-poll deadlines) asks a Clock, so tests can drive time with ManualClock
// instead of sleeping. Timers fire on the event loop, never re-entrantly inside a core call.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once at (or soon after) the absolute time `at`. */
  at(at: number, fn: () => void): TimerHandle;
}

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  at(at: number, fn: () => void): TimerHandle {
    // setTimeout caps delays at 2^31-1 ms; re-arm for deadlines further away than that.
    const MAX = 0x7fffffff;
    let handle: NodeJS.Timeout;
    const arm = (): void => {
      const delay = at - Date.now();
      if (delay > MAX) {
        handle = setTimeout(arm, MAX);
      } else {
        handle = setTimeout(fn, Math.max(0, delay));
      }
      handle.unref?.();
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  }
}

interface ManualTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A clock that only moves when told to; `advance` fires due timers in time order. */
export class ManualClock implements Clock {
  private time: number;
  private timers: ManualTimer[] = [];
  private seq = 0;

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  at(at: number, fn: () => void): TimerHandle {
    const timer: ManualTimer = { at, seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      let next: ManualTimer | undefined;
      for (const t of this.timers) {
        if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      }
      if (!next) break;
      this.time = Math.max(this.time, next.at);
      next.cancelled = true;
      next.fn();
    }
    this.time = target;
  }

  pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}
