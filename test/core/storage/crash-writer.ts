// Child process for crash.test.ts: appends to a log store and a queue journal under load
// with fsync=always and prints what each acknowledgement covered, until it is SIGKILLed.
//   L <baseOffset> <recordCount>   log entry durable
//   Q <id>                          message durable
//   R <id>                          its removal durable (odd ids are removed)
// stdout to a pipe is synchronous on Linux, so a printed line was acknowledged before the kill.
import { join } from 'node:path';
import { LogStore } from '../../../src/core/storage/log-store.js';
import { QueueJournal } from '../../../src/core/storage/queue-journal.js';

export const pattern = (base: number, n: number): Buffer => Buffer.alloc(64 + (base % 700), `${base}:${n}|`);

const dir = process.argv[2] as string;
const log = LogStore.open(join(dir, 'log'), { fsync: 'always', segmentBytes: 128 * 1024 });
const queue = QueueJournal.open(join(dir, 'queue'), { fsync: 'always', segmentBytes: 32 * 1024 });
let next = log.nextOffset;
let seq = 0;
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
  setImmediate(burst);
}

out('READY');
burst();
