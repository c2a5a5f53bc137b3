// ListGroups (key 16), v0-5. Every group this coordinator knows, including groups that only
// hold committed offsets (state Empty, protocol type ""); v4+ state filter, v5+ type filter:
// classic groups are "classic", KIP-848 groups "consumer" (protocol type "consumer", states
// Empty, Assigning, Reconciling, Stable). Filters compare case-insensitively, as Kafka does.
// With an authorizer: every group for CLUSTER DESCRIBE, else only the groups the principal may
// DESCRIBE (KafkaApis.handleListGroupsRequest).
import type { ApiModule } from '../api.js';
import { E } from '../errors.js';
import { groupState } from '../consumer-groups/types.js';
import { clusterAllowed, groupAllowed, OP } from '../acl/check.js';

export const listGroupsApi: ApiModule = {
  key: 16,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    const states = (req.statesFilter as string[]).map((s) => s.toLowerCase());
    const types = (req.typesFilter as string[]).map((s) => s.toLowerCase());
    const all = [
      ...ctx.broker.groups.list().map((g) => ({ groupId: g.id, protocolType: g.protocolType ?? '', groupState: g.state as string, groupType: 'classic' })),
      ...ctx.broker.consumerGroups.list().map((g) => ({ groupId: g.id, protocolType: 'consumer', groupState: groupState(g) as string, groupType: 'consumer' })),
    ];
    const visible = clusterAllowed(ctx, OP.DESCRIBE) ? all : all.filter((g) => groupAllowed(ctx, OP.DESCRIBE, g.groupId));
    const groups = visible
      .filter((g) => states.length === 0 || states.includes(g.groupState.toLowerCase()))
      .filter((g) => types.length === 0 || types.includes(g.groupType));
    return { throttleTimeMs: 0, errorCode: E.NONE, groups };
  },
};
