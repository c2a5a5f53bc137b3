// SQS front-end entry point: builds the HTTP app over the core's `sqs` queue namespace,
// restores queues and messages from --data-dir (src/sqs/persistence/), loads predeclared
// queues from --config, and adds admin routes (peek, reset) to the HTTP admin listener.

import { fileStoreOf } from '../core/index.js';
import type { FrontEndModule, FrontEndState } from '../shared/front-end.js';
import { listenError } from '../shared/tcp-server.js';
import { registerSqsAdmin } from './admin.js';
import { buildApp } from './app.js';
import { SqsContext } from './context.js';
import { SqsPersistence } from './persistence/sqs-persistence.js';
import { checkSqsResources, loadSqsResources } from './resources.js';

export const sqs: FrontEndModule = {
  name: 'sqs',
  checkResources: checkSqsResources,
  async start(core, config, log) {
    const ctx = new SqsContext(core);
    // --data-dir: queues, messages and FIFO state come back before the port opens.
    const files = fileStoreOf(core.store);
    if (files) SqsPersistence.restore(ctx, files, log);
    let port = config.sqsPort;
    const shutdown = new AbortController();
    const advertisedOrigin = () => `http://${config.advertisedHost}:${port}`;
    const app = buildApp(ctx, {
      shutdown: shutdown.signal,
      // Queue URLs follow the request's Host unless --advertised-host names the host to mint.
      advertisedOrigin,
      ignoreHostHeader: config.advertisedHostFixed,
      onError: (err) => log.error({ err }, 'SQS request failed'),
    });
    loadSqsResources(ctx, config.resources.sqs, advertisedOrigin);
    await ctx.durable?.save();
    try {
      port = await app.listen(config.host, config.sqsPort);
    } catch (err) {
      throw listenError(err as NodeJS.ErrnoException, { host: config.host, port: config.sqsPort, label: 'SQS', flag: '--sqs-port' });
    }
    let state: FrontEndState = 'running';
    log.debug({ proto: 'sqs', port }, 'listening');
    // One line per HTTP connection opened and closed, as for the binary protocols.
    let connectionIds = 0;
    app.server.on('connection', (socket) => {
      const conn = ++connectionIds;
      const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
      log.info({ conn, remote }, 'connection opened');
      socket.once('close', (hadError) => log.info({ conn, remote, hadError }, 'connection closed'));
    });
    return {
      name: 'sqs',
      port,
      url: `http://${config.advertisedHost}:${port}`,
      state: () => state,
      registerAdmin: (admin) => registerSqsAdmin(admin, ctx),
      async close() {
        state = 'stopping';
        // A task running at shutdown resumes after a restart with --data-dir.
        for (const t of ctx.tasks) {
          if (ctx.durable) t.stop();
          else t.cancel();
        }
        shutdown.abort();
        // Idle keep-alive sockets close now, busy ones once their answer is written.
        await app.close();
        if (ctx.durable) {
          // Dead-letter and move-task copies that became durable still write their source's removal.
          await ctx.durable.state.settled();
          await ctx.durable.save().catch((err: unknown) => log.error({ err }, 'cannot save SQS definitions'));
        }
        state = 'stopped';
      },
    };
  },
};
