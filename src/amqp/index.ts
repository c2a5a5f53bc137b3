// AMQP 0-9-1 front-end entry point: listens, runs one Connection per socket over the shared
// core, and on close() sends every client connection.close 320 CONNECTION_FORCED first, as a
// stopping RabbitMQ node does. Limits come from AMQP_* options (see docs/amqp.md).

import type { FrontEndModule, FrontEndState } from '../shared/front-end.js';
import { listenTcp } from '../shared/tcp-server.js';
import { Connection, type AmqpSettings, type ServerContext } from './connection.js';
import { applyResources, parseResources } from './resources.js';
import { LIMITS } from './spec.js';

function intOption(extra: Record<string, string>, key: string, fallback: number): number {
  const raw = extra[key];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`invalid value '${raw}' for ${key}: expected a non-negative integer`);
  return n;
}

export const amqp: FrontEndModule = {
  name: 'amqp',
  checkResources(section, path) {
    parseResources(section, path);
  },
  async start(core, config, log) {
    const resources = parseResources(config.resources['amqp'], '$.amqp');
    const x = config.extra;
    const settings: AmqpSettings = {
      frameMax: intOption(x, 'AMQP_FRAME_MAX', LIMITS.frameMax),
      channelMax: intOption(x, 'AMQP_CHANNEL_MAX', LIMITS.channelMax),
      heartbeat: intOption(x, 'AMQP_HEARTBEAT', LIMITS.heartbeat),
      maxMessageSize: intOption(x, 'AMQP_MAX_MESSAGE_SIZE', LIMITS.maxMessageSize),
      handshakeTimeoutMs: intOption(x, 'AMQP_HANDSHAKE_TIMEOUT_MS', LIMITS.handshakeTimeoutMs),
      mechanisms: (x['AMQP_AUTH_MECHANISMS'] ?? 'PLAIN AMQPLAIN ANONYMOUS').split(/[ ,]+/).filter(Boolean),
      users: resources.users,
      socketHighWater: intOption(x, 'AMQP_SOCKET_HIGH_WATER', 4 * 1024 * 1024),
      queueHighWater: intOption(x, 'AMQP_QUEUE_HIGH_WATER', 64 * 1024 * 1024),
    };
    const ctx: ServerContext = {
      core,
      settings,
      vhosts: applyResources(core, resources),
      log,
      connections: new Set(),
      product: 'RabbitMQ',
      version: '4.2.0',
    };
    const server = await listenTcp({
      host: config.host,
      port: config.amqpPort,
      label: 'AMQP',
      flag: '--amqp-port',
      log,
      onConnection(socket, id) {
        const conn = new Connection(socket, id, ctx);
        return { shutdown: () => conn.shutdown() };
      },
    });
    let state: FrontEndState = 'running';
    return {
      name: 'amqp',
      port: server.port,
      url: `amqp://${config.advertisedHost}:${server.port}`,
      state: () => state,
      async close() {
        state = 'stopping';
        await server.close();
        state = 'stopped';
      },
    };
  },
};
