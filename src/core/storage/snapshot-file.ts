// Whole-file snapshots (definitions: queues, topics, bindings, users) written atomically:
// temp file, fsync, rename over the old one, fsync the directory. A reader sees the old or
// the new snapshot, never a mix. The payload is framed with a checksum so damage is reported.
//
//  0 8 magic "OMNISNAP" | 8 2 format version | 10 2 reserved | 12 4 payload length | 16 4 CRC-32 | 20 payload

import * as fs from 'node:fs';
import { basename, dirname } from 'node:path';
import { crc32 } from './crc32.js';
import { FORMAT_VERSION, StorageFormatError } from './format.js';

const MAGIC = Buffer.from('OMNISNAP', 'latin1');
const HEADER = 20;

export function encodeSnapshot(payload: Buffer): Buffer {
  const b = Buffer.allocUnsafe(HEADER + payload.length);
  MAGIC.copy(b, 0);
  b.writeUInt16LE(FORMAT_VERSION, 8);
  b.writeUInt16LE(0, 10);
  b.writeUInt32LE(payload.length, 12);
  b.writeUInt32LE(crc32(payload), 16);
  payload.copy(b, HEADER);
  return b;
}

/** The payload, or undefined when the file does not exist; damage and newer versions throw. */
export function readSnapshotSync(path: string): Buffer | undefined {
  let b: Buffer;
  try {
    b = fs.readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (b.length < HEADER || !b.subarray(0, 8).equals(MAGIC)) throw new StorageFormatError(`${path}: not an omnibroker snapshot`);
  const version = b.readUInt16LE(8);
  if (version > FORMAT_VERSION) {
    throw new StorageFormatError(`${path} was written by a newer omnibroker (storage format ${version}; this version reads up to ${FORMAT_VERSION}); upgrade omnibroker or use another --data-dir`);
  }
  const length = b.readUInt32LE(12);
  const payload = b.subarray(HEADER, HEADER + length);
  if (payload.length !== length || crc32(payload) !== b.readUInt32LE(16)) throw new StorageFormatError(`${path}: snapshot checksum mismatch (damaged file)`);
  return payload;
}

let tmpCounter = 0;

/** Atomic replace, asynchronous (runtime updates). */
export async function writeSnapshot(path: string, payload: Buffer, onFsync?: (path: string) => void): Promise<void> {
  const tmp = `${dirname(path)}/.${basename(path)}.${process.pid}.${++tmpCounter}.tmp`;
  const fh = await fs.promises.open(tmp, 'w');
  try {
    await fh.writeFile(encodeSnapshot(payload));
    onFsync?.(tmp);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.promises.rename(tmp, path);
  const dir = await fs.promises.open(dirname(path), 'r');
  try {
    onFsync?.(dirname(path));
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** Atomic replace, synchronous (startup only). */
export function writeSnapshotSync(path: string, payload: Buffer): void {
  const tmp = `${dirname(path)}/.${basename(path)}.${process.pid}.${++tmpCounter}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, encodeSnapshot(payload));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path);
  const dir = fs.openSync(dirname(path), 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
}
