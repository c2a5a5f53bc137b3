// Method arguments, content-header properties and field tables for AMQP 0-9-1, interpreted
// from protocols/amqp/amqp-0-9-1.json at runtime. No I/O. Field tables decode to tagged values
// (RabbitMQ's type letters: t b B s u I i l f d D S A T F V x) so decode -> encode is byte-exact;
// `plain()` turns them into JS values for handlers. Content headers are scanned, not decoded:
// the broker passes their bytes through and reads only what routing needs.

import { BASIC_PROPERTIES, methodById, type ArgDef, type MethodDef } from './spec.js';

export type FieldValue =
  | { type: 't'; value: boolean }
  | { type: 'b' | 'B' | 's' | 'u' | 'I' | 'i' | 'f' | 'd' | 'T'; value: number }
  | { type: 'l'; value: bigint }
  | { type: 'D'; value: { scale: number; digits: number } }
  | { type: 'S' | 'x'; value: Buffer }
  | { type: 'A'; value: FieldValue[] }
  | { type: 'F'; value: FieldTable }
  | { type: 'V'; value: null };

/** Entries in wire order (a JS object would reorder integer-like keys). */
export type FieldTable = [string, FieldValue][];

export type MethodArgs = Record<string, unknown>;

/** A decode failure; `reply` says which connection error it is (501 for methods, 502 for tables). */
export class CodecError extends Error {
  constructor(readonly reply: 'FRAME_ERROR' | 'SYNTAX_ERROR', message: string) {
    super(message);
  }
}

// ---- reading ----------------------------------------------------------------------------

export class Reader {
  constructor(public buf: Buffer, public pos = 0, public end = buf.length) {}

  need(n: number): void {
    if (this.pos + n > this.end) throw new CodecError('FRAME_ERROR', 'short read');
  }
  u8(): number { this.need(1); return this.buf[this.pos++] as number; }
  i8(): number { this.need(1); return this.buf.readInt8(this.pos++); }
  u16(): number { this.need(2); const v = this.buf.readUInt16BE(this.pos); this.pos += 2; return v; }
  i16(): number { this.need(2); const v = this.buf.readInt16BE(this.pos); this.pos += 2; return v; }
  u32(): number { this.need(4); const v = this.buf.readUInt32BE(this.pos); this.pos += 4; return v; }
  i32(): number { this.need(4); const v = this.buf.readInt32BE(this.pos); this.pos += 4; return v; }
  u64(): number {
    this.need(8);
    const v = this.buf.readUInt32BE(this.pos) * 4294967296 + this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    return v;
  }
  i64(): bigint { this.need(8); const v = this.buf.readBigInt64BE(this.pos); this.pos += 8; return v; }
  f32(): number { this.need(4); const v = this.buf.readFloatBE(this.pos); this.pos += 4; return v; }
  f64(): number { this.need(8); const v = this.buf.readDoubleBE(this.pos); this.pos += 8; return v; }
  bytes(n: number): Buffer { this.need(n); const b = this.buf.subarray(this.pos, this.pos + n); this.pos += n; return b; }
  shortstr(): string { const n = this.u8(); this.need(n); const s = this.buf.toString('utf8', this.pos, this.pos + n); this.pos += n; return s; }
  longstr(): Buffer { return this.bytes(this.u32()); }
  table(): FieldTable {
    const len = this.u32();
    this.need(len);
    const end = this.pos + len;
    const out: FieldTable = [];
    const outer = this.end;
    this.end = end;
    try {
      while (this.pos < end) {
        const key = this.shortstr();
        out.push([key, this.fieldValue()]);
      }
    } catch (e) {
      throw e instanceof CodecError ? new CodecError('SYNTAX_ERROR', 'field table is malformed') : e;
    } finally {
      this.end = outer;
    }
    return out;
  }
  array(): FieldValue[] {
    const len = this.u32();
    this.need(len);
    const end = this.pos + len;
    const outer = this.end;
    this.end = end;
    const out: FieldValue[] = [];
    try {
      while (this.pos < end) out.push(this.fieldValue());
    } finally {
      this.end = outer;
    }
    return out;
  }
  fieldValue(): FieldValue {
    const t = String.fromCharCode(this.u8());
    switch (t) {
      case 't': return { type: 't', value: this.u8() !== 0 };
      case 'b': return { type: 'b', value: this.i8() };
      case 'B': return { type: 'B', value: this.u8() };
      case 's': return { type: 's', value: this.i16() };
      case 'u': return { type: 'u', value: this.u16() };
      case 'I': return { type: 'I', value: this.i32() };
      case 'i': return { type: 'i', value: this.u32() };
      case 'l': return { type: 'l', value: this.i64() };
      case 'f': return { type: 'f', value: this.f32() };
      case 'd': return { type: 'd', value: this.f64() };
      case 'D': { const scale = this.u8(); return { type: 'D', value: { scale, digits: this.i32() } }; }
      case 'S': return { type: 'S', value: this.longstr() };
      case 'x': return { type: 'x', value: this.longstr() };
      case 'A': return { type: 'A', value: this.array() };
      case 'T': return { type: 'T', value: this.u64() };
      case 'F': return { type: 'F', value: this.table() };
      case 'V': return { type: 'V', value: null };
      default: throw new CodecError('SYNTAX_ERROR', `unknown field type '${t}'`);
    }
  }
}

