// Queue attributes: validation (ranges, names, FIFO-only names, JSON policies) with the real
// service's codes and texts, and GetQueueAttributes output (computed counts, timestamps in
// epoch seconds). Redrive policies are checked against the queues that exist.

import { SqsError, invalidAttributeValue, invalidValue, unknownAttribute } from '../errors.js';
import type { SqsContext } from '../context.js';
import type { RedrivePolicy, SqsQueue } from './sqs-queue.js';

const RANGES: Record<string, [number, number]> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1048576],
  MessageRetentionPeriod: [60, 1209600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43200],
  KmsDataKeyReusePeriodSeconds: [60, 86400],
};

const SETTABLE = new Set([...Object.keys(RANGES), 'Policy', 'RedrivePolicy', 'RedriveAllowPolicy', 'KmsMasterKeyId', 'SqsManagedSseEnabled']);
const FIFO_ONLY = new Set(['FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);
const COMPUTED = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed', 'ApproximateNumberOfMessagesNotVisible', 'CreatedTimestamp', 'LastModifiedTimestamp', 'QueueArn'];
export const READABLE = new Set([...SETTABLE, ...FIFO_ONLY, ...COMPUTED]);

function checkValue(ctx: SqsContext, name: string, value: string, fifo: boolean, self: string | undefined): void {
  const range = RANGES[name];
  if (range) {
    if (!/^\d+$/.test(value) || Number(value) < range[0] || Number(value) > range[1]) throw invalidAttributeValue(name);
    return;
  }
  switch (name) {
    case 'SqsManagedSseEnabled':
    case 'ContentBasedDeduplication':
      if (value !== 'true' && value !== 'false') throw invalidAttributeValue(name);
      return;
    case 'DeduplicationScope':
      if (value !== 'queue' && value !== 'messageGroup') throw invalidAttributeValue(name);
      return;
    case 'FifoThroughputLimit':
      if (value !== 'perQueue' && value !== 'perMessageGroupId') throw invalidAttributeValue(name);
      return;
    case 'Policy':
      if (value !== '') checkPolicy(value);
      return;
    case 'RedrivePolicy':
      if (value !== '') parseRedrive(ctx, value, fifo, self);
      return;
    case 'RedriveAllowPolicy':
      if (value !== '') parseRedriveAllow(value);
      return;
    default:
      return;
  }
}

const POLICY_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const MAX_STATEMENTS = 20;

/** SQS accepts IAM policy documents of version 2008-10-17 or 2012-10-17 with at most 20 statements. */
function checkPolicy(text: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalidAttributeValue('Policy');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalidAttributeValue('Policy');
  const d = doc as Record<string, unknown>;
  if (Object.keys(d).some((k) => !POLICY_KEYS.has(k))) throw invalidAttributeValue('Policy');
  if (d.Version !== '2008-10-17' && d.Version !== '2012-10-17') throw invalidAttributeValue('Policy');
  const list = Array.isArray(d.Statement) ? d.Statement : d.Statement === undefined ? [] : [d.Statement];
  if (list.length === 0) throw invalidAttributeValue('Policy');
  if (list.length > MAX_STATEMENTS) throw invalidAttributeValue('Policy', `${list.length} statements were found in the submitted policy, max allowed is ${MAX_STATEMENTS}`);
  for (const st of list) {
    if (typeof st !== 'object' || st === null || Array.isArray(st)) throw invalidAttributeValue('Policy');
    if (Object.keys(st).some((k) => !STATEMENT_KEYS.has(k))) throw invalidAttributeValue('Policy');
  }
}

export function parseRedrive(ctx: SqsContext, value: string, fifo: boolean, self: string | undefined): RedrivePolicy {
  const bad = (reason: string): SqsError => invalidValue('RedrivePolicy', value, reason);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(value) as Record<string, unknown>;
  } catch {
    throw bad('Redrive policy is not a valid JSON map.');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad('Redrive policy is not a valid JSON map.');
  for (const key of Object.keys(doc)) if (key !== 'deadLetterTargetArn' && key !== 'maxReceiveCount') throw bad(`Only following attributes are supported: [deadLetterTargetArn, maxReceiveCount].`);
  const arn = doc.deadLetterTargetArn;
  if (typeof arn !== 'string') throw bad('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  const rawCount = doc.maxReceiveCount;
  if (rawCount === undefined) throw bad('Redrive policy does not contain mandatory attribute: maxReceiveCount.');
  const count = Number(rawCount);
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw bad(`Invalid value for maxReceiveCount: ${String(rawCount)}, valid values are from 1 to 1000 both inclusive.`);
  const target = ctx.byArn(arn);
  if (!target || target.name === self) throw bad('Dead letter target does not exist.');
  if (target.fifo !== fifo) throw bad('Dead-letter target queue type must match the source queue type.');
  const allow = target.attrs.get('RedriveAllowPolicy');
  if (allow !== undefined && self !== undefined) {
    const policy = parseRedriveAllow(allow);
    const selfArn = target.arn.replace(/[^:]*$/, self);
    const allowed = policy.redrivePermission === 'allowAll' || (policy.redrivePermission === 'byQueue' && (policy.sourceQueueArns ?? []).includes(selfArn));
    if (!allowed) throw bad(`Queue ${selfArn} is not allowed to use ${target.arn} as a dead-letter queue.`);
  }
  return { deadLetterTargetArn: arn, maxReceiveCount: count };
}

interface RedriveAllow {
  redrivePermission: string;
  sourceQueueArns?: string[];
}

function parseRedriveAllow(value: string): RedriveAllow {
  const bad = (reason: string): SqsError => invalidValue('RedriveAllowPolicy', value, reason);
  let doc: RedriveAllow;
  try {
    doc = JSON.parse(value) as RedriveAllow;
  } catch {
    throw bad('Amazon SQS can\'t parse the redrive allow policy.');
  }
  if (!['allowAll', 'denyAll', 'byQueue'].includes(doc?.redrivePermission)) throw bad('Invalid value for redrivePermission.');
  const arns = doc.sourceQueueArns;
  if (doc.redrivePermission === 'byQueue') {
    if (!Array.isArray(arns) || arns.length === 0) throw bad('Specify sourceQueueArns when redrivePermission is byQueue.');
    if (arns.length > 10) throw bad('Specify up to 10 sourceQueueArns.');
  } else if (arns !== undefined) {
    throw bad('Only specify sourceQueueArns when redrivePermission is byQueue.');
  }
  return doc;
}

/** Validates names and values for CreateQueue / SetQueueAttributes; returns them unchanged. */
export function validateAttributes(ctx: SqsContext, attrs: Record<string, string>, fifo: boolean, self: string | undefined, onCreate: boolean): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (FIFO_ONLY.has(name) && !fifo) {
      if (name === 'DeduplicationScope' || name === 'FifoThroughputLimit') {
        throw new SqsError('InvalidAttributeName', `You can specify the ${name} only when FifoQueue is set to true.`);
      }
      throw unknownAttribute(name);
    }
    if (!SETTABLE.has(name) && !FIFO_ONLY.has(name)) throw unknownAttribute(name);
    if (name === 'FifoQueue') {
      if (value !== 'true') {
        if (onCreate) throw invalidAttributeValue(name);
        throw invalidAttributeValue(name, 'Modifying queue type is not supported.');
      }
      continue;
    }
    checkValue(ctx, name, value, fifo, self);
  }
}

/** Stores validated attributes on the queue, keeping derived state (redrive, KMS keys) in step. */
export function storeAttributes(ctx: SqsContext, q: SqsQueue, attrs: Record<string, string>): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'RedrivePolicy') {
      if (value === '') {
        q.attrs.delete(name);
        q.redrive = undefined;
      } else {
        q.redrive = parseRedrive(ctx, value, q.fifo, q.name);
        // AWS normalises the document: maxReceiveCount comes back as a number.
        q.attrs.set(name, JSON.stringify({ deadLetterTargetArn: q.redrive.deadLetterTargetArn, maxReceiveCount: q.redrive.maxReceiveCount }));
      }
    } else if (name === 'KmsMasterKeyId') {
      if (value === '') {
        q.attrs.delete('KmsMasterKeyId');
        q.attrs.delete('KmsDataKeyReusePeriodSeconds');
      } else {
        q.attrs.set('KmsMasterKeyId', value);
        q.attrs.set('SqsManagedSseEnabled', 'false');
        if (!q.attrs.has('KmsDataKeyReusePeriodSeconds')) q.attrs.set('KmsDataKeyReusePeriodSeconds', '300');
      }
    } else if (name === 'KmsDataKeyReusePeriodSeconds') {
      if (q.attrs.has('KmsMasterKeyId') || attrs.KmsMasterKeyId) q.attrs.set(name, value);
    } else if ((name === 'Policy' || name === 'RedriveAllowPolicy') && value === '') {
      q.attrs.delete(name);
    } else {
      q.attrs.set(name, value);
    }
  }
  q.lastModified = ctx.clock.now();
  q.apply();
}

