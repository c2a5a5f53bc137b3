// Layout of a data directory and how names become file names.
//
//  <dir>/omnibroker.lock            owner pid and host (lock-file.ts)
//  <dir>/FORMAT                     storage format version, as a snapshot file
//  <dir>/meta/<name>.snap           definition snapshots (snapshot-file.ts)
//  <dir>/logs/<name>/*.seg          one log store per partition or stream
//  <dir>/queues/<namespace>/<name>/*.seg   one queue journal per queue
//  <dir>/state/<name>/*.seg         key-value journals (committed offsets, producer state)
//  <dir>/recycle/*.seg              deleted log segments kept for reuse (segment-recycler.ts)
//
// Names are percent-encoded outside [A-Za-z0-9_-.] (so '/', '%' and non-ASCII are safe) and
// a name whose encoding is too long for a file system becomes '~' + a hash, with the real
// name kept in a NAME file next to the segments.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, promises as fsp, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MAX_ENCODED = 180;
export const NAME_FILE = 'NAME';

export function encodeName(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(byte);
    const safe = /[A-Za-z0-9_-]/.test(c) || (c === '.' && out.length > 0);
    out += safe ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out === '') return '%';
  if (out.length <= MAX_ENCODED) return out;
  return `~${createHash('sha256').update(name).digest('hex').slice(0, 40)}`;
}

export function decodeName(encoded: string, dir: string): string | undefined {
  if (encoded === '%') return '';
  if (encoded.startsWith('~')) {
    try {
      return readFileSync(join(dir, NAME_FILE), 'utf8');
    } catch {
      return undefined;
    }
  }
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

/** Where `name` lives under `parent` (no I/O). */
export function nameDirPath(parent: string, name: string): string {
  return join(parent, encodeName(name));
}

/** Creates the directory for `name` asynchronously (runtime creation), with its NAME file when hashed. */
export async function makeNameDir(parent: string, name: string): Promise<void> {
  const encoded = encodeName(name);
  const dir = join(parent, encoded);
  await fsp.mkdir(dir, { recursive: true });
  if (encoded.startsWith('~')) await fsp.writeFile(join(dir, NAME_FILE), name);
}

/** Creates the directory for `name` under `parent`, recording the name when it is hashed (startup). */
export function nameDir(parent: string, name: string): string {
  const encoded = encodeName(name);
  const dir = join(parent, encoded);
  if (encoded.startsWith('~') && !existsSync(join(dir, NAME_FILE))) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, NAME_FILE), name);
  }
  return dir;
}

/** The names stored under `parent` (directories we created), sorted. */
export function listNames(parent: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return [];
  }
  const names: string[] = [];
  for (const e of entries) {
    if (e.startsWith('.')) continue;
    const n = decodeName(e, join(parent, e));
    if (n !== undefined) names.push(n);
  }
  return names.sort();
}