// ---- writing ----------------------------------------------------------------------------

/** A growable output buffer, reused across encodes so hot paths allocate only the result. */
export class Writer {
  buf: Buffer;
  pos = 0;
  constructor(size = 4096) { this.buf = Buffer.allocUnsafe(size); }

  reset(at = 0): this { this.pos = at; return this; }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  u8(v: number): void { this.ensure(1); this.buf[this.pos++] = v & 0xff; }
  i8(v: number): void { this.ensure(1); this.buf.writeInt8(v, this.pos++); }
  u16(v: number): void { this.ensure(2); this.buf.writeUInt16BE(v & 0xffff, this.pos); this.pos += 2; }
  i16(v: number): void { this.ensure(2); this.buf.writeInt16BE(v, this.pos); this.pos += 2; }
  u32(v: number): void { this.ensure(4); this.buf.writeUInt32BE(v >>> 0, this.pos); this.pos += 4; }
  i32(v: number): void { this.ensure(4); this.buf.writeInt32BE(v, this.pos); this.pos += 4; }
  u64(v: number): void {
    this.ensure(8);
    this.buf.writeUInt32BE(Math.floor(v / 4294967296) >>> 0, this.pos);
    this.buf.writeUInt32BE(v >>> 0, this.pos + 4);
    this.pos += 8;
  }
  i64(v: bigint): void { this.ensure(8); this.buf.writeBigInt64BE(v, this.pos); this.pos += 8; }
  f32(v: number): void { this.ensure(4); this.buf.writeFloatBE(v, this.pos); this.pos += 4; }
  f64(v: number): void { this.ensure(8); this.buf.writeDoubleBE(v, this.pos); this.pos += 8; }
  bytes(b: Buffer): void { this.ensure(b.length); b.copy(this.buf, this.pos); this.pos += b.length; }
  shortstr(s: string): void {
    const n = Buffer.byteLength(s);
    if (n > 255) throw new RangeError(`short string of ${n} bytes exceeds 255`);
    this.ensure(1 + n);
    this.buf[this.pos++] = n;
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
  longstr(v: Buffer | string): void {
    if (typeof v === 'string') {
      const n = Buffer.byteLength(v);
      this.u32(n);
      this.ensure(n);
      this.pos += this.buf.write(v, this.pos, 'utf8');
    } else {
      this.u32(v.length);
      this.bytes(v);
    }
  }
  /** Writes a 4-byte length placeholder; `endSized(mark)` fills it in. */
  startSized(): number { this.u32(0); return this.pos; }
  endSized(mark: number): void { this.buf.writeUInt32BE(this.pos - mark, mark - 4); }
  table(t: FieldTable): void {
    const mark = this.startSized();
    for (const [k, v] of t) {
      this.shortstr(k);
      this.fieldValue(v);
    }
    this.endSized(mark);
  }
  fieldValue(f: FieldValue): void {
    this.u8(f.type.charCodeAt(0));
    switch (f.type) {
      case 't': this.u8(f.value ? 1 : 0); break;
      case 'b': this.i8(f.value); break;
      case 'B': this.u8(f.value); break;
      case 's': this.i16(f.value); break;
      case 'u': this.u16(f.value); break;
      case 'I': this.i32(f.value); break;
      case 'i': this.u32(f.value); break;
      case 'l': this.i64(f.value); break;
      case 'f': this.f32(f.value); break;
      case 'd': this.f64(f.value); break;
      case 'D': this.u8(f.value.scale); this.i32(f.value.digits); break;
      case 'S': case 'x': this.longstr(f.value); break;
      case 'T': this.u64(f.value); break;
      case 'A': {
        const mark = this.startSized();
        for (const v of f.value) this.fieldValue(v);
        this.endSized(mark);
        break;
      }
      case 'F': this.table(f.value); break;
      case 'V': break;
    }
  }
  /** A copy of what was written since `from`. */
  take(from = 0): Buffer { return Buffer.from(this.buf.subarray(from, this.pos)); }
}

// ---- tables <-> JS values -------------------------------------------------------------

/** Plain JS view of a field value: strings for S, numbers (bigint beyond 2^53), objects for F. */
export function plain(f: FieldValue): unknown {
  switch (f.type) {
    case 'S': return f.value.toString('utf8');
    case 'l': return f.value >= BigInt(Number.MIN_SAFE_INTEGER) && f.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(f.value) : f.value;
    case 'D': return f.value.digits / 10 ** f.value.scale;
    case 'A': return f.value.map(plain);
    case 'F': return plainTable(f.value);
    default: return f.value;
  }
}

export function plainTable(t: FieldTable): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of t) out[k] = plain(v);
  return out;
}

