// bench/sqs/server-cost: the SQS front-end's own CPU cost per request, with no SDK in the way.
// Starts `node dist/cli.js --protocols sqs` on port 0, drives it with a raw node:http keep-alive
// client (32 requests in flight) and prints the server's user+system CPU (from /proc/<pid>/stat)
// per request for: JSON SendMessage, JSON SendMessageBatch of 10, JSON ReceiveMessage(1) +
// DeleteMessage, Query SendMessage. Usage: npm run build && npx tsx bench/sqs/server-cost.ts
// (OMNIBROKER_BENCH_ARGS="--data-dir /tmp/x" for the durable path; BENCH_ROUNDS=N to repeat).
import http from 'node:http';
import { startOmnibroker } from '../lib/omnibroker.js';
import { cpuMs, startServer } from '../lib/proc.js';

const CONCURRENCY = 32;
const MAX_REQUESTS = 20_000;
const MAX_MS = 3000;
const BODY = 'x'.repeat(100);

interface Req {
  body: string;
  headers: Record<string, string>;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
let port = 0;

function call(r: Req): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers: r.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${text}`));
        else resolve(text);
      });
    });
    req.on('error', reject);
    req.setHeader('content-length', Buffer.byteLength(r.body));
    req.end(r.body);
  });
}

const json = (action: string, input: unknown): Req => ({
  body: JSON.stringify(input),
  headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` },
});
const query = (params: Record<string, string>): Req => ({
  body: new URLSearchParams({ Version: '2012-11-05', ...params }).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

/** Runs `op` from CONCURRENCY workers until MAX_REQUESTS calls or MAX_MS; counts requests. */
async function drive(op: () => Promise<number>, maxRequests = MAX_REQUESTS): Promise<{ requests: number; ms: number }> {
  let requests = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (requests < maxRequests && performance.now() - start < MAX_MS) {
      const n = await op(); // not `requests += await op()`: that adds to a stale read
      requests += n;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { requests, ms: performance.now() - start };
}

interface Row {
  name: string;
  usPerRequest: number;
  requestsPerSecond: number;
  serverShare: number;
}

async function measure(pid: number, name: string, op: () => Promise<number>, maxRequests?: number): Promise<Row> {
  await drive(op, 2000); // warm-up: sockets open, code paths compiled on both sides
  const before = cpuMs(pid);
  const r = await drive(op, maxRequests);
  const cpu = cpuMs(pid) - before;
  return { name, usPerRequest: (cpu * 1000) / r.requests, requestsPerSecond: (r.requests * 1000) / r.ms, serverShare: (cpu / r.ms) * 100 };
}

async function round(pid: number): Promise<Row[]> {
  let seq = 0;
  const fresh = async (): Promise<string> => JSON.parse(await call(json('CreateQueue', { QueueName: `cost-${process.pid}-${++seq}` }))).QueueUrl as string;
  const rows: Row[] = [];

  const sendUrl = await fresh();
  const send = json('SendMessage', { QueueUrl: sendUrl, MessageBody: BODY });
  rows.push(await measure(pid, 'JSON SendMessage', async () => (await call(send), 1)));

  const batchUrl = await fresh();
  const batch = json('SendMessageBatch', { QueueUrl: batchUrl, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: BODY })) });
  rows.push(await measure(pid, 'JSON SendMessageBatch (10)', async () => (await call(batch), 1)));

  // Receive+delete drains a queue pre-filled well beyond what the loop can take.
  const recvUrl = await fresh();
  const fill = json('SendMessageBatch', { QueueUrl: recvUrl, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: BODY })) });
  await drive(async () => (await call(fill), 1), 3000);
  const receive = json('ReceiveMessage', { QueueUrl: recvUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 60 });
  rows.push(
    await measure(pid, 'JSON ReceiveMessage(1)+DeleteMessage', async () => {
      const out = JSON.parse(await call(receive)) as { Messages?: { ReceiptHandle: string }[] };
      const handle = out.Messages?.[0]?.ReceiptHandle;
      if (handle === undefined) throw new Error('receive loop ran the queue dry');
      await call(json('DeleteMessage', { QueueUrl: recvUrl, ReceiptHandle: handle }));
      return 2;
    }, 25_000),
  );

  const queryUrl = await fresh();
  const qsend = query({ Action: 'SendMessage', QueueUrl: queryUrl, MessageBody: BODY });
  rows.push(await measure(pid, 'Query SendMessage', async () => (await call(qsend), 1)));
  return rows;
}

// The floor under any node:http server on this machine: one that reads the body and answers a
// canned SendMessage result, no SQS work. Printed as the last row for comparison.
const FLOOR_SERVER = `
const body = JSON.stringify({ MD5OfMessageBody: '0'.repeat(32), MessageId: '00000000-0000-4000-8000-000000000000' });
const s = require('node:http').createServer((req, res) => {
  req.on('data', () => {}).on('end', () => {
    res.writeHead(200, ['content-length', String(body.length), 'content-type', 'application/x-amz-json-1.0']);
    res.end(body);
  });
});
s.keepAliveTimeout = 72000;
s.listen(0, '127.0.0.1', () => console.log('floor ready ' + s.address().port));`;

async function floorRow(): Promise<Row> {
  const floor = await startServer(process.execPath, ['-e', FLOOR_SERVER], { ready: /^floor ready (\d+)$/, timeoutMs: 10_000 });
  const saved = port;
  try {
    port = Number(floor.readyMatch[1]);
    const send = json('SendMessage', { QueueUrl: 'http://127.0.0.1/000000000000/floor', MessageBody: BODY });
    return await measure(floor.pid, 'bare node:http floor (canned answer)', async () => (await call(send), 1));
  } finally {
    port = saved;
    await floor.stop();
  }
}

// BENCH_PORT + BENCH_PID measure a server started by hand (e.g. under `node --cpu-prof`).
const ob = process.env.BENCH_PORT ? undefined : await startOmnibroker(['sqs']);
try {
  port = ob ? Number(new URL(ob.urls.sqs as string).port) : Number(process.env.BENCH_PORT);
  const pid = ob ? ob.proc.pid : Number(process.env.BENCH_PID);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
  for (let i = 0; i < rounds; i++) {
    const rows = await round(pid);
    rows.push(await floorRow());
    console.log(`| request (32 in flight, keep-alive) | server CPU µs/request | requests/s | server % of a core |`);
    console.log(`|---|---|---|---|`);
    for (const r of rows) console.log(`| ${r.name} | ${r.usPerRequest.toFixed(1)} | ${Math.round(r.requestsPerSecond)} | ${r.serverShare.toFixed(0)} |`);
  }
} finally {
  agent.destroy();
  await ob?.proc.stop();
}
