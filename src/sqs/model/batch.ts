// Request-level rules shared by the three batch actions: 1..10 entries, ids of at most 80
// alphanumerics, hyphens and underscores, ids distinct. Per-entry failures are reported in
// `Failed` with the entry's error code and message while the other entries go ahead.

import { SqsError, TEXT, toSqsError } from '../errors.js';

export interface BatchFailure {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

export function checkBatch(entries: readonly { Id: string }[], entryName: string): void {
  if (entries.length === 0) throw new SqsError('EmptyBatchRequest', TEXT.batchEmpty(entryName));
  if (entries.length > 10) throw new SqsError('TooManyEntriesInBatchRequest', TEXT.batchTooMany(entries.length));
  const seen = new Set<string>();
  for (const e of entries) {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(e.Id)) throw new SqsError('InvalidBatchEntryId');
    if (seen.has(e.Id)) throw new SqsError('BatchEntryIdsNotDistinct', TEXT.batchNotDistinct(e.Id));
    seen.add(e.Id);
  }
}

/** SQS leaves out an empty Successful or Failed list (in JSON the key is absent). */
export function batchOutput(successful: unknown[], failed: BatchFailure[]): Record<string, unknown> {
  return { ...(successful.length > 0 ? { Successful: successful } : {}), ...(failed.length > 0 ? { Failed: failed } : {}) };
}

export function failure(id: string, err: unknown): BatchFailure {
  const e = toSqsError(err);
  return { Id: id, SenderFault: e.row.fault === 'Sender', Code: e.row.code, Message: e.message };
}
