// Transaction markers as Kafka writes them (EndTxnMarker / ControlRecordType): a magic-2 batch
// with the control and transactional attribute bits, the producer's id and epoch, base sequence
// -1 and one record whose key is (version int16 0, type int16: 0 abort, 1 commit) and whose
// value is (version int16 0, coordinator epoch int32).
import { Writer } from './bytes.js';
import { BATCH_HEADER } from './records.js';
import { crc32c } from './crc32c.js';

export function controlBatch(producerId: number, epoch: number, commit: boolean, now: number): Buffer {
  const w = new Writer();
  w.int8(0); // record attributes
  w.varint(0); // timestamp delta
  w.varint(0); // offset delta
  w.varint(4);
  w.int16(0);
  w.int16(commit ? 1 : 0);
  w.varint(6);
  w.int16(0);
  w.int32(0); // coordinator epoch: one coordinator, never moved
  w.varint(0); // headers
  const body = w.toBuffer();
  const lw = new Writer();
  lw.varint(body.length);
  const record = Buffer.concat([lw.toBuffer(), body]);
  const b = Buffer.alloc(BATCH_HEADER + record.length);
  b.writeInt32BE(b.length - 12, 8);
  b.writeInt8(2, 16);
  b.writeInt16BE(0x30, 21); // control | transactional
  b.writeInt32BE(0, 23);
  b.writeBigInt64BE(BigInt(now), 27);
  b.writeBigInt64BE(BigInt(now), 35);
  b.writeBigInt64BE(BigInt(producerId), 43);
  b.writeInt16BE(epoch, 51);
  b.writeInt32BE(-1, 53);
  b.writeInt32BE(1, 57);
  record.copy(b, BATCH_HEADER);
  b.writeUInt32BE(crc32c(b, 21), 17);
  return b;
}
