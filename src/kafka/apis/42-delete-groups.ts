// DeleteGroups (key 42), v0-2. Only groups without members can be deleted (NON_EMPTY_GROUP
// otherwise); deleting removes the group's committed offsets. Unknown: GROUP_ID_NOT_FOUND.
// Classic and KIP-848 consumer groups alike. With an authorizer: GROUP DELETE per group
// (GROUP_AUTHORIZATION_FAILED).
import type { ApiModule } from '../api.js';
import { E } from '../errors.js';
import { groupAllowed, OP } from '../acl/check.js';

export const deleteGroupsApi: ApiModule = {
  key: 42,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    const b = ctx.broker;
    const results = (req.groupsNames as string[]).map((groupId) => {
      if (!groupAllowed(ctx, OP.DELETE, groupId)) return { groupId, errorCode: E.GROUP_AUTHORIZATION_FAILED };
      if (groupId === '') return { groupId, errorCode: E.INVALID_GROUP_ID };
      const g = b.groups.get(groupId);
      const modern = b.consumerGroups.get(groupId);
      if (!g && !modern && b.core.offsets.list(groupId).length === 0) return { groupId, errorCode: E.GROUP_ID_NOT_FOUND };
      if ((g && g.members.size > 0) || (modern && modern.members.size > 0)) return { groupId, errorCode: E.NON_EMPTY_GROUP };
      b.groups.delete(groupId);
      b.consumerGroups.delete(groupId);
      b.core.offsets.deleteGroup(groupId);
      return { groupId, errorCode: E.NONE };
    });
    return b.durable({ throttleTimeMs: 0, results });
  },
};
