// Crash test: a child appending under load with fsync=always is killed with SIGKILL at
// random points; after recovery every acknowledged log entry at or above the log start is
// there at its offset, offsets have no gaps, every acknowledged message is there unless its
// removal was acknowledged. The child moves the log start forward as it goes, so deleted
// segment files are written over (reused) while it is being killed.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStore } from '../../../src/core/storage/file-store.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const WRITER = join(import.meta.dirname, 'crash-writer.ts');
const pattern = (base: number, n: number): Buffer => Buffer.alloc(64 + (base % 700), `${base}:${n}|`);

/** Runs the writer until it has acknowledged some work, kills it after `afterMs`, returns its output. */
function runAndKill(dir: string, afterMs: number, fsync: string): Promise<string[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, fsync], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!timer && out.includes('READY')) timer = setTimeout(() => child.kill('SIGKILL'), afterMs);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    // 'close', not 'exit': lines still in the pipe when the child dies are read first.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}: ${err}`));
      else resolvePromise(out.split('\n'));
    });
  });
}

describe('crash recovery', () => {
  // A process crash loses nothing acknowledged under either policy: with interval an
  // acknowledged write is in the OS page cache, which kill -9 does not touch.
  it.each([
    ['always', 4],
    ['interval', 2],
  ])('keeps every acknowledged append across repeated kill -9 (fsync=%s)', async (fsync, rounds) => {
    const dir = tempDir();
    const ackedEntries = new Map<number, number>();
    const ackedMessages = new Set<string>();
    const ackedRemovals = new Set<string>();
    let totalAcked = 0;
    let startRequested = 0;
    let startAcked = 0;
    let reused = 0;
    for (let round = 0; round < rounds; round++) {
      const lines = await runAndKill(dir, 120 + Math.floor(Math.random() * 250), fsync);
      for (const line of lines) {
        const [kind, a, b] = line.split(' ');
        if (kind === 'L') ackedEntries.set(Number(a), Number(b));
        else if (kind === 'Q') ackedMessages.add(a as string);
        else if (kind === 'R') ackedRemovals.add(a as string);
        else if (kind === 'T') startRequested = Math.max(startRequested, Number(a));
        else if (kind === 'S') startAcked = Math.max(startAcked, Number(a));
        else if (kind === 'U') reused = Math.max(reused, Number(a));
      }

      const files = new FileStore(dir, { logSegmentBytes: 128 * 1024, queueSegmentBytes: 32 * 1024 });
      await files.open(); // takes over the killed writer's stale lock
      const log = files.openLog('topic-0');
      // The log start is one the writer asked for, at least the last one acknowledged.
      expect(log.logStartOffset).toBeGreaterThanOrEqual(startAcked);
      expect(log.logStartOffset).toBeLessThanOrEqual(startRequested);
      // Offsets are contiguous from the entry holding the log start, and each entry holds the
      // bytes written at that offset (never a reused file's older records).
      let expected = log.entries[0]?.baseOffset ?? log.logStartOffset;
      expect(expected).toBeLessThanOrEqual(log.logStartOffset);
      const present = new Map<number, number>();
      for (const e of log.entries) {
        expect(e.baseOffset).toBe(expected);
        expect(e.bytes!.equals(pattern(e.baseOffset, e.recordCount))).toBe(true);
        present.set(e.baseOffset, e.recordCount);
        expected = e.lastOffset + 1;
      }
      expect(log.nextOffset).toBe(expected);
      expect(log.issues.filter((i) => i.kind === 'corruption')).toEqual([]);
      for (const [base, n] of ackedEntries) {
        if (base + n <= log.logStartOffset) continue;
        expect(present.get(base), `acknowledged entry at offset ${base}`).toBe(n);
      }

      const queue = files.openQueue('/', 'work');
      const ids = queue.messages.map((m) => m.message.id);
      const live = new Set(ids);
      expect(live.size).toBe(ids.length); // no duplicates
      for (const id of ackedMessages) {
        const num = Number(id.split('-')[1]);
        if (ackedRemovals.has(id)) expect(live.has(id), `removed message ${id}`).toBe(false);
        else if (num % 2 === 0) expect(live.has(id), `acknowledged message ${id}`).toBe(true);
      }
      await files.close();
      totalAcked = ackedEntries.size + ackedMessages.size;
    }
    // The test means something only if the writer got work acknowledged before the kills.
    expect(ackedEntries.size).toBeGreaterThan(50);
    expect(totalAcked).toBeGreaterThan(100);
    expect(startAcked).toBeGreaterThan(0);
    expect(reused).toBeGreaterThan(0);
  }, 60_000);
});
