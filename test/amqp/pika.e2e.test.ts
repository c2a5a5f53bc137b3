// A third client, pika (Python, Debian's python3-pika), run as a subprocess against the server.
// Skipped only where /usr/bin/python3 cannot import pika (CI installs it).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { amqpServerPerFile, hasPika, PYTHON } from './helpers.js';


const server = amqpServerPerFile();

test.skipIf(!hasPika)('pika: topology, confirms, returns, get/nack/consume, channel errors, x-death', async () => {
  const script = fileURLToPath(new URL('./python/pika_client.py', import.meta.url));
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(PYTHON, [script, String(server().ports.amqp)], { timeout: 20000 }, (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out)));
  });
  const out = JSON.parse(stdout) as Record<string, unknown>;
  expect(out).toEqual({
    server_named: true,
    unroutable: 'returned',
    get: ['hello', { n: 1, s: 'x', l: [1, 'a'], t: { k: true } }, 4, 'c1', 0, false],
    redelivered: true,
    consumed: ['0', '1', '2'],
    passive: [404, "NOT_FOUND - no queue 'pika-missing' in vhost '/'"],
    inequivalent: [406, "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'pika-eq' in vhost '/': received 'true' but current is 'false'"],
    x_death: [['original-expiration', 'count', 'reason', 'queue', 'time', 'exchange', 'routing-keys'], 1, 'rejected', 'pika-work', '', ['pika-work'], '60000', 'datetime', null],
    first_last: ['pika-work', 'rejected', ''],
  });
});
