// TagQueue / UntagQueue / ListQueueTags: tags merge and overwrite, keys are case-sensitive,
// empty values are allowed, untagging a missing key is fine, no Tags key when untagged.
// Both flavours (Query: Tag.N.Key/Value, TagKey.N).

import type { Handler } from './types.js';

export interface TagQueueInput {
  QueueUrl: string;
  Tags: Record<string, string>;
}
export interface UntagQueueInput {
  QueueUrl: string;
  TagKeys: string[];
}

export const tagQueue: Handler<TagQueueInput> = (ctx, input, req) => {
  const q = ctx.resolve(input.QueueUrl, req);
  for (const [k, v] of Object.entries(input.Tags)) q.tags.set(k, v);
  return {};
};

export const untagQueue: Handler<UntagQueueInput> = (ctx, input, req) => {
  const q = ctx.resolve(input.QueueUrl, req);
  for (const k of input.TagKeys) q.tags.delete(k);
  return {};
};

export const listQueueTags: Handler<{ QueueUrl: string }> = (ctx, input, req) => {
  const q = ctx.resolve(input.QueueUrl, req);
  return q.tags.size > 0 ? { Tags: Object.fromEntries(q.tags) } : {};
};
