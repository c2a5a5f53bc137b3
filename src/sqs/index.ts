// SQS front-end entry point. Until the SQS API lands, every request gets AWS's own
// "unknown operation" answer in the flavour it was sent in, never a hang.
import Fastify from 'fastify';
import type { FrontEndModule, FrontEndState } from '../shared/front-end.js';
import { listenError } from '../shared/tcp-server.js';

export const sqs: FrontEndModule = {
  name: 'sqs',
  async start(_core, config, log) {
    const app = Fastify({ logger: false });
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.all('/*', async (req, reply) => {
      const target = req.headers['x-amz-target'];
      if (typeof target === 'string') {
        return reply
          .code(400)
          .header('content-type', 'application/x-amz-json-1.0')
          .header('x-amzn-query-error', 'AWS.SimpleQueueService.UnsupportedOperation;Sender')
          .send({ __type: 'com.amazonaws.sqs#UnsupportedOperation', message: 'This operation is not supported yet.' });
      }
      return reply
        .code(400)
        .header('content-type', 'text/xml')
        .send('<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type><Code>AWS.SimpleQueueService.UnsupportedOperation</Code><Message>This operation is not supported yet.</Message><Detail/></Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>');
    });
    try {
      await app.listen({ host: config.host, port: config.sqsPort });
    } catch (err) {
      throw listenError(err as NodeJS.ErrnoException, { host: config.host, port: config.sqsPort, label: 'SQS', flag: '--sqs-port' });
    }
    const port = (app.server.address() as { port: number }).port;
    let state: FrontEndState = 'running';
    log.debug({ proto: 'sqs', port }, 'listening');
    return {
      name: 'sqs',
      port,
      url: `http://${config.advertisedHost}:${port}`,
      state: () => state,
      async close() {
        state = 'stopping';
        await app.close();
        state = 'stopped';
      },
    };
  },
};
