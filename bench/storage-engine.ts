// Storage engine figures: append throughput of a log store per fsync policy against the
// in-memory core Log, and recovery time of a large log. Run: npx tsx bench/storage-engine.ts [MB]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemClock } from '../src/core/clock.js';
import { Log } from '../src/core/log.js';
import { LogStore } from '../src/core/storage/log-store.js';
import type { FsyncPolicy } from '../src/core/storage/segment-journal.js';

const BATCH = 16 * 1024;
const CONCURRENCY = 64; // producers in flight, each waiting for its acknowledgement
const SECONDS = 2;

async function produce(append: (bytes: Buffer) => Promise<void>): Promise<number> {
  const bytes = Buffer.alloc(BATCH, 'r');
  let done = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        await append(bytes);
        done++;
      }
    }),
  );
  return (done * BATCH) / SECONDS / 1024 / 1024;
}

async function main(): Promise<void> {
  const recoverMb = Number(process.argv[2] ?? 1024);
  const rows: string[] = [];
  const log = new Log(new SystemClock());
  const mem = await produce(async (bytes) => {
    log.append({ bytes, recordCount: 10, maxTimestamp: 0 });
    await new Promise<void>((r) => setImmediate(r));
  });
  rows.push(`in-memory core Log           ${mem.toFixed(0)} MB/s`);
  for (const fsync of ['never', 'interval', 'always'] as FsyncPolicy[]) {
    const dir = mkdtempSync(join(tmpdir(), 'omnibroker-bench-'));
    const core = new Log(new SystemClock());
    const { store } = LogStore.open(dir, { fsync });
    const mbs = await produce(async (bytes) => {
      const e = core.append({ bytes, recordCount: 10, maxTimestamp: 0 });
      store.append({ baseOffset: e.baseOffset, recordCount: 10, maxTimestamp: 0, appendedAt: e.appendedAt, bytes });
      await store.commit();
    });
    await store.close();
    rows.push(`core Log + LogStore ${fsync.padEnd(8)} ${mbs.toFixed(0)} MB/s (${((mbs / mem) * 100).toFixed(0)}% of in-memory)`);
    rmSync(dir, { recursive: true, force: true });
  }

  const dir = mkdtempSync(join(tmpdir(), 'omnibroker-bench-'));
  const { store } = LogStore.open(dir, { fsync: 'never' });
  const bytes = Buffer.alloc(BATCH, 'r');
  const n = Math.ceil((recoverMb * 1024 * 1024) / BATCH);
  for (let i = 0; i < n; i++) {
    store.append({ baseOffset: i * 10, recordCount: 10, maxTimestamp: i, appendedAt: i, bytes });
    if (i % 1000 === 0) await store.commit();
  }
  await store.close();
  for (const loadBytes of [true, false]) {
    const t = performance.now();
    const r = LogStore.open(dir, { loadBytes });
    const ms = performance.now() - t;
    rows.push(`recovery of ${recoverMb} MB (${r.entries.length} entries, ${r.issues.length} issues, loadBytes ${loadBytes}): ${(ms / 1000).toFixed(2)} s`);
    await r.store.close();
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(rows.join('\n'));
}

await main();
