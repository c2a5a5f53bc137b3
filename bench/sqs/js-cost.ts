// bench/sqs/js-cost: the SQS app's own JavaScript cost per request, in process, with no kernel
// and no client in the way. A fake socket feeds SDK-shaped requests (the head @aws-sdk/client-sqs
// sends, 100-byte bodies) straight into the HTTP/1.1 server of src/sqs/lean-http.ts and collects
// the answers; the figure is this process's user+system CPU (process.cpuUsage) per request.
// Far less noisy than server-cost.ts on a shared machine, but it leaves out everything
// node:net and the kernel do (read/write system calls, loopback TCP, event-loop wake-ups).
// Usage: npm run build && npx tsx bench/sqs/js-cost.ts (JS_COST_N=requests, JS_COST_ROUNDS=rounds,
// JS_COST_DIST=/path/to/other/dist to measure another build).
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

// The built server (dist/, as server-cost.ts runs it), or another build's dist/ for A/B runs.
const DIST = process.env.JS_COST_DIST ?? new URL('../../dist/', import.meta.url).pathname;
const { Broker } = (await import(`${DIST}/core/index.js`)) as typeof import('../../src/core/index.js');
const { buildApp } = (await import(`${DIST}/sqs/app.js`)) as typeof import('../../src/sqs/app.js');
const { SqsContext } = (await import(`${DIST}/sqs/context.js`)) as typeof import('../../src/sqs/context.js');

const N = Number(process.env.JS_COST_N ?? 100_000);
const ROUNDS = Number(process.env.JS_COST_ROUNDS ?? 3);
const BODY = 'x'.repeat(100);

class FakeSocket extends EventEmitter {
  readonly out: string[] = [];
  setNoDelay(): void {}
  setTimeout(): void {}
  isPaused(): boolean {
    return false;
  }
  resume(): void {}
  pause(): void {}
  end(): void {}
  write(s: string): boolean {
    this.out.push(s);
    return true;
  }
}

const ctx = new SqsContext(new Broker());
const app = buildApp(ctx, { advertisedOrigin: () => 'http://127.0.0.1:1', shutdown: new AbortController().signal, onError: (e) => console.error(e) });
const sock = new FakeSocket();
app.server.emit('connection', sock as unknown as Socket);

// The head @aws-sdk/client-sqs 3.x sends (captured on the wire), signature and all.
const request = (action: string, input: unknown): Buffer => {
  const body = JSON.stringify(input);
  return Buffer.from(
    `POST / HTTP/1.1\r\ncontent-type: application/x-amz-json-1.0\r\nx-amz-target: AmazonSQS.${action}\r\nx-amzn-query-mode: true\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nx-amz-user-agent: aws-sdk-js/3.1168.0\r\n` +
      `user-agent: aws-sdk-js/3.1168.0 ua/2.1 os/linux#6.18.44 lang/js md/nodejs#20.20.2 api/sqs#3.1168.0 m/N,E,e\r\nhost: 127.0.0.1:37343\r\n` +
      `amz-sdk-invocation-id: 68f219ec-17a9-488a-80a2-b86decc92c6d\r\namz-sdk-request: attempt=1; max=1\r\nx-amz-date: 20261123T135413Z\r\n` +
      `x-amz-content-sha256: c8fa8de521454bd6b2c254d035ed38be7bfb3d238424481269f0d52627624fa0\r\n` +
      `authorization: AWS4-HMAC-SHA256 Credential=a/20261123/us-east-1/sqs/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent;x-amzn-query-mode, Signature=ad85343744761f1ce45a04842fda59b22f773d9b0c80d7082d8e67c69ab1935e\r\n` +
      `Connection: keep-alive\r\n\r\n${body}`,
  );
};

/** Sends one request and waits (a few microtask turns at most) for its answer's JSON. */
async function call(raw: Buffer): Promise<Record<string, unknown>> {
  sock.out.length = 0;
  sock.emit('data', raw);
  for (let i = 0; i < 50 && sock.out.length === 0; i++) await null;
  const text = sock.out[0] ?? '';
  return JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
}

async function measure(name: string, n: number, op: () => Promise<number>): Promise<void> {
  for (let i = 0; i < n / 10; i++) await op(); // warm-up
  let requests = 0;
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) requests += await op();
  const cpu = process.cpuUsage(before);
  console.log(`| ${name} | ${((cpu.user + cpu.system) / requests).toFixed(1)} |`);
}

const url = (await call(request('CreateQueue', { QueueName: 'js-cost' }))).QueueUrl as string;
const send = request('SendMessage', { QueueUrl: url, MessageBody: BODY });
const batch = request('SendMessageBatch', { QueueUrl: url, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: BODY })) });
const receive = request('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 1, VisibilityTimeout: 60 });
for (let r = 0; r < ROUNDS; r++) {
  console.log('| request (SDK-shaped head, in process) | JS CPU µs/request |');
  console.log('|---|---|');
  await measure('JSON SendMessage', N, async () => (await call(send), 1));
  await measure('JSON SendMessageBatch (10)', N / 10, async () => (await call(batch), 1));
  // Each round trip receives one of the messages sent above and deletes it (2 requests).
  await measure('JSON ReceiveMessage(1)+DeleteMessage', N / 10, async () => {
    const out = (await call(receive)) as { Messages?: { ReceiptHandle: string }[] };
    const handle = out.Messages?.[0]?.ReceiptHandle;
    if (handle === undefined) throw new Error('receive loop ran the queue dry');
    await call(request('DeleteMessage', { QueueUrl: url, ReceiptHandle: handle }));
    return 2;
  });
}
