// The optional native package @node-rs/crc32, shared by the storage engine's CRC-32
// (core/storage/crc32.ts) and Kafka's CRC-32C (kafka/crc32c.ts), which both fall back to their
// own JS versions without it. A function is used only if it reproduces the standard check value
// of "123456789", also when continued from a partial checksum (guard against a broken binary).
// OMNIBROKER_JS_CRC=1 turns the package off, to run the JS versions.

import { createRequire } from 'node:module';

/** CRC of `input`, continuing from `initial` (0 for a fresh checksum). */
export type NativeCrc = (input: Uint8Array, initial?: number) => number;

type Module = Partial<Record<'crc32' | 'crc32c', NativeCrc>>;

let loaded: Module | null | undefined;

function load(): Module | null {
  if (loaded !== undefined) return loaded;
  if (process.env.OMNIBROKER_JS_CRC === '1') return (loaded = null);
  try {
    loaded = createRequire(import.meta.url)('@node-rs/crc32') as Module;
  } catch {
    loaded = null;
  }
  return loaded;
}

/** The package's `name` function, or undefined when it is missing or gives wrong values. */
export function nativeCrc(name: 'crc32' | 'crc32c', checkValue: number): NativeCrc | undefined {
  const f = load()?.[name];
  if (typeof f !== 'function') return undefined;
  try {
    const ok = f(Buffer.from('123456789')) === checkValue && f(Buffer.from('56789'), f(Buffer.from('1234'))) === checkValue;
    return ok ? f : undefined;
  } catch {
    return undefined;
  }
}
