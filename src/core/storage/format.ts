// The on-disk byte layout shared by every segment file (docs/storage.md has the diagrams).
// A segment is a 32-byte file header followed by records; each record is a 12-byte header
// and an opaque payload. Numbers are little-endian. What a payload means is up to the store
// that wrote it (log-store.ts, queue-journal.ts); this file only frames and checks bytes.
//
//  file header (32 bytes)                      record (12 + length bytes)
//  0  8  magic "OMNIBSEG"                      0  2  magic 0xB5 0x7E
//  8  2  format version (u16)                  2  1  type (1-255, store-defined)
//  10 1  kind (1 log, 2 queue, 3 key-value)    3  1  flags (0)
//  11 5  reserved (0)                          4  4  payload length (u32)
//  16 8  base (u64: first offset / key)        8  4  CRC-32 of bytes 0-7 and the payload,
//  24 4  salt (u32; 0 in format 1)                   started from the file's salt
//  28 4  CRC-32 of bytes 0-27                  12 .. payload
//
// The salt is random per file. It lets a segment file be reused (segment-recycler.ts): the
// records of its earlier life, still on disk past the new ones, fail their checksums under the
// new salt, so recovery can never take them for data. Format 1 files (salt 0) read as before.

import { randomInt } from 'node:crypto';
import { StartupError } from '../../shared/startup-error.js';
import { crc32 } from './crc32.js';

/** Bumped whenever a reader of this version could misread files of the next one (2: salted record checksums). */
export const FORMAT_VERSION = 2;
export const FILE_MAGIC = Buffer.from('OMNIBSEG', 'latin1');
export const FILE_HEADER_BYTES = 32;
export const RECORD_HEADER_BYTES = 12;
export const RECORD_MAGIC_0 = 0xb5;
export const RECORD_MAGIC_1 = 0x7e;
/** Largest payload accepted (AMQP's 128 MiB message limit plus room for metadata). */
export const MAX_PAYLOAD_BYTES = 128 * 1024 * 1024 + 64 * 1024;

export const SegmentKind = { log: 1, queue: 2, keyValue: 3 } as const;
export type SegmentKind = (typeof SegmentKind)[keyof typeof SegmentKind];

export interface SegmentHeader {
  version: number;
  kind: number;
  base: number;
  /** Where every record checksum of the file starts (0 for format 1 files). */
  salt: number;
}

/** A data directory that cannot be used (newer format, locked): startup stops with one line. */
export class StorageFormatError extends StartupError {
  constructor(message: string) {
    super(message);
    this.name = 'StorageFormatError';
  }
}

/** A fresh salt for a new segment file (never 0, which marks format 1). */
export function newSalt(): number {
  return randomInt(1, 0x1_0000_0000);
}

export function encodeFileHeader(kind: SegmentKind, base: number, salt: number): Buffer {
  const b = Buffer.alloc(FILE_HEADER_BYTES);
  FILE_MAGIC.copy(b, 0);
  b.writeUInt16LE(FORMAT_VERSION, 8);
  b.writeUInt8(kind, 10);
  b.writeBigUInt64LE(BigInt(base), 16);
  b.writeUInt32LE(salt, 24);
  b.writeUInt32LE(crc32(b.subarray(0, 28)), 28);
  return b;
}

/**
 * Parses a file header; `undefined` when the bytes are not a valid header (short, wrong
 * magic or checksum). A valid header of a newer format throws: guessing would be worse.
 */
export function decodeFileHeader(b: Buffer, file: string): SegmentHeader | undefined {
  if (b.length < FILE_HEADER_BYTES) return undefined;
  if (!b.subarray(0, 8).equals(FILE_MAGIC)) return undefined;
  if (crc32(b.subarray(0, 28)) !== b.readUInt32LE(28)) return undefined;
  const version = b.readUInt16LE(8);
  if (version > FORMAT_VERSION) {
    throw new StorageFormatError(
      `${file} was written by a newer omnibroker (storage format ${version}; this version reads up to ${FORMAT_VERSION}); upgrade omnibroker or use another --data-dir`,
    );
  }
  return { version, kind: b.readUInt8(10), base: Number(b.readBigUInt64LE(16)), salt: version >= 2 ? b.readUInt32LE(24) : 0 };
}

/**
 * Fills the 12-byte record header at `h[at..]` for a payload of `length` bytes made of
 * `parts`, checksumming header and payload together (from the file's `salt`) so a damaged
 * length is caught too.
 */
export function writeRecordHeader(h: Buffer, at: number, type: number, length: number, parts: readonly Buffer[], salt: number): void {
  h[at] = RECORD_MAGIC_0;
  h[at + 1] = RECORD_MAGIC_1;
  h[at + 2] = type;
  h[at + 3] = 0;
  h.writeUInt32LE(length, at + 4);
  let c = crc32(h.subarray(at, at + 8), salt);
  for (const p of parts) c = crc32(p, c);
  h.writeUInt32LE(c, at + 8);
}
