// Log.rewriteEntries (log compaction): entries are replaced or dropped in place, offsets,
// the high watermark and the log start never move, and reads land on the next live entry.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { Log } from '../../src/core/log.js';

describe('rewriteEntries', () => {
  it('drops and shrinks entries below the bound without moving offsets', () => {
    const log = new Log(new ManualClock());
    for (const t of ['aaaa', 'bbbb', 'cccc', 'dddd']) log.append({ bytes: Buffer.from(t), recordCount: 2, maxTimestamp: 0 });
    expect(log.sizeBytes).toBe(16);
    log.rewriteEntries(6, (e) => (e.baseOffset === 0 ? null : e.baseOffset === 2 ? Buffer.from('b') : e.baseOffset === 6 ? null : undefined));
    expect(log.highWatermark).toBe(8);
    expect(log.logStartOffset).toBe(0);
    expect(log.entryCount).toBe(3);
    expect(log.sizeBytes).toBe(9);
    const first = log.read(0, 100);
    expect(first.map((e) => [e.baseOffset, e.lastOffset, e.bytes.toString()])).toEqual([[2, 3, 'b'], [4, 5, 'cccc'], [6, 7, 'dddd']]);
    expect(log.read(1, 1)[0]?.baseOffset).toBe(2);
    log.append({ bytes: Buffer.from('e'), recordCount: 1, maxTimestamp: 0 });
    expect(log.read(8, 10)[0]?.baseOffset).toBe(8);
  });
});
