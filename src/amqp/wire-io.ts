// Byte-level reading and writing for AMQP 0-9-1: big-endian integers, short and long strings,
// and field tables with RabbitMQ's type letters (t b B s u I i l f d D S A T F V x) decoded to
// tagged values, so decode -> encode is byte-exact. No I/O.

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

