// --data-dir I/O behaviour seen through the official SDK: concurrent sends share fsyncs
// (group commit) while each answer still waits for its own write (a gated disk holds
// sends and deletes back), and a failing disk
// (ENOSPC) makes sends answer HTTP 500 InternalError while receives keep working, until the
// disk recovers. The engine's I/O object is wrapped in-process to count and to fail.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, DeleteMessageBatchCommand, DeleteMessageCommand, SendMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeIo } from '../../src/core/storage/io.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { sdkError } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'omnibroker-sqs-io-'));
let server: TestServer;
let client: SQSClient;
const original = { ...nodeIo };

beforeAll(async () => {
  server = await startTestServer({ protocols: ['sqs'], dataDir: dir, fsync: 'always' });
  client = new SQSClient({ endpoint: `http://127.0.0.1:${server.ports.sqs}`, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
});
afterAll(async () => {
  Object.assign(nodeIo, original);
  client.destroy();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('SQS on the storage engine', () => {
  it('concurrent sends share fsyncs (group commit) and deletes are journalled too', async () => {
    const QueueUrl = (await client.send(new CreateQueueCommand({ QueueName: 'group' }))).QueueUrl as string;
    let fsyncs = 0;
    nodeIo.fsync = (fd, path) => {
      fsyncs++;
      return original.fsync(fd, path);
    };
    const sends = 200;
    const ids = await Promise.all(Array.from({ length: sends }, (_, i) => client.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}` })).then((r) => r.MessageId)));
    nodeIo.fsync = original.fsync;
    expect(new Set(ids).size).toBe(sends);
    expect(fsyncs).toBeGreaterThan(0);
    expect(fsyncs).toBeLessThan(sends / 4);
    const got = (await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages ?? [];
    const r = await client.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: got.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle as string })) }));
    expect(r.Successful).toHaveLength(10);
  });

  it('SendMessage, SendMessageBatch and DeleteMessage answer only after their write has completed', async () => {
    const QueueUrl = (await client.send(new CreateQueueCommand({ QueueName: 'gated' }))).QueueUrl as string;
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'to-delete' }));
    const [m] = (await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }))).Messages ?? [];
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    nodeIo.writev = async (fd, bufs, position) => {
      await gate;
      return original.writev(fd, bufs, position);
    };
    const answered: string[] = [];
    const calls = [
      client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'gated' })).then(() => answered.push('send')),
      client.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: 'gated-batch' }] })).then(() => answered.push('batch')),
      client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m?.ReceiptHandle as string })).then(() => answered.push('delete')),
    ];
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(answered).toEqual([]);
    } finally {
      open();
      nodeIo.writev = original.writev;
    }
    await Promise.all(calls);
    expect(answered.sort()).toEqual(['batch', 'delete', 'send']);
  });

  it('a full disk answers sends with HTTP 500 while receives go on; sends work again once it recovers', async () => {
    const QueueUrl = (await client.send(new CreateQueueCommand({ QueueName: 'full' }))).QueueUrl as string;
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'before' }));
    nodeIo.writev = () => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
    expect(await sdkError(client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'during-1' })))).toMatchObject({ name: 'InternalError', status: 500 });
    expect(await sdkError(client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'during-2' })))).toMatchObject({ name: 'InternalError', status: 500 });
    const got = (await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }))).Messages ?? [];
    expect(got.map((m) => m.Body)).toContain('before');
    nodeIo.writev = original.writev;
    // The engine retries the failed batch every 500 ms; then writes are accepted again.
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'after' }));
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const attrs = (await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes;
    expect(Number(attrs?.ApproximateNumberOfMessages)).toBeGreaterThanOrEqual(2);
  });
});
