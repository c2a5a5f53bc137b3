// Policies from --config / definitions.json, applied as RabbitMQ applies them: the one matching
// policy with the highest priority (pattern = regular expression on the name, `apply-to`
// queues / classic_queues / quorum_queues / streams / exchanges / all) supplies defaults;
// where a queue argument is also set, limits take the lower value (message-ttl, expires,
// max-length, max-length-bytes, delivery-limit) and the argument wins for the others
// (dead-letter-exchange, dead-letter-routing-key, classic overflow), as the queue types'
// args_policy_lookup calls do. Policies are fixed at start, so they are applied at declaration.

import type { OverflowMode } from '../core/index.js';
import type { ParsedQueueArgs, QueueType } from './methods/queue-args.js';

export const POLICY_KEYS = [
  'message-ttl', 'expires', 'max-length', 'max-length-bytes', 'overflow', 'dead-letter-exchange',
  'dead-letter-routing-key', 'delivery-limit', 'max-age', 'alternate-exchange', 'queue-mode',
] as const;

export interface Policy {
  readonly name: string;
  readonly pattern: RegExp;
  readonly applyTo: 'queues' | 'classic_queues' | 'quorum_queues' | 'streams' | 'exchanges' | 'all';
  readonly priority: number;
  readonly definition: Readonly<Record<string, unknown>>;
}

/** The policy that applies to a queue (type given) or an exchange (type undefined). */
export function policyFor(policies: readonly Policy[], name: string, type: QueueType | undefined): Policy | undefined {
  let best: Policy | undefined;
  for (const p of policies) {
    const fits = type === undefined
      ? p.applyTo === 'exchanges' || p.applyTo === 'all'
      : p.applyTo === 'queues' || p.applyTo === 'all' || p.applyTo === (type === 'stream' ? 'streams' : `${type}_queues`);
    if (!fits || !p.pattern.test(name)) continue;
    if (!best || p.priority > best.priority || (p.priority === best.priority && p.name < best.name)) best = p;
  }
  return best;
}

const AGE_UNITS: Record<string, number> = { Y: 365 * 86400e3, M: 30 * 86400e3, D: 86400e3, h: 3600e3, m: 60e3, s: 1e3 };
const OVERFLOW: Record<string, OverflowMode> = { 'drop-head': 'drop-head', 'reject-publish': 'reject-new', 'reject-publish-dlx': 'reject-new-dead-letter' };

/** Queue arguments after the applicable policy (parsed is updated in place and returned). */
export function applyPolicy(policies: readonly Policy[], name: string, parsed: ParsedQueueArgs, args: ReadonlySet<string>): ParsedQueueArgs {
  const p = policyFor(policies, name, parsed.type);
  if (!p) return parsed;
  const d = p.definition;
  const o = parsed.options;
  const num = (k: string): number | undefined => (typeof d[k] === 'number' ? (d[k] as number) : undefined);
  const lower = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
  if (parsed.type === 'stream') {
    const age = typeof d['max-age'] === 'string' ? /^(\d+)([YMDhms])$/.exec(d['max-age']) : null;
    if (age && !args.has('x-max-age')) parsed.maxAgeMs = Number(age[1]) * (AGE_UNITS[age[2] as string] as number);
    parsed.maxLengthBytes = lower(parsed.maxLengthBytes, num('max-length-bytes'));
    return parsed;
  }
  const ttl = lower(o.messageTtlMs, num('message-ttl'));
  if (ttl !== undefined) o.messageTtlMs = ttl;
  const maxLength = lower(o.maxLength, num('max-length'));
  if (maxLength !== undefined) o.maxLength = maxLength;
  const maxBytes = lower(o.maxLengthBytes, num('max-length-bytes'));
  if (maxBytes !== undefined) o.maxLengthBytes = maxBytes;
  parsed.expiresMs = lower(parsed.expiresMs, num('expires'));
  const policyLimit = num('delivery-limit');
  if (parsed.type === 'quorum' && policyLimit !== undefined) {
    // rabbit_quorum_queue:resolve_delivery_limit: a negative side (no limit) loses to a
    // limit (max), otherwise the lower limit wins. maxReturns undefined here means "no limit".
    const argLimit = parsed.deliveryLimitArg;
    const limit = argLimit === undefined ? policyLimit : argLimit < 0 || policyLimit < 0 ? Math.max(argLimit, policyLimit) : Math.min(argLimit, policyLimit);
    if (limit >= 0) o.maxReturns = limit;
    else delete o.maxReturns;
  }
  // Overflow: the queue argument wins on classic queues, the policy on quorum queues
  // (policy_has_precedence in rabbit_quorum_queue), which also treat reject-publish-dlx as drop-head.
  const overflow = typeof d['overflow'] === 'string' ? OVERFLOW[d['overflow']] : undefined;
  if (overflow && (parsed.type === 'quorum' || !args.has('x-overflow'))) o.overflow = parsed.type === 'quorum' && overflow === 'reject-new-dead-letter' ? 'drop-head' : overflow;
  if (typeof d['dead-letter-exchange'] === 'string' && parsed.deadLetterExchange === undefined) parsed.deadLetterExchange = d['dead-letter-exchange'];
  if (typeof d['dead-letter-routing-key'] === 'string' && parsed.deadLetterRoutingKey === undefined) parsed.deadLetterRoutingKey = d['dead-letter-routing-key'];
  return parsed;
}
