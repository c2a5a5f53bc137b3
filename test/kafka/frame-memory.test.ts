// Memory for large frames (frame-memory.ts): frames are carved one after another from chunks,
// pages ahead of them are touched without ever writing into a handed-out frame, and chunks are
// shared (uncounted by V8) only up to a limit between two full collections.
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { CARVED_MIN_BYTES, copyBytes, FrameMemory, ownCopy } from '../../src/kafka/frame-memory.js';

const KiB = 1024;
const LIMITS = { chunkBytes: 1024 * KiB, aheadBytes: 512 * KiB, touchSliceBytes: 64 * KiB, uncountedMaxBytes: 3 * 1024 * KiB };
const idle = (turns = 40) => new Promise<void>((resolve) => {
  const step = (n: number): void => void (n === 0 ? resolve() : setImmediate(() => step(n - 1)));
  step(turns);
});

let memory: FrameMemory;
afterEach(() => memory?.close());

describe('FrameMemory', () => {
  it('carves large frames one after another and leaves small and very large ones alone', () => {
    memory = new FrameMemory(LIMITS);
    const a = memory.allocate(100 * KiB);
    const b = memory.allocate(CARVED_MIN_BYTES);
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset).toBe(a.byteOffset + a.length);
    const small = memory.allocate(CARVED_MIN_BYTES - 1);
    const huge = memory.allocate(LIMITS.chunkBytes / 4 + 1);
    for (const f of [small, huge]) expect(f.buffer).not.toBe(a.buffer);
    expect([a.length, b.length, small.length, huge.length]).toEqual([100 * KiB, CARVED_MIN_BYTES, CARVED_MIN_BYTES - 1, LIMITS.chunkBytes / 4 + 1]);
  });

  it('touches the pages ahead without writing into any frame it handed out, across chunks', async () => {
    memory = new FrameMemory(LIMITS);
    const frames: Buffer[] = [];
    for (let i = 0; i < 30; i++) {
      const f = memory.allocate(CARVED_MIN_BYTES + ((i * 37 * KiB) % (192 * KiB)));
      f.fill(i + 1);
      frames.push(f);
      if (i % 3 === 0) await idle();
    }
    await idle();
    const chunks = new Set(frames.map((f) => f.buffer));
    expect(chunks.size).toBeGreaterThan(2);
    frames.forEach((f, i) => expect(f.every((byte) => byte === i + 1)).toBe(true));
    // Within a chunk, frames never overlap.
    for (let i = 1; i < frames.length; i++) {
      const [prev, cur] = [frames[i - 1] as Buffer, frames[i] as Buffer];
      if (prev.buffer === cur.buffer) expect(cur.byteOffset).toBeGreaterThanOrEqual(prev.byteOffset + prev.length);
    }
  });

  it('hands out shared chunks up to the limit, then counted ones until a full collection', async () => {
    memory = new FrameMemory({ ...LIMITS, aheadBytes: 0 });
    const chunkOf = (): ArrayBufferLike => memory.allocate(LIMITS.chunkBytes / 4).buffer;
    const kinds: string[] = [];
    for (let i = 0; i < 5 * 4; i += 1) {
      const buf = chunkOf();
      if (i % 4 === 0) kinds.push(buf instanceof SharedArrayBuffer ? 'shared' : 'counted');
    }
    expect(kinds).toEqual(['shared', 'shared', 'shared', 'counted', 'counted']);
    expect(memory.uncountedChunkBytes).toBe(LIMITS.uncountedMaxBytes);
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    for (let i = 0; i < 50 && memory.uncountedChunkBytes > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(memory.uncountedChunkBytes).toBe(0);
    for (let i = 0; i < 4; i++) chunkOf();
    expect(chunkOf()).toBeInstanceOf(SharedArrayBuffer);
  });

  it('copies into shared chunks at any alignment, clamped to the target', () => {
    const target = Buffer.from(new SharedArrayBuffer(64));
    const source = Buffer.from(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(copyBytes(source, target, 3, 5, 30)).toBe(25);
    expect([...target.subarray(3, 28)]).toEqual([...source.subarray(5, 30)]);
    expect(target[2]).toBe(0);
    expect(target[28]).toBe(0);
    expect(copyBytes(source, target, 50, 0, 40)).toBe(14);
    expect([...target.subarray(50)]).toEqual([...source.subarray(0, 14)]);
    expect(copyBytes(source, target, 10, 7, 7)).toBe(0);
    expect(copyBytes(source, target, 64, 0, 5)).toBe(0);
  });

  it('copies a batch out of a shared chunk into memory of its own', () => {
    const chunk = Buffer.from(new SharedArrayBuffer(64 * KiB));
    for (let i = 0; i < chunk.length; i++) chunk[i] = i % 251;
    const batch = chunk.subarray(13, 13 + 20 * KiB);
    const copy = ownCopy(batch);
    expect(copy.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(copy.equals(batch)).toBe(true);
    chunk.fill(0);
    expect(copy[0]).toBe(13);
    const plain = Buffer.from('not shared');
    expect(ownCopy(plain).toString()).toBe('not shared');
  });
});
