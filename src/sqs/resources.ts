// Predeclared queues from the --config file's `sqs` section:
//   { "queues": [ { "name": "orders.fifo", "attributes": { "FifoQueue": "true" },
//                   "tags": { "team": "a" }, "deadLetterQueue": { "name": "orders-dlq.fifo", "maxReceiveCount": 3 } } ] }
// Shapes are checked at startup (checkSqsResources); queues are created through the same
// CreateQueue handler as API calls, dead-letter targets first, so every rule applies.

import { ShapeError, expectArray, expectInteger, expectObject, expectString, optional } from '../shared/json-shape.js';
import { StartupError } from '../shared/startup-error.js';
import type { RequestInfo, SqsContext } from './context.js';
import { SqsError } from './errors.js';
import { ACCOUNT_ID } from './model/sqs-queue.js';
import { createQueue } from './operations/create-queue.js';

interface QueueDecl {
  name: string;
  region: string | undefined;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  deadLetterQueue: { name: string; maxReceiveCount: number } | undefined;
}

function scalarMap(value: unknown, path: string): Record<string, string> {
  const obj = expectObject(value, path);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else if (k === 'RedrivePolicy' || k === 'RedriveAllowPolicy' || k === 'Policy') out[k] = JSON.stringify(expectObject(v, `${path}.${k}`));
    else throw new ShapeError(`${path}.${k}`, 'expected a string, number or boolean');
  }
  return out;
}

function readDecls(section: unknown, path: string): QueueDecl[] {
  const obj = expectObject(section, path, ['queues']);
  const list = optional(obj, 'queues', path, expectArray) ?? [];
  return list.map((item, i) => {
    const p = `${path}.queues[${i}]`;
    const q = expectObject(item, p, ['name', 'region', 'attributes', 'tags', 'deadLetterQueue']);
    const dlq = optional(q, 'deadLetterQueue', p, (v, dp) => {
      const d = expectObject(v, dp, ['name', 'maxReceiveCount']);
      return { name: expectString(d.name, `${dp}.name`), maxReceiveCount: expectInteger(d.maxReceiveCount, `${dp}.maxReceiveCount`, 1, 1000) };
    });
    return {
      name: expectString(q.name, `${p}.name`),
      region: optional(q, 'region', p, expectString),
      attributes: optional(q, 'attributes', p, scalarMap) ?? {},
      tags: optional(q, 'tags', p, scalarMap) ?? {},
      deadLetterQueue: dlq,
    };
  });
}

export function checkSqsResources(section: unknown, path: string): void {
  const decls = readDecls(section, path);
  const names = new Set<string>();
  decls.forEach((d, i) => {
    if (names.has(d.name)) throw new ShapeError(`${path}.queues[${i}].name`, `queue '${d.name}' is declared twice`);
    names.add(d.name);
  });
  decls.forEach((d, i) => {
    if (d.deadLetterQueue && !names.has(d.deadLetterQueue.name)) {
      throw new ShapeError(`${path}.queues[${i}].deadLetterQueue.name`, `queue '${d.deadLetterQueue.name}' is not declared`);
    }
  });
}

export function loadSqsResources(ctx: SqsContext, section: unknown, origin: () => string): void {
  if (section === undefined) return;
  const decls = readDecls(section, '$.sqs');
  // A queue restored from --data-dir keeps its stored state (attributes may have been changed
  // through the API since): the declaration only creates queues that do not exist.
  const pending = decls.filter((d) => !ctx.queues.has(d.name));
  const byName = new Map(decls.map((d) => [d.name, d]));
  const req = (d: QueueDecl): RequestInfo => ({ origin: origin(), region: d.region ?? 'us-east-1', traceHeader: undefined, pathQueue: undefined, signal: new AbortController().signal });
  // Create dead-letter targets before the queues that point at them.
  while (pending.length > 0) {
    const i = pending.findIndex((d) => {
      const target = d.deadLetterQueue?.name ?? redriveTarget(d.attributes.RedrivePolicy);
      return target === undefined || ctx.queues.has(target) || !byName.has(target);
    });
    const d = pending.splice(i < 0 ? 0 : i, 1)[0] as QueueDecl;
    const attributes = { ...d.attributes };
    if (d.deadLetterQueue) {
      const target = byName.get(d.deadLetterQueue.name);
      const arn = `arn:aws:sqs:${target?.region ?? 'us-east-1'}:${ACCOUNT_ID}:${d.deadLetterQueue.name}`;
      attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: d.deadLetterQueue.maxReceiveCount });
    }
    try {
      void createQueue(ctx, { QueueName: d.name, Attributes: attributes, tags: d.tags }, req(d));
    } catch (err) {
      const reason = err instanceof SqsError ? `${err.row.code}: ${err.message}` : String(err);
      throw new StartupError(`--config: cannot create SQS queue '${d.name}': ${reason}`);
    }
  }
}

function redriveTarget(policy: string | undefined): string | undefined {
  if (policy === undefined) return undefined;
  try {
    const arn = (JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn;
    return arn?.split(':')[5];
  } catch {
    return undefined;
  }
}
