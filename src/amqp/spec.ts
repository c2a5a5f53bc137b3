// Loads protocols/amqp/amqp-0-9-1.json (our own definition of the protocol) and indexes it:
// methods by "class.method" and by (class id, method id), reply codes with their level.
// Everything protocol-shaped that the codec and the error mapping need comes from here.

import { readFileSync } from 'node:fs';

export type ArgType = 'bit' | 'octet' | 'short' | 'long' | 'longlong' | 'shortstr' | 'longstr' | 'timestamp' | 'table';

export interface ArgDef {
  readonly name: string;
  /** camelCase key used in decoded argument objects. */
  readonly key: string;
  readonly type: ArgType;
}

export interface MethodDef {
  readonly name: string; // "basic.publish"
  readonly classId: number;
  readonly methodId: number;
  readonly sync: boolean;
  readonly content: boolean;
  readonly args: readonly ArgDef[];
}

export interface ReplyCodeDef {
  readonly name: string;
  readonly code: number;
  readonly level: 'soft' | 'hard' | undefined;
}

interface SpecFile {
  frameTypes: Record<'method' | 'header' | 'body' | 'heartbeat', number>;
  frameEnd: number;
  limits: { frameMinSize: number; frameMax: number; channelMax: number; heartbeat: number; maxMessageSize: number; handshakeTimeoutMs: number };
  replyCodes: Record<string, { code: number; level?: 'soft' | 'hard' }>;
  classes: Record<string, { id: number; properties?: string[]; methods: Record<string, { id: number; sync?: boolean; content?: boolean; args: string[] }> }>;
}

const file = JSON.parse(readFileSync(new URL('../../protocols/amqp/amqp-0-9-1.json', import.meta.url), 'utf8')) as SpecFile;

export const FRAME = file.frameTypes;
export const FRAME_END = file.frameEnd;
export const LIMITS = file.limits;

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function parseArg(spec: string): ArgDef {
  const [name, type] = spec.split(':') as [string, ArgType];
  return { name, key: camel(name), type };
}

export const METHODS = new Map<string, MethodDef>();
const byId = new Map<number, MethodDef>();

for (const [className, cls] of Object.entries(file.classes)) {
  for (const [methodName, m] of Object.entries(cls.methods)) {
    const def: MethodDef = {
      name: `${className}.${methodName}`,
      classId: cls.id,
      methodId: m.id,
      sync: m.sync === true,
      content: m.content === true,
      args: m.args.map(parseArg),
    };
    METHODS.set(def.name, def);
    byId.set(cls.id * 65536 + m.id, def);
  }
}

export function methodById(classId: number, methodId: number): MethodDef | undefined {
  return byId.get(classId * 65536 + methodId);
}

export function methodByName(name: string): MethodDef {
  const m = METHODS.get(name);
  if (!m) throw new Error(`no AMQP method ${name} in protocols/amqp/amqp-0-9-1.json`);
  return m;
}

/** basic's content properties in flag order (bit 15 first). */
export const BASIC_PROPERTIES: readonly ArgDef[] = (file.classes.basic?.properties ?? []).map(parseArg);

const REPLY_CODES = new Map<string, ReplyCodeDef>(
  Object.entries(file.replyCodes).map(([name, r]) => [name, { name, code: r.code, level: r.level }]),
);

export type ReplyName =
  | 'CONTENT_TOO_LARGE' | 'NO_ROUTE' | 'NO_CONSUMERS' | 'ACCESS_REFUSED' | 'NOT_FOUND' | 'RESOURCE_LOCKED'
  | 'PRECONDITION_FAILED' | 'CONNECTION_FORCED' | 'INVALID_PATH' | 'FRAME_ERROR' | 'SYNTAX_ERROR'
  | 'COMMAND_INVALID' | 'CHANNEL_ERROR' | 'UNEXPECTED_FRAME' | 'RESOURCE_ERROR' | 'NOT_ALLOWED'
  | 'NOT_IMPLEMENTED' | 'INTERNAL_ERROR';

export function replyCode(name: ReplyName): ReplyCodeDef {
  return REPLY_CODES.get(name) as ReplyCodeDef;
}