/** The first attribute whose requested value differs from the queue's current one. */
export function firstDifference(q: SqsQueue, attrs: Record<string, string>): string | undefined {
  for (const [name, value] of Object.entries(attrs)) {
    const current = q.attrs.get(name);
    if (name === 'RedrivePolicy' && current !== undefined && value !== '') {
      try {
        const a = JSON.parse(value) as Record<string, unknown>;
        const b = JSON.parse(current) as Record<string, unknown>;
        if (a.deadLetterTargetArn === b.deadLetterTargetArn && Number(a.maxReceiveCount) === Number(b.maxReceiveCount)) continue;
      } catch {
        return name;
      }
      return name;
    }
    if ((current ?? '') !== value) return name;
  }
  return undefined;
}

export function readAttributes(q: SqsQueue, names: readonly string[], now: number): Record<string, string> {
  for (const n of names) if (n !== 'All' && !READABLE.has(n)) throw unknownAttribute(n);
  const all = names.includes('All');
  const want = (n: string): boolean => all || names.includes(n);
  q.queue.catchUp();
  const counts = q.queue.counts();
  const out: Record<string, string> = {};
  const computed: Record<string, string> = {
    ApproximateNumberOfMessages: String(counts.ready),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    ApproximateNumberOfMessagesNotVisible: String(counts.leased),
    CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
    LastModifiedTimestamp: String(Math.floor(q.lastModified / 1000)),
    QueueArn: q.arn,
  };
  void now;
  for (const [k, v] of Object.entries(computed)) if (want(k)) out[k] = v;
  for (const [k, v] of q.attrs) if (want(k)) out[k] = v;
  return out;
}
