// Builds outgoing frames: a method frame, or a method plus its content (the content-header
// payload is passed through byte-for-byte, the body split to the negotiated frame_max).
// One reusable Writer per process keeps encoding allocation to the final buffer. No I/O.

import { encodeMethod, Writer, type MethodArgs } from './codec.js';
import { FRAME, FRAME_END, type MethodDef } from './spec.js';

const w = new Writer(1 << 16);

function beginFrame(type: number, channel: number): number {
  w.u8(type);
  w.u16(channel);
  return w.startSized();
}

function endFrame(mark: number): void {
  w.endSized(mark);
  w.u8(FRAME_END);
}

export function methodFrame(channel: number, def: MethodDef, args: MethodArgs): Buffer {
  w.reset();
  const mark = beginFrame(FRAME.method, channel);
  encodeMethod(w, def, args);
  endFrame(mark);
  return w.take();
}

/** Method frame + content header + body frames, as one buffer. */
export function contentFrames(channel: number, def: MethodDef, args: MethodArgs, header: Buffer, body: Buffer, frameMax: number): Buffer {
  w.reset();
  let mark = beginFrame(FRAME.method, channel);
  encodeMethod(w, def, args);
  endFrame(mark);
  mark = beginFrame(FRAME.header, channel);
  w.bytes(header);
  endFrame(mark);
  const max = frameMax > 0 ? frameMax - 8 : body.length;
  const out = Buffer.allocUnsafe(w.pos + body.length + 8 * Math.ceil(body.length / Math.max(max, 1)));
  let pos = w.buf.copy(out, 0, 0, w.pos);
  for (let off = 0; off < body.length; off += max) {
    const n = Math.min(max, body.length - off);
    out[pos] = FRAME.body;
    out.writeUInt16BE(channel, pos + 1);
    out.writeUInt32BE(n, pos + 3);
    body.copy(out, pos + 7, off, off + n);
    out[pos + 7 + n] = FRAME_END;
    pos += n + 8;
  }
  return out;
}

export const HEARTBEAT_FRAME = Buffer.from([FRAME.heartbeat, 0, 0, 0, 0, 0, 0, FRAME_END]);
