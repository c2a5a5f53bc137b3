// Temp directories and a counting/failing StorageIo for the storage tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeIo, type StorageIo } from '../../../src/core/storage/io.js';

const dirs: string[] = [];

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'omnibroker-storage-'));
  dirs.push(d);
  return d;
}

export function removeTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface CountingIo extends StorageIo {
  fsyncs: number;
  writes: number;
  /** The next `n` writev calls fail with this errno code. */
  failWrites(code: string, n?: number): void;
}

export function countingIo(): CountingIo {
  let failing: { code: string; left: number } | undefined;
  const io: CountingIo = {
    ...nodeIo,
    fsyncs: 0,
    writes: 0,
    failWrites(code, n = 1) {
      failing = { code, left: n };
    },
    async writev(fd, bufs, position) {
      io.writes++;
      if (failing && failing.left > 0) {
        failing.left--;
        const err = new Error(`${failing.code}: injected`) as NodeJS.ErrnoException;
        err.code = failing.code;
        throw err;
      }
      return nodeIo.writev(fd, bufs, position);
    },
    async fsync(fd, path) {
      io.fsyncs++;
      return nodeIo.fsync(fd, path);
    },
  };
  return io;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
