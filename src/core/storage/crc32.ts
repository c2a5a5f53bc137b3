// CRC-32 (IEEE 802.3 polynomial, the one zlib, gzip and PNG use) for segment records.
// Every durable write checksums its whole payload (a 1 MB Kafka batch included), so the fastest
// implementation present is used: the optional native @node-rs/crc32 (carry-less multiply
// folding, ~11.5 GB/s here), else Node's zlib.crc32 (from Node 20.15 / 22.2, ~3.7 GB/s), else the
// table-driven slice-by-8 version below. All three compute the same value.

import * as zlib from 'node:zlib';
import { nativeCrc, type NativeCrc } from '../../shared/native-crc.js';

const POLY = 0xedb88320;

/** 8 tables of 256 entries: table k maps a byte seen k positions earlier (slice-by-8). */
const TABLES = buildTables();

function buildTables(): Uint32Array {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? POLY ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n] as number;
    for (let k = 1; k < 8; k++) {
      c = (t[c & 0xff] as number) ^ (c >>> 8);
      t[k * 256 + n] = c >>> 0;
    }
  }
  return t;
}

/** CRC-32 of `buf[start, end)`, continuing from `crc` (0 for a fresh checksum). Pure JS. */
export function crc32Js(buf: Uint8Array, crc = 0, start = 0, end = buf.length): number {
  const t = TABLES;
  let c = ~crc >>> 0;
  let i = start;
  // Slice-by-8: fold 8 bytes per step through the 8 tables.
  for (; i + 8 <= end; i += 8) {
    const lo = (c ^ ((buf[i] as number) | ((buf[i + 1] as number) << 8) | ((buf[i + 2] as number) << 16) | ((buf[i + 3] as number) << 24))) >>> 0;
    const hi = ((buf[i + 4] as number) | ((buf[i + 5] as number) << 8) | ((buf[i + 6] as number) << 16) | ((buf[i + 7] as number) << 24)) >>> 0;
    c =
      (t[7 * 256 + (lo & 0xff)] as number) ^
      (t[6 * 256 + ((lo >>> 8) & 0xff)] as number) ^
      (t[5 * 256 + ((lo >>> 16) & 0xff)] as number) ^
      (t[4 * 256 + (lo >>> 24)] as number) ^
      (t[3 * 256 + (hi & 0xff)] as number) ^
      (t[2 * 256 + ((hi >>> 8) & 0xff)] as number) ^
      (t[256 + ((hi >>> 16) & 0xff)] as number) ^
      (t[hi >>> 24] as number);
  }
  for (; i < end; i++) c = (t[(c ^ (buf[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

const nodeRs = nativeCrc('crc32', 0xcbf43926);
const native = nodeRs ?? (zlib as unknown as { crc32?: NativeCrc }).crc32;

/** Which implementation `crc32` is (reported in tests). */
export const crc32Implementation: 'node-rs' | 'zlib' | 'js' = nodeRs ? 'node-rs' : native ? 'zlib' : 'js';

/** CRC-32 of `buf`, continuing from `crc`. */
export const crc32: (buf: Uint8Array, crc?: number) => number = native
  ? (buf, crc = 0) => (native as NativeCrc)(buf, crc)
  : (buf, crc = 0) => crc32Js(buf, crc);
