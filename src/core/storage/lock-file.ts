// The data directory's lock file: one omnibroker per directory. The file holds the owner's
// pid and host; a lock whose pid is gone (or belongs to something that is not node) is stale
// and taken over, so a kill -9 never leaves a directory unusable.

import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { StorageFormatError } from './format.js';

export const LOCK_FILE = 'omnibroker.lock';

/** Lock files this process holds (a second store on the same directory must still be refused). */
const held = new Set<string>();

export interface DirLock {
  readonly path: string;
  release(): void;
}

interface Owner {
  pid: number;
  host: string;
  since: string;
}

function readOwner(path: string): Owner | undefined {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as Partial<Owner>;
    return typeof o.pid === 'number' ? { pid: o.pid, host: String(o.host ?? ''), since: String(o.since ?? '') } : undefined;
  } catch {
    return undefined;
  }
}

/** True when `pid` on this host is a running node process (the only kind that can hold our lock). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // A recycled pid may belong to anything; a live owner is a node process.
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    return /node|omnibroker|tsx/.test(cmd);
  } catch {
    return true; // no /proc (macOS): trust kill(0)
  }
}

export function acquireLock(path: string): DirLock {
  for (let attempt = 0; attempt < 2; attempt++) {
    if (held.has(path)) throw new StorageFormatError(`${path} is held by this process: the data directory is already open`);
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readOwner(path);
      const here = hostname();
      // In a restarted container the new process often gets the dead one's pid (1).
      const stale = !owner || (owner.host === here && (owner.pid === process.pid || !alive(owner.pid)));
      if (!stale) {
        const where = owner.host === here ? '' : ` on host ${owner.host}`;
        throw new StorageFormatError(
          `the data directory is in use by another omnibroker (pid ${owner.pid}${where}, since ${owner.since}); stop it or choose another --data-dir (delete ${path} only if that process is gone)`,
        );
      }
      rmSync(path, { force: true });
      continue;
    }
    writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
    closeSync(fd);
    held.add(path);
    return {
      path,
      release() {
        if (!held.delete(path)) return;
        rmSync(path, { force: true });
      },
    };
  }
  throw new StorageFormatError(`could not take the lock ${path}: another process keeps recreating it`);
}
