// Turns either wire flavour's parameters into the same typed input object, driven by the
// member specs of protocols/sqs/operations.json:
// - JSON: the parsed body; types are checked (AWS answers a type mismatch with a
//   SerializationException), blobs arrive base64 and become Buffers.
// - Query: flattened form fields (`Attribute.1.Name`, `Entries` as `SendMessageBatchRequestEntry.N.*`)
//   are first split on '.' into a tree, then read member by member.
// Missing required members give MissingParameter with the real text.

import { SqsError, missingParameter } from '../errors.js';
import type { Members, Spec } from '../model/shapes.js';

export type Input = Record<string, unknown>;

const serialization = (path: string): SqsError => new SqsError('SerializationException', `Unexpected value type at ${path}`);

function fromBase64(text: string, path: string, err: (p: string) => SqsError): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw err(path);
  return Buffer.from(text, 'base64');
}

// ---- JSON --------------------------------------------------------------------------------

export function decodeJson(members: Members, body: unknown): Input {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw serialization('$');
  return jsonStruct(members, body as Record<string, unknown>, '');
}

function jsonStruct(members: Members, obj: Record<string, unknown>, path: string): Input {
  const out: Input = {};
  for (const [name, spec] of members) {
    const v = obj[name];
    if (v === undefined || v === null) {
      if (spec.required) throw missingParameter(path + name);
      continue;
    }
    out[name] = jsonValue(spec, v, path, name);
  }
  return out;
}

// Coral (the JSON front door of SQS) is lenient with scalars and strict with shapes: numbers
// and booleans are accepted for string members, a string for an integer member is
// "STRING_VALUE can not be converted to an Integer", an object where a scalar belongs is
// "Start of structure or map found where not expected.", and null members count as absent.
const where = (v: unknown): string | undefined =>
  Array.isArray(v) ? 'Unrecognized collection type class java.lang.String'
  : typeof v === 'object' && v !== null ? 'Start of structure or map found where not expected.'
  : undefined;

const scalarKind = (v: unknown): string => (typeof v === 'string' ? 'STRING_VALUE' : typeof v === 'boolean' ? (v ? 'TRUE_VALUE' : 'FALSE_VALUE') : 'NUMBER_VALUE');

function listPrefix(path: string, query: string): string {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? query : `${path.slice(0, dot + 1)}${query}`;
}

function serializationAt(message: string): SqsError {
  return new SqsError('SerializationException', message);
}

/** `path + name` names the value in error texts; only blobs and containers need it (made lazily). */
function jsonValue(spec: Spec, v: unknown, parent: string, name: string): unknown {
  switch (spec.type) {
    case 'string': {
      const bad = where(v);
      if (bad) throw serializationAt(bad);
      return typeof v === 'string' ? v : String(v);
    }
    case 'integer':
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      if (Array.isArray(v)) throw serializationAt('Start of list found where not expected');
      throw serializationAt(where(v) ?? `${scalarKind(v)} can not be converted to an Integer`);
    case 'boolean':
      if (typeof v === 'boolean') return v;
      throw serializationAt(where(v) ?? `${scalarKind(v)} can not be converted to a Boolean`);
    case 'blob':
      if (typeof v !== 'string') throw serializationAt(where(v) ?? `${scalarKind(v)} can not be converted to a Blob`);
      return fromBase64(v, parent + name, serialization);
    case 'list': {
      if (!Array.isArray(v)) throw serializationAt(typeof v === 'object' ? 'Start of structure or map found where not expected.' : `${scalarKind(v)} can not be converted to a List`);
      // Entry paths use the Query names even in JSON: "DeleteMessageBatchRequestEntry.2.Id".
      const prefix = `${listPrefix(parent + name, spec.query)}.`;
      return v.filter((item) => item !== null).map((item, i) => jsonValue(spec.member, item, prefix, String(i + 1)));
    }
    case 'map': {
      const path = parent + name;
      // A list or a string where a map belongs is read by position ("Unknown Attribute 0.").
      const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const)
        : typeof v === 'string' ? [...v].map((x, i) => [String(i), x] as const)
        : typeof v === 'object' && v !== null ? Object.entries(v as Record<string, unknown>)
        : undefined;
      if (!entries) throw serializationAt(`${scalarKind(v)} can not be converted to a Map`);
      // Null prototype: a key such as "__proto__" is data here, never an object prototype.
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const [k, item] of entries) if (item !== null) out[k] = jsonValue(spec.member, item, `${path}.`, k);
      return out;
    }
    case 'structure':
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw serializationAt(Array.isArray(v) ? 'Start of list found where not expected' : `${scalarKind(v)} can not be converted to a Structure`);
      return jsonStruct(spec.members, v as Record<string, unknown>, `${parent}${name}.`);
  }
}

