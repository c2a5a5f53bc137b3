// Kafka state on the durable storage engine (--data-dir): topics (name, id, partition count,
// configs) in the snapshot "kafka-topics"; each partition's record batches, stored as the
// producer sent them (base offset stamped), in the log store "kafka.<topic>-<partition>";
// committed offsets in the key-value journal "kafka-offsets"; the transaction coordinator's
// state (transactional id -> producer id, epoch, state, partitions) and the reserved producer
// id block in the key-value journal "kafka-transactions". Writes go through the core's
// observers (Log, TopicSpace, OffsetStore, TransactionCoordinator), so every path that changes that state is covered
// without touching it; handlers only wait for `settle()` before they answer. Recovery rebuilds
// the core state at startup, before any client is served. Unused in memory mode.
// Producer state is rebuilt from the recovered batches (producer-recovery.ts). Recovered
// batches stay in their files (Log.restoreStored) and Fetch reads them back from file ranges;
// batches produced since the start stay in memory only while they are among the newest
// `cacheBytes` (KAFKA_LOG_MEMORY_CACHE_BYTES, 64 MiB) of the broker, then are let go once
// durable (Log.storeBytes), so memory does not grow with the data. Skips:
// compaction's in-memory rewrites (the cleaner redoes them after a restart).

import { Deque, type Broker, type CommittedOffset, type EntryLocation, type FileStore, type KeyValueJournal, type Log, type LogEntry, type LogStore, type StoredBytes, type Topic } from '../core/index.js';
import type { Logger } from '../shared/logger.js';
import type { ExactlyOnce } from './exactly-once.js';
import type { TxnRecord } from './transactions.js';

const TOPICS_SNAPSHOT = 'kafka-topics';
const OFFSETS_JOURNAL = 'kafka-offsets';
const TXN_JOURNAL = 'kafka-transactions';
/** Key of the reserved producer id block in the transactions journal (transactional ids are keyed `txn:<id>`). */
const PRODUCER_IDS_KEY = 'producer-ids';
const TXN_PREFIX = 'txn:';
/** Log store names carry a prefix so other front-ends' logs in the same directory are never taken for Kafka's. */
const LOG_PREFIX = 'kafka.';

interface TopicRecord {
  name: string;
  id: string;
  partitions: number;
  configs: Record<string, string>;
  createdAt: number;
}

export function partitionLogName(topic: string, partition: number): string {
  return `${LOG_PREFIX}${topic}-${partition}`;
}

/** Entry meta (producer id, transactional flag, …) is the front-end's plain data: kept as JSON. */
function encodeMeta(meta: unknown): Buffer | undefined {
  return meta === undefined ? undefined : Buffer.from(JSON.stringify(meta));
}

function decodeMeta(meta: Buffer | undefined): unknown {
  return meta === undefined ? undefined : JSON.parse(meta.toString('utf8'));
}

/**
 * The topic's segment.bytes when it sets one (Kafka rolls segments at that size and deletes
 * whole segments on retention); otherwise the engine's default (64 MiB, below Kafka's 1 GiB so
 * retention frees disk sooner).
 */
function segmentOptions(configs: ReadonlyMap<string, string>): { segmentBytes?: number } {
  const n = Number(configs.get('segment.bytes'));
  return Number.isInteger(n) && n > 0 ? { segmentBytes: n } : {};
}

function storedAt(store: LogStore, loc: EntryLocation): StoredBytes {
  return { size: loc.length, read: () => store.readBytes(loc), readSync: (length) => store.readBytesSync(loc, length) };
}

/** A produced batch whose bytes are still held in memory besides its file range. */
interface HotBatch {
  log: Log;
  store: LogStore;
  entry: LogEntry;
  loc: EntryLocation;
}

function offsetKey(group: string, topic: string, partition: number): string {
  return JSON.stringify([group, topic, partition]);
}

export class KafkaPersistence {
  private readonly stores = new Map<Log, LogStore>();
  /** Log stores written since the last settle(): the next answer waits for their commit. */
  private readonly dirty = new Set<LogStore>();
  private offsetsDirty = false;
  private txnJournal: KeyValueJournal | undefined = undefined;
  private txnDirty = false;
  private snapshot: Promise<void> | undefined;
  /** A write the engine refused synchronously, reported to the next settle(). */
  private writeError: unknown = undefined;

  /** Appended batches still held in memory, oldest first (the hot tail Fetch serves from memory). */
  private readonly hot = new Deque<HotBatch>();
  private hotBytes = 0;

  private constructor(
    private readonly core: Broker,
    private readonly files: FileStore,
    private readonly offsets: KeyValueJournal,
    private readonly log: Logger,
    private readonly cacheBytes: number,
  ) {}

