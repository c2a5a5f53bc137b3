// Starts a whole omnibroker in-process on ephemeral ports for one test file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testConfig, type Config } from '../../src/config.js';
import type { Clock } from '../../src/core/index.js';
import { startServer, type RunningServer } from '../../src/server.js';

export interface TestServer extends RunningServer {
  readonly dataDir: string;
  stop(): Promise<void>;
}

export async function startTestServer(overrides: Partial<Config> = {}, clock?: Clock): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'omnibroker-test-'));
  const server = await startServer(testConfig({ ...overrides }), clock ? { clock } : {});
  return Object.assign(Object.create(server) as RunningServer, server, {
    dataDir,
    async stop() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}
