// Queue arguments RabbitMQ 4.2 gives meaning to, per queue type (classic, quorum, stream),
// validated with its texts (rabbit_amqqueue:declare_args and the queue types' capabilities)
// and turned into core QueueOptions or stream retention. An argument RabbitMQ knows but the
// queue type does not support is 406 "... of queue type rabbit_X_queue"; unknown x- arguments
// are ignored (and not compared on redeclare), as RabbitMQ does.

import type { OverflowMode, QueueOptions } from '../../core/index.js';
import { plain, tableGet, type FieldTable, type FieldValue } from '../codec.js';
import { err } from '../errors.js';

export type QueueType = 'classic' | 'quorum' | 'stream';

/** Arguments each queue type accepts (the capabilities() lists of rabbit_*_queue). */
const CAPABILITIES: Record<QueueType, readonly string[]> = {
  classic: [
    'x-expires', 'x-message-ttl', 'x-dead-letter-exchange', 'x-dead-letter-routing-key', 'x-max-length', 'x-max-length-bytes',
    'x-max-priority', 'x-overflow', 'x-queue-mode', 'x-queue-version', 'x-single-active-consumer', 'x-queue-type',
    'x-queue-master-locator', 'x-queue-leader-locator', 'x-consumer-timeout',
  ],
  quorum: [
    'x-dead-letter-exchange', 'x-dead-letter-routing-key', 'x-dead-letter-strategy', 'x-expires', 'x-max-length', 'x-max-length-bytes',
    'x-max-in-memory-length', 'x-max-in-memory-bytes', 'x-overflow', 'x-single-active-consumer', 'x-queue-type',
    'x-quorum-initial-group-size', 'x-delivery-limit', 'x-message-ttl', 'x-queue-leader-locator', 'x-consumer-timeout', 'x-max-priority',
    'x-quorum-target-group-size',
  ],
  stream: [
    'x-queue-type', 'x-max-length-bytes', 'x-max-age', 'x-stream-max-segment-size-bytes', 'x-initial-cluster-size',
    'x-queue-leader-locator', 'x-stream-filter-size-bytes',
  ],
};
const KNOWN = new Set(Object.values(CAPABILITIES).flat());
const TYPE_MODULES: Record<QueueType, string> = { classic: 'rabbit_classic_queue', quorum: 'rabbit_quorum_queue', stream: 'rabbit_stream_queue' };

/** Arguments RabbitMQ compares on redeclare (others may differ freely). */
export const COMPARED_ARGS = [
  'x-expires', 'x-message-ttl', 'x-dead-letter-exchange', 'x-dead-letter-routing-key', 'x-max-length',
  'x-max-length-bytes', 'x-max-priority', 'x-overflow', 'x-queue-mode', 'x-single-active-consumer', 'x-delivery-limit',
  'x-consumer-timeout', 'x-max-age', 'x-stream-max-segment-size-bytes',
];

export const TYPE_NAMES: Record<string, string> = { I: 'signedint', l: 'long', b: 'byte', B: 'unsignedbyte', s: 'short', u: 'unsignedshort', i: 'unsignedint', S: 'longstr', t: 'bool', F: 'table', A: 'array', V: 'void', x: 'binary', f: 'float', d: 'double', D: 'decimal', T: 'timestamp' };
const INT_TYPES = 'bBsuIil';

export interface ParsedQueueArgs {
  options: QueueOptions;
  expiresMs: number | undefined;
  deadLetterExchange: string | undefined;
  deadLetterRoutingKey: string | undefined;
  singleActive: boolean;
  consumerTimeoutMs: number | undefined;
  type: QueueType;
  /** The x-delivery-limit argument as declared (policies combine with it). */
  deliveryLimitArg: number | undefined;
  /** Streams: x-max-age in ms and x-max-length-bytes (retention). */
  maxAgeMs: number | undefined;
  maxLengthBytes: number | undefined;
}

const typeName = (v: FieldValue): string => TYPE_NAMES[v.type] ?? v.type;

/** x-max-age: an integer and a unit, Y M D h m s (rabbit_amqqueue:check_max_age). */
const AGE_UNITS: Record<string, number> = { Y: 365 * 86400e3, M: 30 * 86400e3, D: 86400e3, h: 3600e3, m: 60e3, s: 1e3 };

