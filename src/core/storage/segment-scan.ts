// Recovery of one segment file: walks its records, checks each checksum, and says where the
// valid data ends. A bad record followed by nothing valid is a torn tail (a crash mid-write)
// and the caller truncates it; a bad stretch followed by valid records is corruption, reported
// with the file and byte offset and skipped so the rest is recovered. Synchronous reads: this
// runs only at startup, before any client is served.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32 } from './crc32.js';
import {
  decodeFileHeader,
  FILE_HEADER_BYTES,
  MAX_PAYLOAD_BYTES,
  RECORD_HEADER_BYTES,
  RECORD_MAGIC_0,
  RECORD_MAGIC_1,
  type SegmentHeader,
} from './format.js';

export interface StorageIssue {
  kind: 'torn_tail' | 'corruption' | 'bad_header';
  file: string;
  /** Byte offset in the file where the bad data starts. */
  offset: number;
  /** How many bytes were skipped or truncated. */
  length: number;
  message: string;
}

/** Called per valid record; `payload` is a view into a read buffer (copy it to keep it small). */
export type RecordVisitor = (type: number, payload: Buffer, position: number, recordBytes: number) => void;

export interface ScanResult {
  /** Undefined when the header is unreadable (the whole file is reported as bad_header). */
  header: SegmentHeader | undefined;
  /** File offset just past the last valid record: where appends continue. */
  validEnd: number;
  fileSize: number;
  issues: StorageIssue[];
}

const CHUNK = 16 * 1024 * 1024;

/** Reads a file through a window of buffers; each refill is a fresh buffer, so earlier payload views stay valid. */
class Window {
  buf: Buffer = Buffer.alloc(0);
  start = 0;
  private pool: Buffer = Buffer.alloc(0);

  constructor(private readonly fd: number, readonly size: number, private readonly reuse: boolean) {}

  /** True when [pos, pos+len) is in the window after reading it if needed; false past EOF. */
  ensure(pos: number, len: number): boolean {
    if (pos + len > this.size) return false;
    if (pos >= this.start && pos + len <= this.start + this.buf.length) return true;
    const want = Math.min(Math.max(CHUNK, len), this.size - pos);
    // Reusing one buffer avoids faulting in fresh memory per chunk (most of a cold scan's cost).
    if (this.reuse && this.pool.length < want) this.pool = Buffer.allocUnsafe(want);
    const b = this.reuse ? this.pool.subarray(0, want) : Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const n = readSync(this.fd, b, got, want - got, pos + got);
      if (n === 0) break;
      got += n;
    }
    this.buf = got === want ? b : b.subarray(0, got);
    this.start = pos;
    return got >= len;
  }
}

/**
 * Length of a valid record at `pos`, or -1 (bad magic, implausible length, checksum mismatch
 * under the file's `salt`, past EOF).
 */
function recordAt(w: Window, pos: number, salt: number): number {
  if (!w.ensure(pos, RECORD_HEADER_BYTES)) return -1;
  let o = pos - w.start;
  if (w.buf[o] !== RECORD_MAGIC_0 || w.buf[o + 1] !== RECORD_MAGIC_1 || w.buf[o + 2] === 0) return -1;
  const length = w.buf.readUInt32LE(o + 4);
  if (length > MAX_PAYLOAD_BYTES) return -1;
  if (!w.ensure(pos, RECORD_HEADER_BYTES + length)) return -1;
  o = pos - w.start;
  let c = crc32(w.buf.subarray(o, o + 8), salt);
  c = crc32(w.buf.subarray(o + RECORD_HEADER_BYTES, o + RECORD_HEADER_BYTES + length), c);
  if (c !== w.buf.readUInt32LE(o + 8)) return -1;
  return RECORD_HEADER_BYTES + length;
}

/** The next position after `from` holding a valid record, or -1. Only used after damage. */
function resync(w: Window, from: number, salt: number): number {
  for (let p = from; p + RECORD_HEADER_BYTES <= w.size; p++) {
    if (!w.ensure(p, 2)) return -1;
    const o = p - w.start;
    if (w.buf[o] === RECORD_MAGIC_0 && w.buf[o + 1] === RECORD_MAGIC_1 && recordAt(w, p, salt) > 0) return p;
  }
  return -1;
}

/**
 * Scans `file`. With `reuseBuffers` the payload views passed to `visit` are only valid during
 * the call (the read buffer is recycled); without it they stay valid (each chunk is fresh).
 */
export function scanSegment(file: string, visit: RecordVisitor, reuseBuffers = false): ScanResult {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const w = new Window(fd, size, reuseBuffers);
    const issues: StorageIssue[] = [];
    const header = w.ensure(0, FILE_HEADER_BYTES) ? decodeFileHeader(w.buf.subarray(0, FILE_HEADER_BYTES), file) : undefined;
    if (!header) {
      // A file shorter than a header, or with a zeroed one (a reused file not yet written,
      // segment-recycler.ts), is a segment whose creation was interrupted.
      const kind = size < FILE_HEADER_BYTES || w.buf.subarray(0, FILE_HEADER_BYTES).every((b) => b === 0) ? 'torn_tail' : 'bad_header';
      issues.push({ kind, file, offset: 0, length: size, message: `${file}: no valid segment header (${size} bytes)` });
      return { header: undefined, validEnd: 0, fileSize: size, issues };
    }
    let pos = FILE_HEADER_BYTES;
    while (pos < size) {
      const n = recordAt(w, pos, header.salt);
      if (n > 0) {
        const o = pos - w.start;
        const buf = w.buf;
        visit(buf[o + 2] as number, buf.subarray(o + RECORD_HEADER_BYTES, o + n), pos, n);
        pos += n;
        continue;
      }
      const next = resync(w, pos + 1, header.salt);
      if (next < 0) {
        issues.push({ kind: 'torn_tail', file, offset: pos, length: size - pos, message: `${file}: incomplete or damaged record at byte ${pos}; the last ${size - pos} bytes are dropped` });
        return { header, validEnd: pos, fileSize: size, issues };
      }
      issues.push({ kind: 'corruption', file, offset: pos, length: next - pos, message: `${file}: corrupt data at byte ${pos} (${next - pos} bytes skipped); records after it were recovered` });
      pos = next;
    }
    return { header, validEnd: pos, fileSize: size, issues };
  } finally {
    closeSync(fd);
  }
}
