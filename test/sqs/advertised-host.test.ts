// --advertised-host: queue URLs name the configured host (and the bound port) whatever Host the
// SDK sent, so clients in other containers can follow them; without the flag the request's Host
// is used (covered in wire.test.ts).
import { CreateQueueCommand, GetQueueUrlCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let client: SQSClient;

beforeAll(async () => {
  server = await startTestServer({ protocols: ['sqs'], advertisedHost: 'sqs.compose.internal', advertisedHostFixed: true });
  client = new SQSClient({ endpoint: `http://127.0.0.1:${server.ports.sqs}`, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

it('mints queue URLs from --advertised-host instead of the Host header', async () => {
  const expected = `http://sqs.compose.internal:${server.ports.sqs}/000000000000/adv`;
  const created = await client.send(new CreateQueueCommand({ QueueName: 'adv' }));
  expect(created.QueueUrl).toBe(expected);
  expect((await client.send(new GetQueueUrlCommand({ QueueName: 'adv' }))).QueueUrl).toBe(expected);
  expect((await client.send(new ListQueuesCommand({}))).QueueUrls).toEqual([expected]);
});
