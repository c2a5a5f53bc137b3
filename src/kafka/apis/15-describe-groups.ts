// DescribeGroups (key 15), v0-6. State, protocol type/name and members (client id, host,
// metadata of the chosen protocol, assignment once Stable). Unknown groups: state "Dead" with
// NONE before v6, GROUP_ID_NOT_FOUND from v6 (Kafka 4). Authorized operations (v3+, when asked):
// all a group supports without an authorizer, else what the principal may do. With an
// authorizer: GROUP DESCRIBE per group (GROUP_AUTHORIZATION_FAILED). A KIP-848 consumer group is
// not described here, as in Kafka 4: v6 GROUP_ID_NOT_FOUND "Group X is not a classic group.",
// older versions state Dead.
import type { ApiModule } from '../api.js';
import { E } from '../errors.js';
import { groupOperations, NOT_REQUESTED } from './authorized-operations.js';
import { groupAllowed, OP } from '../acl/check.js';

const EMPTY = Buffer.alloc(0);

export const describeGroupsApi: ApiModule = {
  key: 15,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 6,
  handle(req, ctx) {
    const groups = (req.groups as string[]).map((groupId) => {
      if (!groupAllowed(ctx, OP.DESCRIBE, groupId)) return { errorCode: E.GROUP_AUTHORIZATION_FAILED, errorMessage: null, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: NOT_REQUESTED };
      const g = ctx.broker.groups.get(groupId);
      if (!g) {
        const modern = ctx.broker.consumerGroups.get(groupId) !== undefined;
        if (ctx.version >= 6) return { errorCode: E.GROUP_ID_NOT_FOUND, errorMessage: modern ? `Group ${groupId} is not a classic group.` : `Group ${groupId} not found.`, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
        return { errorCode: E.NONE, errorMessage: null, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
      }
      const stable = g.state === 'Stable';
      return {
        errorCode: E.NONE,
        errorMessage: null,
        groupId,
        groupState: g.state,
        protocolType: g.protocolType ?? '',
        protocolData: stable || g.state === 'CompletingRebalance' ? (g.protocol ?? '') : '',
        members: [...g.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.instanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: g.state === 'PreparingRebalance' ? EMPTY : (m.protocols.find((p) => p.name === g.protocol)?.metadata ?? EMPTY),
          memberAssignment: stable ? m.assignment : EMPTY,
        })),
        authorizedOperations: req.includeAuthorizedOperations ? groupOperations(ctx, groupId) : NOT_REQUESTED,
      };
    });
    return { throttleTimeMs: 0, groups };
  },
};
