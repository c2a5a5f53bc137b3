// Cursor-style reader and chunked writer for Kafka's big-endian wire types, including the
// flexible-version encodings (KIP-482): unsigned varints, compact strings/arrays/bytes where
// the length is sent as N+1 (0 = null). No I/O. A read past the end throws DecodeError,
// which the connection turns into a close, as the Kafka broker does for unparsable requests.
//
//   int16 string:      [len:int16][utf8 bytes]            len -1 = null
//   compact string:    [len+1:uvarint][utf8 bytes]        0 = null
//   bytes / records:   [len:int32][bytes]                 len -1 = null
//   compact bytes:     [len+1:uvarint][bytes]

export class DecodeError extends Error {
  override name = 'DecodeError';
}

export class Reader {
  pos: number;
  constructor(readonly buf: Buffer, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): number {
    const p = this.pos;
    if (n < 0 || p + n > this.end) throw new DecodeError(`truncated: need ${n} bytes at ${p}, have ${this.end - p}`);
    this.pos = p + n;
    return p;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1));
  }
  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }
  uint16(): number {
    return this.buf.readUInt16BE(this.need(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  int64(): number {
    return Number(this.buf.readBigInt64BE(this.need(8)));
  }
  float64(): number {
    return this.buf.readDoubleBE(this.need(8));
  }
  bool(): boolean {
    return this.buf[this.need(1)] !== 0;
  }
  uuid(): string {
    const p = this.need(16);
    const h = this.buf.toString('hex', p, p + 16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.need(1)] as number;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new DecodeError('varint too long');
    }
  }

  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** Zigzag varlong (record fields); exact up to 2^53. */
  varlong(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.need(1)] as number;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 63) throw new DecodeError('varlong too long');
    }
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  }

  /** A slice of the underlying buffer (no copy). */
  slice(n: number): Buffer {
    const p = this.need(n);
    return this.buf.subarray(p, p + n);
  }

  string(compact: boolean): string | null {
    const n = compact ? this.uvarint() - 1 : this.int16();
    if (n < 0) return null;
    const p = this.need(n);
    return this.buf.toString('utf8', p, p + n);
  }

  bytes(compact: boolean): Buffer | null {
    const n = compact ? this.uvarint() - 1 : this.int32();
    if (n < 0) return null;
    return this.slice(n);
  }

  /** Array length; -1 means null. */
  arrayLength(compact: boolean): number {
    const n = compact ? this.uvarint() - 1 : this.int32();
    // Every element takes at least one byte: reject absurd counts before allocating.
    if (n > this.remaining) throw new DecodeError(`array length ${n} exceeds the remaining ${this.remaining} bytes`);
    return n;
  }
}

/**
 * Appends into a growing scratch buffer; large payloads (record batches) are kept as separate
 * chunks so fetch responses reference stored bytes instead of copying them.
 */
export class Writer {
  private chunks: Buffer[] = [];
  private buf: Buffer;
  private start = 0;
  private pos = 0;
  private total = 0;

  constructor(initial = 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  get length(): number {
    return this.total + (this.pos - this.start);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flushScratch();
    this.buf = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
    this.start = 0;
    this.pos = 0;
  }

  private flushScratch(): void {
    if (this.pos > this.start) {
      this.chunks.push(this.buf.subarray(this.start, this.pos));
      this.total += this.pos - this.start;
    }
    this.start = this.pos;
  }

  int8(v: number): void {
    this.ensure(1);
    this.pos = this.buf.writeInt8(v, this.pos);
  }
  int16(v: number): void {
    this.ensure(2);
    this.pos = this.buf.writeInt16BE(v, this.pos);
  }
  uint16(v: number): void {
    this.ensure(2);
    this.pos = this.buf.writeUInt16BE(v, this.pos);
  }
  int32(v: number): void {
    this.ensure(4);
    this.pos = this.buf.writeInt32BE(v | 0, this.pos);
  }
  uint32(v: number): void {
    this.ensure(4);
    this.pos = this.buf.writeUInt32BE(v >>> 0, this.pos);
  }
  int64(v: number | bigint): void {
    this.ensure(8);
    let b = typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
    if (b > 0x7fffffffffffffffn) b = 0x7fffffffffffffffn;
    this.pos = this.buf.writeBigInt64BE(b, this.pos);
  }
  float64(v: number): void {
    this.ensure(8);
    this.pos = this.buf.writeDoubleBE(v, this.pos);
  }
  bool(v: boolean): void {
    this.int8(v ? 1 : 0);
  }
  uuid(v: string): void {
    const hex = v.replace(/-/g, '');
    this.ensure(16);
    this.pos += this.buf.write(hex.length === 32 ? hex : '0'.repeat(32), this.pos, 16, 'hex');
  }
  uvarint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }
  varint(v: number): void {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  raw(b: Buffer): void {
    if (b.length > 4096) {
      this.flushScratch();
      this.chunks.push(b);
      this.total += b.length;
      return;
    }
    this.ensure(b.length);
    this.pos += b.copy(this.buf, this.pos);
  }
  string(v: string | null, compact: boolean): void {
    if (v === null) {
      if (compact) this.uvarint(0);
      else this.int16(-1);
      return;
    }
    const n = Buffer.byteLength(v);
    if (compact) this.uvarint(n + 1);
    else this.int16(n);
    this.ensure(n);
    this.pos += this.buf.write(v, this.pos, n, 'utf8');
  }
  bytes(v: Buffer | readonly Buffer[] | null, compact: boolean): void {
    if (v === null) {
      if (compact) this.uvarint(0);
      else this.int32(-1);
      return;
    }
    const parts: readonly Buffer[] = Buffer.isBuffer(v) ? [v] : v;
    let n = 0;
    for (const p of parts) n += p.length;
    if (compact) this.uvarint(n + 1);
    else this.int32(n);
    for (const p of parts) this.raw(p);
  }
  arrayLength(n: number, compact: boolean): void {
    if (compact) this.uvarint(n + 1);
    else this.int32(n);
  }

  /** The written bytes as chunks (no copy). */
  finish(): Buffer[] {
    this.flushScratch();
    return this.chunks;
  }

  /** The written bytes as one buffer. */
  toBuffer(): Buffer {
    const chunks = this.finish();
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  }
}
