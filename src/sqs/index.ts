// SQS front-end entry point: builds the HTTP app over the core's `sqs` queue namespace,
// loads predeclared queues from --config, and adds admin routes (peek, reset) to the HTTP
// admin listener.

import type { FrontEndModule, FrontEndState } from '../shared/front-end.js';
import { listenError } from '../shared/tcp-server.js';
import { registerSqsAdmin } from './admin.js';
import { buildApp } from './app.js';
import { SqsContext } from './context.js';
import { checkSqsResources, loadSqsResources } from './resources.js';

export const sqs: FrontEndModule = {
  name: 'sqs',
  checkResources: checkSqsResources,
  async start(core, config, log) {
    const ctx = new SqsContext(core);
    let port = config.sqsPort;
    const shutdown = new AbortController();
    const app = buildApp(ctx, {
      shutdown: shutdown.signal,
      fallbackOrigin: () => `http://${config.advertisedHost}:${port}`,
      onError: (err) => log.error({ err }, 'SQS request failed'),
    });
    loadSqsResources(ctx, config.resources.sqs, () => `http://${config.advertisedHost}:${port}`);
    try {
      await app.listen({ host: config.host, port: config.sqsPort });
    } catch (err) {
      throw listenError(err as NodeJS.ErrnoException, { host: config.host, port: config.sqsPort, label: 'SQS', flag: '--sqs-port' });
    }
    port = (app.server.address() as { port: number }).port;
    let state: FrontEndState = 'running';
    log.debug({ proto: 'sqs', port }, 'listening');
    return {
      name: 'sqs',
      port,
      url: `http://${config.advertisedHost}:${port}`,
      state: () => state,
      registerAdmin: (admin) => registerSqsAdmin(admin, ctx),
      async close() {
        state = 'stopping';
        for (const t of ctx.tasks) t.cancel();
        shutdown.abort();
        await app.close();
        state = 'stopped';
      },
    };
  },
};
