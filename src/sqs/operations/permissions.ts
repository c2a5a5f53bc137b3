// AddPermission / RemovePermission: maintain the queue's Policy document the way SQS writes
// it (Version 2008-10-17, Id <arn>/SQSDefaultPolicy, one Allow statement per label). Labels
// must be unique; removing the last statement removes the Policy attribute. Permissions are
// recorded and reported, not enforced (every caller is accepted).

import { TEXT, invalidValue } from '../errors.js';
import type { Handler } from './types.js';

export interface AddPermissionInput {
  QueueUrl: string;
  Label: string;
  AWSAccountIds: string[];
  Actions: string[];
}

interface Statement {
  Sid: string;
  Effect: string;
  Principal: { AWS: string | string[] };
  Action: string | string[];
  Resource: string;
}

const ACTIONS = new Set(['*', 'SendMessage', 'ReceiveMessage', 'DeleteMessage', 'ChangeMessageVisibility', 'GetQueueAttributes', 'GetQueueUrl', 'ListDeadLetterSourceQueues', 'PurgeQueue', 'ListQueueTags']);

function statements(policy: string | undefined): Statement[] {
  if (policy === undefined) return [];
  try {
    const doc = JSON.parse(policy) as { Statement?: Statement[] | Statement };
    return Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  } catch {
    return [];
  }
}

const one = <T>(list: T[]): T | T[] => (list.length === 1 ? (list[0] as T) : list);

export const addPermission: Handler<AddPermissionInput> = (ctx, input, req) => {
  const q = ctx.resolve(input.QueueUrl, req);
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(input.Label)) throw invalidValue('Label', input.Label, TEXT.queueName);
  input.Actions.forEach((a, i) => {
    if (!ACTIONS.has(a)) throw invalidValue(`ActionName.${i + 1}`, a, TEXT.badAction);
  });
  const list = statements(q.attrs.get('Policy'));
  if (list.some((s) => s.Sid === input.Label)) throw invalidValue('Label', input.Label, TEXT.labelExists);
  list.push({
    Sid: input.Label,
    Effect: 'Allow',
    Principal: { AWS: one(input.AWSAccountIds.map((id) => `arn:aws:iam::${id}:root`)) },
    Action: one(input.Actions.map((a) => `SQS:${a}`)),
    Resource: q.arn,
  });
  q.attrs.set('Policy', JSON.stringify({ Version: '2008-10-17', Id: `${q.arn}/SQSDefaultPolicy`, Statement: list }));
  return {};
};

export const removePermission: Handler<{ QueueUrl: string; Label: string }> = (ctx, input, req) => {
  const q = ctx.resolve(input.QueueUrl, req);
  const list = statements(q.attrs.get('Policy'));
  const rest = list.filter((s) => s.Sid !== input.Label);
  if (rest.length === list.length) throw invalidValue('Label', input.Label, TEXT.labelMissing);
  if (rest.length === 0) q.attrs.delete('Policy');
  else q.attrs.set('Policy', JSON.stringify({ Version: '2008-10-17', Id: `${q.arn}/SQSDefaultPolicy`, Statement: rest }));
  return {};
};
