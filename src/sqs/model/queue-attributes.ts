// Queue attributes: validation (ranges, names, FIFO-only names, JSON policies) with the real
// service's codes and texts, and GetQueueAttributes output (computed counts, timestamps in
// epoch seconds). Redrive policies are checked against the queues that exist.

import { SqsError, TEXT, invalidAttributeValue, invalidValue, unknownAttribute } from '../errors.js';
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
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch {
    doc = undefined;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalidAttributeValue('RedrivePolicy', 'Redrive policy is not a valid JSON map.');
  const d = doc as Record<string, unknown>;
  if (d.maxReceiveCount === undefined) throw bad('Redrive policy does not contain mandatory attribute: maxReceiveCount.');
  if (d.deadLetterTargetArn === undefined) throw bad('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  if (Object.keys(d).some((k) => k !== 'deadLetterTargetArn' && k !== 'maxReceiveCount')) throw bad('Only following attributes are supported: [maxReceiveCount, deadLetterTargetArn].');
  const count = Number(d.maxReceiveCount);
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw bad(`Invalid value for maxReceiveCount: ${String(d.maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`);
  const arn = String(d.deadLetterTargetArn);
  if (!/^arn:[^:]+:sqs:/.test(arn)) throw bad('Only SQS queues are valid resources for deadLetterTargetArn.');
  // The type check goes by the name's suffix, before the queue is looked up (sic: two periods).
  if (arn.endsWith('.fifo') !== fifo) throw bad('Dead-letter queue must be same type of queue as the source..');
  const target = ctx.byArn(arn);
  if (!target || target.name === self) throw bad('Dead letter target does not exist.');
  const allow = target.attrs.get('RedriveAllowPolicy');
  if (allow !== undefined && self !== undefined) {
    const policy = JSON.parse(allow) as RedriveAllow;
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
  const unsupported = (): SqsError => invalidAttributeValue('RedriveAllowPolicy', "Amazon SQS can't create the redrive allow policy, as it\u2019s in an unsupported format.");
  const bad = (reason: string): SqsError => invalidValue('RedriveAllowPolicy', value, `Amazon SQS can't create the redrive allow policy. ${reason}`);
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch {
    throw unsupported();
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw unsupported();
  const d = doc as Record<string, unknown>;
  if (Object.keys(d).some((k) => k !== 'redrivePermission' && k !== 'sourceQueueArns')) throw unsupported();
  if (typeof d.redrivePermission !== 'string' || !['allowAll', 'denyAll', 'byQueue'].includes(d.redrivePermission)) throw unsupported();
  const arns = d.sourceQueueArns;
  if (arns !== undefined && (!Array.isArray(arns) || arns.some((a) => typeof a !== 'string'))) throw unsupported();
  if (d.redrivePermission === 'byQueue') {
    if (!Array.isArray(arns) || arns.length === 0) throw bad('When you specify the byQueue permission type, you must also specify one or more sourceQueueArns values.');
    if (arns.length > 10) throw bad('The maximum number of source queue ARNs you can specify is 10.');
  } else if (arns !== undefined) {
    throw bad('To specify one or more source queue ARNs, you must set redrivePermission to byQueue.');
  }
  return d as unknown as RedriveAllow;
}

/** Validates names and values for CreateQueue / SetQueueAttributes; returns them unchanged. */
export function validateAttributes(ctx: SqsContext, attrs: Record<string, string>, fifo: boolean, self: string | undefined, onCreate: boolean): void {
  if (attrs.SqsManagedSseEnabled === 'true' && attrs.KmsMasterKeyId !== undefined && attrs.KmsMasterKeyId !== '') {
    throw new SqsError('InvalidAttributeName', 'You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.');
  }
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

/** FIFO high throughput: perMessageGroupId needs messageGroup dedup scope (current or requested). */
export function checkThroughput(q: { attrs: Map<string, string> } | undefined, attrs: Record<string, string>): void {
  const limit = attrs.FifoThroughputLimit ?? q?.attrs.get('FifoThroughputLimit');
  const scope = attrs.DeduplicationScope ?? q?.attrs.get('DeduplicationScope') ?? 'queue';
  if (limit === 'perMessageGroupId' && scope !== 'messageGroup') throw new SqsError('InvalidAttributeValue', TEXT.throughputScope);
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
    } else if (name === 'SqsManagedSseEnabled' && value === 'true') {
      // SQS-managed encryption replaces a KMS key.
      q.attrs.set(name, value);
      q.attrs.delete('KmsMasterKeyId');
      q.attrs.delete('KmsDataKeyReusePeriodSeconds');
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
