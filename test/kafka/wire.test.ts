// Raw-socket tests of the Kafka framing and error paths: split and coalesced frames, the
// ApiVersions KIP-511 downgrade, response header v0 for ApiVersions v3, unknown API keys,
// oversized frames, corrupt record batches and Produce v0-2 rejection. Real clients cover the
// happy paths; these pin what no client sends on purpose.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Msg } from '../../src/kafka/codec.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { crc32c } from '../../src/kafka/crc32c.js';
import { producerBatch } from './batch-builder.js';
import { parse, RawClient as BaseClient, request } from './raw-client.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ protocols: ['kafka'], extra: { KAFKA_SOCKET_REQUEST_MAX_BYTES: '1048576' } });
});
afterAll(async () => {
  await server.stop();
});

const RawClient = { connect: (): Promise<BaseClient> => BaseClient.connect(server.ports.kafka as number) };

/** A valid uncompressed record batch v2 with `values` as records (null keys). */
const batch = (values: string[], timestamp?: number): Buffer => producerBatch(values, timestamp === undefined ? {} : { timestamp });

describe('framing', () => {
  it('answers requests split into single bytes and coalesced into one write, in order', async () => {
    const c = await RawClient.connect();
    const frames = Buffer.concat([request(18, 0, 1, {}), request(3, 1, 2, { topics: [] }), request(18, 2, 3, {})]);
    for (const byte of frames.subarray(0, 20)) c.socket.write(Buffer.from([byte]));
    c.socket.write(frames.subarray(20));
    const a = parse(18, 0, await c.next(), 1);
    const b = parse(3, 1, await c.next(), 2);
    const d = parse(18, 2, await c.next(), 3);
    expect(a.errorCode).toBe(0);
    expect(b.controllerId).toBe(1);
    expect(d.apiKeys.length).toBe(a.apiKeys.length);
    c.socket.destroy();
  });

  it('advertises the compatibility ranges librdkafka 2.0.2 needs', async () => {
    const c = await RawClient.connect();
    const res = await c.call(18, 3, { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' });
    const range = (k: number): [number, number] => {
      const e = (res.apiKeys as Msg[]).find((x) => x.apiKey === k);
      return [e?.minVersion as number, e?.maxVersion as number];
    };
    expect(range(0)).toEqual([0, 11]);
    expect(range(1)).toEqual([4, 17]);
    expect(range(10)[0]).toBe(0);
    expect(range(11)[0]).toBe(0);
    expect(range(12)[0]).toBe(0);
    expect(range(13)[0]).toBe(0);
    expect(range(14)[0]).toBe(0);
    expect(range(8)).toEqual([2, 9]);
    expect(range(9)).toEqual([1, 9]);
    c.socket.destroy();
  });

  it('answers ApiVersions above v4 with the KIP-511 v0 downgrade', async () => {
    const c = await RawClient.connect();
    const raw = Buffer.alloc(4 + 10 + 2);
    raw.writeInt32BE(12, 0);
    raw.writeInt16BE(18, 4);
    raw.writeInt16BE(99, 6);
    raw.writeInt32BE(42, 8);
    raw.writeInt16BE(-1, 12);
    c.socket.write(raw);
    const res = parse(18, 0, await c.next(), 42);
    expect(res.errorCode).toBe(35);
    expect((res.apiKeys as Msg[]).find((k) => k.apiKey === 18)?.maxVersion).toBe(4);
    c.socket.destroy();
  });

  it('closes the connection on an unknown API key and on an unsupported version', async () => {
    const c1 = await RawClient.connect();
    const bad = request(18, 0, 1, {});
    bad.writeInt16BE(999, 4);
    c1.socket.write(bad);
    await c1.closed;
    const c2 = await RawClient.connect();
    const old = request(3, 0, 1, { topics: [] });
    old.writeInt16BE(1, 4); // Fetch v0: below our minimum of 4
    c2.socket.write(old);
    await c2.closed;
  });

  it('closes on a frame above the request size limit without waiting for its bytes', async () => {
    const c = await RawClient.connect();
    const head = Buffer.alloc(4);
    head.writeInt32BE(2_000_000_000, 0);
    c.socket.write(head);
    await c.closed;
  });

  it('closes on a truncated body but keeps serving other connections', async () => {
    const c = await RawClient.connect();
    const good = request(3, 1, 1, { topics: [{ name: 'x' }] });
    const cut = Buffer.concat([Buffer.alloc(4), good.subarray(4, good.length - 3)]);
    cut.writeInt32BE(cut.length - 4, 0);
    c.socket.write(cut);
    await c.closed;
    const d = await RawClient.connect();
    expect((await d.call(18, 1, {})).errorCode).toBe(0);
    d.socket.destroy();
  });
});

describe('produce validation', () => {
  it('appends a valid batch, rewriting only its base offset, and rejects corrupt ones', async () => {
    server.core.topics.create('wire', 1);
    const c = await RawClient.connect();
    const produce = (records: Buffer | null, version = 8): Promise<Msg> => c.call(0, version, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 'wire', partitionData: [{ index: 0, records }] }] });
    const p = (r: Msg): Msg => r.responses[0].partitionResponses[0];
    const good = batch(['a', 'b']);
    expect(p(await produce(good))).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(p(await produce(batch(['c'])))).toMatchObject({ errorCode: 0, baseOffset: 2 });

    const corrupt = batch(['x']);
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 1) ^ 0xff, corrupt.length - 1);
    expect(p(await produce(corrupt)).errorCode).toBe(2); // CORRUPT_MESSAGE
    const badMagic = batch(['x']);
    badMagic.writeInt8(1, 16);
    expect(p(await produce(badMagic)).errorCode).toBe(87); // INVALID_RECORD
    expect(p(await produce(Buffer.concat([batch(['x']), batch(['y'])]))).errorCode).toBe(87);
    expect(p(await produce(batch(['x']).subarray(0, 40)))).toMatchObject({ errorCode: 2 });
    expect(p(await produce(batch(['x']), 2)).errorCode).toBe(35); // UNSUPPORTED_VERSION for v0-2
    const unknown = await c.call(0, 8, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 'nope', partitionData: [{ index: 0, records: good }] }] });
    expect(p(unknown).errorCode).toBe(3);

    // Stored bytes are the client's bytes with the base offset stamped in.
    const fetched = await c.call(1, 11, { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic: 'wire', partitions: [{ partition: 0, fetchOffset: 2, partitionMaxBytes: 1 << 20 }] }], forgottenTopicsData: [], rackId: '' });
    const part = fetched.responses[0].partitions[0];
    expect(part.highWatermark).toBe(3);
    const stored = part.records as Buffer;
    const sent = batch(['c']);
    expect(Number(stored.readBigInt64BE(0))).toBe(2);
    expect(stored.subarray(16)).toEqual(sent.subarray(16));
    const out = await c.call(1, 11, { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic: 'wire', partitions: [{ partition: 0, fetchOffset: 9, partitionMaxBytes: 1 << 20 }] }], forgottenTopicsData: [], rackId: '' });
    expect(out.responses[0].partitions[0].errorCode).toBe(1); // OFFSET_OUT_OF_RANGE
    c.socket.destroy();
  });

  it('rejects batches whose records do not fill them exactly, even with a valid CRC', async () => {
    server.core.topics.create('framing', 1);
    const c = await RawClient.connect();
    const produce = async (records: Buffer): Promise<Msg> => {
      const r = await c.call(0, 8, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 'framing', partitionData: [{ index: 0, records }] }] });
      return r.responses[0].partitionResponses[0];
    };
    /** Re-seals a modified batch: fixes batchLength and the CRC so only the records are wrong. */
    const seal = (b: Buffer): Buffer => {
      b.writeInt32BE(b.length - 12, 8);
      b.writeUInt32BE(crc32c(b, 21), 17);
      return b;
    };
    const withCount = (b: Buffer, count: number): Buffer => {
      b.writeInt32BE(count, 57);
      b.writeInt32BE(count - 1, 23);
      return seal(b);
    };
    // The header promises three records, the batch holds two.
    expect(await produce(withCount(batch(['a', 'b']), 3))).toMatchObject({ errorCode: 2, errorMessage: 'record batch holds fewer than 3 records' });
    // Bytes left after the promised records.
    expect(await produce(seal(Buffer.concat([batch(['a']), Buffer.from([1, 2, 3])])))).toMatchObject({ errorCode: 2, errorMessage: 'record batch has 3 bytes after its 1 records' });
    // A record length below the smallest possible record (zigzag 4 = length 2).
    const short = batch(['a']);
    short.writeUInt8(4, 61);
    expect(await produce(seal(short))).toMatchObject({ errorCode: 2, errorMessage: 'record 0 has invalid length 2' });
    // A length varint that never ends within 6 bytes.
    const endless = Buffer.concat([batch(['a']).subarray(0, 61), Buffer.alloc(8, 0xff)]);
    expect(await produce(seal(endless))).toMatchObject({ errorCode: 2, errorMessage: 'record batch holds fewer than 1 records' });
    // A multi-byte length that points past the end.
    const long = Buffer.concat([batch(['a']).subarray(0, 61), Buffer.from([0x80, 0x02]), Buffer.alloc(20)]);
    expect(await produce(seal(long))).toMatchObject({ errorCode: 2, errorMessage: 'record batch holds fewer than 1 records' });
    // Nothing was stored, and a good batch still goes in at offset 0.
    expect(await produce(batch(['ok']))).toMatchObject({ errorCode: 0, baseOffset: 0 });
    c.socket.destroy();
  });

  it('rejects a batch above max.message.bytes with MESSAGE_TOO_LARGE', async () => {
    server.core.topics.create('small', 1, new Map([['max.message.bytes', '100']]));
    const c = await RawClient.connect();
    const res = await c.call(0, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 'small', partitionData: [{ index: 0, records: batch(['x'.repeat(200)]) }] }] });
    expect(res.responses[0].partitionResponses[0].errorCode).toBe(10);
    c.socket.destroy();
  });

  it('sends no response for acks=0 but still appends', async () => {
    server.core.topics.create('acks0', 1);
    const c = await RawClient.connect();
    c.socket.write(request(0, 7, 5, { transactionalId: null, acks: 0, timeoutMs: 1000, topicData: [{ name: 'acks0', partitionData: [{ index: 0, records: batch(['q']) }] }] }));
    const meta = await c.call(18, 0, {}, 6);
    expect(meta.errorCode).toBe(0);
    expect(server.core.topics.get('acks0')?.partitions[0]?.highWatermark).toBe(1);
    c.socket.destroy();
  });
});
