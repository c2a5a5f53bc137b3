// AMQP 0-9-1 framing (spec 4.2.3): type(1) channel(2) size(4) payload frame-end(0xCE).
// FrameParser copes with frames split or coalesced anywhere in the byte stream and checks
// the frame-end octet and the negotiated frame_max. It also recognises the 8-byte protocol
// header that opens a connection. No I/O: it is fed chunks and calls back with frames.

import { FRAME_END } from './spec.js';

export class FrameError extends Error {}

export interface FrameSink {
  frame(type: number, channel: number, payload: Buffer): void;
}

export class FrameParser {
  /** An incomplete frame carried over from earlier chunks: its first 7 bytes, then all of it. */
  private partial: Buffer | undefined;
  private filled = 0;
  /** Largest accepted frame (header + payload + end), 0 while unlimited. */
  frameMax = 0;
  /** Set when parsing must stop (the connection is closing); later bytes are dropped. */
  stopped = false;

  constructor(private readonly sink: FrameSink) {}

  /** Feeds a chunk; throws FrameError on a malformed frame. */
  push(chunk: Buffer): void {
    let pos = 0;
    if (this.partial) {
      pos = this.fillPartial(chunk);
      if (this.partial) return;
    }
    const len = chunk.length;
    while (!this.stopped && len - pos >= 7) {
      const size = this.checkHeader(chunk, pos);
      if (len - pos < size + 8) break;
      pos = this.emit(chunk, pos, size);
    }
    if (pos < len && !this.stopped) {
      // Keep only the tail; a frame larger than what arrived gets its own exact-size buffer.
      this.partial = Buffer.allocUnsafe(7);
      this.filled = 0;
      this.fillPartial(chunk.subarray(pos));
    }
  }

  private fillPartial(chunk: Buffer): number {
    let pos = 0;
    let part = this.partial as Buffer;
    if (this.filled < 7) {
      const n = Math.min(7 - this.filled, chunk.length);
      chunk.copy(part, this.filled, 0, n);
      this.filled += n;
      pos = n;
      if (this.filled < 7) return pos;
      const size = this.checkHeader(part, 0);
      const full = Buffer.allocUnsafe(size + 8);
      part.copy(full, 0, 0, 7);
      this.partial = part = full;
    }
    const n = Math.min(part.length - this.filled, chunk.length - pos);
    chunk.copy(part, this.filled, pos, pos + n);
    this.filled += n;
    pos += n;
    if (this.filled === part.length) {
      this.partial = undefined;
      this.emit(part, 0, part.length - 8);
      // The rest of the chunk is parsed by the caller's loop.
      return pos;
    }
    return pos;
  }

  private checkHeader(buf: Buffer, pos: number): number {
    const size = buf.readUInt32BE(pos + 3);
    // RabbitMQ counts frame_max over the whole frame, including its 8 bytes of framing.
    if (this.frameMax > 0 && size > this.frameMax - 8) {
      throw new FrameError(`type ${buf[pos]}, all octets = <<>>: {frame_too_large,${size},${this.frameMax - 8}}`);
    }
    return size;
  }

  private emit(buf: Buffer, pos: number, size: number): number {
    const end = pos + 7 + size;
    if (buf[end] !== FRAME_END) {
      throw new FrameError(`type ${buf[pos]}, all octets = ${erlangBinary(buf.subarray(pos + 7, end))}: {invalid_frame_end_marker,${buf[end]}}`);
    }
    this.sink.frame(buf[pos] as number, buf.readUInt16BE(pos + 1), buf.subarray(pos + 7, end));
    return end + 1;
  }

  /** True while part of a frame is buffered. */
  get midFrame(): boolean {
    return this.partial !== undefined;
  }
}

/** Bytes as Erlang prints a binary (RabbitMQ quotes the frame this way); capped, the reply text is 255 bytes. */
export function erlangBinary(b: Buffer): string {
  const shown = b.subarray(0, 64);
  const more = b.length > 64 ? ',...' : '';
  // Erlang's ~p shows printable binaries as strings: <<"abc">>.
  if (shown.length > 0 && shown.every((c) => c >= 32 && c < 127)) return `<<"${shown.toString('latin1').replace(/["\\]/g, '\\$&')}"${more}>>`;
  return `<<${[...shown].join(',')}${more}>>`;
}

/** Frames a payload: header, payload bytes, frame-end. */
export function frame(type: number, channel: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(payload.length + 8);
  out[0] = type;
  out.writeUInt16BE(channel, 1);
  out.writeUInt32BE(payload.length, 3);
  payload.copy(out, 7);
  out[out.length - 1] = FRAME_END;
  return out;
}

export const PROTOCOL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);
