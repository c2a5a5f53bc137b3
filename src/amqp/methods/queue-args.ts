// Queue arguments RabbitMQ 4.2 gives meaning to on classic (and quorum) queues, validated
// with its texts and turned into core QueueOptions. Unknown x- arguments are ignored (and
// not compared on redeclare), as RabbitMQ does. Streams are not supported (406).

import type { OverflowMode, QueueOptions } from '../../core/index.js';
import { plain, tableGet, type FieldTable } from '../codec.js';
import { err } from '../errors.js';

/** Arguments RabbitMQ compares on redeclare (others may differ freely). */
export const COMPARED_ARGS = [
  'x-expires', 'x-message-ttl', 'x-dead-letter-exchange', 'x-dead-letter-routing-key', 'x-max-length',
  'x-max-length-bytes', 'x-max-priority', 'x-overflow', 'x-queue-mode', 'x-single-active-consumer', 'x-delivery-limit',
  'x-consumer-timeout',
];

const TYPE_NAMES: Record<string, string> = { I: 'signedint', l: 'long', b: 'byte', B: 'unsignedbyte', s: 'short', u: 'unsignedshort', i: 'unsignedint', S: 'longstr', t: 'bool', F: 'table', A: 'array', V: 'void', x: 'binary', f: 'float', d: 'double', D: 'decimal', T: 'timestamp' };

export interface ParsedQueueArgs {
  options: QueueOptions;
  expiresMs: number | undefined;
  deadLetterExchange: string | undefined;
  deadLetterRoutingKey: string | undefined;
  singleActive: boolean;
  consumerTimeoutMs: number | undefined;
  type: 'classic' | 'quorum';
}

export function parseQueueArgs(args: FieldTable, resource: string): ParsedQueueArgs {
  const bad = (key: string, why: string): never => {
    throw err('PRECONDITION_FAILED', `invalid arg '${key}' for ${resource}: ${why}`);
  };
  const int = (key: string, min: number): number | undefined => {
    const v = tableGet(args, key);
    if (!v) return undefined;
    if (!'bBsuIil'.includes(v.type)) bad(key, `"expected integer, got ${TYPE_NAMES[v.type] ?? v.type}"`);
    const n = Number(plain(v));
    if (n < 0) bad(key, `{value_negative,${n}}`);
    if (n < min) bad(key, `{value_zero,${n}}`);
    return n;
  };
  const str = (key: string): string | undefined => {
    const v = tableGet(args, key);
    if (!v) return undefined;
    if (v.type !== 'S') throw err('PRECONDITION_FAILED', `invalid type '${TYPE_NAMES[v.type] ?? 'signedint'}' for arg '${key}' in ${resource}`);
    return String(plain(v));
  };
  const type = str('x-queue-type') ?? 'classic';
  if (type === 'stream') throw err('PRECONDITION_FAILED', `invalid arg 'x-queue-type' for ${resource}: stream queues are not supported by omnibroker`);
  if (type !== 'classic' && type !== 'quorum') bad('x-queue-type', `{unsupported_queue_type,'${type}'}`);
  const options: QueueOptions = {};
  const ttl = int('x-message-ttl', 0);
  if (ttl !== undefined) options.messageTtlMs = ttl;
  const maxLength = int('x-max-length', 0);
  if (maxLength !== undefined) options.maxLength = maxLength;
  const maxBytes = int('x-max-length-bytes', 0);
  if (maxBytes !== undefined) options.maxLengthBytes = maxBytes;
  const priority = int('x-max-priority', 0);
  if (priority !== undefined) {
    if (priority > 255) bad('x-max-priority', `{max_value_exceeded,${priority}}`);
    if (type === 'classic') options.maxPriority = priority;
  }
  const overflow = str('x-overflow');
  if (overflow !== undefined) {
    const modes: Record<string, OverflowMode> = { 'drop-head': 'drop-head', 'reject-publish': 'reject-new', 'reject-publish-dlx': 'reject-new-dead-letter' };
    const mode = modes[overflow];
    if (!mode || (type === 'quorum' && overflow === 'reject-publish-dlx')) bad('x-overflow', 'invalid_overflow');
    options.overflow = mode as OverflowMode;
  }
  // Quorum queues: a delivery limit of 20 by default since 4.0 (-1 disables it).
  const limit = tableGet(args, 'x-delivery-limit');
  if (type === 'quorum') {
    const n = limit ? Number(plain(limit)) : 20;
    if (n >= 0) options.maxReturns = n;
  }
  const expiresMs = int('x-expires', 1);
  const sac = tableGet(args, 'x-single-active-consumer');
  if (sac && sac.type !== 't') bad('x-single-active-consumer', `{unacceptable_type,${TYPE_NAMES[sac.type] ?? 'signedint'}}`);
  return {
    options,
    expiresMs,
    deadLetterExchange: str('x-dead-letter-exchange'),
    deadLetterRoutingKey: str('x-dead-letter-routing-key'),
    singleActive: sac?.value === true,
    consumerTimeoutMs: int('x-consumer-timeout', 0),
    type: type as 'classic' | 'quorum',
  };
}
