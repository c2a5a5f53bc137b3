// AlterConfigs (key 33), v0-2, the legacy non-incremental form: a topic's explicit configs are
// replaced by exactly the ones given (anything not named returns to its default), as Kafka
// does. Values are validated (INVALID_CONFIG); validateOnly checks without storing. Broker
// configs are read-only here (INVALID_REQUEST, see config-changes.ts). With an authorizer:
// ALTER_CONFIGS on the topic / cluster (TOPIC_ / CLUSTER_AUTHORIZATION_FAILED).
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import { alterConfigsDenied, changeResource, unknownTopicConfig } from '../config-changes.js';

export const alterConfigsApi: ApiModule = {
  key: 33,
  name: 'AlterConfigs',
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    const responses = (req.resources as Msg[]).map((r) => {
      const result = alterConfigsDenied(ctx, r) ?? changeResource(ctx.broker, r, Boolean(req.validateOnly), () => {
        const next = new Map<string, string>();
        for (const c of r.configs as Msg[]) {
          const unknown = unknownTopicConfig(c.name as string);
          if (unknown) return unknown;
          if (c.value !== null) next.set(c.name as string, c.value as string);
        }
        return next;
      });
      return { ...result, resourceType: r.resourceType, resourceName: r.resourceName };
    });
    return ctx.broker.durable({ throttleTimeMs: 0, responses });
  },
};
