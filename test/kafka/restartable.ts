// Kafka test servers on a --data-dir that a test stops and starts again, each with a kafkajs client.
import { afterAll } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { startTestServer, type TestServer } from '../helpers/server.js';

export interface Restartable {
  /** A Kafka-only server on `dir` (settings `extra` over the file's defaults) and a kafkajs client for it. */
  start(dir: string, extra?: Record<string, string>): Promise<{ server: TestServer; kafka: Kafka }>;
  stop(server: TestServer): Promise<void>;
}

/**
 * Servers still running are stopped after the calling file's tests. Call it after dataDirs():
 * vitest runs after-hooks in reverse order, so the servers stop before their directories go.
 */
export function restartableKafka(clientId: string, defaults: Record<string, string> = {}): Restartable {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
  });
  return {
    async start(dir, extra = {}) {
      const server = await startTestServer({ protocols: ['kafka'], dataDir: dir, extra: { ...defaults, ...extra } });
      servers.push(server);
      const kafka = new Kafka({ clientId, brokers: [`127.0.0.1:${server.ports.kafka}`], logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 50 } });
      return { server, kafka };
    },
    async stop(server) {
      await server.stop();
      servers.splice(servers.indexOf(server), 1);
    },
  };
}
