// The core's only import surface for front-ends.
export { Broker, QueueSpace, type BrokerOptions } from './broker.js';
export { ManualClock, SystemClock, type Clock, type TimerHandle } from './clock.js';
export { BrokerError, isBrokerError, type BrokerErrorCode } from './errors.js';
export { Log, entrySize, storedBytes, type AppendInput, type LogEntry, type LogObserver, type RetentionPolicy, type StoredBytes } from './log.js';
export type { DeadLetterReason, EnqueueInput, StoredMessage } from './message.js';
export { OffsetStore, type CommittedOffset, type OffsetObserver } from './offsets.js';
export {
  Queue,
  type DeadLetterSink,
  type EnqueueResult,
  type Lease,
  type OverflowMode,
  type QueueConsumer,
  type QueueCounts,
  type QueueOptions,
} from './queue.js';
export { MemoryStore, type Store } from './store.js';
export { TopicSpace, type RestoredTopic, type Topic, type TopicObserver } from './topics.js';
export { WaiterList, type Waiter } from './waiters.js';
export { Deque } from './structures.js';
export {
  createStore,
  FileStore,
  fileStoreOf,
  FORMAT_VERSION,
  FSYNC_POLICIES,
  journalMessageOf,
  KeyValueJournal,
  messageStateOf,
  LogStore,
  parseFsyncOption,
  QueueJournal,
  StorageFormatError,
  type EntryLocation,
  type FileStoreOptions,
  type FsyncPolicy,
  type JournalMessage,
  type LogStoreEntry,
  type MessageState,
  type RecoveredKeyValues,
  type RecoveredLog,
  type RecoveredLogEntry,
  type RecoveredQueue,
  type RecoveredQueueMessage,
  type StorageIo,
  type StorageIssue,
} from './storage/index.js';
export { Exchange, Router, headersMatch, type Binding, type DestinationKind, type ExchangeKind, type ExchangeOptions, type HeadersProvider, type RouteResult } from './routing.js';
