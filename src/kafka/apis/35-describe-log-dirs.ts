// DescribeLogDirs (key 35), v1-4. One log directory (the --data-dir, or "memory" when the
// broker keeps everything in memory) holding every partition, with its size in bytes as
// stored (batches as sent). Offset lag is 0 (no replica movement); no future replicas.
// Total/usable bytes (v4) are reported for a real directory, -1 for memory.
// With an authorizer: CLUSTER DESCRIBE (CLUSTER_AUTHORIZATION_FAILED, v3+; no results before).
import { statfsSync } from 'node:fs';
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import { E } from '../errors.js';
import { clusterAllowed, OP } from '../acl/check.js';

function space(dir: string | undefined): { totalBytes: number; usableBytes: number } {
  if (!dir) return { totalBytes: -1, usableBytes: -1 };
  try {
    const s = statfsSync(dir);
    return { totalBytes: s.blocks * s.bsize, usableBytes: s.bavail * s.bsize };
  } catch {
    return { totalBytes: -1, usableBytes: -1 };
  }
}

export const describeLogDirsApi: ApiModule = {
  key: 35,
  name: 'DescribeLogDirs',
  minVersion: 1,
  maxVersion: 4,
  handle(req, ctx) {
    const b = ctx.broker;
    if (!clusterAllowed(ctx, OP.DESCRIBE)) return { throttleTimeMs: 0, errorCode: E.CLUSTER_AUTHORIZATION_FAILED, results: [] };
    const wanted = req.topics as Msg[] | null;
    const selection = wanted === null ? b.core.topics.list().map((t) => ({ topic: t, partitions: t.partitions.map((_, i) => i) })) : wanted.flatMap((w) => {
      const topic = b.core.topics.get(w.topic as string);
      return topic ? [{ topic, partitions: (w.partitions as number[]).filter((i) => i >= 0 && i < topic.partitions.length) }] : [];
    });
    const topics = selection.map(({ topic, partitions }) => ({
      name: topic.name,
      partitions: partitions.map((i) => ({ partitionIndex: i, partitionSize: topic.partitions[i]?.sizeBytes ?? 0, offsetLag: 0, isFutureKey: false })),
    }));
    return { throttleTimeMs: 0, errorCode: E.NONE, results: [{ errorCode: E.NONE, logDir: b.settings.logDir ?? 'memory', topics, ...space(b.settings.logDir) }] };
  },
};
