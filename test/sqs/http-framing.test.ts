// HTTP/1.1 framing of the SQS port (src/sqs/lean-http.ts) over raw TCP sockets: pipelined
// requests answered in order, chunked bodies, Expect: 100-continue, HTTP/1.0 close, Connection:
// close, malformed heads (400) and oversized heads (431) closing only their own connection.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqs, stopSqs, type SqsEnv } from './helpers.js';

let env: SqsEnv;
let port: number;

/** Writes `data` (pieces sent with a short pause between) and collects until close or `until`. */
function exchange(pieces: string[], until?: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => (socket.destroy(), resolve(text)), 3000);
    socket.on('data', (b) => {
      text += b.toString('utf8');
      if (until?.(text)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('close', () => (clearTimeout(timer), resolve(text)));
    socket.on('error', reject);
    void (async () => {
      for (const p of pieces) {
        socket.write(p);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
  });
}

const jsonHead = (action: string, body: string, extra = ''): string =>
  `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS.${action}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

const count = (text: string, s: string): number => text.split(s).length - 1;

beforeAll(async () => {
  env = await startSqs();
  port = env.server.ports.sqs as number;
  await exchange([jsonHead('CreateQueue', '{"QueueName":"framing"}')], (t) => t.includes('QueueUrl'));
});
afterAll(async () => stopSqs(env));

describe('SQS port HTTP framing', () => {
  it('answers pipelined requests in order on one connection, split across packets anywhere', async () => {
    const send = (n: number) => jsonHead('SendMessage', `{"QueueUrl":"/000000000000/framing","MessageBody":"m${n}"}`);
    // The stray CRLF after the first body is skipped (RFC 9112 2.2).
    const all = send(1) + '\r\n' + send(2) + jsonHead('GetQueueAttributes', '{"QueueUrl":"/000000000000/framing","AttributeNames":["ApproximateNumberOfMessages"]}');
    const text = await exchange([all.slice(0, 37), all.slice(37, 200), all.slice(200)], (t) => t.includes('ApproximateNumberOfMessages'));
    expect(count(text, 'HTTP/1.1 200 OK')).toBe(3);
    expect(text.indexOf('MD5OfMessageBody')).toBeLessThan(text.indexOf('ApproximateNumberOfMessages'));
    expect(text).toContain('"ApproximateNumberOfMessages":"2"');
    expect(text).toMatch(/connection: keep-alive/i);
  });

  it('reads chunked bodies (with extensions and trailers) and honours Expect: 100-continue', async () => {
    const body = '{"QueueUrl":"/000000000000/framing","MessageBody":"chunked"}';
    const head = 'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS.SendMessage\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n';
    const chunks = `10;ext=1\r\n${body.slice(0, 16)}\r\n${(body.length - 16).toString(16)}\r\n${body.slice(16)}\r\n0\r\nX-Trailer: y\r\n\r\n`;
    const text = await exchange([head, chunks], (t) => t.includes('MD5OfMessageBody'));
    expect(text.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK')).toBe(true);
  });

  it('closes after the answer for HTTP/1.0 and for Connection: close', async () => {
    const old = await exchange([jsonHead('ListQueues', '{}').replace('HTTP/1.1', 'HTTP/1.0')]);
    expect(old).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*connection: close/i);
    const closed = await exchange([jsonHead('ListQueues', '{}', 'Connection: close\r\n') + jsonHead('ListQueues', '{}')]);
    expect(count(closed, 'HTTP/1.1 200 OK')).toBe(1);
  });

  it('answers a malformed head with 400 and an oversized head with 431, then closes; others keep working', async () => {
    expect(await exchange(['GARBAGE\r\n\r\n'])).toMatch(/^HTTP\/1\.1 400 /);
    expect(await exchange(['POST / HTTP/1.1\r\nBad Header: x\r\n\r\n'])).toMatch(/^HTTP\/1\.1 400 /);
    expect(await exchange(['POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n'])).toMatch(/^HTTP\/1\.1 400 /);
    expect(await exchange([`POST / HTTP/1.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`])).toMatch(/^HTTP\/1\.1 431 /);
    expect(await exchange([jsonHead('ListQueues', '{}')], (t) => t.includes('QueueUrls'))).toMatch(/^HTTP\/1\.1 200 OK/);
  });

  it('checks every header name, keeps the first Host, and refuses conflicting Content-Length values', async () => {
    // A bad name in a header the server does not read is still a malformed head.
    expect(await exchange(['POST / HTTP/1.1\r\nX-Fine: 1\r\nX-B(d: 2\r\n\r\n'])).toMatch(/^HTTP\/1\.1 400 /);
    expect(await exchange(['POST / HTTP/1.1\r\nX-Fine: 1\r\nno colon here\r\n\r\n'])).toMatch(/^HTTP\/1\.1 400 /);
    expect(await exchange(['POST / HTTP/1.1\r\n: empty name\r\n\r\n'])).toMatch(/^HTTP\/1\.1 400 /);
    expect(await exchange([jsonHead('ListQueues', '{}', 'Content-Length: 3\r\n')])).toMatch(/^HTTP\/1\.1 400 /);
    // Same Content-Length twice is fine; mixed-case names and padded values are read as usual.
    const ok = `POST / HTTP/1.1\r\nHOST:   first:1\r\nhost: second:2\r\ncOnTeNt-TyPe:\tapplication/x-amz-json-1.0 \r\nX-AMZ-TARGET: AmazonSQS.CreateQueue\r\nContent-Length: 23\r\ncontent-length: 23\r\n\r\n{"QueueName":"headers"}`;
    const text = await exchange([ok], (t) => t.includes('QueueUrl'));
    expect(text).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(text).toContain('"QueueUrl":"http://first:1/000000000000/headers"');
  });

  it('refuses a declared oversized body at once, skips it, and serves the next request on the connection', async () => {
    const size = 9 * 1024 * 1024;
    const head = `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS.SendMessage\r\nContent-Length: ${size}\r\n\r\n`;
    const text = await exchange([head, 'a'.repeat(size), jsonHead('ListQueues', '{}')], (t) => t.includes('QueueUrls'));
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toContain('RequestEntityTooLarge;Sender');
    expect(count(text, 'HTTP/1.1 200 OK')).toBe(1);
  });
});
