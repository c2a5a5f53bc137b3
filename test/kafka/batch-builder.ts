// Builds record batches v2 for raw-protocol tests, with the producer fields set: producer id,
// epoch, base sequence and the transactional bit, as an idempotent or transactional producer
// would send them.
import { Writer } from '../../src/kafka/bytes.js';
import { crc32c } from '../../src/kafka/crc32c.js';

export interface BatchOptions {
  producerId?: number;
  epoch?: number;
  sequence?: number;
  transactional?: boolean;
  timestamp?: number;
  /** Record keys (default: all null). */
  keys?: (string | null)[];
}

export function producerBatch(values: string[], o: BatchOptions = {}): Buffer {
  const ts = o.timestamp ?? 1_700_000_000_000;
  const records = values.map((v, i) => {
    const w = new Writer();
    w.int8(0);
    w.varint(0);
    w.varint(i);
    const key = o.keys?.[i] ?? null;
    if (key === null) w.varint(-1);
    else {
      w.varint(Buffer.byteLength(key));
      w.raw(Buffer.from(key));
    }
    w.varint(Buffer.byteLength(v));
    w.raw(Buffer.from(v));
    w.varint(0);
    const body = w.toBuffer();
    const lw = new Writer();
    lw.varint(body.length);
    lw.raw(body);
    return lw.toBuffer();
  });
  const head = Buffer.alloc(61);
  head.writeInt32BE(-1, 12);
  head.writeInt8(2, 16);
  head.writeInt16BE(o.transactional ? 0x10 : 0, 21);
  head.writeInt32BE(values.length - 1, 23);
  head.writeBigInt64BE(BigInt(ts), 27);
  head.writeBigInt64BE(BigInt(ts), 35);
  head.writeBigInt64BE(BigInt(o.producerId ?? -1), 43);
  head.writeInt16BE(o.epoch ?? -1, 51);
  head.writeInt32BE(o.sequence ?? -1, 53);
  head.writeInt32BE(values.length, 57);
  const all = Buffer.concat([head, ...records]);
  all.writeInt32BE(all.length - 12, 8);
  all.writeUInt32BE(crc32c(all, 21), 17);
  return all;
}
