// Loads protocols/sqs/operations.json and resolves its member specs (refs, structures) into
// one normalized tree both wire flavours walk: decoders read inputs by it, the XML encoder
// writes outputs by it. Data, not code: adding an operation starts in the JSON file.

import { readFileSync } from 'node:fs';

export type Primitive = 'string' | 'integer' | 'boolean' | 'blob';

export type Spec =
  | { type: Primitive; required: boolean }
  | { type: 'list'; required: boolean; query: string; member: Spec }
  | { type: 'map'; required: boolean; query: string; key: string; value: string; member: Spec }
  | { type: 'structure'; required: boolean; members: Members };

/** A shape's members in declaration order (an array: walked on every request, never looked up). */
export type Members = readonly (readonly [string, Spec])[];

export interface OperationModel {
  readonly name: string;
  /** True when the operation addresses one queue (QueueUrl may come from the request path). */
  readonly queue: boolean;
  readonly input: Members;
  /** undefined: the response has no result element. */
  readonly output: Members | undefined;
}

type RawSpec = string | { type?: string; ref?: string; required?: boolean; query?: string; key?: string; value?: string; shape?: string; member?: RawSpec };
interface RawDoc {
  shapes: Record<string, Record<string, RawSpec> | RawSpec>;
  operations: Record<string, { queue?: boolean; input: Record<string, RawSpec>; output: Record<string, RawSpec> | null }>;
}

const doc = JSON.parse(readFileSync(new URL('../../../protocols/sqs/operations.json', import.meta.url), 'utf8')) as RawDoc;

function resolve(raw: RawSpec, required = false): Spec {
  if (typeof raw === 'string') return { type: raw as Primitive, required };
  const req = raw.required ?? required;
  if (raw.ref !== undefined) return resolve(doc.shapes[raw.ref] as RawSpec, req);
  switch (raw.type) {
    case 'list':
      return { type: 'list', required: req, query: raw.query as string, member: resolve(raw.member as RawSpec) };
    case 'map':
      return { type: 'map', required: req, query: raw.query as string, key: raw.key as string, value: raw.value as string, member: resolve(raw.member as RawSpec) };
    case 'structure':
      return { type: 'structure', required: req, members: members(doc.shapes[raw.shape as string] as Record<string, RawSpec>) };
    default:
      return { type: raw.type as Primitive, required: req };
  }
}

function members(raw: Record<string, RawSpec>): Members {
  return Object.entries(raw).map(([k, v]) => [k, resolve(v)] as const);
}

export const OPERATIONS: ReadonlyMap<string, OperationModel> = new Map(
  Object.entries(doc.operations).map(([name, op]) => [
    name,
    { name, queue: op.queue === true, input: members(op.input), output: op.output === null ? undefined : members(op.output) },
  ]),
);
