// Starts omnibroker the way users run it (`node dist/cli.js`), as its own process so its CPU and
// memory can be measured apart from the benchmark client, every port ephemeral on 127.0.0.1.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startServer, type ServerProcess } from './proc.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = `${ROOT}dist/cli.js`;

export interface Omnibroker {
  proc: ServerProcess;
  /** The ready line's listeners, e.g. { sqs: 'http://127.0.0.1:40123', amqp: 'amqp://...' }. */
  urls: Record<string, string>;
}

/**
 * Extra command-line arguments from OMNIBROKER_BENCH_ARGS (space-separated), e.g.
 * `OMNIBROKER_BENCH_ARGS="--data-dir /tmp/ob-bench" npm run bench:amqp` for the durable rows.
 */
export function benchArgs(): string[] {
  return (process.env.OMNIBROKER_BENCH_ARGS ?? '').split(/\s+/).filter(Boolean);
}

/** BENCH_DURABLE=1: the bench's durable mode (for SQS and Kafka: omnibroker --data-dir against omnibroker in memory). */
export const BENCH_DURABLE = process.env.BENCH_DURABLE === '1';
/** The --fsync policy of a durable run: BENCH_FSYNC, else the server's default (interval). */
export const BENCH_FSYNC = process.env.BENCH_FSYNC ?? 'interval';

/** Server arguments for the durable side: --data-dir `dir`, --fsync BENCH_FSYNC, then benchArgs(). */
export function durableArgs(dir: string): string[] {
  return ['--data-dir', dir, '--fsync', BENCH_FSYNC, ...benchArgs()];
}

/** The Node options `npm start` and the Docker image run the server with. */
const SHIPPED_NODE_ARGS = '--initial-heap-size=128';

/**
 * Node options for the server process: OMNIBROKER_BENCH_NODE_ARGS when set, else the shipped
 * ones, so the benchmark measures the server as it ships.
 */
function nodeArgs(): string[] {
  return (process.env.OMNIBROKER_BENCH_NODE_ARGS ?? SHIPPED_NODE_ARGS).split(/\s+/).filter(Boolean);
}

export async function startOmnibroker(protocols: string[], extraArgs: string[] = benchArgs()): Promise<Omnibroker> {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const args = [...nodeArgs(), CLI, '--host', '127.0.0.1', '--protocols', protocols.join(','), '--log-level', 'warn'];
  for (const p of ['sqs', 'amqp', 'kafka', 'http']) args.push(`--${p}-port`, '0');
  const proc = await startServer(process.execPath, [...args, ...extraArgs], {
    ready: /^omnibroker ready (.*)$/,
    timeoutMs: 20_000,
    cwd: ROOT,
  });
  const urls: Record<string, string> = {};
  for (const part of (proc.readyMatch[1] ?? '').split(' ')) {
    const eq = part.indexOf('=');
    if (eq > 0) urls[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return { proc, urls };
}