export function tableGet(t: FieldTable | undefined, key: string): FieldValue | undefined {
  if (!t) return undefined;
  for (const [k, v] of t) if (k === key) return v;
  return undefined;
}

/** Encodes server-built values: strings -> S, booleans -> t, integers -> I or l, others -> d. */
export function fieldFrom(v: unknown): FieldValue {
  if (typeof v === 'string') return { type: 'S', value: Buffer.from(v) };
  if (typeof v === 'boolean') return { type: 't', value: v };
  if (typeof v === 'bigint') return { type: 'l', value: v };
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return v >= -2147483648 && v <= 2147483647 ? { type: 'I', value: v } : { type: 'l', value: BigInt(v) };
    return { type: 'd', value: v };
  }
  if (v === null || v === undefined) return { type: 'V', value: null };
  if (Buffer.isBuffer(v)) return { type: 'x', value: v };
  if (v instanceof Date) return { type: 'T', value: Math.floor(v.getTime() / 1000) };
  if (Array.isArray(v)) return { type: 'A', value: v.map(fieldFrom) };
  if (isTagged(v)) return v;
  return { type: 'F', value: tableFrom(v as Record<string, unknown>) };
}

function isTagged(v: unknown): v is FieldValue {
  return typeof v === 'object' && v !== null && 'type' in v && 'value' in v && Object.keys(v).length === 2;
}

export function tableFrom(o: Record<string, unknown>): FieldTable {
  return Object.entries(o).map(([k, v]) => [k, fieldFrom(v)]);
}

// ---- methods ------------------------------------------------------------------------------

export interface DecodedMethod {
  readonly def: MethodDef;
  readonly args: MethodArgs;
}

export function decodeMethod(payload: Buffer): DecodedMethod {
  const r = new Reader(payload);
  const classId = r.u16();
  const methodId = r.u16();
  const def = methodById(classId, methodId);
  if (!def) throw new UnknownMethod(classId, methodId);
  return { def, args: decodeArgs(r, def.args) };
}

export class UnknownMethod extends Error {
  constructor(readonly classId: number, readonly methodId: number) {
    super(`unknown method ${classId}/${methodId}`);
  }
}

function decodeArgs(r: Reader, defs: readonly ArgDef[]): MethodArgs {
  const out: MethodArgs = {};
  let bits = 0;
  let bitPos = 8;
  for (const a of defs) {
    if (a.type === 'bit') {
      if (bitPos > 7) { bits = r.u8(); bitPos = 0; }
      out[a.key] = (bits & (1 << bitPos++)) !== 0;
      continue;
    }
    bitPos = 8;
    out[a.key] = readArg(r, a.type);
  }
  return out;
}

function readArg(r: Reader, type: ArgDef['type']): unknown {
  switch (type) {
    case 'octet': return r.u8();
    case 'short': return r.u16();
    case 'long': return r.u32();
    case 'longlong': case 'timestamp': return r.u64();
    case 'shortstr': return r.shortstr();
    case 'longstr': return r.longstr();
    case 'table': return r.table();
    default: throw new Error(`bad arg type ${type}`);
  }
}

export function encodeArgs(w: Writer, defs: readonly ArgDef[], args: MethodArgs): void {
  let bitPos = 8;
  let bitAt = 0;
  for (const a of defs) {
    const v = args[a.key];
    if (a.type === 'bit') {
      if (bitPos > 7) { bitAt = w.pos; w.u8(0); bitPos = 0; }
      if (v) w.buf[bitAt] = (w.buf[bitAt] as number) | (1 << bitPos);
      bitPos++;
      continue;
    }
    bitPos = 8;
    switch (a.type) {
      case 'octet': w.u8((v as number) ?? 0); break;
      case 'short': w.u16((v as number) ?? 0); break;
      case 'long': w.u32((v as number) ?? 0); break;
      case 'longlong': case 'timestamp': w.u64((v as number) ?? 0); break;
      case 'shortstr': w.shortstr((v as string) ?? ''); break;
      case 'longstr': w.longstr((v as Buffer | string) ?? ''); break;
      case 'table': w.table(Array.isArray(v) ? (v as FieldTable) : tableFrom((v as Record<string, unknown>) ?? {})); break;
    }
  }
}

