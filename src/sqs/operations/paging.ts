// Shared paging for ListQueues and ListDeadLetterSourceQueues: the token is the last name
// returned (base64), so queues created or deleted between pages do not shift results.

import { SqsError, TEXT } from '../errors.js';

export function page(sorted: string[], max: number | undefined, token: string | undefined): { items: string[]; nextToken?: string } {
  let start = 0;
  if (token !== undefined) {
    const after = Buffer.from(token, 'base64').toString('utf8');
    if (!/^[A-Za-z0-9_.-]{1,80}$/.test(after)) throw new SqsError('InvalidParameterValue', TEXT.badNextToken);
    start = sorted.findIndex((n) => n > after);
    if (start < 0) start = sorted.length;
  }
  if (max === undefined) return { items: sorted.slice(start, start + 1000) };
  const items = sorted.slice(start, start + max);
  const more = start + max < sorted.length;
  return more ? { items, nextToken: Buffer.from(items[items.length - 1] as string).toString('base64') } : { items };
}
