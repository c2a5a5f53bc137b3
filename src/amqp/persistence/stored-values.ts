// JSON forms of the AMQP values kept in the definitions snapshot: field tables (queue and
// exchange arguments) as the base64 of their wire encoding, so every field type comes back
// exactly, and plain binding arguments with bigints and byte arrays tagged.

import { Reader, Writer, type FieldTable } from '../codec.js';

export function tableToText(t: FieldTable): string {
  const w = new Writer(256);
  w.table(t);
  return w.take().toString('base64');
}

export function tableFromText(s: string): FieldTable {
  return new Reader(Buffer.from(s, 'base64')).table();
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function plainToJson(v: unknown): Json {
  if (typeof v === 'bigint') return { $big: v.toString() };
  if (Buffer.isBuffer(v)) return { $buf: v.toString('base64') };
  if (Array.isArray(v)) return v.map(plainToJson);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plainToJson(x);
    return out;
  }
  return v as Json;
}

export function plainFromJson(v: Json): unknown {
  if (Array.isArray(v)) return v.map(plainFromJson);
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 1 && typeof v['$big'] === 'string') return BigInt(v['$big']);
    if (keys.length === 1 && typeof v['$buf'] === 'string') return Buffer.from(v['$buf'], 'base64');
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plainFromJson(x);
    return out;
  }
  return v;
}
