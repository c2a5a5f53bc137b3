// The file operations the storage engine performs after startup, behind one small interface
// so tests can count fsyncs (group commit) or inject failures (a full disk). Everything here
// is asynchronous: the event loop never waits for the disk.

import * as fs from 'node:fs';

export interface StorageIo {
  open(path: string, flags: string): Promise<number>;
  /** Writes all of `bufs` at `position` (loops over partial writes). */
  writev(fd: number, bufs: readonly Buffer[], position: number): Promise<void>;
  fsync(fd: number, path: string): Promise<void>;
  read(fd: number, buf: Buffer, position: number): Promise<number>;
  /** Sets the file's length (cuts a reused segment file to what was written into it). */
  truncate(fd: number, length: number): Promise<void>;
  close(fd: number): Promise<void>;
  unlink(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
}

function cb<T>(resolve: (v: T) => void, reject: (e: Error) => void) {
  return (err: NodeJS.ErrnoException | null, value?: T): void => (err ? reject(err) : resolve(value as T));
}

function writevOnce(fd: number, bufs: Buffer[], position: number): Promise<number> {
  return new Promise((resolve, reject) => fs.writev(fd, bufs, position, cb<number>(resolve, reject)));
}

async function writevAll(fd: number, bufs: readonly Buffer[], position: number): Promise<void> {
  let list = bufs.slice();
  let total = 0;
  for (const b of list) total += b.length;
  while (total > 0) {
    const n = await writevOnce(fd, list, position);
    if (n === total) return;
    // Partial write: drop what was written and go on from there.
    position += n;
    total -= n;
    let skip = n;
    let i = 0;
    while (skip >= (list[i] as Buffer).length) skip -= (list[i++] as Buffer).length;
    list = [(list[i] as Buffer).subarray(skip), ...list.slice(i + 1)];
  }
}

export const nodeIo: StorageIo = {
  open: (path, flags) => new Promise((resolve, reject) => fs.open(path, flags, cb<number>(resolve, reject))),
  writev: writevAll,
  fsync: (fd) => new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve()))),
  read: (fd, buf, position) => new Promise((resolve, reject) => fs.read(fd, buf, 0, buf.length, position, cb<number>(resolve, reject))),
  truncate: (fd, length) => new Promise((resolve, reject) => fs.ftruncate(fd, length, (err) => (err ? reject(err) : resolve()))),
  close: (fd) => new Promise((resolve, reject) => fs.close(fd, (err) => (err ? reject(err) : resolve()))),
  unlink: (path) => new Promise((resolve, reject) => fs.unlink(path, (err) => (err && err.code !== 'ENOENT' ? reject(err) : resolve()))),
  rename: (from, to) => new Promise((resolve, reject) => fs.rename(from, to, (err) => (err ? reject(err) : resolve()))),
};
