// The background log cleaner: every log.cleaner.backoff.ms (Kafka's default 15 s; setting
// KAFKA_LOG_CLEANER_BACKOFF_MS) it compacts each partition of the topics whose cleanup.policy
// includes `compact`, one partition at a time, never overlapping a previous pass. Produce and
// Fetch keep being served meanwhile (compaction.ts yields between slices).
import type { KafkaBroker } from './broker.js';
import { compactLog } from './compaction.js';
import { exactlyOnce } from './exactly-once.js';
import { numericConfig, topicConfig } from './topic-configs.js';

export function isCompacted(configs: Map<string, string>): boolean {
  return topicConfig(configs, 'cleanup.policy').split(',').some((p) => p.trim() === 'compact');
}

export interface LogCleaner {
  /** Runs one pass now (tests, admin); resolves when it is done. */
  runOnce(): Promise<number>;
  stop(): void;
}

export function startLogCleaner(b: KafkaBroker, backoffMs: number): LogCleaner {
  let running: Promise<number> | null = null;
  let stopped = false;
  const pass = async (): Promise<number> => {
    let removed = 0;
    for (const topic of b.core.topics.list()) {
      if (stopped || !isCompacted(topic.configs)) continue;
      for (const log of topic.partitions) {
        removed += await compactLog(log, {
          upTo: exactlyOnce(b).producers.lastStableOffset(log),
          now: b.core.clock.now(),
          deleteRetentionMs: numericConfig(topic.configs, 'delete.retention.ms'),
          minCompactionLagMs: numericConfig(topic.configs, 'min.compaction.lag.ms'),
        });
      }
    }
    return removed;
  };
  const runOnce = (): Promise<number> => {
    running ??= pass().finally(() => {
      running = null;
    });
    return running;
  };
  let timer = b.core.clock.at(b.core.clock.now() + backoffMs, function tick() {
    void runOnce().catch((err: unknown) => b.log.error({ err }, 'log cleaner pass failed')).finally(() => {
      if (!stopped) timer = b.core.clock.at(b.core.clock.now() + backoffMs, tick);
    });
  });
  return {
    runOnce,
    stop() {
      stopped = true;
      timer.cancel();
    },
  };
}
