// Predeclared queues from the --config `sqs` section, its startup validation, and the admin
// test affordances on the HTTP admin port (peek without side effects, reset).
import { GetQueueAttributesCommand, ListQueueTagsCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqs } from '../../src/sqs/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let client: SQSClient;
let admin: string;
const url = (name: string) => `http://127.0.0.1:${server.ports.sqs}/000000000000/${name}`;

beforeAll(async () => {
  server = await startTestServer({
    protocols: ['sqs'],
    resources: {
      sqs: {
        queues: [
          { name: 'orders.fifo', attributes: { FifoQueue: 'true', ContentBasedDeduplication: true }, tags: { team: 'shop' }, deadLetterQueue: { name: 'orders-dlq.fifo', maxReceiveCount: 3 } },
          { name: 'orders-dlq.fifo', attributes: { FifoQueue: 'true' } },
          { name: 'plain', attributes: { VisibilityTimeout: 5 } },
        ],
      },
    },
  });
  client = new SQSClient({ endpoint: `http://127.0.0.1:${server.ports.sqs}`, region: 'us-east-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
  admin = `http://127.0.0.1:${server.ports.http}`;
});
afterAll(async () => {
  client.destroy();
  await server.stop();
});

describe('SQS predeclared queues and admin routes', () => {
  it('creates predeclared queues with attributes, tags and redrive (targets first)', async () => {
    const a = (await client.send(new GetQueueAttributesCommand({ QueueUrl: url('orders.fifo'), AttributeNames: ['All'] }))).Attributes;
    expect(a).toMatchObject({ FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    expect(JSON.parse(a?.RedrivePolicy ?? '{}')).toEqual({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:orders-dlq.fifo', maxReceiveCount: 3 });
    expect((await client.send(new ListQueueTagsCommand({ QueueUrl: url('orders.fifo') }))).Tags).toEqual({ team: 'shop' });
    expect((await client.send(new GetQueueAttributesCommand({ QueueUrl: url('plain'), AttributeNames: ['VisibilityTimeout'] }))).Attributes).toEqual({ VisibilityTimeout: '5' });
  });

  it('rejects bad config sections with a JSON path', () => {
    expect(() => sqs.checkResources?.({ queues: [{ name: 1 }] }, '$.sqs')).toThrow('$.sqs.queues[0].name: expected a string');
    expect(() => sqs.checkResources?.({ queues: [{ name: 'a', deadLetterQueue: { name: 'b', maxReceiveCount: 1 } }] }, '$.sqs')).toThrow("queue 'b' is not declared");
    expect(() => sqs.checkResources?.({ queue: [] }, '$.sqs')).toThrow('$.sqs.queue: unknown key');
  });

  it('refuses to start when a predeclared queue breaks an SQS rule', async () => {
    await expect(startTestServer({ protocols: ['sqs'], resources: { sqs: { queues: [{ name: 'bad', attributes: { VisibilityTimeout: 99999 } }] } } })).rejects.toThrow(
      "cannot create SQS queue 'bad': InvalidAttributeValue: Invalid value for the parameter VisibilityTimeout.",
    );
  });

  it('peeks at messages without changing visibility or receive counts, then resets everything', async () => {
    await client.send(new SendMessageCommand({ QueueUrl: url('plain'), MessageBody: 'peek me', MessageAttributes: { a: { DataType: 'String', StringValue: 'b' } } }));
    await client.send(new SendMessageCommand({ QueueUrl: url('plain'), MessageBody: 'second' }));
    await client.send(new ReceiveMessageCommand({ QueueUrl: url('plain') }));
    const peek = (await (await fetch(`${admin}/sqs/queues/plain/messages`)).json()) as { messages: { body: string; state: string; receiveCount: number; messageAttributes?: unknown }[] };
    expect(peek.messages.map((m) => [m.body, m.state, m.receiveCount])).toEqual([['second', 'ready', 0], ['peek me', 'leased', 1]]);
    expect(peek.messages[1]?.messageAttributes).toEqual({ a: { DataType: 'String', StringValue: 'b' } });
    const again = (await (await fetch(`${admin}/sqs/queues/plain/messages`)).json()) as { messages: { receiveCount: number }[] };
    expect(again.messages.map((m) => m.receiveCount)).toEqual([0, 1]);
    const got = (await client.send(new ReceiveMessageCommand({ QueueUrl: url('plain'), MessageSystemAttributeNames: ['ApproximateReceiveCount'] }))).Messages ?? [];
    expect(got.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([['second', '1']]);
    expect((await fetch(`${admin}/sqs/queues/nope/messages`)).status).toBe(404);
    const list = (await (await fetch(`${admin}/sqs/queues`)).json()) as { queues: { name: string }[] };
    expect(list.queues.map((q) => q.name).sort()).toEqual(['orders-dlq.fifo', 'orders.fifo', 'plain']);
    const reset = await fetch(`${admin}/sqs/reset`, { method: 'POST' });
    expect(await reset.json()).toEqual({ reset: true, queuesDeleted: 3 });
    const after = (await (await fetch(`${admin}/sqs/queues`)).json()) as { queues: unknown[] };
    expect(after.queues).toEqual([]);
    // No name-reuse wait after a reset: the slate is clean.
    const r = await fetch(`http://127.0.0.1:${server.ports.sqs}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.CreateQueue' },
      body: JSON.stringify({ QueueName: 'plain' }),
    });
    expect(r.status).toBe(200);
  });
});
