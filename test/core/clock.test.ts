import { describe, expect, it } from 'vitest';
import { ManualClock, SystemClock } from '../../src/core/clock.js';
import { WaiterList } from '../../src/core/waiters.js';

describe('ManualClock', () => {
  it('fires due timers in time order, with now() at each timer\'s time', () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.at(1300, () => fired.push(`c@${clock.now()}`));
    clock.at(1100, () => fired.push(`a@${clock.now()}`));
    const cancelled = clock.at(1200, () => fired.push('cancelled'));
    cancelled.cancel();
    clock.advance(250);
    expect(fired).toEqual(['a@1100']);
    expect(clock.now()).toBe(1250);
    clock.advance(50);
    expect(fired).toEqual(['a@1100', 'c@1300']);
  });

  it('runs timers scheduled by timers within the same advance', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.at(10, () => clock.at(20, () => fired.push(clock.now())));
    clock.advance(30);
    expect(fired).toEqual([20]);
  });
});

describe('SystemClock', () => {
  it('fires a timer at its time', async () => {
    const clock = new SystemClock();
    const start = clock.now();
    const at = await new Promise<number>((resolve) => clock.at(start + 20, () => resolve(clock.now())));
    expect(at).toBeGreaterThanOrEqual(start + 19);
  });
});

describe('WaiterList', () => {
  it('offers availability in arrival order until it runs out', () => {
    const list = new WaiterList();
    let available = 1;
    const served: string[] = [];
    const waiter = (name: string) => () => {
      if (available === 0) return false;
      available--;
      served.push(name);
      return true;
    };
    list.add(waiter('first'));
    list.add(waiter('second'));
    list.wake(() => available > 0);
    expect(served).toEqual(['first']);
    expect(list.size).toBe(1);
    available = 1;
    list.wake(() => available > 0);
    expect(served).toEqual(['first', 'second']);
  });
});
