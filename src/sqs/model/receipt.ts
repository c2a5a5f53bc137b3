// Receipt handles: opaque base64 text carrying the lease id, the message's place (seq and
// id) and which receive it was (so a handle issued before a --data-dir restart still finds
// its lease), so a stale handle can still find the message (standard queues delete it; FIFO queues
// answer "expired"). Anything that does not decode is ReceiptHandleIsInvalid.

import { hash, randomBytes } from 'node:crypto';
import { invalidReceiptHandle } from '../errors.js';

export interface Receipt {
  leaseId: number;
  seq: number;
  messageId: string;
  /** Which receive of the message (its receive count then): identifies the lease across a restart. */
  receive: number;
}

// The tail is a keyed digest of the lease, so rendering the same lease twice (a FIFO receive
// replayed by ReceiveRequestAttemptId) gives the same handle, and handles are not guessable.
// A one-shot SHA-256 over secret + text (not an HMAC object per receive): the tag is only
// there to make handles opaque, decoding never relies on it.
const SECRET = randomBytes(32).toString('hex');

export function encodeReceipt(r: Receipt): string {
  const text = `${r.leaseId}|${r.seq}|${r.messageId}|${r.receive}`;
  const tag = hash('sha256', SECRET + text, 'base64').slice(0, 16);
  return Buffer.from(`${text}|${tag}`).toString('base64');
}

export function decodeReceipt(handle: string): Receipt {
  if (handle.length < 8 || handle.length > 1024 || !/^[A-Za-z0-9+/]+={0,2}$/.test(handle)) throw invalidReceiptHandle(handle);
  const parts = Buffer.from(handle, 'base64').toString('latin1').split('|');
  if (parts.length !== 5 || !/^\d+$/.test(parts[0] as string) || !/^\d+$/.test(parts[1] as string) || !/^\d+$/.test(parts[3] as string)) throw invalidReceiptHandle(handle);
  return { leaseId: Number(parts[0]), seq: Number(parts[1]), messageId: parts[2] as string, receive: Number(parts[3]) };
}
