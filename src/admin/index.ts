// The HTTP admin listener: /health now; the management API, metrics and dashboard later.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Broker } from '../core/index.js';
import type { Config } from '../config.js';
import type { FrontEnd } from '../shared/front-end.js';
import type { Logger } from '../shared/logger.js';
import { listenError } from '../shared/tcp-server.js';

export interface AdminServer {
  readonly port: number;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

export async function startAdmin(core: Broker, config: Config, frontEnds: () => readonly FrontEnd[], log: Logger): Promise<AdminServer> {
  const app = Fastify({ logger: false });
  app.get('/health', async () => {
    const protocols: Record<string, { state: string; port: number; url: string }> = {};
    for (const f of frontEnds()) protocols[f.name] = { state: f.state(), port: f.port, url: f.url };
    const healthy = Object.values(protocols).every((p) => p.state === 'running');
    return { status: healthy ? 'ok' : 'degraded', storage: core.store.kind, protocols };
  });
  for (const f of frontEnds()) f.registerAdmin?.(app);
  try {
    await app.listen({ host: config.host, port: config.httpPort });
  } catch (err) {
    throw listenError(err as NodeJS.ErrnoException, { host: config.host, port: config.httpPort, label: 'HTTP admin', flag: '--http-port' });
  }
  const port = (app.server.address() as { port: number }).port;
  log.debug({ proto: 'http', port }, 'listening');
  return { port, app, close: () => app.close() };
}
