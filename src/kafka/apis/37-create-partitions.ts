// CreatePartitions (key 37), v0-3. Grows topics (never shrinks): INVALID_PARTITIONS when the
// count is not above the current one, UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST for a topic
// named twice, INVALID_REPLICA_ASSIGNMENT when manual assignments do not give exactly one
// list per new partition naming broker 1. validateOnly checks without growing. Every topic
// of the request gets a result (some brokers forgot this; clients wait for each one).
// More than 10,000 new partitions in one request -> POLICY_VIOLATION, as Kafka's controller.
// With an authorizer: TOPIC ALTER (TOPIC_AUTHORIZATION_FAILED, ControllerApis' message).
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import { E } from '../errors.js';
import { OP, topicAllowed } from '../acl/check.js';
import { MAX_NEW_PARTITIONS_PER_REQUEST, TOO_MANY_PARTITIONS } from '../broker.js';

export const createPartitionsApi: ApiModule = {
  key: 37,
  name: 'CreatePartitions',
  minVersion: 0,
  maxVersion: 3,
  handle(req, ctx) {
    const b = ctx.broker;
    const names = (req.topics as Msg[]).map((t) => t.name as string);
    let budget = MAX_NEW_PARTITIONS_PER_REQUEST;
    const results = (req.topics as Msg[]).map((t) => {
      const name = t.name as string;
      const fail = (errorCode: number, errorMessage: string): Msg => ({ name, errorCode, errorMessage });
      if (names.indexOf(name) !== names.lastIndexOf(name)) return fail(E.INVALID_REQUEST, 'Duplicate topic in request.');
      if (!topicAllowed(ctx, OP.ALTER, name)) return fail(E.TOPIC_AUTHORIZATION_FAILED, 'The topic authorization is failed.');
      const topic = b.core.topics.get(name);
      if (!topic) return fail(E.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
      const current = topic.partitions.length;
      const count = t.count as number;
      if (count < current) return fail(E.INVALID_PARTITIONS, `Topic currently has ${current} partitions, which is higher than the requested ${count}.`);
      if (count === current) return fail(E.INVALID_PARTITIONS, `Topic already has ${current} partitions.`);
      if (count - current > budget) return fail(E.POLICY_VIOLATION, TOO_MANY_PARTITIONS);
      const assignments = t.assignments as Msg[] | null;
      if (assignments !== null) {
        if (assignments.length !== count - current) {
          return fail(E.INVALID_REPLICA_ASSIGNMENT, `Attempted to add ${count - current} additional partition(s), but only ${assignments.length} assignment(s) were specified.`);
        }
        for (const a of assignments) {
          const ids = a.brokerIds as number[];
          if (ids.length !== 1 || ids[0] !== b.nodeId) return fail(E.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes broker(s) other than the only broker ${b.nodeId}: [${ids.join(', ')}].`);
        }
      }
      budget -= count - current;
      if (!req.validateOnly) b.core.topics.addPartitions(name, count);
      return { name, errorCode: E.NONE, errorMessage: null };
    });
    return b.durable({ throttleTimeMs: 0, results });
  },
};
