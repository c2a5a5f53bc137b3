// Validation of message (user) attributes and system attributes as SQS does it: at most 10,
// name syntax, DataType prefixes String|Number|Binary with optional custom suffix, non-empty
// values, numbers that parse, valid characters. Returns the typed attributes and the bytes
// they add to the message size (name + DataType + value, as AWS counts).

import { SqsError } from '../errors.js';
import type { AttributeValue } from './message-meta.js';

export interface RawAttributeValue {
  DataType?: string;
  StringValue?: string;
  BinaryValue?: Buffer;
  StringListValues?: string[];
  BinaryListValues?: Buffer[];
}

const INVALID_CHARS = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function hasInvalidChars(text: string): boolean {
  return INVALID_CHARS.test(text);
}

const bad = (message: string): SqsError => new SqsError('InvalidParameterValue', message);

// Texts as observed from SQS (some with its own grammar, kept on purpose).
function checkName(name: string, kind: string): void {
  const lower = name.toLowerCase();
  if (name.length === 0) throw bad(`The request must contain non-empty message (${kind}) attribute names.`);
  if (Buffer.byteLength(name) > 256) throw bad(`Message (${kind}) attribute name must be shorter than 256 bytes.`);
  if (lower.startsWith('aws.') || lower.startsWith('amazon.')) {
    throw bad("You can't use message attribute names beginning with 'AWS.' or 'Amazon'. These strings are reserved for internal use.");
  }
  if (!/^[\p{L}\p{N}_\-.]+$/u.test(name)) {
    throw bad(`Message (${kind}) attributes name can only contain upper and lower score characters, digits, periods, hyphens and underscores. `);
  }
  if (name.startsWith('.') || name.endsWith('.') || name.includes('..')) throw bad(`Message (${kind}) attribute name '${name}' is invalid.`);
}

export function validateAttributes(raw: Record<string, RawAttributeValue> | undefined, kind: 'user' | 'system'): { attrs: Record<string, AttributeValue> | undefined; bytes: number } {
  if (raw === undefined) return { attrs: undefined, bytes: 0 };
  const names = Object.keys(raw);
  if (names.length === 0) return { attrs: undefined, bytes: 0 };
  if (kind === 'user' && names.length > 10) throw bad(`Number of message attributes [${names.length}] exceeds the allowed maximum [10].`);
  const attrs: Record<string, AttributeValue> = Object.create(null) as Record<string, AttributeValue>; // names are data ("__proto__" too)
  let bytes = 0;
  for (const name of names) {
    const v = raw[name] as RawAttributeValue;
    if (kind === 'system') {
      if (name !== 'AWSTraceHeader') throw bad(`Message system attribute name '${name}' is invalid.`);
    } else {
      checkName(name, kind);
    }
    if (v.StringValue === undefined && v.BinaryValue === undefined && !v.StringListValues?.length && !v.BinaryListValues?.length) {
      throw bad(`The message (${kind}) attribute '${name}' must contain a non-empty message attribute value.`);
    }
    if (v.StringListValues?.length || v.BinaryListValues?.length) throw bad('Message attribute list values in SendMessage operation are not supported.');
    const type = v.DataType;
    if (type === undefined || type === '') throw bad(`The message (${kind}) attribute '${name}' must contain a non-empty message attribute type.`);
    if (Buffer.byteLength(type) > 256) throw bad(`Message (${kind}) attribute type must be shorter than 256 bytes.`);
    const base = /^(String|Number|Binary)(\.[^]*)?$/.exec(type)?.[1];
    if (base === undefined || (kind === 'system' && type !== 'String')) {
      throw bad(`The type of message (${kind}) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    }
    if (base === 'Binary') {
      if (v.BinaryValue === undefined || v.BinaryValue.length === 0 || v.StringValue !== undefined) {
        throw bad(`Message (${kind}) attribute '${name}' must contain a non-empty value of type 'Binary'.`);
      }
      attrs[name] = { DataType: type, BinaryValue: v.BinaryValue };
      bytes += Buffer.byteLength(name) + Buffer.byteLength(type) + v.BinaryValue.length;
      continue;
    }
    if (v.StringValue === undefined || v.StringValue === '' || v.BinaryValue !== undefined) {
      throw bad(`Message (${kind}) attribute '${name}' must contain a non-empty value of type '${base === 'Number' ? 'Number' : 'String'}'.`);
    }
    if (hasInvalidChars(v.StringValue)) throw bad(`Message (${kind}) attribute '${name}' contains invalid characters.`);
    if (base === 'Number' && !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v.StringValue.trim())) {
      throw bad(`Can't cast the value of message (${kind}) attribute '${name}' to a number.`);
    }
    attrs[name] = { DataType: type, StringValue: v.StringValue };
    bytes += Buffer.byteLength(name) + Buffer.byteLength(type) + Buffer.byteLength(v.StringValue);
  }
  return { attrs, bytes };
}

/** The wire form of stored attributes (blobs base64) for responses. */
export function renderAttributes(attrs: Record<string, AttributeValue>): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = Object.create(null) as Record<string, Record<string, string>>;
  for (const [name, a] of Object.entries(attrs)) {
    out[name] = a.BinaryValue !== undefined ? { DataType: a.DataType, BinaryValue: a.BinaryValue.toString('base64') } : { DataType: a.DataType, StringValue: a.StringValue ?? '' };
  }
  return out;
}
