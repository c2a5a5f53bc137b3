// Debian's AWS CLI 2.9 (Query protocol) against the server: create, send with attributes,
// receive (the CLI verifies nothing, so MD5s are compared here), queue attributes.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqs, stopSqs, type SqsEnv } from './helpers.js';

let env: SqsEnv;

function aws(args: string[]): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/aws',
      ['sqs', ...args, '--endpoint-url', `http://127.0.0.1:${env.server.ports.sqs}`, '--output', 'json'],
      { env: { PATH: process.env.PATH ?? '', HOME: env.server.scratchDir, AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' }, timeout: 60_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim() === '' ? {} : JSON.parse(stdout))),
    );
  });
}

beforeAll(async () => {
  env = await startSqs();
});
afterAll(async () => stopSqs(env));

describe('SQS through the AWS CLI 2.9 (Query protocol)', () => {
  it('create, send, receive and read attributes', async () => {
    const { QueueUrl } = await aws(['create-queue', '--queue-name', 'cli', '--attributes', 'DelaySeconds=0,VisibilityTimeout=45']);
    expect(QueueUrl).toBe(`http://127.0.0.1:${env.server.ports.sqs}/000000000000/cli`);
    const body = 'cli body\r\nwith "quotes"';
    const sent = await aws(['send-message', '--queue-url', QueueUrl, '--message-body', body, '--message-attributes', '{"k":{"DataType":"String","StringValue":"x"}}']);
    expect(sent.MD5OfMessageBody).toBe(createHash('md5').update(body).digest('hex'));
    expect(sent.MD5OfMessageAttributes).toBe('a45daa70926828a2f0a1db3418e6feb4');
    const got = await aws(['receive-message', '--queue-url', QueueUrl, '--message-attribute-names', 'All']);
    expect(got.Messages[0].Body).toBe(body);
    expect(got.Messages[0].MessageAttributes).toEqual({ k: { DataType: 'String', StringValue: 'x' } });
    const attrs = await aws(['get-queue-attributes', '--queue-url', QueueUrl, '--attribute-names', 'All']);
    expect(attrs.Attributes).toMatchObject({ VisibilityTimeout: '45', ApproximateNumberOfMessagesNotVisible: '1' });
  }, 60_000);
});
