// The SQS wire shortcuts taken for speed must give exactly what the plain way gives:
// - the JSON decoder's error texts and paths (fixture recorded from the decoder as it was before
//   its member lists were cached and its paths made lazily, commit b2f9592), for nested lists,
//   maps, blobs and every type mismatch;
// - encodeJson (flat string results written by concatenation) against JSON.stringify, for
//   strings that need escaping, surrogates, key order and non-flat values.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/sqs/model/shapes.js';
import { decodeJson } from '../../src/sqs/wire/decode-input.js';
import { encodeJson } from '../../src/sqs/wire/json.js';
import type { SqsError } from '../../src/sqs/errors.js';

type Row = [string, unknown, string];
const golden = JSON.parse(readFileSync(new URL('./fixtures/json-decode-golden.json', import.meta.url), 'utf8')) as Row[];

const show = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => {
    const b = x as { type?: string; data?: number[] } | null;
    return b && b.type === 'Buffer' && Array.isArray(b.data) ? `<blob ${Buffer.from(b.data).toString('hex')}>` : x;
  });

function decode(op: string, doc: unknown): string {
  const model = OPERATIONS.get(op);
  if (!model) throw new Error(`no operation ${op}`);
  try {
    return show(decodeJson(model.input, doc));
  } catch (err) {
    const e = err as SqsError;
    return `${e.errorName}: ${e.message}`;
  }
}

describe('SQS JSON decoding', () => {
  it('gives the recorded result or error text for each crafted input', () => {
    expect(golden.length).toBeGreaterThan(20);
    for (const [op, doc, expected] of golden) expect(`${op} ${JSON.stringify(doc)} -> ${decode(op, doc)}`).toBe(`${op} ${JSON.stringify(doc)} -> ${expected}`);
  });
});

describe('encodeJson', () => {
  const nasty = ['', 'plain', 'q"uote', 'back\\slash', 'ctl\u0001\u001f', 'line\nbreak', '\u2028\u2029', 'lone \ud800', 'lone \udfff', 'pair \ud83d\ude00', 'é ü 中', '</script>'];

  it('writes the same bytes as JSON.stringify', () => {
    const cases: Record<string, unknown>[] = [
      {},
      { MessageId: '6f1c1f3e-0000-4000-8000-000000000000', MD5OfMessageBody: '0cc175b9c0f1b6a831c399e269772661' },
      { a: 'b', skipped: undefined, c: 'd' },
      { 2: 'two', b: 'b', 1: 'one' },
      { n: 1 },
      { t: true },
      { z: null },
      { nested: { a: 'b' } },
      { list: ['a'] },
      { fn: () => 1 },
      Object.assign(Object.create({ inherited: 'x' }) as Record<string, unknown>, { own: 'y' }),
      Object.assign(Object.create(null) as Record<string, unknown>, { own: 'y' }),
      new (class {
        readonly a = 'b';
        toJSON(): unknown {
          return { other: 'c' };
        }
      })() as unknown as Record<string, unknown>,
    ];
    for (const s of nasty) cases.push({ value: s }, { [s]: 'key' });
    for (const c of cases) expect(encodeJson(c)).toBe(JSON.stringify(c));
  });
});
