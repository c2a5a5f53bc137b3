// Shared helpers for the SQS suites: a server plus an official JS SDK client (JSON protocol),
// and a runner for Debian's boto3 1.26 (Query protocol) scripts.
import { execFile } from 'node:child_process';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Clock } from '../../src/core/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

export interface SqsEnv {
  server: TestServer;
  client: SQSClient;
  endpoint: string;
}

export async function startSqs(clock?: Clock): Promise<SqsEnv> {
  const server = await startTestServer({ protocols: ['sqs'] }, clock);
  const endpoint = `http://127.0.0.1:${server.ports.sqs}`;
  const client = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  return { server, client, endpoint };
}

export async function stopSqs(env: SqsEnv | undefined): Promise<void> {
  env?.client.destroy();
  await env?.server.stop();
}

/** Expects `p` to reject with an SDK error of this name, message and HTTP status. */
export async function sdkError(p: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined; code: string | undefined }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number }; Code?: string };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode, code: e.Code };
  }
  throw new Error('expected the call to fail');
}

/** Runs a Python script with /usr/bin/python3 (Debian's boto3 speaks the Query protocol). */
export function runPython(script: string, args: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/python3', ['-c', script, ...args], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`python failed: ${err.message}\n${stderr}\n${stdout}`));
      else resolve(stdout);
    });
  });
}

export async function raw(endpoint: string, path: string, init: RequestInit): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(endpoint + path, init);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

export function form(params: Record<string, string>): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() };
}

export function jsonCall(action: string, body: unknown): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` }, body: typeof body === 'string' ? body : JSON.stringify(body) };
}
