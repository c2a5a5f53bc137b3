// Queue lifecycle and attributes through @aws-sdk/client-sqs, once per wire flavour: the current SDK (JSON)
// and 3.445.0 (the last Query-protocol release).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAVOURS, sdkError, sdkFor, startSqs, stopSqs, type SqsEnv } from './helpers.js';

// SQS words this one error differently per protocol.
const NO_QUEUE = { json: 'The specified queue does not exist.', query: 'The specified queue does not exist for this wsdl version.' };

describe.each(FLAVOURS)('%s flavour', (flavour) => {
  const { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ListQueuesCommand, ListQueueTagsCommand, SetQueueAttributesCommand, TagQueueCommand, UntagQueueCommand, AddPermissionCommand, RemovePermissionCommand } = sdkFor(flavour);
  let env: SqsEnv;
  beforeAll(async () => {
    env = await startSqs(undefined, flavour);
  });
  afterAll(async () => stopSqs(env));

  describe('SQS queues', () => {
    it('creates a queue with the URL minted from the Host and the default attributes', async () => {
      const { QueueUrl } = await env.client.send(new CreateQueueCommand({ QueueName: 'q-defaults' }));
      expect(QueueUrl).toBe(`${env.endpoint}/000000000000/q-defaults`);
      const { Attributes } = await env.client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
      const now = Math.floor(Date.now() / 1000);
      expect(Number(Attributes?.CreatedTimestamp)).toBeGreaterThan(now - 30);
      expect(Number(Attributes?.CreatedTimestamp)).toBeLessThanOrEqual(now + 1);
      expect({ ...Attributes, CreatedTimestamp: 'x', LastModifiedTimestamp: 'x' }).toEqual({
        ApproximateNumberOfMessages: '0',
        ApproximateNumberOfMessagesDelayed: '0',
        ApproximateNumberOfMessagesNotVisible: '0',
        CreatedTimestamp: 'x',
        DelaySeconds: '0',
        LastModifiedTimestamp: 'x',
        MaximumMessageSize: '1048576',
        MessageRetentionPeriod: '345600',
        QueueArn: 'arn:aws:sqs:us-east-1:000000000000:q-defaults',
        ReceiveMessageWaitTimeSeconds: '0',
        SqsManagedSseEnabled: 'true',
        VisibilityTimeout: '30',
      });
    });

    it('FIFO queues add their attributes; FIFO names and attributes are checked', async () => {
      const { QueueUrl } = await env.client.send(new CreateQueueCommand({ QueueName: 'q1.fifo', Attributes: { FifoQueue: 'true' } }));
      const { Attributes } = await env.client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
      expect(Attributes).toMatchObject({ FifoQueue: 'true', ContentBasedDeduplication: 'false', DeduplicationScope: 'queue', FifoThroughputLimit: 'perQueue' });
      expect(await sdkError(env.client.send(new CreateQueueCommand({ QueueName: 'nofifo', Attributes: { FifoQueue: 'true' } })))).toMatchObject({ name: 'InvalidParameterValue', status: 400 });
      expect(await sdkError(env.client.send(new CreateQueueCommand({ QueueName: 'std.fifo' })))).toMatchObject({ name: 'InvalidParameterValue' });
      expect(await sdkError(env.client.send(new CreateQueueCommand({ QueueName: 'std', Attributes: { FifoQueue: 'false' } })))).toMatchObject({
        name: 'InvalidAttributeName',
        message: 'Unknown Attribute FifoQueue.',
      });
      expect(await sdkError(env.client.send(new CreateQueueCommand({ QueueName: 'std', Attributes: { ContentBasedDeduplication: 'true' } })))).toMatchObject({
        message: 'Unknown Attribute ContentBasedDeduplication.',
      });
      expect(await sdkError(env.client.send(new CreateQueueCommand({ QueueName: 'std', Attributes: { DeduplicationScope: 'queue' } })))).toMatchObject({
        name: 'InvalidAttributeName',
        message: 'You can specify the DeduplicationScope only when FifoQueue is set to true.',
      });
      expect(await sdkError(env.client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { FifoQueue: 'false' } })))).toMatchObject({
        name: 'InvalidAttributeValue',
        message: 'Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.',
      });
      expect(await sdkError(env.client.send(new CreateQueueCommand({ QueueName: 'bad name!' })))).toMatchObject({
        name: 'InvalidParameterValue',
        message: 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      });
      expect(await sdkError(env.client.send(new CreateQueueCommand({ QueueName: 'x.fifo', Attributes: { FifoQueue: 'false' } })))).toMatchObject({ message: 'Unknown Attribute FifoQueue.' });
      expect(await sdkError(env.client.send(new CreateQueueCommand({ QueueName: '' })))).toMatchObject({ name: 'InvalidParameterValue', message: 'Queue name cannot be empty' });
      expect(await sdkError(env.client.send(new CreateQueueCommand({} as never)))).toMatchObject({ message: 'Value for parameter QueueName is invalid. Reason: Must specify a queue name.' });
      expect(await sdkError(env.client.send(new CreateQueueCommand({ QueueName: 'x'.repeat(81) })))).toMatchObject({ name: 'InvalidParameterValue' });
    });

    it('re-create is idempotent with equal attributes and fails with a different one (current values count)', async () => {
      const { QueueUrl } = await env.client.send(new CreateQueueCommand({ QueueName: 'q-idem', Attributes: { DelaySeconds: '1' } }));
      await env.client.send(new CreateQueueCommand({ QueueName: 'q-idem', Attributes: { DelaySeconds: '1' } }));
      await env.client.send(new CreateQueueCommand({ QueueName: 'q-idem' }));
      const err = await sdkError(env.client.send(new CreateQueueCommand({ QueueName: 'q-idem', Attributes: { DelaySeconds: '2' } })));
      expect(err).toMatchObject({ name: 'QueueNameExists', status: 400, message: 'A queue already exists with the same name and a different value for attribute DelaySeconds' });
      await env.client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { DelaySeconds: '2' } }));
      await env.client.send(new CreateQueueCommand({ QueueName: 'q-idem', Attributes: { DelaySeconds: '2' } }));
    });

    it('GetQueueUrl, ListQueues with prefix and paging, DeleteQueue, missing queues', async () => {
      for (const n of ['list-a', 'list-b', 'list-c']) await env.client.send(new CreateQueueCommand({ QueueName: n }));
      expect((await env.client.send(new GetQueueUrlCommand({ QueueName: 'list-b' }))).QueueUrl).toBe(`${env.endpoint}/000000000000/list-b`);
      const all = await env.client.send(new ListQueuesCommand({ QueueNamePrefix: 'list-' }));
      expect(all.QueueUrls).toEqual(['a', 'b', 'c'].map((x) => `${env.endpoint}/000000000000/list-${x}`));
      expect(all.NextToken).toBeUndefined();
      const p1 = await env.client.send(new ListQueuesCommand({ QueueNamePrefix: 'list-', MaxResults: 2 }));
      expect(p1.QueueUrls).toHaveLength(2);
      expect(p1.NextToken).toBeDefined();
      const p2 = await env.client.send(new ListQueuesCommand({ QueueNamePrefix: 'list-', MaxResults: 2, NextToken: p1.NextToken }));
      expect(p2.QueueUrls).toEqual([`${env.endpoint}/000000000000/list-c`]);
      expect(p2.NextToken).toBeUndefined();
      expect(await sdkError(env.client.send(new ListQueuesCommand({ MaxResults: 1001 })))).toMatchObject({
        name: 'InvalidParameterValue',
        message: 'Value for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.',
      });
      expect(await sdkError(env.client.send(new ListQueuesCommand({ NextToken: 'invalid token!' })))).toMatchObject({ message: 'Invalid or expired next token.' });
      const none = await env.client.send(new ListQueuesCommand({ QueueNamePrefix: 'zzz' }));
      expect(none.QueueUrls).toBeUndefined();
      await env.client.send(new DeleteQueueCommand({ QueueUrl: `${env.endpoint}/000000000000/list-c` }));
      const err = await sdkError(env.client.send(new GetQueueUrlCommand({ QueueName: 'list-c' })));
      expect(err).toMatchObject({ name: 'QueueDoesNotExist', message: NO_QUEUE[flavour], status: 400 });
      const again = await sdkError(env.client.send(new CreateQueueCommand({ QueueName: 'list-c' })));
      expect(again).toMatchObject({ name: 'QueueDeletedRecently', message: 'You must wait 60 seconds after deleting a queue before you can create another with the same name.' });
    });

    it('validates attribute names and values; "" removes optional attributes; KMS flips SSE', async () => {
      const { QueueUrl } = await env.client.send(new CreateQueueCommand({ QueueName: 'q-attrs' }));
      expect(await sdkError(env.client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Foobar' as never] })))).toMatchObject({
        name: 'InvalidAttributeName',
        message: 'Unknown Attribute Foobar.',
      });
      expect(await sdkError(env.client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '43201' } })))).toMatchObject({
        name: 'InvalidAttributeValue',
        message: 'Invalid value for the parameter VisibilityTimeout.',
      });
      expect(await sdkError(env.client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Bogus: '1' } as never })))).toMatchObject({ name: 'InvalidAttributeName', message: 'Unknown Attribute Bogus.' });
      const stmt = { Sid: 's1', Effect: 'Allow', Principal: { AWS: ['123456789012'] }, Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:us-east-1:000000000000:q-attrs' };
      for (const bad of ['badjson', '[]', '{"Version":"2012-10-17","Statement":[]}', JSON.stringify({ Version: '4532-10-17', Statement: [stmt] }), JSON.stringify({ Version: '2012-10-17', Statement: [{ ...stmt, dummy: 1 }] })]) {
        expect(await sdkError(env.client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: bad } })))).toMatchObject({
          name: 'InvalidAttributeValue',
          message: 'Invalid value for the parameter Policy.',
        });
      }
      const many = JSON.stringify({ Version: '2012-10-17', Statement: Array.from({ length: 22 }, (_, i) => ({ ...stmt, Sid: `L${i}` })) });
      expect((await sdkError(env.client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: many } })))).message).toContain('22 statements were found in the submitted policy, max allowed is 20');
      const policy = JSON.stringify({ Version: '2012-10-17', Statement: stmt });
      await env.client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: policy, KmsMasterKeyId: 'alias/aws/sqs' } }));
      let a = (await env.client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes;
      expect(a).toMatchObject({ SqsManagedSseEnabled: 'false', KmsMasterKeyId: 'alias/aws/sqs', KmsDataKeyReusePeriodSeconds: '300' });
      expect(a?.Policy).toBe(policy);
      await env.client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: '', KmsMasterKeyId: '', KmsDataKeyReusePeriodSeconds: '300' } }));
      a = (await env.client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes;
      expect(a?.Policy).toBeUndefined();
      expect(a?.KmsMasterKeyId).toBeUndefined();
      expect(a?.KmsDataKeyReusePeriodSeconds).toBeUndefined();
      expect(a?.SqsManagedSseEnabled).toBe('false');
      const some = await env.client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['VisibilityTimeout', 'QueueArn'] }));
      expect(some.Attributes).toEqual({ VisibilityTimeout: '30', QueueArn: 'arn:aws:sqs:us-east-1:000000000000:q-attrs' });
      const none = await env.client.send(new GetQueueAttributesCommand({ QueueUrl }));
      expect(none.Attributes).toBeUndefined();
      expect(await sdkError(env.client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: {} })))).toMatchObject({
        name: 'MissingParameter',
        message: 'The request must contain the parameter Attribute.Name.',
      });
      await env.client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { KmsMasterKeyId: 'k' } }));
      await env.client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { SqsManagedSseEnabled: 'true' } }));
      const sse = (await env.client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes;
      expect([sse?.SqsManagedSseEnabled, sse?.KmsMasterKeyId, sse?.KmsDataKeyReusePeriodSeconds]).toEqual(['true', undefined, undefined]);
    });

    it.runIf(flavour === 'json')('JSON coercion as SQS does it: numbers for strings accepted, objects and lists rejected, null means absent', async () => {
      const { QueueUrl } = await env.client.send(new CreateQueueCommand({ QueueName: 'q-coerce', Attributes: { DelaySeconds: 400, MaximumMessageSize: null } as never }));
      const a = (await env.client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['DelaySeconds', 'MaximumMessageSize'] }))).Attributes;
      expect(a).toEqual({ DelaySeconds: '400', MaximumMessageSize: '1048576' });
      expect(await sdkError(env.client.send(new CreateQueueCommand({ QueueName: 'q-c2', Attributes: { DelaySeconds: {} } as never })))).toMatchObject({
        message: 'Start of structure or map found where not expected.',
        status: 400,
      });
      expect(await sdkError(env.client.send(new CreateQueueCommand({ QueueName: 'q-c2', Attributes: { DelaySeconds: [] } as never })))).toMatchObject({
        message: 'Unrecognized collection type class java.lang.String',
      });
      expect(await sdkError(env.client.send(new CreateQueueCommand({ QueueName: 'q-c2', Attributes: { DelaySeconds: true } as never })))).toMatchObject({
        name: 'InvalidAttributeValue',
        message: 'Invalid value for the parameter DelaySeconds.',
      });
      expect(await sdkError(env.client.send(new CreateQueueCommand({ QueueName: 'q-c2', Attributes: ['dummy'] as never })))).toMatchObject({ message: 'Unknown Attribute 0.' });
      for (const bad of ['', ' 6', '-45', '901', '544.43']) {
        expect(await sdkError(env.client.send(new CreateQueueCommand({ QueueName: 'q-c2', Attributes: { DelaySeconds: bad } })))).toMatchObject({ message: 'Invalid value for the parameter DelaySeconds.' });
      }
    });

    it('tags: create-time tags, merge, untag missing keys, empty values, no Tags key when untagged', async () => {
      const { QueueUrl } = await env.client.send(new CreateQueueCommand({ QueueName: 'q-tags', tags: { a: '1' } }));
      await env.client.send(new TagQueueCommand({ QueueUrl, Tags: { b: '', A: '2', a: '3' } }));
      expect((await env.client.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toEqual({ a: '3', A: '2', b: '' });
      await env.client.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['a', 'A', 'b', 'missing'] }));
      expect((await env.client.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toBeUndefined();
    });

    it('AddPermission / RemovePermission maintain the Policy document', async () => {
      const { QueueUrl } = await env.client.send(new CreateQueueCommand({ QueueName: 'q-perm' }));
      const arn = 'arn:aws:sqs:us-east-1:000000000000:q-perm';
      await env.client.send(new AddPermissionCommand({ QueueUrl, Label: 'crossaccountpermission', AWSAccountIds: ['123456789012'], Actions: ['ReceiveMessage'] }));
      const policy = JSON.parse((await env.client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Policy'] }))).Attributes?.Policy ?? '{}');
      expect(policy).toEqual({
        Version: '2008-10-17',
        Id: `${arn}/SQSDefaultPolicy`,
        Statement: [{ Sid: 'crossaccountpermission', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'SQS:ReceiveMessage', Resource: arn }],
      });
      expect(await sdkError(env.client.send(new AddPermissionCommand({ QueueUrl, Label: 'crossaccountpermission', AWSAccountIds: ['1'], Actions: ['SendMessage'] })))).toMatchObject({
        name: 'InvalidParameterValue',
        message: 'Value crossaccountpermission for parameter Label is invalid. Reason: Already exists.',
      });
      expect(await sdkError(env.client.send(new RemovePermissionCommand({ QueueUrl, Label: 'crossaccountpermission2' })))).toMatchObject({
        message: "Value crossaccountpermission2 for parameter Label is invalid. Reason: can't find label.",
      });
      // The identical statement again is a no-op.
      await env.client.send(new AddPermissionCommand({ QueueUrl, Label: 'crossaccountpermission', AWSAccountIds: ['123456789012'], Actions: ['ReceiveMessage'] }));
      expect(await sdkError(env.client.send(new AddPermissionCommand({ QueueUrl, Label: 'x', AWSAccountIds: ['1'], Actions: ['SendMessageBatch'] })))).toMatchObject({
        message: 'Value SQS:SendMessageBatch for parameter ActionName is invalid. Reason: Please refer to the appropriate WSDL for a list of valid actions.',
      });
      expect(await sdkError(env.client.send(new AddPermissionCommand({ QueueUrl, Label: 'x', AWSAccountIds: ['1'], Actions: ['CreateQueue'] })))).toMatchObject({
        message: 'Value SQS:CreateQueue for parameter ActionName is invalid. Reason: Only the queue owner is allowed to invoke this action.',
      });
      expect(await sdkError(env.client.send(new AddPermissionCommand({ QueueUrl, Label: 'x', AWSAccountIds: ['1'], Actions: [] })))).toMatchObject({
        name: 'MissingParameter',
        message: 'The request must contain the parameter ActionName.',
      });
      await env.client.send(new RemovePermissionCommand({ QueueUrl, Label: 'crossaccountpermission' }));
      expect((await env.client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes?.Policy).toBeUndefined();
    });
  });
});
