// Child process for crash.test.ts: appends to a log store and a queue journal under load
// with the fsync policy given as argv[3] and prints what each acknowledgement covered, until it is SIGKILLed.
//   L <baseOffset> <recordCount>   log entry durable
//   T <offset>                      log start about to move there (segments below it go, and are reused)
//   S <offset>                      that log start durable
//   U <count>                       segment files reused so far
//   Q <id>                          message durable
//   R <id>                          its removal durable (odd ids are removed)
// stdout to a pipe is synchronous on Linux, so a printed line was acknowledged before the kill.
import { FileStore } from '../../../src/core/storage/file-store.js';
import type { FsyncPolicy } from '../../../src/core/storage/segment-journal.js';

export const pattern = (base: number, n: number): Buffer => Buffer.alloc(64 + (base % 700), `${base}:${n}|`);

const dir = process.argv[2] as string;
const fsync = (process.argv[3] ?? 'always') as FsyncPolicy;
// The store takes the directory lock; the previous writer's lock (it was kill -9ed) is stale.
const files = new FileStore(dir, { fsync, logSegmentBytes: 128 * 1024, queueSegmentBytes: 32 * 1024 });
await files.open();
const log = files.openLog('topic-0');
const queue = files.openQueue('/', 'work');
let next = log.nextOffset;
let seq = 0;
let bursts = 0;
/** Offsets kept behind the newest when the log start moves: one or two 128 KiB segments. */
const KEEP_OFFSETS = 1200;
const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function burst(): void {
  for (let i = 0; i < 40; i++) {
    const base = next;
    const n = 1 + (base % 5);
    next += n;
    log.store.append({ baseOffset: base, recordCount: n, maxTimestamp: base, appendedAt: 0, bytes: pattern(base, n) });
    void log.store.commit().then(() => out(`L ${base} ${n}`));
  }
  for (let i = 0; i < 10; i++) {
    const num = seq++;
    const id = `${process.pid}-${num}`;
    const key = queue.journal.enqueue({
      id,
      body: Buffer.alloc(100 + (num % 300), id),
      meta: undefined,
      size: 1,
      priority: 0,
      groupKey: undefined,
      enqueuedAt: num,
      availableAt: num,
      expiresAt: Infinity,
      receiveCount: 0,
      returnCount: 0,
      firstLeasedAt: undefined,
      redelivered: false,
    });
    void queue.journal.commit().then(() => {
      out(`Q ${id}`);
      if (num % 2 === 1) {
        queue.journal.remove(key);
        void queue.journal.commit().then(() => out(`R ${id}`));
      }
    });
  }
  if (++bursts % 5 === 0 && next - KEEP_OFFSETS > log.store.logStartOffset) {
    const start = next - KEEP_OFFSETS;
    out(`T ${start}`);
    void log.store.truncateBefore(start).then(() => out(`S ${start}`));
    out(`U ${files.reusedSegmentFiles}`);
  }
  setImmediate(burst);
}

out('READY');
burst();
