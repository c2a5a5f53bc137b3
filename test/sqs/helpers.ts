// Shared helpers for the SQS suites: a server plus an official JS SDK client (JSON protocol),
// and a runner for Debian's boto3 1.26 (Query protocol) scripts.
import { execFile } from 'node:child_process';
import * as jsonSdk from '@aws-sdk/client-sqs';
import * as querySdk from 'client-sqs-query';
import type { Clock } from '../../src/core/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * The two wire flavours, each driven by a real SDK: `json` is the current @aws-sdk/client-sqs;
 * `query` is @aws-sdk/client-sqs 3.445.0 (installed as client-sqs-query), the last release
 * that spoke the Query protocol (form-encoded requests, XML responses).
 */
export const FLAVOURS = ['json', 'query'] as const;
export type Flavour = (typeof FLAVOURS)[number];
export type Sdk = typeof jsonSdk;

export function sdkFor(flavour: Flavour): Sdk {
  return flavour === 'json' ? jsonSdk : (querySdk as unknown as Sdk);
}

export interface SqsEnv {
  server: TestServer;
  client: jsonSdk.SQSClient;
  endpoint: string;
}

export async function startSqs(clock?: Clock, flavour: Flavour = 'json'): Promise<SqsEnv> {
  const server = await startTestServer({ protocols: ['sqs'] }, clock);
  const endpoint = `http://127.0.0.1:${server.ports.sqs}`;
  const client = new (sdkFor(flavour).SQSClient)({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  return { server, client, endpoint };
}

export async function stopSqs(env: SqsEnv | undefined): Promise<void> {
  env?.client.destroy();
  await env?.server.stop();
}

/**
 * One error name for both flavours: the Query-era SDK names unmodeled errors by their raw
 * Query code (AWS.SimpleQueueService.X); the JSON SDK by the query-compatible class name.
 */
function errorName(name: string): string {
  if (name === 'AWS.SimpleQueueService.NonExistentQueue') return 'QueueDoesNotExist';
  if (name === 'QueueAlreadyExists') return 'QueueNameExists';
  return name.replace(/^AWS\.SimpleQueueService\./, '');
}

/** Expects `p` to reject with an SDK error of this name, message and HTTP status. */
export async function sdkError(p: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined; code: string | undefined }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number }; Code?: string; Error?: { Message?: string } };
    // The Query-era SDK leaves modeled errors' message as "UnknownError" (it reads a lowercase
    // <message>); the wire text is still on the parsed error body.
    const message = e.message === 'UnknownError' && e.Error?.Message !== undefined ? e.Error.Message : e.message;
    return { name: errorName(e.name), message, status: e.$metadata?.httpStatusCode, code: e.Code };
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
