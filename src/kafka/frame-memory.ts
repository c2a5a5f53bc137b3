// Memory for large request frames (in practice produce requests), carved one after another from
// chunks whose pages are touched ahead of time while the event loop is idle.
//
// Why: the produced batches are kept, so every byte produced lands in memory the process has never
// touched, and the kernel takes a page fault per 4 KiB page during the socket read that fills it.
// Measured on this project's machines that costs about 0.6 ms per MB, more than the copy and the
// CRC-32C check together, and it sits on each request's critical path: between the last byte of a
// produce request and its answer. Producers that keep few requests in flight (idempotent ones:
// at most 5) wait on exactly that path. Touching the pages of the next few MB once the current
// request is answered moves the faults into the time the server would spend waiting for the next
// request anyway; the total work is the same (each page is faulted once either way).
//
// Frames are handed out as subarrays of a chunk, so a chunk is freed once no kept batch refers to
// it. Logs drop batches oldest first, so chunks are released in order; the space lost is the tail
// of each chunk a frame did not fit in (under a quarter of a chunk, ~6% for 1 MB requests).
//
// Chunks are SharedArrayBuffers while they can be. V8 counts ordinary ArrayBuffers as external
// memory and starts a full collection for every 64 MB of growth; kept batches are nothing but
// growth, so under produce traffic that was one full collection (marking the whole JS heap) per
// 64 MB received, ~13% of the server's CPU at 1 KiB records and pauses that stall producers with
// few requests in flight. Shared memory is not counted (V8 leaves it to whoever shares it), which
// also means V8 would not know that dropped chunks are worth collecting. So at most 128 MB
// (uncountedMaxBytes) of shared chunks are handed out between two full collections (seen through
// the 'gc' performance entries); past that, chunks are ordinary buffers again and V8's own
// external-memory pressure schedules the next collection as it always has.

import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

/** Frames at least this large come from the chunks; smaller ones use Node's pooled allocator. */
export const CARVED_MIN_BYTES = 64 * 1024;
const PAGE_BYTES = 4096;

export interface FrameMemoryLimits {
  /** Size of each chunk; frames above a quarter of it get a buffer of their own. */
  chunkBytes: number;
  /** How far beyond the last handed-out byte pages are touched in advance. */
  aheadBytes: number;
  /** Pages touched per idle callback (512 KiB: ~0.3 ms of faults, so no turn of the loop waits long). */
  touchSliceBytes: number;
  /** Shared (uncounted) chunk bytes handed out between two full collections. */
  uncountedMaxBytes: number;
}

export const FRAME_MEMORY_LIMITS: FrameMemoryLimits = {
  chunkBytes: 8 * 1024 * 1024,
  aheadBytes: 2 * 1024 * 1024,
  touchSliceBytes: 512 * 1024,
  uncountedMaxBytes: 128 * 1024 * 1024,
};

export class FrameMemory {
  private chunk: Buffer | null = null;
  /** Bytes of `chunk` handed out. */
  private used = 0;
  /** Bytes of `chunk` from its start whose pages have been touched. */
  private touched = 0;
  /** The chunk after `chunk`, allocated and touched ahead when `chunk` is nearly full. */
  private spare: Buffer | null = null;
  private spareTouched = 0;
  private touchScheduled = false;
  private readonly touchAhead = (): void => this.touchSome();
  private uncountedBytes = 0;
  private collections: PerformanceObserver | null = null;

  constructor(private readonly limits: FrameMemoryLimits = FRAME_MEMORY_LIMITS) {}

  /** A buffer of `size` bytes (contents undefined) for a frame of that size. */
  allocate(size: number): Buffer {
    if (size < CARVED_MIN_BYTES || size > this.limits.chunkBytes / 4) return Buffer.allocUnsafe(size);
    let chunk = this.chunk;
    if (chunk === null || this.used + size > chunk.length) {
      chunk = this.spare ?? this.newChunk();
      this.touched = this.spareTouched;
      this.spare = null;
      this.spareTouched = 0;
      this.chunk = chunk;
      this.used = 0;
    }
    const frame = chunk.subarray(this.used, this.used + size);
    this.used += size;
    this.scheduleTouch();
    return frame;
  }

