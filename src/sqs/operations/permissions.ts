// AddPermission / RemovePermission: maintain the queue's Policy document the way SQS writes
// it (a new document is Version 2008-10-17 with Id <arn>/SQSDefaultPolicy; an existing one
// keeps its fields and gets its Statement turned into a list). One Allow statement per label;
// re-adding an identical statement is a no-op; removing the last one removes Policy.
// Permissions are recorded and reported, not enforced (every caller is accepted).

import { SqsError, TEXT, invalidValue, missingParameter } from '../errors.js';
import type { Handler } from './types.js';

export interface AddPermissionInput {
  QueueUrl: string;
  Label: string;
  AWSAccountIds: string[];
  Actions: string[];
}

interface Statement {
  Sid?: string;
  [k: string]: unknown;
}

// Actions another account may be granted; other SQS actions are owner-only.
const GRANTABLE = new Set(['*', 'SendMessage', 'ReceiveMessage', 'DeleteMessage', 'ChangeMessageVisibility', 'GetQueueAttributes', 'GetQueueUrl', 'ListDeadLetterSourceQueues', 'PurgeQueue', 'ListQueueTags']);
const OWNER_ONLY = new Set(['CreateQueue', 'DeleteQueue', 'SetQueueAttributes', 'AddPermission', 'RemovePermission', 'TagQueue', 'UntagQueue', 'ListQueues', 'StartMessageMoveTask', 'CancelMessageMoveTask', 'ListMessageMoveTasks']);
const MAX_STATEMENTS = 20;

function readPolicy(policy: string | undefined): { doc: Record<string, unknown> | undefined; list: Statement[] } {
  if (policy === undefined) return { doc: undefined, list: [] };
  const doc = JSON.parse(policy) as Record<string, unknown>;
  const st = doc.Statement;
  return { doc, list: Array.isArray(st) ? (st as Statement[]) : st ? [st as Statement] : [] };
}

const one = <T>(list: T[]): T | T[] => (list.length === 1 ? (list[0] as T) : list);

export const addPermission: Handler<AddPermissionInput> = (ctx, input, req) => {
  const q = ctx.resolve(input.QueueUrl, req);
  if (input.Label === '') throw missingParameter('Label');
  if (input.Actions.length === 0) throw missingParameter('ActionName');
  if (input.AWSAccountIds.length === 0) throw missingParameter('AWSAccountIds');
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(input.Label)) throw invalidValue('Label', input.Label, TEXT.queueName);
  for (const a of input.Actions) {
    if (OWNER_ONLY.has(a)) throw invalidValue('ActionName', `SQS:${a}`, TEXT.ownerOnlyAction);
    if (!GRANTABLE.has(a)) throw invalidValue('ActionName', `SQS:${a}`, TEXT.badAction);
  }
  const statement: Statement = {
    Sid: input.Label,
    Effect: 'Allow',
    Principal: { AWS: one(input.AWSAccountIds.map((id) => `arn:aws:iam::${id}:root`)) },
    Action: one(input.Actions.map((a) => `SQS:${a}`)),
    Resource: q.arn,
  };
  const { doc, list } = readPolicy(q.attrs.get('Policy'));
  const same = list.find((s) => s.Sid === input.Label);
  if (same) {
    if (JSON.stringify(same) === JSON.stringify(statement)) return {};
    throw invalidValue('Label', input.Label, TEXT.labelExists);
  }
  if (list.length + 1 > MAX_STATEMENTS) throw new SqsError('InvalidParameterValue', TEXT.tooManyStatements(list.length + 1));
  const next = doc ? { ...doc, Statement: [...list, statement] } : { Version: '2008-10-17', Id: `${q.arn}/SQSDefaultPolicy`, Statement: [statement] };
  q.attrs.set('Policy', JSON.stringify(next));
  return {};
};

export const removePermission: Handler<{ QueueUrl: string; Label: string }> = (ctx, input, req) => {
  const q = ctx.resolve(input.QueueUrl, req);
  if (input.Label === '') throw missingParameter('Label');
  const { doc, list } = readPolicy(q.attrs.get('Policy'));
  const rest = list.filter((s) => s.Sid !== input.Label);
  if (!doc || rest.length === list.length) throw invalidValue('Label', input.Label, TEXT.labelMissing);
  if (rest.length === 0) q.attrs.delete('Policy');
  else q.attrs.set('Policy', JSON.stringify({ ...doc, Statement: rest }));
  return {};
};
