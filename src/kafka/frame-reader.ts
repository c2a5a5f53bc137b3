// Kafka's size-prefixed framing ([size:int32][size bytes]) over a byte stream, built so that a
// produce request's bytes are written once into the buffer that is kept as its stored batches.
//
// As soon as the 4-byte size is known the frame's own buffer is allocated (after the size check,
// so an oversized frame allocates nothing; large frames come pre-faulted from frame-memory.ts). Bytes are copied from wherever they were read into it;
// while a large frame is incomplete, `readTarget()` offers its unfilled rest, so a socket that
// reads into user buffers (socket-reads.ts) lands the bytes there directly with no copy at all.
// Every other read goes to one scratch buffer shared by all connections: the event loop runs
// one read callback at a time and nothing here keeps a reference into the scratch past it.

import { copyBytes, frameMemory } from './frame-memory.js';

/** Reads go straight into a frame when at least this much of it is still missing. */
const DIRECT_READ_MIN = 16 * 1024;
const SCRATCH_SIZE = 64 * 1024;
let scratch: Buffer | null = null;

export interface FrameSink {
  /** The largest frame accepted now (Kafka checks the size before reading the payload). */
  maxFrameBytes(): number;
  frame(frame: Buffer): void;
  /** The size is negative or above the limit: nothing more will be read. */
  oversized(size: number, limit: number): void;
}

export class FrameReader {
  private readonly head = Buffer.allocUnsafe(4);
  private headFilled = 0;
  private frame: Buffer | null = null;
  private frameFilled = 0;
  private stopped = false;

  constructor(private readonly sink: FrameSink) {}

  /** Stops framing for good (the connection is closing); later input is dropped. */
  stop(): void {
    this.stopped = true;
    this.frame = null;
  }

  /** The buffer the next socket read should fill. */
  readTarget(): Buffer {
    const f = this.frame;
    if (f !== null && f.length - this.frameFilled >= DIRECT_READ_MIN) return f.subarray(this.frameFilled);
    return (scratch ??= Buffer.allocUnsafe(SCRATCH_SIZE));
  }

  /** `n` bytes were read into `target`, a buffer readTarget() returned. */
  read(target: Buffer, n: number): void {
    if (this.frame !== null && target.buffer === this.frame.buffer && target.byteOffset === this.frame.byteOffset + this.frameFilled) {
      this.frameFilled += n;
      if (this.frameFilled === this.frame.length) this.complete();
      return;
    }
    this.push(target, n);
  }

  /** Consumes the first `n` bytes of `chunk` (copied: no reference to it is kept). */
  push(chunk: Buffer, n = chunk.length): void {
    let at = 0;
    while (at < n && !this.stopped) {
      const f = this.frame;
      if (f !== null) {
        const copied = copyBytes(chunk, f, this.frameFilled, at, Math.min(n, at + f.length - this.frameFilled));
        at += copied;
        this.frameFilled += copied;
        if (this.frameFilled === f.length) this.complete();
        continue;
      }
      let size: number;
      if (this.headFilled === 0 && n - at >= 4) {
        size = chunk.readInt32BE(at);
        at += 4;
      } else {
        const copied = chunk.copy(this.head, this.headFilled, at, Math.min(n, at + 4 - this.headFilled));
        at += copied;
        this.headFilled += copied;
        if (this.headFilled < 4) return;
        this.headFilled = 0;
        size = this.head.readInt32BE(0);
      }
      const limit = this.sink.maxFrameBytes();
      if (size < 0 || size > limit) {
        this.stop();
        this.sink.oversized(size, limit);
        return;
      }
      this.frame = frameMemory.allocate(size);
      this.frameFilled = 0;
      if (size === 0) this.complete();
    }
  }

  private complete(): void {
    const f = this.frame as Buffer;
    this.frame = null;
    this.frameFilled = 0;
    this.sink.frame(f);
  }
}