  /**
   * Rebuilds topics, partitions, batches, log start offsets and committed offsets from the
   * data directory, removes the logs of topics deleted before a crash, then starts writing
   * every change through. `ensureGroup` makes a group with committed offsets known again
   * (Kafka loads such groups as Empty). `cacheBytes`: KafkaSettings.memoryCacheBytes.
   */
  static async recover(core: Broker, files: FileStore, log: Logger, ensureGroup: (id: string) => void, cacheBytes: number): Promise<KafkaPersistence> {
    const raw = files.readSnapshot(TOPICS_SNAPSHOT);
    const records = raw ? (JSON.parse(raw.toString('utf8')) as { topics: TopicRecord[] }).topics : [];
    const kv = files.openKeyValues(OFFSETS_JOURNAL);
    const p = new KafkaPersistence(core, files, kv.journal, log, cacheBytes);
    const expected = new Set<string>();
    let batches = 0;
    for (const t of records) {
      if (core.topics.get(t.name)) continue;
      const topic = core.topics.restore({ name: t.name, id: t.id, partitionCount: t.partitions, configs: new Map(Object.entries(t.configs)), createdAt: t.createdAt });
      topic.partitions.forEach((partition, index) => {
        const name = partitionLogName(t.name, index);
        expected.add(name);
        // Index only (issue 8: batches are served back from file ranges): the bytes stay in the
        // segment files; memory holds offsets, timestamps, meta and the file location.
        const r = files.openLog(name, { loadBytes: false, ...segmentOptions(topic.configs) });
        const store = r.store;
        for (const e of r.entries) {
          const loc = e.location;
          partition.restoreStored(
            { baseOffset: e.baseOffset, recordCount: e.recordCount, maxTimestamp: e.maxTimestamp, appendedAt: e.appendedAt, meta: decodeMeta(e.meta) },
            storedAt(store, loc),
          );
        }
        partition.restoreBounds(r.logStartOffset, r.nextOffset);
        batches += r.entries.length;
        p.attach(partition, r.store);
      });
    }
    // Logs whose topic is gone: deleted while the files were being removed, or never recorded.
    for (const name of files.logNames()) {
      if (name.startsWith(LOG_PREFIX) && !expected.has(name)) await files.deleteLog(name);
    }
    for (const [key, value] of kv.entries) {
      const [group, topic, partition] = JSON.parse(key) as [string, string, number];
      if (!core.topics.get(topic)?.partitions[partition]) {
        kv.journal.delete(key); // the topic was deleted before its offsets' removal was written
        continue;
      }
      core.offsets.commit(group, topic, partition, JSON.parse(value.toString('utf8')) as CommittedOffset);
      ensureGroup(group);
    }
    log.info({ topics: records.length, batches, offsets: kv.entries.size }, 'kafka state recovered');
    p.observe();
    return p;
  }

  /**
   * Reads the transaction coordinator's state back (after `recover`, before producer state is
   * rebuilt from the logs) and writes every later change through: each transactional id keeps
   * its producer id and epoch, so InitProducerId after a restart bumps the same id's epoch and
   * fences zombies; producer ids are reserved in blocks so none is issued twice.
   */
  recoverTransactions(eos: ExactlyOnce): void {
    const kv = this.files.openKeyValues(TXN_JOURNAL);
    this.txnJournal = kv.journal;
    for (const [key, value] of kv.entries) {
      const data: unknown = JSON.parse(value.toString('utf8'));
      if (key === PRODUCER_IDS_KEY) eos.producers.reservedBefore((data as { next: number }).next);
      else if (key.startsWith(TXN_PREFIX)) eos.txns.restore(data as TxnRecord);
    }
    eos.producers.reserve = (upTo) => {
      this.txnWrite(() => kv.journal.put(PRODUCER_IDS_KEY, Buffer.from(JSON.stringify({ next: upTo }))));
    };
    eos.txns.observer = {
      changed: (record) => this.txnWrite(() => kv.journal.put(TXN_PREFIX + record.id, Buffer.from(JSON.stringify(record)))),
    };
  }

  private txnWrite(write: () => void): void {
    try {
      write();
    } catch (err) {
      this.failed(err);
    }
    this.txnDirty = true;
  }

  /** Starts writing every topic, log and offset change through to the files. */
  private observe(): void {
    this.core.topics.observer = {
      created: (topic) => {
        topic.partitions.forEach((log, i) => this.attach(log, this.files.createLog(partitionLogName(topic.name, i), segmentOptions(topic.configs))));
        this.topicsChanged();
      },
      partitionsAdded: (topic, previous) => {
        for (let i = previous; i < topic.partitions.length; i++) this.attach(topic.partitions[i] as Log, this.files.createLog(partitionLogName(topic.name, i), segmentOptions(topic.configs)));
        this.topicsChanged();
      },
      deleted: (topic) => {
        this.topicsChanged();
        topic.partitions.forEach((log, i) => {
          log.observer = undefined;
          const store = this.stores.get(log);
          if (store) this.dirty.delete(store);
          this.stores.delete(log);
          this.files.deleteLog(partitionLogName(topic.name, i)).catch((err: unknown) => this.log.warn({ err, topic: topic.name }, 'could not remove a deleted topic\'s files'));
        });
      },
    };
    this.core.offsets.observer = {
      committed: (group, topic, partition, value) => {
        this.offsets.put(offsetKey(group, topic, partition), Buffer.from(JSON.stringify(value)));
        this.offsetsDirty = true;
      },
      deleted: (group, topic, partition) => {
        this.offsets.delete(offsetKey(group, topic, partition));
        this.offsetsDirty = true;
      },
    };
  }

