// Schema-driven Kafka message codec. protocols/kafka/messages/NN-name.json describe each API's
// request and response as fields with version ranges (our compact notation, see
// protocols/kafka/README.md); this file interprets them at runtime for any version, including
// flexible versions (compact types + tagged fields, KIP-482). No per-version code exists.
//
// A field line: "name type versions [nullable=R] [tag=N@R] [default=V]", where type is a
// primitive (int8 int16 int32 int64 uint16 float64 bool string bytes records uuid), "struct",
// "[]struct" (children follow as [line, [children...]]) or "[]<primitive>".

import { readFileSync, readdirSync } from 'node:fs';
import { DecodeError, Reader, Writer } from './bytes.js';

export type Primitive = 'int8' | 'int16' | 'int32' | 'int64' | 'uint16' | 'float64' | 'bool' | 'string' | 'bytes' | 'records' | 'uuid';

export interface VersionRange {
  min: number;
  max: number;
}

export interface FieldDef {
  name: string;
  type: Primitive | 'struct';
  array: boolean;
  versions: VersionRange;
  nullable: VersionRange | null;
  tag: number | null;
  tagged: VersionRange | null;
  default: unknown;
  children: FieldDef[];
}

export interface MessageDef {
  apiKey: number;
  name: string;
  validVersions: VersionRange;
  flexible: VersionRange;
  request: FieldDef[];
  response: FieldDef[];
}

type SchemaLine = string | [string, SchemaLine[]];

const PRIMITIVES = new Set(['int8', 'int16', 'int32', 'int64', 'uint16', 'float64', 'bool', 'string', 'bytes', 'records', 'uuid']);
const NONE: VersionRange = { min: 1, max: 0 };

export function parseRange(s: string): VersionRange {
  if (s === 'none') return NONE;
  const m = /^(\d+)(\+|-(\d+))?$/.exec(s);
  if (!m) throw new Error(`bad version range '${s}'`);
  const min = Number(m[1]);
  if (m[2] === '+') return { min, max: Number.MAX_SAFE_INTEGER };
  return { min, max: m[3] !== undefined ? Number(m[3]) : min };
}

export function inRange(r: VersionRange | null, v: number): boolean {
  return r !== null && v >= r.min && v <= r.max;
}

function parseDefault(raw: string | undefined, type: string, array: boolean): unknown {
  if (array) return raw === 'null' ? null : undefined;
  if (raw === undefined) return undefined;
  if (raw === 'null') return null;
  if (type === 'bool') return raw === 'true';
  if (type === 'string') return raw;
  return Number(raw);
}

function parseField(line: SchemaLine, where: string): FieldDef {
  const [spec, kids] = typeof line === 'string' ? [line, []] : line;
  const parts = spec.trim().split(/\s+/);
  const [name, rawType, versions, ...opts] = parts;
  if (!name || !rawType || !versions) throw new Error(`${where}: bad field '${spec}'`);
  const array = rawType.startsWith('[]');
  const type = array ? rawType.slice(2) : rawType;
  if (type !== 'struct' && !PRIMITIVES.has(type)) throw new Error(`${where}: unknown type '${rawType}'`);
  const kv = new Map(opts.map((o) => [o.slice(0, o.indexOf('=')), o.slice(o.indexOf('=') + 1)] as const));
  const tagSpec = kv.get('tag');
  const at = tagSpec?.indexOf('@') ?? -1;
  return {
    name,
    type: type as FieldDef['type'],
    array,
    versions: parseRange(versions),
    nullable: kv.has('nullable') ? parseRange(kv.get('nullable') as string) : null,
    tag: tagSpec !== undefined ? Number(tagSpec.slice(0, at)) : null,
    tagged: tagSpec !== undefined ? parseRange(tagSpec.slice(at + 1)) : null,
    default: parseDefault(kv.get('default'), type, array),
    children: kids.map((k) => parseField(k, `${where}.${name}`)),
  };
}

export function parseMessage(doc: { apiKey: number; name: string; validVersions: string; flexibleVersions: string; request: SchemaLine[]; response: SchemaLine[] }): MessageDef {
  return {
    apiKey: doc.apiKey,
    name: doc.name,
    validVersions: parseRange(doc.validVersions),
    flexible: parseRange(doc.flexibleVersions),
    request: doc.request.map((l) => parseField(l, `${doc.name}Request`)),
    response: doc.response.map((l) => parseField(l, `${doc.name}Response`)),
  };
}

/** Loads every definition under protocols/kafka/messages (from src/kafka or dist/kafka). */
export function loadMessages(dir = new URL('../../protocols/kafka/messages/', import.meta.url)): Map<number, MessageDef> {
  const out = new Map<number, MessageDef>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const def = parseMessage(JSON.parse(readFileSync(new URL(file, dir), 'utf8')));
    out.set(def.apiKey, def);
  }
  return out;
}

function zero(f: FieldDef): unknown {
  if (f.default !== undefined) return f.default;
  if (f.array) return [];
  switch (f.type) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return Buffer.alloc(0);
    case 'records':
      return null;
    case 'uuid':
      return '00000000-0000-0000-0000-000000000000';
    case 'struct':
      return defaults(f.children);
    default:
      return 0;
  }
}

