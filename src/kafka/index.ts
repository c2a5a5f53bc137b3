// Kafka front-end entry point. Until the protocol lands, connections are closed on their first
// request, which Kafka clients treat as a broker that cannot serve them (never a hang).
import type { FrontEndModule, FrontEndState } from '../shared/front-end.js';
import { listenTcp } from '../shared/tcp-server.js';

export const kafka: FrontEndModule = {
  name: 'kafka',
  async start(_core, config, log) {
    const server = await listenTcp({
      host: config.host,
      port: config.kafkaPort,
      label: 'Kafka',
      flag: '--kafka-port',
      log,
      onConnection(socket, id) {
        log.info({ proto: 'kafka', conn: id, remote: socket.remoteAddress }, 'connection opened');
        socket.once('close', () => log.info({ proto: 'kafka', conn: id }, 'connection closed'));
        socket.on('error', () => socket.destroy());
        socket.once('data', () => socket.destroy());
        return { shutdown: () => void socket.destroy() };
      },
    });
    let state: FrontEndState = 'running';
    return {
      name: 'kafka',
      port: server.port,
      url: `${config.advertisedHost}:${server.port}`,
      state: () => state,
      async close() {
        state = 'stopping';
        await server.close();
        state = 'stopped';
      },
    };
  },
};
