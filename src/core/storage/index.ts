// The storage engine's surface: the Store chosen by --data-dir and the durable pieces
// front-ends persist through. Format and recovery are described in docs/storage.md.

import { MemoryStore, type Store } from '../store.js';
import { StorageFormatError } from './format.js';
import { FileStore, type FileStoreOptions } from './file-store.js';
import { FSYNC_POLICIES, type FsyncPolicy } from './segment-journal.js';

export { FileStore, type FileStoreOptions } from './file-store.js';
export { FORMAT_VERSION, StorageFormatError } from './format.js';
export { nodeIo, type StorageIo } from './io.js';
export { KeyValueJournal, type RecoveredKeyValues } from './kv-journal.js';
export { LogStore, type EntryLocation, type LogStoreEntry, type RecoveredLog, type RecoveredLogEntry } from './log-store.js';
export { QueueJournal, type JournalMessage, type MessageState, type RecoveredQueue, type RecoveredQueueMessage } from './queue-journal.js';
export { journalMessageOf, messageStateOf } from './queue-record.js';
export { FSYNC_POLICIES, type FsyncPolicy } from './segment-journal.js';
export type { StorageIssue } from './segment-scan.js';

/** The Store for a configuration: files under `dataDir` when it is set, memory otherwise. */
export function createStore(dataDir: string | undefined, options: FileStoreOptions = {}): Store {
  return dataDir === undefined ? new MemoryStore() : new FileStore(dataDir, options);
}

/** The broker's FileStore when it runs with --data-dir, else undefined (memory mode: persist nothing). */
export function fileStoreOf(store: Store): FileStore | undefined {
  return store instanceof FileStore ? store : undefined;
}

/** Parses an --fsync value ("always", "interval", "never"; "interval:20" sets the interval in ms). */
export function parseFsyncOption(raw: string): Pick<FileStoreOptions, 'fsync' | 'fsyncIntervalMs'> {
  const [policy, ms] = raw.split(':');
  if (!(FSYNC_POLICIES as readonly string[]).includes(policy ?? '')) {
    throw new StorageFormatError(`invalid value '${raw}' for --fsync: expected one of ${FSYNC_POLICIES.join(', ')} (interval:MS sets the interval)`);
  }
  if (ms === undefined) return { fsync: policy as FsyncPolicy };
  const n = Number(ms);
  if (policy !== 'interval' || !/^\d+$/.test(ms) || n < 1 || n > 60_000) {
    throw new StorageFormatError(`invalid value '${raw}' for --fsync: the interval is interval:MS with MS from 1 to 60000`);
  }
  return { fsync: 'interval', fsyncIntervalMs: n };
}
