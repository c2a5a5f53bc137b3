// Starts a whole omnibroker in-process on ephemeral ports for one test file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { testConfig, type Config } from '../../src/config.js';
import type { Clock } from '../../src/core/index.js';
import { startServer, type RunningServer } from '../../src/server.js';

export interface TestServer extends RunningServer {
  /** A temp directory for the test's own files (e.g. HOME for a CLI); not the server's --data-dir. */
  readonly scratchDir: string;
  stop(): Promise<void>;
}

export async function startTestServer(overrides: Partial<Config> = {}, clock?: Clock): Promise<TestServer> {
  const server = await startServer(testConfig(overrides), clock ? { clock } : {});
  const scratchDir = mkdtempSync(join(tmpdir(), 'omnibroker-test-'));
  return {
    ...server,
    scratchDir,
    async stop() {
      await server.close();
      rmSync(scratchDir, { recursive: true, force: true });
    },
  };
}

/**
 * Makes data directories under the OS temp dir, all removed after the calling file's tests.
 * Call it at the top of a test file, before the file's own afterAll: vitest runs after-hooks in
 * reverse order, so servers the file stops there are stopped before their directories go.
 */
export function dataDirs(prefix: string): () => string {
  const made: string[] = [];
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    made.push(d);
    return d;
  };
}

