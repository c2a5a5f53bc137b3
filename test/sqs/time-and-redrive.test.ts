// Time-dependent rules driven by the core's ManualClock (no sleeps): visibility expiry,
// delays, retention, purge interval, name reuse, dedup window, 12-hour visibility cap, FIFO
// stale handles; then dead-letter queues and message move tasks. JS SDK v3 (JSON and Query
// generations) over real sockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { FLAVOURS, sdkError, sdkFor, startSqs, stopSqs, type SqsEnv } from './helpers.js';

describe.each(FLAVOURS)('%s flavour', (flavour) => {
  const { CancelMessageMoveTaskCommand, ChangeMessageVisibilityCommand, CreateQueueCommand, DeleteMessageCommand, DeleteQueueCommand, GetQueueAttributesCommand, ListDeadLetterSourceQueuesCommand, ListMessageMoveTasksCommand, PurgeQueueCommand, ReceiveMessageCommand, SendMessageCommand, SetQueueAttributesCommand, StartMessageMoveTaskCommand } = sdkFor(flavour);
  let env: SqsEnv;
  const clock = new ManualClock(Date.now());
  let n = 0;
  const create = async (name: string, attrs: Record<string, string> = {}): Promise<string> =>
    (await env.client.send(new CreateQueueCommand({ QueueName: name, Attributes: attrs }))).QueueUrl as string;
  const bodies = async (QueueUrl: string, extra: Record<string, unknown> = {}): Promise<string[]> =>
    ((await env.client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, ...extra }))).Messages ?? []).map((m) => m.Body as string);

  beforeAll(async () => {
    env = await startSqs(clock, flavour);
  });
  afterAll(async () => stopSqs(env));

  describe('SQS time rules (ManualClock)', () => {
    it('visibility timeout expiry, queue delay and per-message delay', async () => {
      const q = await create(`t${++n}`, { DelaySeconds: '5' });
      await env.client.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'queue-delay' }));
      await env.client.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'own-delay', DelaySeconds: 20 }));
      expect(await bodies(q)).toEqual([]);
      clock.advance(5000);
      expect(await bodies(q, { VisibilityTimeout: 10 })).toEqual(['queue-delay']);
      clock.advance(9000);
      expect(await bodies(q)).toEqual([]);
      clock.advance(1000);
      expect(await bodies(q, { VisibilityTimeout: 100 })).toEqual(['queue-delay']);
      clock.advance(5000);
      expect(await bodies(q, { VisibilityTimeout: 100 })).toEqual(['own-delay']);
    });

    it('MessageRetentionPeriod drops old messages', async () => {
      const q = await create(`t${++n}`, { MessageRetentionPeriod: '60' });
      await env.client.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'old' }));
      clock.advance(61_000);
      expect(await bodies(q)).toEqual([]);
    });

    it('PurgeQueue once per 60 s; a deleted name is reusable after 60 s', async () => {
      const q = await create(`t${++n}`);
      await env.client.send(new PurgeQueueCommand({ QueueUrl: q }));
      expect(await sdkError(env.client.send(new PurgeQueueCommand({ QueueUrl: q })))).toMatchObject({ name: 'PurgeQueueInProgress', status: 403 });
      clock.advance(60_000);
      await env.client.send(new PurgeQueueCommand({ QueueUrl: q }));
      await env.client.send(new DeleteQueueCommand({ QueueUrl: q }));
      expect(await sdkError(create(`t${n}`))).toMatchObject({ name: 'QueueDeletedRecently' });
      clock.advance(59_000);
      expect(await sdkError(create(`t${n}`))).toMatchObject({ name: 'QueueDeletedRecently' });
      clock.advance(1_000);
      await create(`t${n}`);
    });

    it('FIFO dedup window is 5 minutes; an expired FIFO handle cannot delete', async () => {
      const q = await create(`t${++n}.fifo`, { FifoQueue: 'true' });
      const send = () => env.client.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd' }));
      const a = await send();
      clock.advance(4 * 60_000);
      expect((await send()).MessageId).toBe(a.MessageId);
      clock.advance(60_000);
      expect((await send()).MessageId).not.toBe(a.MessageId);
      const [m] = (await env.client.send(new ReceiveMessageCommand({ QueueUrl: q, VisibilityTimeout: 10 }))).Messages ?? [];
      clock.advance(11_000);
      expect(await sdkError(env.client.send(new DeleteMessageCommand({ QueueUrl: q, ReceiptHandle: m?.ReceiptHandle })))).toMatchObject({
        name: 'InvalidParameterValue',
        message: `Value ${m?.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`,
      });
      // Extending first and deleting later works.
      const [m2] = (await env.client.send(new ReceiveMessageCommand({ QueueUrl: q, VisibilityTimeout: 10 }))).Messages ?? [];
      await env.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: q, ReceiptHandle: m2?.ReceiptHandle, VisibilityTimeout: 60 }));
      clock.advance(30_000);
      await env.client.send(new DeleteMessageCommand({ QueueUrl: q, ReceiptHandle: m2?.ReceiptHandle }));
    });

    it('total visibility may not exceed 12 hours from the receive', async () => {
      const q = await create(`t${++n}`);
      await env.client.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'x' }));
      const [m] = (await env.client.send(new ReceiveMessageCommand({ QueueUrl: q, VisibilityTimeout: 43200 }))).Messages ?? [];
      clock.advance(1000);
      expect(await sdkError(env.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: q, ReceiptHandle: m?.ReceiptHandle, VisibilityTimeout: 43200 })))).toMatchObject({
        name: 'InvalidParameterValue',
        message: 'Value 43200 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]',
      });
      await env.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: q, ReceiptHandle: m?.ReceiptHandle, VisibilityTimeout: 43199 }));
    });

    it('a long poll ends empty when its wait time passes on the clock', async () => {
      const q = await create(`t${++n}`);
      const waiting = env.client.send(new ReceiveMessageCommand({ QueueUrl: q, WaitTimeSeconds: 20 }));
      await new Promise((r) => setTimeout(r, 50));
      clock.advance(20_000);
      expect((await waiting).Messages).toBeUndefined();
    });
  });

  describe('SQS dead-letter queues and move tasks', () => {
    it('validates RedrivePolicy', async () => {
      const src = await create('rv-src');
      const bad = (policy: string) => sdkError(env.client.send(new SetQueueAttributesCommand({ QueueUrl: src, Attributes: { RedrivePolicy: policy } })));
      const nope = '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:nope","maxReceiveCount":1}';
      expect(await bad(nope)).toMatchObject({ name: 'InvalidParameterValue', message: `Value ${nope} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.` });
      await create('rv-dlq');
      const zero = '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:rv-dlq","maxReceiveCount":0}';
      expect(await bad(zero)).toMatchObject({ message: `Value ${zero} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive.` });
      expect(await bad('{}')).toMatchObject({ message: 'Value {} for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: maxReceiveCount.' });
      expect(await bad('{"maxReceiveCount":5}')).toMatchObject({ message: 'Value {"maxReceiveCount":5} for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: deadLetterTargetArn.' });
      const sns = '{"deadLetterTargetArn":"arn:aws:sns:us-east-1:000000000000:t","maxReceiveCount":5}';
      expect(await bad(sns)).toMatchObject({ message: `Value ${sns} for parameter RedrivePolicy is invalid. Reason: Only SQS queues are valid resources for deadLetterTargetArn.` });
      const fifoTarget = '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:x.fifo","maxReceiveCount":5}';
      expect(await bad(fifoTarget)).toMatchObject({ message: `Value ${fifoTarget} for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same type of queue as the source..` });
      expect(await bad('not json')).toMatchObject({ name: 'InvalidAttributeValue', message: 'Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.' });
      const allow = (policy: string) => sdkError(env.client.send(new SetQueueAttributesCommand({ QueueUrl: src, Attributes: { RedriveAllowPolicy: policy } })));
      for (const p of ['badjson', '[]', '{}', '{"redrivePermission":"dummy"}', '{"redrivePermission":"allowAll","dummy":1}']) {
        expect(await allow(p)).toMatchObject({
          name: 'InvalidAttributeValue',
          message: "Invalid value for the parameter RedriveAllowPolicy. Reason: Amazon SQS can't create the redrive allow policy, as it\u2019s in an unsupported format.",
        });
      }
      expect(await allow('{"redrivePermission":"byQueue"}')).toMatchObject({
        name: 'InvalidParameterValue',
        message: `Value {"redrivePermission":"byQueue"} for parameter RedriveAllowPolicy is invalid. Reason: Amazon SQS can't create the redrive allow policy. When you specify the byQueue permission type, you must also specify one or more sourceQueueArns values.`,
      });
      const denyWithArns = '{"redrivePermission":"denyAll","sourceQueueArns":["arn:aws:sqs:us-east-1:000000000000:x"]}';
      expect(await allow(denyWithArns)).toMatchObject({
        message: `Value ${denyWithArns} for parameter RedriveAllowPolicy is invalid. Reason: Amazon SQS can't create the redrive allow policy. To specify one or more source queue ARNs, you must set redrivePermission to byQueue.`,
      });
    });

    it('moves a message on the receive that would exceed maxReceiveCount, keeping id, body and attributes', async () => {
      const dlq = await create('dl-target');
      const dlqArn = 'arn:aws:sqs:us-east-1:000000000000:dl-target';
      const src = await create('dl-source', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: '1' }) });
      const attrs = (await env.client.send(new GetQueueAttributesCommand({ QueueUrl: src, AttributeNames: ['RedrivePolicy'] }))).Attributes;
      expect(JSON.parse(attrs?.RedrivePolicy ?? '{}')).toEqual({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 });
      const sent = await env.client.send(new SendMessageCommand({ QueueUrl: src, MessageBody: 'poison', MessageAttributes: { a: { DataType: 'String', StringValue: 'b' } } }));
      expect(await bodies(src, { VisibilityTimeout: 0 })).toEqual(['poison']);
      expect(await bodies(src)).toEqual([]);
      const [m] = (await env.client.send(new ReceiveMessageCommand({ QueueUrl: dlq, AttributeNames: ['All'], MessageAttributeNames: ['All'], VisibilityTimeout: 0 }))).Messages ?? [];
      expect(m?.MessageId).toBe(sent.MessageId);
      expect(m?.Body).toBe('poison');
      expect(m?.MessageAttributes).toEqual({ a: { DataType: 'String', StringValue: 'b' } });
      expect(m?.Attributes).toMatchObject({ ApproximateReceiveCount: '2', DeadLetterQueueSourceArn: 'arn:aws:sqs:us-east-1:000000000000:dl-source' });
      const sources = await env.client.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }));
      expect(sources.queueUrls).toEqual([src]);

      // Move it back to its source with a move task (default destination).
      expect(await sdkError(env.client.send(new StartMessageMoveTaskCommand({ SourceArn: 'arn:aws:sqs:us-east-1:000000000000:dl-source' })))).toMatchObject({
        name: 'InvalidParameterValue',
        message: 'Source queue must be configured as a Dead Letter Queue.',
      });
      expect(await sdkError(env.client.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: 'arn:aws:sqs:us-east-1:000000000000:gone' })))).toMatchObject({
        name: 'ResourceNotFoundException',
        status: 404,
        message: "The resource that you specified for the DestinationArn parameter doesn't exist.",
      });
      expect(await sdkError(env.client.send(new StartMessageMoveTaskCommand({ SourceArn: '' })))).toMatchObject({
        message: 'You must use this format to specify the SourceArn: arn:<partition>:<service>:<region>:<account-id>:<resource-id>',
      });
      expect(await sdkError(env.client.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: dlqArn })))).toMatchObject({
        message: 'Source queue arn and destination queue arn cannot be the same.',
      });
      expect(await sdkError(env.client.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 501 })))).toMatchObject({
        message: "Value for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: You must enter a number that's between 1 and 500.",
      });
      const { TaskHandle } = await env.client.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
      expect(JSON.parse(Buffer.from(TaskHandle ?? '', 'base64').toString())).toMatchObject({ sourceArn: dlqArn });
      expect(await sdkError(env.client.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn })))).toMatchObject({
        message: 'There is already a task running. Only one active task is allowed for a source queue arn at a given time.',
      });
      clock.advance(0);
      const tasks = await env.client.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 10 }));
      expect(tasks.Results?.[0]).toMatchObject({ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 1, ApproximateNumberOfMessagesToMove: 1, SourceArn: dlqArn });
      expect(tasks.Results?.[0]?.TaskHandle).toBeUndefined();
      const [back] = (await env.client.send(new ReceiveMessageCommand({ QueueUrl: src, VisibilityTimeout: 0 }))).Messages ?? [];
      expect(back?.MessageId).toBe(sent.MessageId);
      expect(await sdkError(env.client.send(new CancelMessageMoveTaskCommand({ TaskHandle: 'bad' })))).toMatchObject({
        name: 'InvalidParameterValue',
        message: 'Value for parameter TaskHandle is invalid.',
      });
      expect(await sdkError(env.client.send(new CancelMessageMoveTaskCommand({ TaskHandle })))).toMatchObject({ name: 'ResourceNotFoundException', message: 'Task does not exist.' });
    });

    it('FIFO dead-lettering unblocks the group; RedriveAllowPolicy and queue types are enforced', async () => {
      const dlqArn = 'arn:aws:sqs:us-east-1:000000000000:fd-dlq.fifo';
      const dlq = await create('fd-dlq.fifo', { FifoQueue: 'true' });
      const src = await create('fd-src.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) });
      await env.client.send(new SendMessageCommand({ QueueUrl: src, MessageBody: 'first', MessageGroupId: 'g' }));
      await env.client.send(new SendMessageCommand({ QueueUrl: src, MessageBody: 'second', MessageGroupId: 'g' }));
      expect(await bodies(src, { MaxNumberOfMessages: 1, VisibilityTimeout: 0 })).toEqual(['first']);
      // 'first' would be received a second time: it moves, and the group continues with 'second'.
      expect(await bodies(src, { MaxNumberOfMessages: 1 })).toEqual(['second']);
      const [moved] = (await env.client.send(new ReceiveMessageCommand({ QueueUrl: dlq, AttributeNames: ['All'] }))).Messages ?? [];
      expect(moved?.Body).toBe('first');
      expect(moved?.Attributes).toMatchObject({ MessageGroupId: 'g', DeadLetterQueueSourceArn: 'arn:aws:sqs:us-east-1:000000000000:fd-src.fifo' });

      const std = await create('fd-std');
      expect(await sdkError(env.client.send(new SetQueueAttributesCommand({ QueueUrl: std, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) } })))).toMatchObject({
        name: 'InvalidParameterValue',
      });
      const guarded = await create('fd-guarded', { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: ['arn:aws:sqs:us-east-1:000000000000:fd-allowed'] }) });
      expect(guarded).toBeDefined();
      const policy = JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:fd-guarded', maxReceiveCount: 2 });
      expect(await sdkError(create('fd-denied', { RedrivePolicy: policy }))).toMatchObject({ name: 'InvalidParameterValue' });
      await create('fd-allowed', { RedrivePolicy: policy });
      expect(await sdkError(create('fd-bad-allow', { RedriveAllowPolicy: '{"redrivePermission":"sometimes"}' }))).toMatchObject({ name: 'InvalidAttributeValue' });
    });

    it('a running move task can be cancelled and reports progress', async () => {
      const dlqArn = 'arn:aws:sqs:us-east-1:000000000000:mv-dlq';
      const dlq = await create('mv-dlq');
      const dest = await create('mv-dest');
      await create('mv-src', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }) });
      for (let i = 0; i < 5; i++) await env.client.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: `m${i}` }));
      const { TaskHandle } = await env.client.send(
        new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: 'arn:aws:sqs:us-east-1:000000000000:mv-dest', MaxNumberOfMessagesPerSecond: 2 }),
      );
      clock.advance(0);
      const running = (await env.client.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results?.[0];
      expect(running).toMatchObject({ Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 2, ApproximateNumberOfMessagesToMove: 5, MaxNumberOfMessagesPerSecond: 2, TaskHandle });
      const cancelled = await env.client.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
      expect(cancelled.ApproximateNumberOfMessagesMoved).toBe(2);
      clock.advance(5000);
      expect(await bodies(dest)).toEqual(['m0', 'm1']);
      expect((await env.client.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results?.[0]?.Status).toBe('CANCELLED');
      // Messages sent straight to a DLQ have no source to return to.
      await env.client.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
      clock.advance(0);
      const failed = (await env.client.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results?.[0];
      expect(failed).toMatchObject({ Status: 'FAILED', FailureReason: 'CouldNotDetermineMessageSource', ApproximateNumberOfMessagesMoved: 0, ApproximateNumberOfMessagesToMove: 3 });
      expect(failed?.TaskHandle).toBeUndefined();
    });
  });
});