/** Method payload (class id, method id, arguments) appended to `w`. */
export function encodeMethod(w: Writer, def: MethodDef, args: MethodArgs): void {
  w.u16(def.classId);
  w.u16(def.methodId);
  encodeArgs(w, def.args, args);
}

// ---- content header -------------------------------------------------------------------------

/** Full decode of basic properties (tests, dead-lettering); keys are camelCase. */
export function decodeProperties(payload: Buffer): { classId: number; bodySize: number; properties: MethodArgs } {
  const r = new Reader(payload);
  const classId = r.u16();
  r.u16(); // weight, unused
  const bodySize = r.u64();
  const flags = readFlags(r);
  const properties: MethodArgs = {};
  BASIC_PROPERTIES.forEach((p, i) => {
    if (flags[i]) properties[p.key] = readArg(r, p.type);
  });
  return { classId, bodySize, properties };
}

function readFlags(r: Reader): boolean[] {
  const flags: boolean[] = [];
  for (;;) {
    const word = r.u16();
    for (let bit = 15; bit >= 1; bit--) flags.push((word & (1 << bit)) !== 0);
    if ((word & 1) === 0) return flags;
  }
}

/** Content-header payload for class 60 with the given properties (camelCase keys). */
export function encodeContentHeader(w: Writer, bodySize: number, properties: MethodArgs): void {
  w.u16(60);
  w.u16(0);
  w.u64(bodySize);
  let flags = 0;
  BASIC_PROPERTIES.forEach((p, i) => {
    if (properties[p.key] !== undefined) flags |= 1 << (15 - i);
  });
  w.u16(flags);
  for (const p of BASIC_PROPERTIES) {
    const v = properties[p.key];
    if (v !== undefined) encodeArgs(w, [p], { [p.key]: v });
  }
}

/** What the broker needs from a content header without decoding it. */
export interface HeaderScan {
  classId: number;
  bodySize: number;
  /** Offsets of the headers table (length prefix included) in the payload, or -1. */
  headersAt: number;
  priority: number | undefined;
  expiration: string | undefined;
  userId: string | undefined;
  replyTo: string | undefined;
}

// Property indexes, from BASIC_PROPERTIES order.
const P_HEADERS = 2, P_PRIORITY = 4, P_REPLY_TO = 6, P_EXPIRATION = 7, P_USER_ID = 11;

export function scanContentHeader(payload: Buffer): HeaderScan {
  const r = new Reader(payload);
  const scan: HeaderScan = { classId: r.u16(), bodySize: 0, headersAt: -1, priority: undefined, expiration: undefined, userId: undefined, replyTo: undefined };
  r.u16();
  scan.bodySize = r.u64();
  const flags = r.u16();
  if (flags === 0) return scan;
  if (flags & 1) throw new CodecError('FRAME_ERROR', 'property flags continuation is not used by basic');
  for (let i = 0; i < BASIC_PROPERTIES.length; i++) {
    if ((flags & (1 << (15 - i))) === 0) continue;
    const type = (BASIC_PROPERTIES[i] as ArgDef).type;
    if (i === P_HEADERS) {
      scan.headersAt = r.pos;
      const len = r.u32();
      r.need(len);
      r.pos += len;
    } else if (i === P_PRIORITY) scan.priority = r.u8();
    else if (i === P_EXPIRATION) scan.expiration = r.shortstr();
    else if (i === P_USER_ID) scan.userId = r.shortstr();
    else if (i === P_REPLY_TO) scan.replyTo = r.shortstr();
    else if (type === 'shortstr') { const n = r.u8(); r.need(n); r.pos += n; }
    else if (type === 'octet') r.pos += 1;
    else if (type === 'timestamp') { r.need(8); r.pos += 8; }
  }
  return scan;
}

/** The headers table of a scanned content header, decoded (only when routing needs it). */
export function headersOf(payload: Buffer, scan: HeaderScan): FieldTable | undefined {
  if (scan.headersAt < 0) return undefined;
  return new Reader(payload, scan.headersAt).table();
}
