// librdkafka's mock cluster as the Kafka peer: bench/peers/kafka-mock.c is compiled with cc against
// Debian's librdkafka-dev into bench/peers/build/ (git-ignored) when missing or older than its
// source, started with the benchmark's topics pre-created, and killed at the end.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { PEERS_DIR } from '../lib/peers.js';
import { run, startServer, type ServerProcess } from '../lib/proc.js';

const SOURCE = `${PEERS_DIR}kafka-mock.c`;
const BINARY = `${PEERS_DIR}build/kafka-mock`;

export async function buildMock(): Promise<void> {
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= statSync(SOURCE).mtimeMs) return;
  mkdirSync(`${PEERS_DIR}build`, { recursive: true });
  const r = await run('cc', ['-O2', '-Wall', '-o', BINARY, SOURCE, '-lrdkafka', '-lpthread'], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`cc kafka-mock.c failed (is librdkafka-dev installed?): ${r.stderr.trim().split('\n').slice(0, 3).join(' | ')}`);
}

export async function startMock(topics: { name: string; partitions: number }[]): Promise<{ proc: ServerProcess; bootstrap: string }> {
  await buildMock();
  const proc = await startServer(
    BINARY,
    topics.map((t) => `${t.name}:${t.partitions}`),
    { ready: /^kafka-mock ready (\S+)$/, timeoutMs: 10_000 },
  );
  return { proc, bootstrap: proc.readyMatch[1]! };
}