// ---- Query -------------------------------------------------------------------------------

interface Node {
  v?: string;
  c: Map<string, Node>;
}

/** Splits `A.1.B` keys into a tree so lists, maps and structures can be read by name. */
export function queryTree(params: Iterable<[string, string]>): Node {
  const root: Node = { c: new Map() };
  for (const [key, value] of params) {
    let node = root;
    for (const part of key.split('.')) {
      let next = node.c.get(part);
      if (!next) {
        next = { c: new Map() };
        node.c.set(part, next);
      }
      node = next;
    }
    node.v = value;
  }
  return root;
}

const queryInvalid = (path: string, value: string): SqsError =>
  new SqsError('InvalidParameterValue', `Value ${value} for parameter ${path} is invalid. Reason: Unable to parse the value.`);

export function decodeQuery(members: Members, tree: Node): Input {
  return queryStruct(members, tree, '');
}

function queryStruct(members: Members, node: Node, path: string): Input {
  const out: Input = {};
  for (const [name, spec] of members) {
    const key = spec.type === 'list' || spec.type === 'map' ? spec.query : name;
    const child = node.c.get(key);
    // A Query request cannot spell an empty list: an absent required list is an empty one
    // (so batch actions answer EmptyBatchRequest, as SQS does).
    const v = child === undefined ? (spec.type === 'list' && spec.required ? [] : undefined) : queryValue(spec, child, path + key);
    if (v === undefined) {
      if (spec.required) throw missingParameter(path + (spec.type === 'list' || spec.type === 'map' ? `${key}.1` : key));
      continue;
    }
    out[name] = v;
  }
  return out;
}

/** Children `1`, `2`, … of a flattened list or map node, in numeric order. */
function indexed(node: Node): Node[] {
  return [...node.c.entries()].filter(([k]) => /^\d+$/.test(k)).sort((a, b) => Number(a[0]) - Number(b[0])).map(([, n]) => n);
}

function queryValue(spec: Spec, node: Node, path: string): unknown {
  switch (spec.type) {
    case 'string':
      return node.v;
    case 'integer': {
      if (node.v === undefined) return undefined;
      if (!/^-?\d{1,15}$/.test(node.v.trim())) throw queryInvalid(path, node.v);
      return Number(node.v);
    }
    case 'boolean':
      if (node.v === undefined) return undefined;
      if (node.v !== 'true' && node.v !== 'false') throw queryInvalid(path, node.v);
      return node.v === 'true';
    case 'blob':
      return node.v === undefined ? undefined : fromBase64(node.v, path, (p) => queryInvalid(p, node.v as string));
    case 'list':
      return indexed(node).map((n, i) => queryValue(spec.member, n, `${path}.${i + 1}`));
    case 'map': {
      // Null prototype: a key such as "__proto__" is data here, never an object prototype.
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      indexed(node).forEach((entry, i) => {
        const k = entry.c.get(spec.key)?.v;
        const valueNode = entry.c.get(spec.value);
        if (k === undefined) throw missingParameter(`${path}.${i + 1}.${spec.key}`);
        if (valueNode === undefined) throw missingParameter(`${path}.${i + 1}.${spec.value}`);
        out[k] = queryValue(spec.member, valueNode, `${path}.${i + 1}.${spec.value}`);
      });
      return out;
    }
    case 'structure':
      return queryStruct(spec.members, node, `${path}.`);
  }
}
