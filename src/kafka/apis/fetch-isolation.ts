// Fetch and ListOffsets under isolation levels (KIP-98): the last stable offset of a partition
// and, for read_committed, the aborted transactions overlapping the fetched batches, so the
// client drops their records (it skips control batches itself).
import type { Log, LogEntry } from '../../core/index.js';
import type { RequestContext } from '../api.js';
import { exactlyOnce } from '../exactly-once.js';

export const READ_COMMITTED = 1;

export function lastStableOffset(ctx: RequestContext, log: Log): number {
  return exactlyOnce(ctx.broker).producers.lastStableOffset(log);
}

/** AbortedTransactions of a read_committed Fetch answer (null under read_uncommitted, as Kafka). */
export function abortedTransactions(ctx: RequestContext, log: Log, isolation: number, fetchOffset: number, entries: LogEntry[]): { producerId: number; firstOffset: number }[] | null {
  if (isolation !== READ_COMMITTED) return null;
  const last = entries[entries.length - 1];
  if (!last) return [];
  return exactlyOnce(ctx.broker).producers.abortedIn(log, fetchOffset, last.lastOffset + 1);
}
