// LeaveGroup (key 13), v0-5. One member (v0-2) or a batch by member id / group.instance.id
// (v3+, KIP-345); per-member errors in v3+, the top-level error is then NONE unless the group
// id is invalid. Leaving triggers a rebalance of the remaining members.
// With an authorizer: GROUP READ (GROUP_AUTHORIZATION_FAILED, top level).
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import { E } from '../errors.js';
import { groupAllowed, OP } from '../acl/check.js';

export const leaveGroupApi: ApiModule = {
  key: 13,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    const groups = ctx.broker.groups;
    const groupId = req.groupId as string;
    if (!groupAllowed(ctx, OP.READ, groupId)) return { throttleTimeMs: 0, errorCode: E.GROUP_AUTHORIZATION_FAILED, members: [] };
    if (groupId === '') return { throttleTimeMs: 0, errorCode: E.INVALID_GROUP_ID, members: [] };
    if (ctx.version < 3) return { throttleTimeMs: 0, errorCode: groups.leave(groupId, req.memberId as string, null) };
    const members = (req.members as Msg[]).map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      errorCode: groups.leave(groupId, m.memberId as string, m.groupInstanceId as string | null),
    }));
    return { throttleTimeMs: 0, errorCode: groups.get(groupId) ? E.NONE : E.UNKNOWN_MEMBER_ID, members };
  },
};
