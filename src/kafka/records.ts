// Record batch v2 (magic 2, KIP-98) as stored: the producer's bytes, validated here and kept
// as sent (compressed batches are never inflated). Only the header is rewritten on append:
// baseOffset and partitionLeaderEpoch lie outside the CRC; LogAppendTime topics also rewrite
// attributes/maxTimestamp and recompute the CRC, as Kafka's LogValidator does.
//
//  0 baseOffset int64 | 8 batchLength int32 | 12 partitionLeaderEpoch int32 | 16 magic int8
// 17 crc uint32 (CRC-32C of bytes 21..end) | 21 attributes int16 | 23 lastOffsetDelta int32
// 27 baseTimestamp int64 | 35 maxTimestamp int64 | 43 producerId int64 | 51 producerEpoch int16
// 53 baseSequence int32 | 57 recordCount int32 | 61 records...
// attributes: bits 0-2 codec (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd), 3 LogAppendTime,
// 4 transactional, 5 control.

import { Reader } from './bytes.js';
import { crc32c } from './crc32c.js';

export const BATCH_HEADER = 61;

export interface BatchInfo {
  bytes: Buffer;
  recordCount: number;
  maxTimestamp: number;
  codec: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  transactional: boolean;
}

export type BatchProblem = 'CORRUPT_MESSAGE' | 'INVALID_RECORD' | 'UNSUPPORTED_COMPRESSION_TYPE';

export class BatchError extends Error {
  constructor(readonly code: BatchProblem, message: string) {
    super(message);
  }
}

/**
 * Validates the records of one partition of a Produce request (v3+: exactly one batch of
 * magic 2, like ProduceRequest.validateRecords + LogValidator in Kafka).
 */
export function validateProduceBatch(records: Buffer, produceVersion: number): BatchInfo {
  if (records.length < BATCH_HEADER) throw new BatchError('CORRUPT_MESSAGE', `record batch of ${records.length} bytes is shorter than its header`);
  const magic = records.readInt8(16);
  if (magic !== 2) throw new BatchError('INVALID_RECORD', `Produce requests with version ${produceVersion} are only allowed to contain record batches with magic version 2`);
  const batchLength = records.readInt32BE(8);
  if (batchLength + 12 !== records.length) {
    if (batchLength + 12 < records.length && batchLength >= BATCH_HEADER - 12) {
      throw new BatchError('INVALID_RECORD', 'Produce requests with version 3 are only allowed to contain exactly one record batch');
    }
    throw new BatchError('CORRUPT_MESSAGE', `batch length ${batchLength} does not match the ${records.length - 12} bytes sent`);
  }
  const crc = records.readUInt32BE(17);
  if (crc32c(records, 21) !== crc) throw new BatchError('CORRUPT_MESSAGE', 'Record batch is corrupt (CRC mismatch)');
  const attributes = records.readInt16BE(21);
  const codec = attributes & 7;
  if (codec > 4) throw new BatchError('CORRUPT_MESSAGE', `unknown compression codec ${codec}`);
  if (codec === 4 && produceVersion < 7) throw new BatchError('UNSUPPORTED_COMPRESSION_TYPE', 'Produce requests with version < 7 may not use zstd compression');
  if (attributes & 0x20) throw new BatchError('INVALID_RECORD', 'Client produce requests should not have control batches');
  const lastOffsetDelta = records.readInt32BE(23);
  const count = records.readInt32BE(57);
  if (count < 1) throw new BatchError('INVALID_RECORD', 'Record batch has no records');
  if (lastOffsetDelta !== count - 1) throw new BatchError('INVALID_RECORD', `lastOffsetDelta ${lastOffsetDelta} does not match the record count ${count}`);
  if (codec === 0) checkUncompressedRecords(records, count);
  return {
    bytes: records,
    recordCount: count,
    maxTimestamp: Number(records.readBigInt64BE(35)),
    codec,
    producerId: Number(records.readBigInt64BE(43)),
    producerEpoch: records.readInt16BE(51),
    baseSequence: records.readInt32BE(53),
    transactional: (attributes & 0x10) !== 0,
  };
}

/**
 * Walks the record length prefixes: the count must match and the records must fill the batch.
 * Runs once per produced record, so it reads the zigzag varints straight from the buffer
 * instead of through a Reader (no slice per record: a million records made a million Buffer
 * objects); the accepted inputs and the messages are the same.
 */
function checkUncompressedRecords(b: Buffer, count: number): void {
  const end = b.length;
  let pos = BATCH_HEADER;
  for (let i = 0; i < count; i++) {
    // Record length: zigzag varint, at most 6 bytes as Reader.varint allows.
    if (pos >= end) throw fewerRecords(count);
    let byte = b[pos++] as number;
    let u = byte & 0x7f;
    if (byte & 0x80) {
      let scale = 128;
      for (;;) {
        if (pos >= end) throw fewerRecords(count);
        byte = b[pos++] as number;
        u += (byte & 0x7f) * scale;
        if ((byte & 0x80) === 0) break;
        scale *= 128;
        if (scale > 2 ** 35) throw fewerRecords(count);
      }
    }
    const len = u % 2 === 0 ? u / 2 : -(u + 1) / 2;
    if (len < 6) throw new BatchError('CORRUPT_MESSAGE', `record ${i} has invalid length ${len}`);
    if (pos + len > end) throw fewerRecords(count);
    pos += len;
  }
  if (pos !== end) throw new BatchError('CORRUPT_MESSAGE', `record batch has ${end - pos} bytes after its ${count} records`);
}

function fewerRecords(count: number): BatchError {
  return new BatchError('CORRUPT_MESSAGE', `record batch holds fewer than ${count} records`);
}

/** Sets the broker-assigned fields of a stored batch (outside the CRC). */
export function stampBatch(bytes: Buffer, baseOffset: number): void {
  bytes.writeBigInt64BE(BigInt(baseOffset), 0);
  bytes.writeInt32BE(0, 12); // partitionLeaderEpoch: constant 0 on this single broker
}

/** Rewrites timestamps to the append time (topic message.timestamp.type=LogAppendTime). */
export function setLogAppendTime(bytes: Buffer, now: number): void {
  bytes.writeInt16BE(bytes.readInt16BE(21) | 0x08, 21);
  bytes.writeBigInt64BE(BigInt(now), 35);
  bytes.writeUInt32BE(crc32c(bytes, 21), 17);
}

/**
 * Offset and timestamp of every record in an uncompressed stored batch (record layout:
 * length varint, attributes int8, timestampDelta varlong, offsetDelta varint, ...), or null
 * for a compressed batch, whose records the broker does not inflate. Used where Kafka answers
 * per record: ListOffsets by timestamp and max timestamp.
 */
export function recordTimestamps(bytes: Buffer, baseOffset: number): { offset: number; timestamp: number }[] | null {
  const attributes = bytes.readInt16BE(21);
  if ((attributes & 7) !== 0) return null;
  if (attributes & 0x08) return null; // LogAppendTime: every record carries the batch's max timestamp
  const baseTimestamp = Number(bytes.readBigInt64BE(27));
  const count = bytes.readInt32BE(57);
  const r = new Reader(bytes, BATCH_HEADER);
  const out: { offset: number; timestamp: number }[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const len = r.varint();
      const end = r.pos + len;
      r.int8();
      const timestampDelta = r.varlong();
      const offsetDelta = r.varint();
      out.push({ offset: baseOffset + offsetDelta, timestamp: baseTimestamp + timestampDelta });
      r.pos = end;
    }
  } catch {
    return null;
  }
  return out;
}
