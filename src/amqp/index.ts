// AMQP 0-9-1 front-end entry point. Until the protocol lands, a client gets the AMQP
// protocol header back and a closed socket: the spec's answer to a header we will not serve.
import type { FrontEndModule, FrontEndState } from '../shared/front-end.js';
import { listenTcp } from '../shared/tcp-server.js';

const PROTOCOL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);

export const amqp: FrontEndModule = {
  name: 'amqp',
  async start(_core, config, log) {
    const server = await listenTcp({
      host: config.host,
      port: config.amqpPort,
      label: 'AMQP',
      flag: '--amqp-port',
      log,
      onConnection(socket, id) {
        log.info({ proto: 'amqp', conn: id, remote: socket.remoteAddress }, 'connection opened');
        socket.once('close', () => log.info({ proto: 'amqp', conn: id }, 'connection closed'));
        socket.on('error', () => socket.destroy());
        socket.once('data', () => socket.end(PROTOCOL_HEADER));
        return { shutdown: () => void socket.end() };
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
