// DeleteTopics (key 20), v1-6. By name (v1-5) or by name/id (v6). Deleting a topic drops its
// logs and every group's committed offsets for it, as Kafka does. Errors per topic:
// UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID, INVALID_REQUEST when both name and id are given.
// With an authorizer (ControllerApis.deleteTopics): TOPIC DELETE (TOPIC_AUTHORIZATION_FAILED);
// a topic id the principal may not DESCRIBE is answered UNKNOWN_TOPIC_ID, revealing nothing.
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import { E, message } from '../errors.js';
import { OP, topicAllowed } from '../acl/check.js';

const ZERO_ID = '00000000-0000-0000-0000-000000000000';

export const deleteTopicsApi: ApiModule = {
  key: 20,
  name: 'DeleteTopics',
  minVersion: 1,
  maxVersion: 6,
  handle(req, ctx) {
    const b = ctx.broker;
    const wanted: Msg[] = ctx.version >= 6 ? (req.topics as Msg[]) : (req.topicNames as string[]).map((name) => ({ name, topicId: ZERO_ID }));
    const responses = wanted.map((w) => {
      const name = w.name as string | null;
      const id = w.topicId as string;
      if (name !== null && id !== ZERO_ID) return { name, topicId: id, errorCode: E.INVALID_REQUEST, errorMessage: 'Topic name and topic id cannot both be set' };
      const denied = { name, topicId: id, errorCode: E.TOPIC_AUTHORIZATION_FAILED, errorMessage: message('TOPIC_AUTHORIZATION_FAILED') };
      if (name !== null && !topicAllowed(ctx, OP.DELETE, name)) return { ...denied, topicId: ZERO_ID };
      const byId = name === null ? b.core.topics.byId(id) : undefined;
      if (byId && !topicAllowed(ctx, OP.DESCRIBE, byId.name)) return { name: null, topicId: id, errorCode: E.UNKNOWN_TOPIC_ID, errorMessage: 'This server does not host this topic ID.' };
      if (byId && !topicAllowed(ctx, OP.DELETE, byId.name)) return denied;
      const topic = name !== null ? b.core.topics.get(name) : byId;
      if (!topic) {
        if (name === null) return { name: null, topicId: id, errorCode: E.UNKNOWN_TOPIC_ID, errorMessage: 'This server does not host this topic ID.' };
        return { name, topicId: ZERO_ID, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.' };
      }
      b.core.topics.delete(topic.name);
      b.core.offsets.deleteStream(topic.name);
      for (const log of topic.partitions) log.waiters.wake();
      return { name: topic.name, topicId: topic.id, errorCode: E.NONE, errorMessage: null };
    });
    return b.durable({ throttleTimeMs: 0, responses });
  },
};
