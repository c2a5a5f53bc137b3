// Method arguments, content-header properties and field tables for AMQP 0-9-1, interpreted
// from protocols/amqp/amqp-0-9-1.json at runtime. No I/O. Field tables decode to tagged values
// (RabbitMQ's type letters: t b B s u I i l f d D S A T F V x) so decode -> encode is byte-exact;
// `plain()` turns them into JS values for handlers. Content headers are scanned, not decoded:
// the broker passes their bytes through and reads only what routing needs.

import { BASIC_PROPERTIES, methodById, type ArgDef, type MethodDef } from './spec.js';
import { CodecError, Reader, Writer, type FieldTable, type FieldValue } from './wire-io.js';

export { CodecError, Reader, Writer, type FieldTable, type FieldValue } from './wire-io.js';

export type MethodArgs = Record<string, unknown>;

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

function encodeArgs(w: Writer, defs: readonly ArgDef[], args: MethodArgs): void {
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

const rewriter = new Writer(1024);

/**
 * A content header with some properties changed: decoded, handed to `edit` (camelCase keys,
 * changed in place), encoded again. For the few places the broker must rewrite a header
 * (delays, delivery counts, stream offsets, reply-to, BCC).
 */
export function rewriteContentHeader(header: Buffer, edit: (properties: MethodArgs) => void): Buffer {
  const { bodySize, properties } = decodeProperties(header);
  edit(properties);
  rewriter.reset();
  encodeContentHeader(rewriter, bodySize, properties);
  return rewriter.take();
}

/** A content header whose headers table ends with `key` set to the long `value` (an earlier `key` dropped). */
export function withLongHeader(header: Buffer, key: string, value: number): Buffer {
  return rewriteContentHeader(header, (properties) => {
    const headers = ((properties['headers'] as FieldTable | undefined) ?? []).filter(([k]) => k !== key);
    headers.push([key, { type: 'l', value: BigInt(value) }]);
    properties['headers'] = headers;
  });
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