function defaults(fields: FieldDef[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of fields) o[f.name] = zero(f);
  return o;
}

export type Msg = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function decode(fields: FieldDef[], version: number, flexible: boolean, r: Reader): Msg {
  const o: Msg = {};
  for (const f of fields) {
    if (inRange(f.versions, version) && !(flexible && inRange(f.tagged, version))) o[f.name] = readField(f, version, flexible, r);
    else o[f.name] = zero(f);
  }
  if (flexible) {
    const count = r.uvarint();
    for (let i = 0; i < count; i++) {
      const tag = r.uvarint();
      const size = r.uvarint();
      const f = fields.find((x) => x.tag === tag && inRange(x.tagged, version));
      if (!f) {
        r.slice(size); // unknown tags are skipped, as KIP-482 requires
        continue;
      }
      const sub = new Reader(r.buf, r.pos, r.pos + size);
      if (sub.end > r.end) throw new DecodeError('tagged field overruns its message');
      o[f.name] = readField(f, version, flexible, sub);
      r.pos += size;
    }
  }
  return o;
}

function readField(f: FieldDef, version: number, flexible: boolean, r: Reader): unknown {
  if (f.array) {
    const n = r.arrayLength(flexible);
    if (n < 0) {
      if (!inRange(f.nullable, version)) throw new DecodeError(`${f.name}: null array`);
      return null;
    }
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = readOne(f, version, flexible, r);
    return out;
  }
  return readOne(f, version, flexible, r);
}

function readOne(f: FieldDef, version: number, flexible: boolean, r: Reader): unknown {
  switch (f.type) {
    case 'int8':
      return r.int8();
    case 'int16':
      return r.int16();
    case 'uint16':
      return r.uint16();
    case 'int32':
      return r.int32();
    case 'int64':
      return r.int64();
    case 'float64':
      return r.float64();
    case 'bool':
      return r.bool();
    case 'uuid':
      return r.uuid();
    case 'string': {
      const s = r.string(flexible);
      if (s === null && !f.array && !inRange(f.nullable, version)) throw new DecodeError(`${f.name}: null string`);
      return s;
    }
    case 'bytes':
    case 'records':
      return r.bytes(flexible);
    case 'struct':
      if (f.array) return decode(f.children, version, flexible, r);
      // A nullable non-array struct carries a presence byte (-1 null / 1 present).
      if (inRange(f.nullable, version) && r.int8() < 0) return null;
      return decode(f.children, version, flexible, r);
  }
}

export function encode(fields: FieldDef[], version: number, flexible: boolean, value: Msg, w: Writer): void {
  const tagged: FieldDef[] = [];
  for (const f of fields) {
    if (!inRange(f.versions, version)) continue;
    if (flexible && inRange(f.tagged, version)) {
      const v = value[f.name];
      if (v !== undefined && v !== null && v !== f.default && !(Array.isArray(v) && v.length === 0)) tagged.push(f);
      continue;
    }
    writeField(f, version, flexible, value[f.name], w);
  }
  if (!flexible) return;
  tagged.sort((a, b) => (a.tag as number) - (b.tag as number));
  w.uvarint(tagged.length);
  for (const f of tagged) {
    const sub = new Writer(64);
    writeField(f, version, flexible, value[f.name], sub);
    const bytes = sub.toBuffer();
    w.uvarint(f.tag as number);
    w.uvarint(bytes.length);
    w.raw(bytes);
  }
}

function writeField(f: FieldDef, version: number, flexible: boolean, v: unknown, w: Writer): void {
  if (v === undefined) v = zero(f);
  if (f.array) {
    if (v === null) {
      if (inRange(f.nullable, version)) w.arrayLength(-1, flexible);
      else w.arrayLength(0, flexible);
      return;
    }
    const list = v as unknown[];
    w.arrayLength(list.length, flexible);
    for (const item of list) writeOne(f, version, flexible, item, w);
    return;
  }
  writeOne(f, version, flexible, v, w);
}

function writeOne(f: FieldDef, version: number, flexible: boolean, v: unknown, w: Writer): void {
  switch (f.type) {
    case 'int8':
      return w.int8(v as number);
    case 'int16':
      return w.int16(v as number);
    case 'uint16':
      return w.uint16(v as number);
    case 'int32':
      return w.int32(v as number);
    case 'int64':
      return w.int64(v as number | bigint);
    case 'float64':
      return w.float64(v as number);
    case 'bool':
      return w.bool(Boolean(v));
    case 'uuid':
      return w.uuid((v as string | null) ?? '');
    case 'string':
      return w.string(v === null && !inRange(f.nullable, version) ? '' : (v as string | null), flexible);
    case 'bytes':
    case 'records':
      return w.bytes(v as Buffer | Buffer[] | null, flexible);
    case 'struct':
      if (!f.array && inRange(f.nullable, version)) {
        if (v === null) return w.int8(-1);
        w.int8(1);
      }
      return encode(f.children, version, flexible, (v ?? {}) as Msg, w);
  }
}
