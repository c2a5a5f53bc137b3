// Compressed record batches (gzip, snappy, lz4, zstd) written by each client and read by every
// other: kcat, confluent-kafka (librdkafka 2.0.2), kafka-python 2.0.2 and kafkajs. The broker
// stores each batch as sent (attributes keep the codec; no recompression), so this also
// checks librdkafka's feature detection (compression needs Produce v0 in the advertised
// range) and that raw snappy (librdkafka, kafkajs) and xerial-framed snappy (kafka-python)
// both pass validation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { kcat, py, type PyMessage } from './external-clients.js';
import { registerKafkajsCodecs } from './kafkajs-codecs.js';
import { readMessages, valueText } from './kafkajs-read.js';

const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
type CodecName = (typeof CODECS)[number];
const ATTRIBUTE: Record<CodecName, number> = { gzip: 1, snappy: 2, lz4: 3, zstd: 4 };
const KAFKAJS: Record<CodecName, CompressionTypes> = { gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD };
const XERIAL = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const WRITERS = ['kcat', 'confluent', 'kafkapython', 'kafkajs'] as const;

let server: TestServer;
let kafka: Kafka;
let bootstrap: string;

beforeAll(async () => {
  registerKafkajsCodecs();
  server = await startTestServer({ protocols: ['kafka'] });
  bootstrap = `127.0.0.1:${server.ports.kafka}`;
  kafka = new Kafka({ clientId: 'zip', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 50 } });
  for (const c of CODECS) server.core.topics.create(`z-${c}`, 1);
});
afterAll(async () => {
  await server.stop();
});

/** Highly compressible values, so every codec really compresses. */
function value(writer: string, codec: string, i: number): string {
  return `${writer}-${codec}-${i}-` + 'abcdefgh'.repeat(40);
}

async function write(writer: (typeof WRITERS)[number], codec: CodecName): Promise<void> {
  const topic = `z-${codec}`;
  const values = [0, 1, 2].map((i) => value(writer, codec, i));
  switch (writer) {
    case 'kcat':
      await kcat(['-b', bootstrap, '-t', topic, '-P', '-z', codec, '-K', '|', '-X', 'linger.ms=50'], values.map((v) => `kcat|${v}`).join('\n') + '\n');
      return;
    case 'confluent': {
      const r = await py<{ left: number }>('confluent', { cmd: 'produce', bootstrap, topic, codec, messages: values.map((v) => ({ key: writer, value: v, headers: [['w', writer]] })) });
      expect(r.left).toBe(0);
      return;
    }
    case 'kafkapython': {
      const r = await py<{ reports: { error: string | null }[] }>('kafkaPython', { cmd: 'produce', bootstrap, topic, codec, messages: values.map((v) => ({ key: writer, value: v, headers: [['w', writer]] })) });
      expect(r.reports.map((x) => x.error)).toEqual([null, null, null]);
      return;
    }
    case 'kafkajs': {
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, compression: KAFKAJS[codec], messages: values.map((v) => ({ key: writer, value: v, headers: { w: writer } })) });
      await producer.disconnect();
    }
  }
}

describe.each(CODECS)('%s batches', (codec) => {
  const topic = `z-${codec}`;
  const expected = WRITERS.flatMap((w) => [0, 1, 2].map((i) => value(w, codec, i)));

  it('are written compressed by kcat, confluent-kafka, kafka-python and kafkajs and stored as sent', async () => {
    for (const w of WRITERS) await write(w, codec);
    const entries = [...(server.core.topics.get(topic)?.partitions[0]?.all() ?? [])];
    expect(entries.reduce((n, e) => n + e.lastOffset - e.baseOffset + 1, 0)).toBe(12);
    // Every stored batch keeps the producer's codec in its attributes (bits 0-2).
    expect(entries.map((e) => e.bytes.readInt16BE(21) & 7)).toEqual(entries.map(() => ATTRIBUTE[codec]));
    if (codec === 'snappy') {
      const framed = entries.map((e) => e.bytes.subarray(61, 69).equals(XERIAL));
      expect(framed).toContain(true); // kafka-python: xerial framing
      expect(framed).toContain(false); // librdkafka and kafkajs: raw snappy
    }
  });

  it('are read back by every client', async () => {
    const kc = (await kcat(['-b', bootstrap, '-t', topic, '-C', '-e', '-J']))
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => (JSON.parse(l) as { payload: string }).payload);
    expect(kc).toEqual(expected);
    const ck = await py<{ messages: PyMessage[]; errors: string[] }>('confluent', { cmd: 'consume', bootstrap, topic, count: 12 });
    expect(ck.errors).toEqual([]);
    expect(ck.messages.map((m) => m.value)).toEqual(expected);
    const kp = await py<{ messages: PyMessage[] }>('kafkaPython', { cmd: 'consume', bootstrap, topic, count: 12, timeout: 10 });
    expect(kp.messages.map((m) => m.value)).toEqual(expected);
    expect(kp.messages.map((m) => m.offset)).toEqual([...Array(12).keys()]);

    const seen = await readMessages(kafka.consumer({ groupId: `zip-${codec}`, maxWaitTimeInMs: 100 }), topic, 12, valueText);
    expect(seen).toEqual(expected);
  });
});
