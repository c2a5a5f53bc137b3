// Heartbeat (key 12), v0-4. Keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to
// rejoin, ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID as in Kafka.
// With an authorizer: GROUP READ (GROUP_AUTHORIZATION_FAILED).
import type { ApiModule } from '../api.js';
import { E } from '../errors.js';
import { groupAllowed, OP } from '../acl/check.js';

export const heartbeatApi: ApiModule = {
  key: 12,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    if (!groupAllowed(ctx, OP.READ, req.groupId as string)) return { throttleTimeMs: 0, errorCode: E.GROUP_AUTHORIZATION_FAILED };
    const errorCode = ctx.broker.groups.heartbeat(req.groupId as string, req.memberId as string, req.groupInstanceId as string | null, req.generationId as number);
    return { throttleTimeMs: 0, errorCode };
  },
};