  /** Shared chunks handed out since the last full collection (for tests). */
  get uncountedChunkBytes(): number {
    return this.uncountedBytes;
  }

  /** Stops watching collections (a FrameMemory made for a test). */
  close(): void {
    this.collections?.disconnect();
    this.collections = null;
  }

  private newChunk(): Buffer {
    const bytes = this.limits.chunkBytes;
    if (this.uncountedBytes + bytes > this.limits.uncountedMaxBytes) return Buffer.allocUnsafeSlow(bytes);
    if (this.collections === null) {
      this.collections = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) this.uncountedBytes = 0;
      });
      this.collections.observe({ entryTypes: ['gc'] });
    }
    this.uncountedBytes += bytes;
    return Buffer.from(new SharedArrayBuffer(bytes));
  }

  private scheduleTouch(): void {
    if (this.touchScheduled) return;
    this.touchScheduled = true;
    // setImmediate runs after the loop has polled for I/O, so bytes already waiting are read
    // (into whatever is touched so far) before any time goes to touching more.
    setImmediate(this.touchAhead);
  }

  /** Touches up to one slice of the pages ahead of `used`; reschedules while any remain. */
  private touchSome(): void {
    this.touchScheduled = false;
    const chunk = this.chunk;
    if (chunk === null) return;
    let budget = this.limits.touchSliceBytes;
    const goal = this.used + this.limits.aheadBytes;
    const inChunk = Math.min(goal, chunk.length);
    const from = Math.max(this.touched, this.used);
    if (from < inChunk) {
      const to = Math.min(inChunk, from + budget);
      touchPages(chunk, from, to);
      this.touched = to;
      budget -= to - from;
    }
    // The next frames will not all fit here: prepare the start of the next chunk too.
    const spareGoal = Math.min(goal - chunk.length, this.limits.chunkBytes);
    if (budget > 0 && spareGoal > 0) {
      const spare = (this.spare ??= this.newChunk());
      const to = Math.min(spareGoal, this.spareTouched + budget);
      touchPages(spare, this.spareTouched, to);
      this.spareTouched = Math.max(this.spareTouched, to);
    }
    if (this.touched < inChunk || this.spareTouched < spareGoal) this.scheduleTouch();
  }
}

/** Writes one byte per page of [from, to): the kernel maps each page on that first write. */
function touchPages(buf: Buffer, from: number, to: number): void {
  for (let i = from; i < to; i += PAGE_BYTES) buf[i] = 0;
}

/** One per process: the event loop reads one frame at a time, whichever connection it is on. */
export const frameMemory = new FrameMemory();

/**
 * Copies `source[from, to)` into `target` at `at` with one memcpy; returns the bytes copied.
 * For copies into (or out of) the shared chunks: on Node 20 Buffer#copy is TypedArray#set, which
 * copies shared memory byte by byte whenever the two addresses differ modulo 8 (64 KiB: ~21 µs
 * against ~3 µs here). Buffer#fill with a buffer value is a plain memcpy.
 */
export function copyBytes(source: Buffer, target: Buffer, at: number, from: number, to: number): number {
  const n = Math.min(to - from, target.length - at);
  if (n > 0) target.fill(source.subarray(from, from + n), at, at + n);
  return Math.max(0, n);
}

/**
 * A copy of `source` in memory of its own. Out of a shared chunk with one memcpy (copyBytes);
 * Buffer.from copies those byte by byte when misaligned (16 KiB: ~12 µs against ~3 µs). Any
 * other source goes to Buffer.from, quicker for ordinary memory.
 */
export function ownCopy(source: Buffer): Buffer {
  if (!(source.buffer instanceof SharedArrayBuffer)) return Buffer.from(source);
  const out = Buffer.allocUnsafe(source.length);
  copyBytes(source, out, 0, 0, source.length);
  return out;
}