  private attach(log: Log, store: LogStore): void {
    this.stores.set(log, store);
    log.observer = {
      appended: (entry: LogEntry) => {
        try {
          const loc = store.append({ baseOffset: entry.baseOffset, recordCount: entry.lastOffset - entry.baseOffset + 1, maxTimestamp: entry.maxTimestamp, appendedAt: entry.appendedAt, meta: encodeMeta(entry.meta), bytes: entry.bytes });
          this.hot.push({ log, store, entry, loc });
          this.hotBytes += loc.length;
          if (this.hotBytes > this.cacheBytes) this.evict();
        } catch (err) {
          // Produce checks refuses() first; an appender that did not is told at settle().
          this.failed(err);
        }
        this.dirty.add(store);
      },
      truncated: (logStartOffset: number) => {
        try {
          store.truncateBefore(logStartOffset).catch((err: unknown) => this.log.warn({ err }, 'could not remove log segments below the log start offset'));
        } catch (err) {
          this.failed(err);
        }
        this.dirty.add(store);
      },
    };
  }

  /** The topic list changed (created, deleted, partitions added, configs altered): rewrite the snapshot. */
  topicsChanged(): void {
    const topics: TopicRecord[] = this.core.topics.list().map((t: Topic) => ({ name: t.name, id: t.id, partitions: t.partitions.length, configs: Object.fromEntries(t.configs), createdAt: t.createdAt }));
    const write = this.files.writeSnapshot(TOPICS_SNAPSHOT, Buffer.from(JSON.stringify({ topics })));
    const tracked: Promise<void> = write.finally(() => {
      if (this.snapshot === tracked) this.snapshot = undefined;
    });
    tracked.catch(() => {}); // reported to whoever settles
    this.snapshot = tracked;
  }

  /** Set when the partition's files refuse writes (disk full, I/O error): Kafka answers KAFKA_STORAGE_ERROR. */
  refuses(log: Log): boolean {
    return this.stores.get(log)?.failure !== undefined;
  }

  private failed(err: unknown): void {
    this.log.error({ err }, 'a Kafka write could not be stored');
    this.writeError ??= err;
  }

  /**
   * Lets go of the bytes of the oldest batches until the held ones are down to 3/4 of the
   * budget: once each store's commit shows them written, reads go to their file ranges. A batch
   * removed by retention or rewritten by compaction meanwhile is left alone (Log.storeBytes
   * checks), as is one whose write failed (it stays in memory).
   */
  private evict(): void {
    const byStore = new Map<LogStore, HotBatch[]>();
    while (this.hotBytes > this.cacheBytes * 0.75 && this.hot.length > 0) {
      const h = this.hot.shift() as HotBatch; // the deque drops its reference: the bytes are not kept from here
      this.hotBytes -= h.loc.length;
      let list = byStore.get(h.store);
      if (!list) byStore.set(h.store, (list = []));
      list.push(h);
    }
    for (const [store, list] of byStore) {
      store.commit().then(
        () => {
          for (const h of list) if (this.stores.get(h.log) === store) h.log.storeBytes(h.entry, storedAt(store, h.loc));
        },
        () => undefined,
      );
    }
  }

  /** Resolves when every write made so far is durable per the --fsync policy (group commit). */
  settle(): Promise<void> {
    const waits: Promise<void>[] = [];
    if (this.writeError !== undefined) {
      waits.push(Promise.reject(this.writeError));
      this.writeError = undefined;
    }
    for (const s of this.dirty) waits.push(s.commit());
    this.dirty.clear();
    if (this.offsetsDirty) {
      waits.push(this.offsets.commit());
      this.offsetsDirty = false;
    }
    if (this.txnDirty && this.txnJournal) {
      waits.push(this.txnJournal.commit());
      this.txnDirty = false;
    }
    if (this.snapshot) waits.push(this.snapshot);
    return Promise.all(waits).then(() => undefined);
  }

  /** Waits for what is pending (shutdown), reporting instead of throwing. */
  async drain(): Promise<void> {
    try {
      await this.settle();
    } catch (err) {
      this.log.error({ err }, 'kafka state could not be made durable at shutdown');
    }
  }
}
