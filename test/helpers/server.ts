// Starts a whole omnibroker in-process on ephemeral ports for one test file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
