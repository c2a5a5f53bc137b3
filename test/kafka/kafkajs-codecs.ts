// Registers snappy, lz4 and zstd with kafkajs (it ships gzip only): kafkajs-snappy (raw snappy
// out, raw or xerial-framed in), LZ4 frames via lz4-napi, zstd via zstd-codec (WebAssembly).
// These packages have no install scripts, so they work where npm skips them.
import { createRequire } from 'node:module';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';

const require = createRequire(import.meta.url);

interface Encoder {
  buffer: Buffer;
}
type Codec = () => { compress(encoder: Encoder): Promise<Buffer>; decompress(buffer: Buffer): Promise<Buffer> };

interface ZstdSimple {
  compress(data: Uint8Array, level?: number): Uint8Array | null;
  decompress(data: Uint8Array): Uint8Array | null;
}

let zstd: Promise<{ simple: ZstdSimple; streaming: ZstdSimple }> | undefined;
function zstdCodec(): Promise<{ simple: ZstdSimple; streaming: ZstdSimple }> {
  zstd ??= new Promise((resolve) => {
    const { ZstdCodec } = require('zstd-codec') as { ZstdCodec: { run(fn: (z: { Simple: new () => ZstdSimple; Streaming: new () => ZstdSimple }) => void): void } };
    ZstdCodec.run((z) => resolve({ simple: new z.Simple(), streaming: new z.Streaming() }));
  });
  return zstd;
}

export function registerKafkajsCodecs(): void {
  const codecs = CompressionCodecs as unknown as Record<number, Codec>;
  codecs[CompressionTypes.Snappy] = require('kafkajs-snappy') as Codec;
  const lz4 = require('lz4-napi') as { compressFrame(b: Buffer): Promise<Buffer>; decompressFrame(b: Buffer): Promise<Buffer> };
  codecs[CompressionTypes.LZ4] = () => ({
    compress: (encoder) => lz4.compressFrame(encoder.buffer),
    decompress: (buffer) => lz4.decompressFrame(buffer),
  });
  codecs[CompressionTypes.ZSTD] = () => ({
    async compress(encoder) {
      const out = (await zstdCodec()).simple.compress(encoder.buffer, 3);
      if (!out) throw new Error('zstd compression failed');
      return Buffer.from(out);
    },
    async decompress(buffer) {
      // Streaming: frames from python-zstandard do not record their content size.
      const out = (await zstdCodec()).streaming.decompress(buffer);
      if (!out) throw new Error('zstd decompression failed');
      return Buffer.from(out);
    },
  });
}
