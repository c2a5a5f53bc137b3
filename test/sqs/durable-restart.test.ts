// --data-dir restarts through the official SDK (both wire generations): queues with their
// attributes, policy, redrive settings and tags; every message not deleted with its id, body,
// attributes, MD5s, receive count and timestamps; delays and in-flight visibility; FIFO
// sequence numbers and the dedup window (also for deleted messages); name-reuse timers and
// move tasks. Each phase stops the server and starts a new one on the same directory; a
// ManualClock per server makes the time rules exact without sleeping.
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { dataDirs, startTestServer, type TestServer } from '../helpers/server.js';
import { FLAVOURS, sdkError, sdkFor, type Flavour } from './helpers.js';

const dataDir = dataDirs('omnibroker-sqs-durable-');

const T0 = 1_750_000_000_000;

describe.each(FLAVOURS)('%s flavour', (flavour: Flavour) => {
  const sdk = sdkFor(flavour);
  const {
    ChangeMessageVisibilityCommand,
    CreateQueueCommand,
    DeleteMessageCommand,
    DeleteQueueCommand,
    GetQueueAttributesCommand,
    GetQueueUrlCommand,
    ListMessageMoveTasksCommand,
    ListQueueTagsCommand,
    ListQueuesCommand,
    ReceiveMessageCommand,
    SendMessageBatchCommand,
    SendMessageCommand,
    StartMessageMoveTaskCommand,
  } = sdk;

  interface Env {
    server: TestServer;
    client: InstanceType<typeof sdk.SQSClient>;
    clock: ManualClock;
  }
  const running: Env[] = [];
  afterAll(async () => {
    for (const e of running) {
      e.client.destroy();
      await e.server.stop();
    }
  });

  async function boot(dir: string, at: number, resources: Record<string, unknown> = {}): Promise<Env> {
    const clock = new ManualClock(at);
    const server = await startTestServer({ protocols: ['sqs'], dataDir: dir, resources }, clock);
    const client = new sdk.SQSClient({ endpoint: `http://127.0.0.1:${server.ports.sqs}`, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
    const env = { server, client, clock };
    running.push(env);
    return env;
  }

  async function shutdown(env: Env): Promise<void> {
    running.splice(running.indexOf(env), 1);
    env.client.destroy();
    await env.server.stop();
  }

  const url = async (env: Env, name: string): Promise<string> => (await env.client.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl as string;
  const attributes = async (env: Env, name: string): Promise<Record<string, string>> =>
    (await env.client.send(new GetQueueAttributesCommand({ QueueUrl: await url(env, name), AttributeNames: ['All'] }))).Attributes ?? {};
  const tags = async (env: Env, name: string): Promise<Record<string, string>> => (await env.client.send(new ListQueueTagsCommand({ QueueUrl: await url(env, name) }))).Tags ?? {};
  const receive = async (env: Env, name: string, max = 10, VisibilityTimeout?: number) =>
    (await env.client.send(new ReceiveMessageCommand({ QueueUrl: await url(env, name), MaxNumberOfMessages: max, AttributeNames: ['All'], MessageAttributeNames: ['All'], ...(VisibilityTimeout !== undefined ? { VisibilityTimeout } : {}) }))).Messages ?? [];
  /** Every stored message as the admin peek shows it, minus the internal visibility time. */
  const peek = async (env: Env, name: string): Promise<unknown[]> => {
    const res = await fetch(`http://127.0.0.1:${env.server.ports.http}/sqs/queues/${name}/messages`);
    const body = (await res.json()) as { messages: Record<string, unknown>[] };
    return body.messages.map(({ availableAt: _, ...m }) => m).sort((a, b) => String(a.messageId).localeCompare(String(b.messageId)));
  };

  it('queues, messages, in-flight visibility, delays and FIFO state survive restarts', async () => {
    const dir = dataDir();
    let env = await boot(dir, T0);
    const c = env.client;
    const dlq = (await c.send(new CreateQueueCommand({ QueueName: 'orders-dlq' }))).QueueUrl as string;
    const dlqArn = (await attributes(env, 'orders-dlq')).QueueArn as string;
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 's1', Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: '*' }] });
    const orders = (await c.send(new CreateQueueCommand({
      QueueName: 'orders',
      Attributes: { VisibilityTimeout: '45', MessageRetentionPeriod: '86400', Policy: policy, RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }) },
      tags: { team: 'shop', env: 'test' },
    }))).QueueUrl as string;
    const fifo = (await c.send(new CreateQueueCommand({ QueueName: 'events.fifo', Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' }, tags: { kind: 'fifo' } }))).QueueUrl as string;
    void dlq;

    const attrs = {
      color: { DataType: 'String', StringValue: 'blue ✓' },
      count: { DataType: 'Number.int', StringValue: '42' },
      blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 250, 255]) },
    };
    const sent: Record<string, { id: string; md5: string; md5Attrs?: string }> = {};
    for (const body of ['m1', 'm3', 'm4', 'm5']) {
      const r = await c.send(new SendMessageCommand({ QueueUrl: orders, MessageBody: body, ...(body === 'm1' ? { MessageAttributes: attrs } : {}) }));
      sent[body] = { id: r.MessageId as string, md5: r.MD5OfMessageBody as string, ...(r.MD5OfMessageAttributes ? { md5Attrs: r.MD5OfMessageAttributes } : {}) };
    }
    const delayed = await c.send(new SendMessageCommand({ QueueUrl: orders, MessageBody: 'm2-delayed', DelaySeconds: 600 }));
    const batch = await c.send(new SendMessageBatchCommand({ QueueUrl: orders, Entries: [1, 2, 3].map((i) => ({ Id: `b${i}`, MessageBody: `batch-${i}` })) }));
    expect(batch.Successful).toHaveLength(3);

    // m1, m3, m4, m5 in flight; m4 deleted; m1 made visible again; m3 and m5 stay in flight.
    const got = await receive(env, 'orders', 4, 100);
    expect(got.map((m) => m.Body)).toEqual(['m1', 'm3', 'm4', 'm5']);
    const handle = (body: string): string => got.find((m) => m.Body === body)?.ReceiptHandle as string;
    await c.send(new DeleteMessageCommand({ QueueUrl: orders, ReceiptHandle: handle('m4') }));
    await c.send(new ChangeMessageVisibilityCommand({ QueueUrl: orders, ReceiptHandle: handle('m1'), VisibilityTimeout: 0 }));
    env.clock.advance(1000);

    const fifoSent: Record<string, { id: string; seq: string }> = {};
    for (const [body, group] of [['e1', 'g1'], ['e2', 'g1'], ['e3', 'g2']] as const) {
      const r = await c.send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: body, MessageGroupId: group }));
      fifoSent[body] = { id: r.MessageId as string, seq: r.SequenceNumber as string };
    }
    const [e1] = await receive(env, 'events.fifo', 1);
    expect(e1?.Body).toBe('e1');
    await c.send(new DeleteMessageCommand({ QueueUrl: fifo, ReceiptHandle: e1?.ReceiptHandle as string }));

    const before = {
      attrs: { orders: await attributes(env, 'orders'), dlq: await attributes(env, 'orders-dlq'), fifo: await attributes(env, 'events.fifo') },
      tags: { orders: await tags(env, 'orders'), fifo: await tags(env, 'events.fifo') },
      peek: { orders: await peek(env, 'orders'), fifo: await peek(env, 'events.fifo') },
    };
    expect(before.attrs.orders).toMatchObject({ ApproximateNumberOfMessages: '4', ApproximateNumberOfMessagesNotVisible: '2', ApproximateNumberOfMessagesDelayed: '1' });
    await shutdown(env);

    // ---- restart 10 s later: everything reads back exactly
    env = await boot(dir, T0 + 11_000);
    expect((await env.client.send(new ListQueuesCommand({}))).QueueUrls?.map((u) => u.split('/').pop())).toEqual(['events.fifo', 'orders', 'orders-dlq']);
    expect({
      attrs: { orders: await attributes(env, 'orders'), dlq: await attributes(env, 'orders-dlq'), fifo: await attributes(env, 'events.fifo') },
      tags: { orders: await tags(env, 'orders'), fifo: await tags(env, 'events.fifo') },
      peek: { orders: await peek(env, 'orders'), fifo: await peek(env, 'events.fifo') },
    }).toEqual(before);
    expect(before.tags.orders).toEqual({ team: 'shop', env: 'test' });

    const again = await receive(env, 'orders', 10, 3600);
    expect(again.map((m) => m.Body)).toEqual(['m1', 'batch-1', 'batch-2', 'batch-3']);
    const m1 = again[0];
    expect(m1?.MessageId).toBe(sent.m1?.id);
    expect(m1?.MD5OfBody).toBe(sent.m1?.md5);
    expect(m1?.MD5OfMessageAttributes).toBe(sent.m1?.md5Attrs);
    expect(m1?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(m1?.Attributes?.SentTimestamp).toBe(String(T0));
    expect(m1?.Attributes?.ApproximateFirstReceiveTimestamp).toBe(String(T0));
    expect(m1?.MessageAttributes?.color).toMatchObject({ DataType: 'String', StringValue: 'blue ✓' });
    expect(m1?.MessageAttributes?.count).toMatchObject({ DataType: 'Number.int', StringValue: '42' });
    expect([...(m1?.MessageAttributes?.blob?.BinaryValue ?? [])]).toEqual([0, 1, 2, 250, 255]);
    expect(again[1]?.MessageId).toBe(batch.Successful?.find((s) => s.Id === 'b1')?.MessageId);

    // FIFO: dedup still in force for the deleted e1 and the stored e2; numbering continues.
    const fifoUrl = await url(env, 'events.fifo');
    const dupDeleted = await env.client.send(new SendMessageCommand({ QueueUrl: fifoUrl, MessageBody: 'e1', MessageGroupId: 'g1' }));
    expect([dupDeleted.MessageId, dupDeleted.SequenceNumber]).toEqual([fifoSent.e1?.id, fifoSent.e1?.seq]);
    const dupLive = await env.client.send(new SendMessageCommand({ QueueUrl: fifoUrl, MessageBody: 'e2', MessageGroupId: 'g1' }));
    expect([dupLive.MessageId, dupLive.SequenceNumber]).toEqual([fifoSent.e2?.id, fifoSent.e2?.seq]);
    const fresh = await env.client.send(new SendMessageCommand({ QueueUrl: fifoUrl, MessageBody: 'e4', MessageGroupId: 'g2' }));
    for (const s of Object.values(fifoSent)) expect(BigInt(fresh.SequenceNumber as string) > BigInt(s.seq)).toBe(true);
    const fifoMsgs = await receive(env, 'events.fifo', 10, 3600);
    expect(fifoMsgs.map((m) => [m.Body, m.MessageId, m.Attributes?.SequenceNumber, m.Attributes?.MessageGroupId])).toEqual([
      ['e2', fifoSent.e2?.id, fifoSent.e2?.seq, 'g1'],
      ['e3', fifoSent.e3?.id, fifoSent.e3?.seq, 'g2'],
      ['e4', fresh.MessageId, fresh.SequenceNumber, 'g2'],
    ]);
    // m3 and m5 are still in flight: m3's pre-restart receipt handle deletes it; m5 comes back
    // at its recorded deadline (T0 + 100 s) with its receive count continued.
    await env.client.send(new DeleteMessageCommand({ QueueUrl: await url(env, 'orders'), ReceiptHandle: handle('m3') }));
    expect((await attributes(env, 'orders')).ApproximateNumberOfMessagesNotVisible).toBe('5');
    env.clock.advance(T0 + 100_000 - env.clock.now());
    const m5 = await receive(env, 'orders', 10, 3600);
    expect(m5.map((m) => [m.Body, m.MessageId, m.Attributes?.ApproximateReceiveCount])).toEqual([['m5', sent.m5?.id, '2']]);
    // The delayed message keeps its delay.
    env.clock.advance(T0 + 600_000 - env.clock.now());
    expect((await receive(env, 'orders', 10)).map((m) => [m.Body, m.MessageId])).toEqual([['m2-delayed', delayed.MessageId]]);

    await shutdown(env);

    // ---- restart past the dedup window: deletes stayed deleted, in-flight FIFO messages kept
    // their group blocked, and e1 may be sent again.
    env = await boot(dir, T0 + 600_000 + 5_000);
    const peekOrders = (await peek(env, 'orders')) as { body: string }[];
    expect(peekOrders.map((m) => m.body).sort()).toEqual(['batch-1', 'batch-2', 'batch-3', 'm1', 'm2-delayed', 'm5']);
    expect(await receive(env, 'events.fifo', 10)).toEqual([]);
    env.clock.advance(300_000);
    const resent = await env.client.send(new SendMessageCommand({ QueueUrl: await url(env, 'events.fifo'), MessageBody: 'e1', MessageGroupId: 'g9' }));
    expect(resent.MessageId).not.toBe(fifoSent.e1?.id);
    await shutdown(env);
  });

  it('a dead-letter move made before a restart is kept: source empty, DLQ copy with its history', async () => {
    const dir = dataDir();
    let env = await boot(dir, T0);
    const c = env.client;
    await c.send(new CreateQueueCommand({ QueueName: 'dl' }));
    const dlArn = (await attributes(env, 'dl')).QueueArn as string;
    const work = (await c.send(new CreateQueueCommand({ QueueName: 'work', Attributes: { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlArn, maxReceiveCount: 2 }) } }))).QueueUrl as string;
    const workArn = (await attributes(env, 'work')).QueueArn as string;
    const sent = await c.send(new SendMessageCommand({ QueueUrl: work, MessageBody: 'poison', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } }));
    for (let i = 0; i < 2; i++) {
      expect((await receive(env, 'work', 1)).map((m) => m.Body)).toEqual(['poison']);
      env.clock.advance(30_000);
    }
    expect(await receive(env, 'work', 1)).toEqual([]); // this receive moved it
    await shutdown(env);

    env = await boot(dir, T0 + 120_000);
    expect(await receive(env, 'work', 10)).toEqual([]);
    const [moved] = await receive(env, 'dl', 10);
    expect(moved?.MessageId).toBe(sent.MessageId);
    expect(moved?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(moved?.Attributes).toMatchObject({ DeadLetterQueueSourceArn: workArn, ApproximateReceiveCount: '3', SentTimestamp: String(T0) });
    await shutdown(env);
  });

  it('a --config queue changed through the API keeps its stored attributes after a restart', async () => {
    const dir = dataDir();
    const resources = { sqs: { queues: [{ name: 'declared', attributes: { VisibilityTimeout: 60 }, tags: { from: 'config' } }] } };
    let env = await boot(dir, T0, resources);
    const { SetQueueAttributesCommand } = sdk;
    await env.client.send(new SetQueueAttributesCommand({ QueueUrl: await url(env, 'declared'), Attributes: { VisibilityTimeout: '90' } }));
    await shutdown(env);
    env = await boot(dir, T0 + 1000, resources);
    expect((await attributes(env, 'declared')).VisibilityTimeout).toBe('90');
    expect(await tags(env, 'declared')).toEqual({ from: 'config' });
    await shutdown(env);
  });

  it('name-reuse timers and message move tasks survive a restart', async () => {
    const dir = dataDir();
    let env = await boot(dir, T0);
    const c = env.client;
    const dlq = (await c.send(new CreateQueueCommand({ QueueName: 'dlq' }))).QueueUrl as string;
    const dlqArn = (await attributes(env, 'dlq')).QueueArn as string;
    await c.send(new CreateQueueCommand({ QueueName: 'src', Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) } }));
    await c.send(new CreateQueueCommand({ QueueName: 'dest' }));
    const destArn = (await attributes(env, 'dest')).QueueArn as string;
    const gone = (await c.send(new CreateQueueCommand({ QueueName: 'gone' }))).QueueUrl as string;
    await c.send(new DeleteQueueCommand({ QueueUrl: gone }));
    for (const i of [1, 2, 3]) await c.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: `dead-${i}` }));
    await c.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: destArn, MaxNumberOfMessagesPerSecond: 1 }));
    env.clock.advance(0);
    await shutdown(env);

    env = await boot(dir, T0 + 30_000);
    expect(await sdkError(env.client.send(new CreateQueueCommand({ QueueName: 'gone' })))).toMatchObject({ name: 'QueueDeletedRecently' });
    const tasks = async () => (await env.client.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results ?? [];
    expect((await tasks())[0]).toMatchObject({ Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 1, ApproximateNumberOfMessagesToMove: 3, StartedTimestamp: T0 });
    env.clock.advance(0);
    env.clock.advance(1000);
    env.clock.advance(1000);
    expect((await tasks())[0]).toMatchObject({ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 3 });
    expect((await receive(env, 'dest', 10)).map((m) => m.Body)).toEqual(['dead-1', 'dead-2', 'dead-3']);
    env.clock.advance(30_000);
    await env.client.send(new CreateQueueCommand({ QueueName: 'gone' }));
    await shutdown(env);
  });
});
