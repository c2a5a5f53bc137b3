// The pieces the segment journal is made of: the fsync policies and durability options, one
// segment file's bookkeeping (logical size, bytes written, bytes fsync'd), a queued write
// group, and the deferred promise a batch of appends resolves.

import type { BrokerError } from '../errors.js';
import { nodeIo, type StorageIo } from './io.js';
import type { SegmentRecycler } from './segment-recycler.js';

/**
 * always: a write is acknowledged after it is fsync'd (survives power loss).
 * interval: acknowledged once handed to the OS (survives a process crash, kill -9); fsync runs
 * every `fsyncIntervalMs`, like Kafka's flush.ms. never: acknowledged once handed to the OS;
 * the OS decides when to flush (fsync only on close).
 */
export type FsyncPolicy = 'always' | 'interval' | 'never';
export const FSYNC_POLICIES: readonly FsyncPolicy[] = ['always', 'interval', 'never'];

export interface DurabilityOptions {
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
  /** A new segment is started once the active one would grow past this. */
  segmentBytes: number;
  io: StorageIo;
  /** Reuses deleted segment files for new ones (logs only; see segment-recycler.ts). */
  recycler?: SegmentRecycler | undefined;
  /**
   * Told when this journal starts failing writes (`failure` set) and when a retry succeeds
   * again or the journal is closed (`undefined`): lets the owner raise a store-wide alarm.
   */
  onFault?: ((journal: object, failure: BrokerError | undefined) => void) | undefined;
}

export const DEFAULT_DURABILITY: DurabilityOptions = { fsync: 'interval', fsyncIntervalMs: 5, segmentBytes: 64 * 1024 * 1024, io: nodeIo };

export interface RecordLocation {
  /** Base of the segment (its file name). */
  segment: number;
  /** Byte offset of the record header in the segment file. */
  position: number;
  /** Header plus payload. */
  bytes: number;
}

export interface SegmentInfo {
  readonly base: number;
  readonly path: string;
  /** Logical size, including bytes queued but not yet written. */
  readonly size: number;
  readonly sealed: boolean;
  /** Where the file's record checksums start (format.ts). */
  readonly salt: number;
}

/** Called per valid record during recovery, in file order. */
export type JournalVisitor = (segment: number, type: number, payload: Buffer, position: number, recordBytes: number) => void;

export class Segment implements SegmentInfo {
  fd: number | undefined;
  opening: Promise<number> | undefined;
  readFd: Promise<number> | undefined;
  written: number;
  synced: number;
  sealed = false;
  removed = false;
  /** The file is a reused one: bytes of its earlier life may follow `written` until it is closed (truncated). */
  recycled = false;

  /** `salt` starts every record checksum of the file (format.ts). */
  constructor(readonly base: number, readonly path: string, public size: number, fd: number | undefined, readonly salt: number) {
    this.fd = fd;
    this.written = size;
    this.synced = size;
  }
}

export interface Group {
  seg: Segment;
  pos: number;
  bufs: Buffer[];
  bytes: number;
}

export interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(e: Error): void;
}

export function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Nobody may be listening (fire-and-forget writes); the error is also kept in `failure`.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

export const segmentFileName = (base: number): string => `${String(base).padStart(20, '0')}.seg`;
