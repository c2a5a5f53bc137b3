// FIFO queues through @aws-sdk/client-sqs (JSON and Query generations): group ordering and blocking, dedup (explicit,
// content-based, scope), sequence numbers, FIFO error texts, receive request attempt ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAVOURS, sdkError, sdkFor, startSqs, stopSqs, type SqsEnv } from './helpers.js';

describe.each(FLAVOURS)('%s flavour', (flavour) => {
  const { ChangeMessageVisibilityCommand, CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, PurgeQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand } = sdkFor(flavour);
  let env: SqsEnv;
  let n = 0;
  const fifo = async (attrs: Record<string, string> = {}): Promise<string> =>
    (await env.client.send(new CreateQueueCommand({ QueueName: `f${++n}.fifo`, Attributes: { FifoQueue: 'true', ...attrs } }))).QueueUrl as string;

  beforeAll(async () => {
    env = await startSqs(undefined, flavour);
  });
  afterAll(async () => stopSqs(env));

  describe('SQS FIFO queues', () => {
    it('requires MessageGroupId and a dedup id (or content-based dedup); rejects per-message delay', async () => {
      const QueueUrl = await fifo();
      expect(await sdkError(env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })))).toMatchObject({
        name: 'MissingParameter',
        message: 'The request must contain the parameter MessageGroupId.',
      });
      expect(await sdkError(env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g' })))).toMatchObject({
        name: 'InvalidParameterValue',
        message: 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      });
      expect(await sdkError(env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 2 })))).toMatchObject({
        message: 'Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.',
      });
      await env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd0', DelaySeconds: 0 }));
      expect(await sdkError(env.client.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: 'x' }] })))).toMatchObject({
        name: 'InvalidParameterValue',
        message: 'The request must contain the parameter MessageGroupId.',
      });
      expect(await sdkError(env.client.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: 'x', MessageGroupId: 'g' }] })))).toMatchObject({
        name: 'InvalidParameterValue',
        message: 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      });
      expect(await sdkError(env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: '', MessageDeduplicationId: 'd' })))).toMatchObject({
        message: 'Value  for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.',
      });
      await env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd'.repeat(128) }));
      // FIFO batches fail as a whole, and nothing of them is enqueued.
      const small = await fifo({ ContentBasedDeduplication: 'true', MaximumMessageSize: '1024' });
      expect(
        await sdkError(env.client.send(new SendMessageBatchCommand({ QueueUrl: small, Entries: [{ Id: '1', MessageBody: 'ok', MessageGroupId: 'g' }, { Id: '2', MessageBody: 'x'.repeat(1025), MessageGroupId: 'g' }] }))),
      ).toMatchObject({ name: 'InvalidParameterValue', message: 'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.' });
      expect(
        await sdkError(env.client.send(new SendMessageBatchCommand({ QueueUrl: small, Entries: [{ Id: '1', MessageBody: 'ok', MessageGroupId: 'g', DelaySeconds: 3 }] }))),
      ).toMatchObject({ message: 'Value 3 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.' });
      expect((await env.client.send(new ReceiveMessageCommand({ QueueUrl: small }))).Messages).toBeUndefined();
      const ok = await env.client.send(new SendMessageBatchCommand({ QueueUrl: small, Entries: [{ Id: '1', MessageBody: 'a', MessageGroupId: 'g' }, { Id: '2', MessageBody: 'b', MessageGroupId: 'g' }] }));
      expect(ok.Successful?.map((e) => e.SequenceNumber?.length)).toEqual([20, 20]);
      expect(ok.Failed).toBeUndefined();
    });

    it('dedups within the window (also after delete), by content hash, per queue or per group; purge clears it', async () => {
      const QueueUrl = await fifo({ ContentBasedDeduplication: 'true' });
      const a = await env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'same', MessageGroupId: 'g1' }));
      const b = await env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'same', MessageGroupId: 'g2' }));
      expect(b.MessageId).toBe(a.MessageId);
      expect(b.SequenceNumber).toBe(a.SequenceNumber);
      const got = (await env.client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, AttributeNames: ['All'] }))).Messages ?? [];
      expect(got).toHaveLength(1);
      expect(got[0]?.Attributes?.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
      await env.client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: got[0]?.ReceiptHandle }));
      await env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'same', MessageGroupId: 'g1' }));
      expect((await env.client.send(new ReceiveMessageCommand({ QueueUrl }))).Messages).toBeUndefined();
      await env.client.send(new PurgeQueueCommand({ QueueUrl }));
      await env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'same', MessageGroupId: 'g1' }));
      expect((await env.client.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.[0]?.Body).toBe('same');

      expect(await sdkError(fifo({ FifoThroughputLimit: 'perMessageGroupId' }))).toMatchObject({
        name: 'InvalidAttributeValue',
        message: 'The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup',
      });
      const scoped = await fifo({ DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
      await env.client.send(new SendMessageCommand({ QueueUrl: scoped, MessageBody: '1', MessageGroupId: 'g1', MessageDeduplicationId: 'd' }));
      await env.client.send(new SendMessageCommand({ QueueUrl: scoped, MessageBody: '2', MessageGroupId: 'g2', MessageDeduplicationId: 'd' }));
      await env.client.send(new SendMessageCommand({ QueueUrl: scoped, MessageBody: '3', MessageGroupId: 'g2', MessageDeduplicationId: 'd' }));
      const two = (await env.client.send(new ReceiveMessageCommand({ QueueUrl: scoped, MaxNumberOfMessages: 10 }))).Messages ?? [];
      expect(two.map((m) => m.Body).sort()).toEqual(['1', '2']);
    });

    it('orders per group, blocks a group while in flight, unblocks on delete or visibility 0', async () => {
      const QueueUrl = await fifo({ ContentBasedDeduplication: 'true' });
      const seqs: string[] = [];
      for (const [g, b] of [['g1', 'g1-m1'], ['g2', 'g2-m1'], ['g1', 'g1-m2'], ['g1', 'g1-m3'], ['g3', 'g3-m1'], ['g3', 'g3-m2']] as const) {
        const r = await env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: b, MessageGroupId: g }));
        seqs.push(r.SequenceNumber as string);
      }
      for (let i = 1; i < seqs.length; i++) expect(BigInt(seqs[i] as string) > BigInt(seqs[i - 1] as string)).toBe(true);
      const first = (await env.client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 4, AttributeNames: ['All'] }))).Messages ?? [];
      expect(first.map((m) => m.Body)).toEqual(['g1-m1', 'g1-m2', 'g1-m3', 'g2-m1']);
      expect(first[0]?.Attributes).toMatchObject({ MessageGroupId: 'g1', SequenceNumber: seqs[0] });
      const attrs = (await env.client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes;
      expect(attrs).toMatchObject({ ApproximateNumberOfMessages: '2', ApproximateNumberOfMessagesNotVisible: '4' });
      const next = (await env.client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }))).Messages ?? [];
      expect(next.map((m) => m.Body)).toEqual(['g3-m1']);
      // g3 is blocked while g3-m1 is in flight; g1/g2 are in flight too.
      expect((await env.client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages).toBeUndefined();
      await env.client.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: next[0]?.ReceiptHandle, VisibilityTimeout: 0 }));
      const again = (await env.client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages ?? [];
      expect(again.map((m) => m.Body)).toEqual(['g3-m1', 'g3-m2']);
    });

    it('ReceiveRequestAttemptId replays the same messages and handles', async () => {
      const QueueUrl = await fifo({ ContentBasedDeduplication: 'true' });
      await env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'a', MessageGroupId: 'g' }));
      await env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'b', MessageGroupId: 'h' }));
      const r1 = (await env.client.send(new ReceiveMessageCommand({ QueueUrl, ReceiveRequestAttemptId: 'attempt-1' }))).Messages ?? [];
      const r2 = (await env.client.send(new ReceiveMessageCommand({ QueueUrl, ReceiveRequestAttemptId: 'attempt-1' }))).Messages ?? [];
      expect(r2.map((m) => [m.MessageId, m.ReceiptHandle])).toEqual(r1.map((m) => [m.MessageId, m.ReceiptHandle]));
      const r3 = (await env.client.send(new ReceiveMessageCommand({ QueueUrl, ReceiveRequestAttemptId: 'attempt-2' }))).Messages ?? [];
      expect(r3.map((m) => m.Body)).toEqual(['b']);
    });
  });
});
