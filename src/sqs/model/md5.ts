// The digests SDKs verify: MD5 of the body, and MD5 of message (or system) attributes in
// AWS's documented encoding: names sorted; per attribute a 4-byte big-endian length + UTF-8
// name, length + DataType, one transport byte (1 = String/Number, 2 = Binary), length + value.

import { createHash, hash } from 'node:crypto';
import type { AttributeValue } from './message-meta.js';

/** One-shot crypto.hash (Node >= 20.12): no Hash object per message on the send path. */
export function md5Hex(data: Buffer | string): string {
  return hash('md5', data, 'hex');
}

function lengthPrefixed(hash: ReturnType<typeof createHash>, bytes: Buffer): void {
  const len = Buffer.allocUnsafe(4);
  len.writeUInt32BE(bytes.length, 0);
  hash.update(len);
  hash.update(bytes);
}

/** MD5 of `attrs` (all of them, or the subset a receive returns); undefined when empty. */
export function md5OfAttributes(attrs: Record<string, AttributeValue> | undefined): string | undefined {
  if (!attrs) return undefined;
  const names = Object.keys(attrs).sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  for (const name of names) {
    const a = attrs[name] as AttributeValue;
    lengthPrefixed(hash, Buffer.from(name, 'utf8'));
    lengthPrefixed(hash, Buffer.from(a.DataType, 'utf8'));
    if (a.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      lengthPrefixed(hash, a.BinaryValue);
    } else {
      hash.update(Buffer.from([1]));
      lengthPrefixed(hash, Buffer.from(a.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}
