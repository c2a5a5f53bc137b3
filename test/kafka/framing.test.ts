// The size-prefixed framing (frame-reader.ts, socket-reads.ts): frames of every size, cut at
// every kind of boundary, come out byte-exact whether bytes arrive as 'data' chunks or are read
// into the buffers the reader hands out (large frames directly, the rest through the scratch);
// an oversized size stops the reader. Over a real socket, large produce requests sent in odd
// pieces and coalesced with small requests are answered in order and stored byte for byte.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameReader } from '../../src/kafka/frame-reader.js';
import { feedFrames } from '../../src/kafka/socket-reads.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import type { Msg } from '../../src/kafka/codec.js';
import { producerBatch } from './batch-builder.js';
import { parse, RawClient, request } from './raw-client.js';

function stream(sizes: number[]): { bytes: Buffer; frames: Buffer[] } {
  let seed = 7;
  const frames = sizes.map((n) => {
    const f = Buffer.alloc(n);
    for (let i = 0; i < n; i++) f[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    return f;
  });
  const parts = frames.flatMap((f) => {
    const head = Buffer.alloc(4);
    head.writeInt32BE(f.length, 0);
    return [head, f];
  });
  return { bytes: Buffer.concat(parts), frames };
}

function collector(limit = 1 << 20): { reader: FrameReader; got: Buffer[]; oversized: number[] } {
  const got: Buffer[] = [];
  const oversized: number[] = [];
  const reader = new FrameReader({ maxFrameBytes: () => limit, frame: (f) => got.push(Buffer.from(f)), oversized: (size) => oversized.push(size) });
  return { reader, got, oversized };
}

const SIZES = [0, 1, 3, 4, 100, 4095, 4096, 16 * 1024, 65_535, 65_536, 70_000, 300_000, 2, 900_000, 5];

describe('FrameReader', () => {
  it('reassembles frames from chunks of any size, keeping no reference to the chunks', () => {
    const { bytes, frames } = stream(SIZES);
    for (const step of [1, 3, 4, 5, 1000, 65_536, bytes.length]) {
      const { reader, got } = collector();
      for (let at = 0; at < bytes.length; at += step) {
        const chunk = Buffer.from(bytes.subarray(at, at + step));
        reader.push(chunk);
        chunk.fill(0xee); // a reused read buffer: later frames must not change
      }
      expect(got.length).toBe(frames.length);
      got.forEach((f, i) => expect(f.equals(frames[i] as Buffer)).toBe(true));
    }
  });

  it('reads large frames straight into their own buffer and the rest through the scratch', () => {
    const { bytes, frames } = stream(SIZES);
    for (const most of [1, 7, 4096, 65_536]) {
      const { reader, got } = collector();
      let at = 0;
      let direct = 0;
      while (at < bytes.length) {
        const target = reader.readTarget();
        const n = Math.min(target.length, most, bytes.length - at);
        bytes.copy(target, 0, at, at + n);
        if (target.length !== 64 * 1024) direct += n;
        reader.read(target, n);
        at += n;
      }
      expect(got.length).toBe(frames.length);
      got.forEach((f, i) => expect(f.equals(frames[i] as Buffer)).toBe(true));
      // Only the frames of 16 KiB and more can be read into directly, never past their end.
      expect(direct).toBeGreaterThan(most === 1 ? 0 : 1_000_000);
    }
  });

  it('stops at a size outside [0, limit] and ignores what follows', () => {
    const { bytes } = stream([10, 2000, 10]);
    const { reader, got, oversized } = collector(1000);
    reader.push(bytes);
    expect(got.length).toBe(1);
    expect(oversized).toEqual([2000]);
    const neg = collector();
    neg.reader.push(Buffer.from([0xff, 0xff, 0xff, 0xfe, 1, 2]));
    expect(neg.oversized).toEqual([-2]);
    expect(neg.got).toEqual([]);
  });
});

describe('feedFrames', () => {
  it('reads an accepted socket into the reader\'s buffers, pauses, resumes and sees the end', async () => {
    const { bytes, frames } = stream(SIZES);
    const got: Buffer[] = [];
    let mode = '';
    let pausedOnce = false;
    const done = new Promise<void>((resolve) => {
      const srv = net.createServer((socket) => {
        const reader = new FrameReader({ maxFrameBytes: () => 1 << 20, frame: (f) => got.push(f), oversized: () => socket.destroy() });
        mode = feedFrames(socket, reader, () => {
          // Backpressure as the connection applies it: stop reading for a moment, then go on.
          if (got.length >= 3 && !pausedOnce) {
            pausedOnce = true;
            socket.pause();
            setTimeout(() => socket.resume(), 20);
          }
        });
        socket.once('close', () => {
          srv.close();
          resolve();
        });
      });
      srv.listen(0, '127.0.0.1', () => {
        const client = net.connect((srv.address() as net.AddressInfo).port, '127.0.0.1', () => client.end(bytes));
      });
    });
    await done;
    expect(mode).toBe(process.env.OMNIBROKER_KAFKA_PLAIN_READS === '1' ? 'data-events' : 'user-buffer');
    expect(pausedOnce).toBe(true);
    expect(got.length).toBe(frames.length);
    got.forEach((f, i) => expect(f.equals(frames[i] as Buffer)).toBe(true));
  });
});

describe('framing over a socket', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ protocols: ['kafka'] });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('stores large produce requests sent in odd pieces and coalesced with small requests', async () => {
    server.core.topics.create('framing', 1);
    const c = await RawClient.connect(server.ports.kafka as number);
    const values = (tag: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${tag}-${i}-`.padEnd(1000, tag));
    const batches = [producerBatch(values('a', 600)), producerBatch(values('b', 30)), producerBatch(values('c', 900))];
    const produce = (records: Buffer, id: number): Buffer => request(0, 8, id, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 'framing', partitionData: [{ index: 0, records }] }] });
    const wire = Buffer.concat([produce(batches[0] as Buffer, 1), request(18, 0, 2, {}), produce(batches[1] as Buffer, 3), produce(batches[2] as Buffer, 4)]);
    for (let at = 0, step = 1; at < wire.length; at += step, step = (step * 7 + 3) % 90_001) {
      c.socket.write(wire.subarray(at, at + step));
      if (step % 3 === 0) await new Promise((r) => setImmediate(r));
    }
    const offsets = [];
    for (const id of [1, 2, 3, 4]) {
      const res = id === 2 ? parse(18, 0, await c.next(), 2) : parse(0, 8, await c.next(), id);
      offsets.push(id === 2 ? res.errorCode : res.responses[0].partitionResponses[0].baseOffset);
    }
    expect(offsets.map(Number)).toEqual([0, 0, 600, 630]);
    let fetchOffset = 0;
    for (const sent of batches) {
      const fetched = await c.call(1, 11, { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic: 'framing', partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 1 << 20 }] }], forgottenTopicsData: [], rackId: '' });
      const stored = fetched.responses[0].partitions[0].records as Buffer;
      expect(Number(stored.readBigInt64BE(0))).toBe(fetchOffset);
      expect(stored.subarray(16, sent.length).equals(sent.subarray(16))).toBe(true);
      fetchOffset += sent.readInt32BE(23) + 1; // lastOffsetDelta + 1
    }
    c.socket.destroy();
  });

  it('stores requests carved from shared chunks byte for byte across chunk boundaries', async () => {
    // 24 requests of ~700 KB are ~17 MB: they fill two and a half 8 MB chunks (frame-memory.ts).
    server.core.topics.create('carved', 1);
    const c = await RawClient.connect(server.ports.kafka as number);
    const sent: Buffer[] = [];
    for (let i = 0; i < 24; i++) {
      const batch = producerBatch(Array.from({ length: 700 }, (_, j) => `${i}:${j}:`.padEnd(1000, String.fromCharCode(97 + (i % 26)))));
      sent.push(batch);
      const res = await c.call(0, 8, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 'carved', partitionData: [{ index: 0, records: batch }] }] });
      expect(Number(res.responses[0].partitionResponses[0].baseOffset)).toBe(i * 700);
    }
    for (let i = 0; i < sent.length; i++) {
      const fetched = await c.call(1, 11, { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic: 'carved', partitions: [{ partition: 0, fetchOffset: i * 700, partitionMaxBytes: 1 << 20 }] }], forgottenTopicsData: [], rackId: '' });
      const stored = fetched.responses[0].partitions[0].records as Buffer;
      const one = sent[i] as Buffer;
      expect(Number(stored.readBigInt64BE(0))).toBe(i * 700);
      expect(stored.subarray(16, one.length).equals(one.subarray(16))).toBe(true);
    }
    c.socket.destroy();
  });

  it('keeps its own copy of each small batch that came in a carved request', async () => {
    // 8 partitions x ~16 KB in one ~130 KB request: the frame is carved from a shared chunk, its
    // batches are copied out of it (so they do not pin the chunk) and stored byte for byte.
    server.core.topics.create('carved-small', 8);
    const c = await RawClient.connect(server.ports.kafka as number);
    const batches = Array.from({ length: 8 }, (_, p) => producerBatch(Array.from({ length: 16 }, (_, j) => `${p}:${j}:`.padEnd(1000, String.fromCharCode(97 + p)))));
    const res = await c.call(0, 8, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 'carved-small', partitionData: batches.map((records, index) => ({ index, records })) }] });
    expect((res.responses[0].partitionResponses as Msg[]).map((p) => p.errorCode)).toEqual(batches.map(() => 0));
    const logs = server.core.topics.get('carved-small')?.partitions ?? [];
    batches.forEach((sent, p) => {
      const [entry, ...rest] = [...(logs[p]?.all() ?? [])];
      expect(rest).toEqual([]);
      expect(entry?.bytes.buffer).not.toBeInstanceOf(SharedArrayBuffer);
      expect(entry?.bytes.subarray(16).equals(sent.subarray(16))).toBe(true);
    });
    c.socket.destroy();
  });
});
