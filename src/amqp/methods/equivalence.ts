// RabbitMQ's redeclare equivalence checks (rabbit_misc:assert_args_equivalence) and its
// 406 texts: "inequivalent arg 'K' for queue 'q' in vhost '/': received X but current is Y",
// where values print as 'V', or "the value 'V' of type 'T'" against a missing one ("none").
// Integer widths compare equal (type class), as RabbitMQ's type_class does.

import type { FieldTable, FieldValue } from '../codec.js';
import { plain, tableGet } from '../codec.js';
import { AmqpError, err } from '../errors.js';

const TYPE_NAMES: Record<string, string> = {
  S: 'longstr', I: 'signedint', l: 'long', i: 'unsignedint', b: 'byte', B: 'unsignedbyte', s: 'short', u: 'unsignedshort',
  f: 'float', d: 'double', D: 'decimal', t: 'bool', T: 'timestamp', F: 'table', A: 'array', V: 'void', x: 'binary',
};

function typeClass(t: string): string {
  return 'bBsuIil'.includes(t) ? 'int' : 'fd'.includes(t) ? 'float' : t;
}

export function inequivalent(key: string, resource: string, received: string, current: string): AmqpError {
  return err('PRECONDITION_FAILED', `inequivalent arg '${key}' for ${resource}: received ${received} but current is ${current}`);
}

function text(v: FieldValue): string {
  const p = plain(v);
  return typeof p === 'object' && p !== null && !Buffer.isBuffer(p) ? JSON.stringify(p) : String(p);
}

/** RabbitMQ prints bare values when both sides exist, typed values when one is missing. */
function show(v: FieldValue | undefined, typed: boolean): string {
  if (!v) return 'none';
  return typed ? `the value '${text(v)}' of type '${TYPE_NAMES[v.type] ?? v.type}'` : `'${text(v)}'`;
}

function sameValue(a: FieldValue, b: FieldValue): boolean {
  if (typeClass(a.type) !== typeClass(b.type)) return false;
  const pa = plain(a);
  const pb = plain(b);
  if (Buffer.isBuffer(pa) && Buffer.isBuffer(pb)) return pa.equals(pb);
  if (typeof pa === 'object' || typeof pb === 'object') return JSON.stringify(pa) === JSON.stringify(pb);
  return pa === pb;
}

/** Throws the 406 when argument `key` differs between the current and the new declaration. */
export function sameArg(key: string, resource: string, current: FieldTable, received: FieldTable): void {
  const c = tableGet(current, key);
  const r = tableGet(received, key);
  if (!c && !r) return;
  if (c && r && sameValue(c, r)) return;
  const typed = !c || !r;
  throw inequivalent(key, resource, show(r, typed), show(c, typed));
}