export function parseQueueArgs(args: FieldTable, resource: string): ParsedQueueArgs {
  const bad = (key: string, why: string): never => {
    throw err('PRECONDITION_FAILED', `invalid arg '${key}' for ${resource}: ${why}`);
  };
  const int = (key: string, min: number): number | undefined => {
    const v = tableGet(args, key);
    if (!v) return undefined;
    if (!INT_TYPES.includes(v.type)) bad(key, `"expected integer, got ${typeName(v)}"`);
    const n = Number(plain(v));
    if (n < 0) bad(key, `{value_negative,${n}}`);
    if (n < min) bad(key, `{value_zero,${n}}`);
    return n;
  };
  const str = (key: string): string | undefined => {
    const v = tableGet(args, key);
    if (!v) return undefined;
    if (v.type !== 'S') bad(key, `{unacceptable_type,${typeName(v)}}`);
    return String(plain(v));
  };
  const typeArg = str('x-queue-type') ?? 'classic';
  if (typeArg !== 'classic' && typeArg !== 'quorum' && typeArg !== 'stream') bad('x-queue-type', `"unsupported queue type '${typeArg}'"`);
  const type = typeArg as QueueType;
  for (const [key] of args) {
    if (KNOWN.has(key) && !CAPABILITIES[type].includes(key)) {
      throw err('PRECONDITION_FAILED', `invalid arg '${key}' for ${resource} of queue type ${TYPE_MODULES[type]}`);
    }
  }
  const options: QueueOptions = {};
  const ttl = int('x-message-ttl', 0);
  if (ttl !== undefined) options.messageTtlMs = ttl;
  const maxLength = int('x-max-length', 0);
  if (maxLength !== undefined) options.maxLength = maxLength;
  const maxBytes = int('x-max-length-bytes', 0);
  if (maxBytes !== undefined && type !== 'stream') options.maxLengthBytes = maxBytes;
  const priority = int('x-max-priority', 0);
  if (priority !== undefined) {
    if (priority > 255) bad('x-max-priority', `{max_value_exceeded,${priority}}`);
    if (type === 'classic' && priority > 0) options.maxPriority = priority;
  }
  const overflow = str('x-overflow');
  if (overflow !== undefined) {
    const modes: Record<string, OverflowMode> = { 'drop-head': 'drop-head', 'reject-publish': 'reject-new', 'reject-publish-dlx': 'reject-new-dead-letter' };
    const mode = modes[overflow];
    if (!mode) bad('x-overflow', 'invalid_overflow');
    // rabbit_quorum_queue: reject-publish-dlx is logged as invalid and the default (drop-head) used.
    options.overflow = type === 'quorum' && mode === 'reject-new-dead-letter' ? 'drop-head' : (mode as OverflowMode);
  }
  const mode = str('x-queue-mode');
  if (mode !== undefined && mode !== 'default' && mode !== 'lazy') bad('x-queue-mode', `"unsupported queue mode '${mode}'"`);
  // Quorum queues: a delivery limit of 20 by default since 4.0 (a negative value disables it).
  const limit = tableGet(args, 'x-delivery-limit');
  if (limit && !INT_TYPES.includes(limit.type)) bad('x-delivery-limit', `"expected integer, got ${typeName(limit)}"`);
  if (type === 'quorum') {
    const n = limit ? Number(plain(limit)) : 20;
    if (n >= 0) options.maxReturns = n;
  }
  const expiresMs = int('x-expires', 1);
  const sac = tableGet(args, 'x-single-active-consumer');
  if (sac && sac.type !== 't') bad('x-single-active-consumer', `{unacceptable_type,${typeName(sac)}}`);
  const dlxValue = tableGet(args, 'x-dead-letter-exchange');
  if (dlxValue && dlxValue.type !== 'S') throw err('PRECONDITION_FAILED', `invalid type '${typeName(dlxValue)}' for arg 'x-dead-letter-exchange' in ${resource}`);
  const deadLetterRoutingKey = str('x-dead-letter-routing-key');
  if (deadLetterRoutingKey !== undefined && !dlxValue) bad('x-dead-letter-routing-key', 'routing_key_but_no_dlx_defined');
  let maxAgeMs: number | undefined;
  const age = str('x-max-age');
  if (age !== undefined) {
    const m = /^(\d+)([YMDhms])$/.exec(age);
    if (!m) bad('x-max-age', 'invalid_max_age');
    maxAgeMs = Number((m as RegExpExecArray)[1]) * (AGE_UNITS[(m as RegExpExecArray)[2] as string] as number);
  }
  int('x-stream-max-segment-size-bytes', 0);
  return {
    options,
    expiresMs,
    deadLetterExchange: dlxValue ? String(plain(dlxValue)) : undefined,
    deadLetterRoutingKey,
    singleActive: sac?.value === true,
    consumerTimeoutMs: int('x-consumer-timeout', 0),
    type,
    deliveryLimitArg: limit ? Number(plain(limit)) : undefined,
    maxAgeMs,
    maxLengthBytes: type === 'stream' ? maxBytes : undefined,
  };
}
