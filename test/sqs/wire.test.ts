// Wire-level edge cases of both flavours over real sockets with node:http (no SDK in the way):
// unknown actions, missing Action, malformed JSON, wrong types, queue-URL paths, any Host,
// region from the signature, XML escaping, oversized bodies, trace header, long-poll cancel.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqs, stopSqs, type SqsEnv } from './helpers.js';

let env: SqsEnv;
let port: number;

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

function request(method: string, path: string, headers: Record<string, string>, body?: string | Buffer, signal?: AbortSignal): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, ...(signal ? { signal } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const query = (params: Record<string, string>, path = '/', headers: Record<string, string> = {}) =>
  request('POST', path, { ...FORM, ...headers }, new URLSearchParams({ Version: '2012-11-05', ...params }).toString());
const json = (action: string, body: unknown, path = '/', headers: Record<string, string> = {}) =>
  request('POST', path, { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}`, ...headers }, typeof body === 'string' ? body : JSON.stringify(body));

beforeAll(async () => {
  env = await startSqs();
  port = env.server.ports.sqs as number;
  await json('CreateQueue', { QueueName: 'wire' });
});
afterAll(async () => stopSqs(env));

describe('SQS wire edge cases', () => {
  it('JSON: unknown target, malformed JSON, wrong member types, missing members', async () => {
    const unknown = await json('FooBar', {});
    expect(unknown.status).toBe(400);
    expect(unknown.headers['x-amzn-query-error']).toBe('InvalidAction;Sender');
    expect(JSON.parse(unknown.text)).toEqual({ __type: 'com.amazon.coral.service#UnknownOperationException', message: 'The action FooBar is not valid for this endpoint.' });
    const malformed = await json('ListQueues', '{"QueueNamePrefix": ');
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.text).__type).toBe('com.amazon.coral.service#SerializationException');
    const wrongType = await json('ReceiveMessage', { QueueUrl: '/000000000000/wire', MaxNumberOfMessages: '5' });
    expect(JSON.parse(wrongType.text).__type).toBe('com.amazon.coral.service#SerializationException');
    const missing = await json('GetQueueUrl', {});
    expect(missing.headers['x-amzn-query-error']).toBe('MissingParameter;Sender');
    expect(JSON.parse(missing.text)).toEqual({ __type: 'com.amazon.coral.service#MissingRequiredParameterException', message: 'The request must contain the parameter QueueName.' });
    const noQueue = await json('GetQueueUrl', { QueueName: 'nope' });
    expect(noQueue.headers['x-amzn-query-error']).toBe('AWS.SimpleQueueService.NonExistentQueue;Sender');
    expect(JSON.parse(noQueue.text)).toEqual({ __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' });
  });

  it('treats "__proto__" in maps as data: an attribute name like any other', async () => {
    await json('CreateQueue', { QueueName: 'proto' });
    const sent = await json('SendMessage', { QueueUrl: '/000000000000/proto', MessageBody: 'x', MessageAttributes: JSON.parse('{"__proto__": {"DataType": "String", "StringValue": "v"}}') });
    expect(sent.status).toBe(200);
    const got = JSON.parse((await json('ReceiveMessage', { QueueUrl: '/000000000000/proto', MessageAttributeNames: ['All'] })).text);
    expect(JSON.stringify(got.Messages[0].MessageAttributes)).toBe('{"__proto__":{"DataType":"String","StringValue":"v"}}');
    const bad = await json('CreateQueue', { QueueName: 'proto2', Attributes: JSON.parse('{"__proto__": "1"}') });
    expect(JSON.parse(bad.text)).toMatchObject({ __type: 'com.amazonaws.sqs#InvalidAttributeName', message: 'Unknown Attribute __proto__.' });
  });

  it('Query: missing or unknown Action, queue-less actions on a queue URL, missing parameters', async () => {
    const get = await request('GET', '/000000000000/wire', { accept: 'application/json' });
    expect(get.status).toBe(404);
    expect(get.text).toContain('<Code>UnknownOperationException</Code>');
    const foo = await query({ Action: 'FooBar' });
    expect(foo.status).toBe(400);
    expect(foo.text).toContain('<Code>InvalidAction</Code><Message>The action FooBar is not valid for this endpoint.</Message>');
    const create = await query({ Action: 'CreateQueue', QueueName: 'x' }, '/000000000000/wire');
    expect(create.text).toContain('<Message>The action CreateQueue is not valid for this endpoint.</Message>');
    const send = await query({ Action: 'SendMessage' }, '/000000000000/wire');
    expect(send.status).toBe(400);
    expect(send.text).toContain('<Type>Sender</Type><Code>MissingParameter</Code><Message>The request must contain the parameter MessageBody.</Message>');
    const missingQueue = await query({ Action: 'GetQueueUrl', QueueName: 'nope' });
    expect(missingQueue.text).toContain('<Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue does not exist for this wsdl version.</Message>');
    const badInt = await query({ Action: 'ReceiveMessage', MaxNumberOfMessages: 'ten' }, '/000000000000/wire');
    expect(badInt.text).toContain('<Code>InvalidParameterValue</Code>');
  });

  it('Query over GET at a queue URL, and QueueUrl overriding the path; JSON at a queue URL path', async () => {
    const sent = await request('GET', '/000000000000/wire?Action=SendMessage&MessageBody=via-get', {});
    expect(sent.status).toBe(200);
    expect(sent.text).toMatch(/^<\?xml version="1.0"\?><SendMessageResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><SendMessageResult>/);
    const other = await request('GET', `/000000000000/nope?Action=GetQueueAttributes&AttributeName.1=All&QueueUrl=${encodeURIComponent('http://x/000000000000/wire')}`, {});
    expect(other.text).toContain('<Name>ApproximateNumberOfMessages</Name><Value>1</Value>');
    const viaPath = await json('ReceiveMessage', { MaxNumberOfMessages: 1 }, '/000000000000/wire');
    expect(viaPath.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(JSON.parse(viaPath.text).Messages[0].Body).toBe('via-get');
  });

  it('mints queue URLs from any Host header and takes the region from the signature', async () => {
    const r = await json('CreateQueue', { QueueName: 'hosted' }, '/', {
      host: 'sqs.example.internal:4566',
      authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/sqs/aws4_request, SignedHeaders=host, Signature=abc',
    });
    expect(JSON.parse(r.text).QueueUrl).toBe('http://sqs.example.internal:4566/000000000000/hosted');
    const a = await json('GetQueueAttributes', { QueueUrl: 'http://elsewhere/000000000000/hosted', AttributeNames: ['QueueArn'] });
    expect(JSON.parse(a.text).Attributes.QueueArn).toBe('arn:aws:sqs:eu-west-1:000000000000:hosted');
  });

  it('escapes CR and quotes in XML so bodies round-trip byte-exact; X-Amzn-Trace-Id becomes AWSTraceHeader', async () => {
    await json('CreateQueue', { QueueName: 'xml' });
    await query({ Action: 'SendMessage', MessageBody: 'a\r\nb "c" &quot; <d>' }, '/000000000000/xml', { 'x-amzn-trace-id': 'Root=1-abc' });
    const r = await query({ Action: 'ReceiveMessage', 'AttributeName.1': 'All' }, '/000000000000/xml');
    expect(r.text).toContain('<Body>a&#xD;\nb &quot;c&quot; &amp;quot; &lt;d&gt;</Body>');
    expect(r.text).toContain('<Attribute><Name>AWSTraceHeader</Name><Value>Root=1-abc</Value></Attribute>');
  });

  it('rejects an oversized body with 413 and keeps serving', async () => {
    const big = Buffer.alloc(9 * 1024 * 1024, 'a');
    const r = await request('POST', '/', { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' }, big);
    expect(r.status).toBe(413);
    expect(r.headers['x-amzn-query-error']).toBe('RequestEntityTooLarge;Sender');
    const ok = await json('ListQueues', {});
    expect(ok.status).toBe(200);
  });

  it('deleting a queue ends the long polls waiting on it with QueueDoesNotExist', async () => {
    await json('CreateQueue', { QueueName: 'doomed' });
    const started = Date.now();
    const pending = json('ReceiveMessage', { QueueUrl: '/000000000000/doomed', WaitTimeSeconds: 20 });
    await new Promise((r) => setTimeout(r, 100));
    await json('DeleteQueue', { QueueUrl: '/000000000000/doomed' });
    const r = await pending;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r.headers['x-amzn-query-error']).toBe('AWS.SimpleQueueService.NonExistentQueue;Sender');
  });

  it('answers garbage in either flavour with a 4xx and keeps serving', async () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const actions = ['SendMessage', 'ReceiveMessage', 'CreateQueue', 'SendMessageBatch', 'SetQueueAttributes', 'Nope'];
    const pieces = ['{', '}', '[', ']', '"QueueUrl"', ':', ',', '"Entries"', 'null', '1e999', '"\\u0000"', '%', '&', '=', 'Action', '.1.', '\u00ff', '"'];
    for (let i = 0; i < 150; i++) {
      const body = Array.from({ length: rand(30) }, () => pieces[rand(pieces.length)]).join('');
      const action = actions[rand(actions.length)] as string;
      const r = rand(2) === 0 ? await json(action, body) : await query({ Action: action, [`${pieces[rand(pieces.length)]}`]: body }, rand(2) ? '/' : '/000000000000/wire');
      expect(r.status, `${action} ${body}`).toBeGreaterThanOrEqual(200);
      expect(r.status, `${action} ${body}`).toBeLessThan(500);
    }
    expect((await json('ListQueues', {})).status).toBe(200);
  });

  it('a server shutdown answers pending long polls (empty) instead of holding the close', async () => {
    const other = await startSqs();
    const p = other.server.ports.sqs as number;
    await fetch(`http://127.0.0.1:${p}/`, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.CreateQueue' }, body: '{"QueueName":"bye"}' });
    const started = Date.now();
    const pending = fetch(`http://127.0.0.1:${p}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ReceiveMessage' },
      body: '{"QueueUrl":"/000000000000/bye","WaitTimeSeconds":20}',
    });
    await new Promise((r) => setTimeout(r, 100));
    await stopSqs(other);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a client disconnect cancels its long-poll waiter', async () => {
    await json('CreateQueue', { QueueName: 'poll' });
    const queue = env.server.core.queues('sqs').require('poll');
    const ac = new AbortController();
    const pending = json('ReceiveMessage', { QueueUrl: '/000000000000/poll', WaitTimeSeconds: 20 }, '/', {}).then(() => 'done');
    const aborted = request('POST', '/', { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ReceiveMessage' }, JSON.stringify({ QueueUrl: '/000000000000/poll', WaitTimeSeconds: 20 }), ac.signal).catch(() => 'aborted');
    await new Promise((r) => setTimeout(r, 100));
    expect(queue.waiters.size).toBe(2);
    ac.abort();
    expect(await aborted).toBe('aborted');
    await new Promise((r) => setTimeout(r, 100));
    expect(queue.waiters.size).toBe(1);
    await json('SendMessage', { QueueUrl: '/000000000000/poll', MessageBody: 'for the live one' });
    expect(await pending).toBe('done');
    expect(queue.waiters.size).toBe(0);
  });
});
