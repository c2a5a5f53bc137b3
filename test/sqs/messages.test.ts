// Sending, receiving, deleting and visibility through @aws-sdk/client-sqs in both wire flavours (current SDK:
// JSON; 3.445.0: Query),
// including the MD5 test vectors recorded against real SQS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAVOURS, sdkError, sdkFor, startSqs, stopSqs, type SqsEnv } from './helpers.js';

describe.each(FLAVOURS)('%s flavour', (flavour) => {
  const { ChangeMessageVisibilityBatchCommand, ChangeMessageVisibilityCommand, CreateQueueCommand, DeleteMessageBatchCommand, DeleteMessageCommand, GetQueueAttributesCommand, PurgeQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand } = sdkFor(flavour);
  let env: SqsEnv;
  let n = 0;
  const newQueue = async (attrs: Record<string, string> = {}): Promise<string> =>
    (await env.client.send(new CreateQueueCommand({ QueueName: `m${++n}`, Attributes: attrs }))).QueueUrl as string;

  beforeAll(async () => {
    env = await startSqs(undefined, flavour);
  });
  afterAll(async () => stopSqs(env));

  describe('SQS messages', () => {
    it('returns the recorded MD5 test vectors for body and attributes', async () => {
      const QueueUrl = await newQueue();
      const cases: [Record<string, { DataType: string; StringValue?: string; BinaryValue?: Uint8Array }>, string][] = [
        [{ k: { DataType: 'String', StringValue: 'x' } }, 'a45daa70926828a2f0a1db3418e6feb4'],
        [{ Foo: { DataType: 'String', StringValue: 'Bar' } }, 'ae7155c6026991b6d54b11589678bf9c'],
        [{ timestamp: { DataType: 'Number', StringValue: '1493147359900' } }, '235c5c510d26fb653d073faed50ae77c'],
        [{ attr1: { DataType: 'Binary', BinaryValue: Buffer.from('traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01') } }, '8cbe4db156db8a94db8b801b7addb984'],
      ];
      for (const [MessageAttributes, md5] of cases) {
        const r = await env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'message', MessageAttributes }));
        expect(r.MD5OfMessageBody).toBe('78e731027d8fd50ed642340b7c9a63b3');
        expect(r.MD5OfMessageAttributes).toBe(md5);
      }
      const plain = await env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'message' }));
      expect(plain.MD5OfMessageAttributes).toBeUndefined();
      expect(plain.MD5OfMessageSystemAttributes).toBeUndefined();
      const sys = await env.client.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: 'message',
          MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1' } },
        }),
      );
      expect(sys.MD5OfMessageSystemAttributes).toBe('5ae4d5d7636402d80f4eb6d213245a88');
      expect(sys.MD5OfMessageAttributes).toBeUndefined();
    });

    it('receive selects attributes and hashes the returned subset only', async () => {
      const QueueUrl = await newQueue();
      await env.client.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: 'body with \r\n and "quotes" &quot;',
          MessageAttributes: {
            Hello: { DataType: 'String', StringValue: 'World' },
            General: { DataType: 'String', StringValue: 'Kenobi' },
            Other: { DataType: 'Number.int', StringValue: '7' },
          },
        }),
      );
      const recv = async (names: string[]) =>
        (await env.client.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: names, VisibilityTimeout: 0 }))).Messages?.[0];
      const none = await recv([]);
      expect(none?.Body).toBe('body with \r\n and "quotes" &quot;');
      expect(none?.MessageAttributes).toBeUndefined();
      expect(none?.MD5OfMessageAttributes).toBeUndefined();
      const prefix = await recv(['Hel.*', 'General']);
      expect(Object.keys(prefix?.MessageAttributes ?? {}).sort()).toEqual(['General', 'Hello']);
      const all = await recv(['All']);
      expect(Object.keys(all?.MessageAttributes ?? {}).sort()).toEqual(['General', 'Hello', 'Other']);
      expect(all?.MessageAttributes?.Other).toEqual({ DataType: 'Number.int', StringValue: '7' });
      const unknown = await recv(['Nope', 'AWS.x']);
      expect(unknown?.MessageAttributes).toBeUndefined();
    });

    it('system attributes: All, explicit names, union of both selectors', async () => {
      const QueueUrl = await newQueue();
      await env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'fair-group' }));
      const all = (await env.client.send(new ReceiveMessageCommand({ QueueUrl, AttributeNames: ['All'], VisibilityTimeout: 0 }))).Messages?.[0];
      expect(Object.keys(all?.Attributes ?? {}).sort()).toEqual(['ApproximateFirstReceiveTimestamp', 'ApproximateReceiveCount', 'MessageGroupId', 'SenderId', 'SentTimestamp']);
      expect(all?.Attributes?.SentTimestamp).toMatch(/^\d{13}$/);
      const some = (await env.client.send(new ReceiveMessageCommand({ QueueUrl, AttributeNames: ['SenderId', 'SequenceNumber'] as never[], VisibilityTimeout: 0 }))).Messages?.[0];
      expect(Object.keys(some?.Attributes ?? {})).toEqual(['SenderId']);
      // MessageSystemAttributeNames exists only in JSON-era SDKs; AWS takes the union of both lists.
      if (flavour === 'json') {
        const union = (await env.client.send(new ReceiveMessageCommand({ QueueUrl, AttributeNames: ['SenderId'] as never[], MessageSystemAttributeNames: ['All'] }))).Messages?.[0];
        expect(union?.Attributes?.ApproximateReceiveCount).toBe('3');
      }
    });

    it('validates bodies, sizes, attributes and receive parameters with the real texts', async () => {
      const QueueUrl = await newQueue({ MaximumMessageSize: '1024' });
      expect(await sdkError(env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: '' })))).toMatchObject({
        name: 'MissingParameter',
        message: 'The request must contain the parameter MessageBody.',
      });
      await env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'a'.repeat(1024) }));
      expect(await sdkError(env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'a'.repeat(1025) })))).toMatchObject({
        name: 'InvalidParameterValue',
        message: 'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.',
      });
      expect(await sdkError(env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'bad \u0000 char' })))).toMatchObject({ name: 'InvalidMessageContents' });
      expect(
        await sdkError(env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageAttributes: { ErrorDetails: { DataType: 'String', StringValue: '' } } }))),
      ).toMatchObject({ name: 'InvalidParameterValue', message: "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'." });
      const attrError = async (MessageAttributes: Record<string, unknown>) =>
        sdkError(env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageAttributes: MessageAttributes as never })));
      for (const name of ['AWS.x', 'amazon.y']) {
        expect(await attrError({ [name]: { DataType: 'String', StringValue: 'v' } })).toMatchObject({
          name: 'InvalidParameterValue',
          message: "You can't use message attribute names beginning with 'AWS.' or 'Amazon'. These strings are reserved for internal use.",
        });
      }
      for (const name of ['.start', 'end.', 'a..b', 'a!b']) expect(await attrError({ [name]: { DataType: 'String', StringValue: 'v' } })).toMatchObject({ name: 'InvalidParameterValue' });
      expect(await attrError({ ['x'.repeat(257)]: { DataType: 'String', StringValue: 'v' } })).toMatchObject({ message: 'Message (user) attribute name must be shorter than 256 bytes.' });
      expect(await attrError({ '': { DataType: 'String', StringValue: 'v' } })).toMatchObject({ message: 'The request must contain non-empty message (user) attribute names.' });
      expect(await attrError({ Hello: { DataType: 'Number', StringValue: 'world' } })).toMatchObject({ message: "Can't cast the value of message (user) attribute 'Hello' to a number." });
      expect(await attrError({ Hello: { DataType: 'String' } })).toMatchObject({ message: "The message (user) attribute 'Hello' must contain a non-empty message attribute value." });
      expect(await attrError({ Hello: { DataType: 'InvalidType', StringValue: 'v' } })).toMatchObject({
        message: "The type of message (user) attribute 'Hello' is invalid. You must use only the following supported type prefixes: Binary, Number, String.",
      });
      expect(await attrError({ Hello: { DataType: 'StringList', StringListValues: ['World'] } })).toMatchObject({ message: 'Message attribute list values in SendMessage operation are not supported.' });
      expect(await attrError(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }])))).toMatchObject({
        message: 'Number of message attributes [11] exceeds the allowed maximum [10].',
      });
      expect(await sdkError(env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageSystemAttributes: { Hello: { DataType: 'String', StringValue: 'v' } } as never })))).toMatchObject({
        message: "Message system attribute name 'Hello' is invalid.",
      });
      expect(await sdkError(env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', DelaySeconds: 1000 })))).toMatchObject({
        message: 'Value 1000 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.',
      });
      expect(await sdkError(env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', DelaySeconds: 'invalid' as never })))).toMatchObject({
        message: flavour === 'json' ? 'STRING_VALUE can not be converted to an Integer' : 'Value invalid for parameter DelaySeconds is invalid. Reason: Unable to parse the value.',
      });
      expect(await sdkError(env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageDeduplicationId: '1000' })))).toMatchObject({
        message: 'The request include parameter MessageDeduplicationId which is not valid for this queue type',
      });
      await env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageAttributes: { 'Größe': { DataType: 'String', StringValue: 'v' } } }));
      expect(await sdkError(env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageAttributes: { a: { DataType: 'Strin', StringValue: 'v' } } })))).toMatchObject({
        name: 'InvalidParameterValue',
      });
      expect(await sdkError(env.client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 11 })))).toMatchObject({
        name: 'InvalidParameterValue',
        message: 'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
      });
      expect(await sdkError(env.client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 21 })))).toMatchObject({
        message: 'Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.',
      });
      expect(await sdkError(env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'has space' })))).toMatchObject({
        message: 'Value has space for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.',
      });
    });

    it('visibility: new handle per receive, receive count, ChangeMessageVisibility 0, stale and garbage handles', async () => {
      const QueueUrl = await newQueue();
      await env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'v' }));
      const r1 = (await env.client.send(new ReceiveMessageCommand({ QueueUrl, AttributeNames: ['All'] }))).Messages?.[0];
      expect((await env.client.send(new ReceiveMessageCommand({ QueueUrl }))).Messages).toBeUndefined();
      await env.client.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: r1?.ReceiptHandle, VisibilityTimeout: 0 }));
      const r2 = (await env.client.send(new ReceiveMessageCommand({ QueueUrl, AttributeNames: ['All'], VisibilityTimeout: 0 }))).Messages?.[0];
      expect(r2?.MessageId).toBe(r1?.MessageId);
      expect(r2?.ReceiptHandle).not.toBe(r1?.ReceiptHandle);
      expect(r2?.Attributes?.ApproximateReceiveCount).toBe('2');
      // The message is visible again (not re-received): the old handle still deletes it.
      await env.client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: r1?.ReceiptHandle }));
      expect((await env.client.send(new ReceiveMessageCommand({ QueueUrl }))).Messages).toBeUndefined();
      await env.client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: r1?.ReceiptHandle }));
      expect(await sdkError(env.client.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: r2?.ReceiptHandle, VisibilityTimeout: 5 })))).toMatchObject({
        name: 'InvalidParameterValue',
        message: `Value ${r2?.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
      });
      expect(await sdkError(env.client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: 'garbage' })))).toMatchObject({
        name: 'ReceiptHandleIsInvalid',
        message: 'The input receipt handle "garbage" is not a valid receipt handle.',
        status: 404,
      });
    });

    it('batches: send, delete and change visibility with per-entry failures and request-level rules', async () => {
      const QueueUrl = await newQueue({ MaximumMessageSize: '1024' });
      const sent = await env.client.send(
        new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: 'one' }, { Id: 'b', MessageBody: 'x'.repeat(1025) }, { Id: 'c', MessageBody: 'three', DelaySeconds: 0 }] }),
      );
      expect(sent.Successful?.map((s) => s.Id)).toEqual(['a', 'c']);
      expect(sent.Failed).toEqual([{ Id: 'b', SenderFault: true, Code: 'InvalidParameterValue', Message: 'One or more parameters cannot be validated. Reason: Message must be shorter than 1024 bytes.' }]);
      const got = (await env.client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages ?? [];
      expect(got.map((m) => m.Body)).toEqual(['one', 'three']);
      const ch = await env.client.send(
        new ChangeMessageVisibilityBatchCommand({ QueueUrl, Entries: [{ Id: 'x', ReceiptHandle: got[0]?.ReceiptHandle, VisibilityTimeout: 100 }, { Id: 'y', ReceiptHandle: 'garbage', VisibilityTimeout: 1 }] }),
      );
      expect(ch.Successful).toEqual([{ Id: 'x' }]);
      expect(ch.Failed?.[0]).toMatchObject({ Id: 'y', Code: 'ReceiptHandleIsInvalid', SenderFault: true });
      const chBad = await env.client.send(
        new ChangeMessageVisibilityBatchCommand({ QueueUrl, Entries: [{ Id: 'a', ReceiptHandle: 'dummy' }, { Id: 'b', ReceiptHandle: 'dummy', VisibilityTimeout: -85 }] as never }),
      );
      expect(chBad.Failed).toEqual([
        { Id: 'a', Code: 'MissingParameter', SenderFault: true, Message: 'The request must contain the parameter ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout.' },
        { Id: 'b', Code: 'InvalidParameterValue', SenderFault: true, Message: 'Value -85 for parameter VisibilityTimeout is invalid. Reason: VisibilityTimeout must be an integer between 0 and 43200.' },
      ]);
      expect(await sdkError(env.client.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: got[0]?.ReceiptHandle, VisibilityTimeout: 43201 })))).toMatchObject({
        message: 'Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.',
      });
      const del = await env.client.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: got.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }));
      expect(del.Successful).toHaveLength(2);
      expect(del.Failed).toBeUndefined();
      const noHandle = await env.client.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'id-1' }, { Id: 'id-2', ReceiptHandle: ' ' }] as never }));
      expect(noHandle.Successful).toBeUndefined();
      expect(noHandle.Failed).toEqual(['id-1', 'id-2'].map((Id) => ({ Id, Code: 'MissingParameter', Message: 'The request must contain the parameter ReceiptHandle.', SenderFault: true })));
      const perEntry = await env.client.send(
        new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: '1' }, { Id: '2', MessageBody: 'ok', MessageDeduplicationId: 'd' }, { Id: '3', MessageBody: 'fine' }] as never }),
      );
      expect(perEntry.Failed).toEqual([
        { Id: '1', Code: 'MissingParameter', Message: 'The request must contain the parameter SendMessageBatchRequestEntry.1.MessageBody.', SenderFault: true },
        { Id: '2', Code: 'InvalidParameterValue', Message: 'The request include parameter that is not valid for this queue type', SenderFault: true },
      ]);
      expect(perEntry.Successful?.map((e) => e.Id)).toEqual(['3']);
      expect(await sdkError(env.client.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ MessageBody: 'x' }, { Id: 'b', MessageBody: 'y' }] as never })))).toMatchObject({
        name: 'MissingParameter',
        message: 'The request must contain the parameter SendMessageBatchRequestEntry.1.Id.',
      });
      const many = Array.from({ length: 20 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' }));
      expect(await sdkError(env.client.send(new SendMessageBatchCommand({ QueueUrl, Entries: many })))).toMatchObject({
        name: 'TooManyEntriesInBatchRequest',
        message: 'Maximum number of entries per request are 10. You have sent 20.',
      });
      expect(await sdkError(env.client.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a:b', MessageBody: 'x' }] })))).toMatchObject({
        name: 'InvalidBatchEntryId',
        message: 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      });
      expect(await sdkError(env.client.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: 'x' }, { Id: 'a', MessageBody: 'y' }] })))).toMatchObject({
        name: 'BatchEntryIdsNotDistinct',
      });
      expect(await sdkError(env.client.send(new SendMessageBatchCommand({ QueueUrl, Entries: [] })))).toMatchObject({
        name: 'EmptyBatchRequest',
        message: 'There should be at least one SendMessageBatchRequestEntry in the request.',
      });
      // A Query request cannot tell "no entries" from "empty list".
      expect(await sdkError(env.client.send(new DeleteMessageBatchCommand({ QueueUrl } as never)))).toMatchObject(
        flavour === 'json'
          ? { name: 'MissingParameter', message: 'The request must contain the parameter Entries.' }
          : { name: 'EmptyBatchRequest', message: 'There should be at least one DeleteMessageBatchRequestEntry in the request.' },
      );
      expect(await sdkError(env.client.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', ReceiptHandle: 'x' }, { ReceiptHandle: 'y' }] as never })))).toMatchObject({
        message: 'The request must contain the parameter DeleteMessageBatchRequestEntry.2.Id.',
      });
      expect(await sdkError(env.client.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 43201 })))).toMatchObject({
        message: 'Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.',
      });
      const big = await newQueue();
      const huge = Array.from({ length: 2 }, (_, i) => ({ Id: `h${i}`, MessageBody: 'x'.repeat(600_000) }));
      expect(await sdkError(env.client.send(new SendMessageBatchCommand({ QueueUrl: big, Entries: huge })))).toMatchObject({
        name: 'BatchRequestTooLong',
        message: 'Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes.',
      });
    });

    it('counts, purge (in-flight and delayed too) and the 403 PurgeQueueInProgress rule', async () => {
      const QueueUrl = await newQueue();
      await env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'a' }));
      await env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'b' }));
      await env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'c', DelaySeconds: 100 }));
      await env.client.send(new ReceiveMessageCommand({ QueueUrl }));
      const attrs = (await env.client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes;
      expect(attrs).toMatchObject({ ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '1', ApproximateNumberOfMessagesDelayed: '1' });
      await env.client.send(new PurgeQueueCommand({ QueueUrl }));
      const after = (await env.client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes;
      expect(after).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0', ApproximateNumberOfMessagesDelayed: '0' });
      expect(await sdkError(env.client.send(new PurgeQueueCommand({ QueueUrl })))).toMatchObject({
        name: 'PurgeQueueInProgress',
        status: 403,
        message: `Only one PurgeQueue operation on m${n} is allowed every 60 seconds.`,
      });
    });

    it('long polling returns as soon as a message arrives, and empty after the wait', async () => {
      const QueueUrl = await newQueue();
      const started = Date.now();
      const waiting = env.client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 10 }));
      await new Promise((r) => setTimeout(r, 100));
      await env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'wake' }));
      const got = await waiting;
      expect(got.Messages?.map((m) => m.Body)).toEqual(['wake']);
      expect(Date.now() - started).toBeLessThan(2000);
      const t0 = Date.now();
      const empty = await env.client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
      expect(empty.Messages).toBeUndefined();
      expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    });

    it('the queue attribute ReceiveMessageWaitTimeSeconds applies when WaitTimeSeconds is absent', async () => {
      const QueueUrl = await newQueue({ ReceiveMessageWaitTimeSeconds: '2' });
      const waiting = env.client.send(new ReceiveMessageCommand({ QueueUrl }));
      await new Promise((r) => setTimeout(r, 200));
      await env.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'late' }));
      expect((await waiting).Messages?.[0]?.Body).toBe('late');
    });
  });
});
