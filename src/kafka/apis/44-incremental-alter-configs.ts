// IncrementalAlterConfigs (key 44), v0-1 (KIP-339). Per config: SET (0), DELETE (1, back to
// the default), APPEND (2) / SUBTRACT (3) for list configs only (cleanup.policy), as Kafka's
// ConfigAdminManager applies them; other configs of the topic stay as they are. Values are
// validated (INVALID_CONFIG); duplicate keys and unknown operations -> INVALID_REQUEST.
// validateOnly checks without storing. Broker configs are read-only here. With an authorizer:
// ALTER_CONFIGS on the topic / cluster (TOPIC_ / CLUSTER_AUTHORIZATION_FAILED).
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import { alterConfigsDenied, changeResource, unknownTopicConfig } from '../config-changes.js';
import { E } from '../errors.js';
import { topicConfig, topicConfigDef } from '../topic-configs.js';

const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

export const incrementalAlterConfigsApi: ApiModule = {
  key: 44,
  name: 'IncrementalAlterConfigs',
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const responses = (req.resources as Msg[]).map((r) => {
      const result = alterConfigsDenied(ctx, r) ?? changeResource(ctx.broker, r, Boolean(req.validateOnly), (current) => {
        for (const c of r.configs as Msg[]) {
          const name = c.name as string;
          const value = c.value as string | null;
          const op = c.configOperation as number;
          const unknown = unknownTopicConfig(name);
          if (unknown) return unknown;
          const isList = topicConfigDef(name)?.type === 'list';
          switch (op) {
            case SET:
              if (value === null) return { errorCode: E.INVALID_REQUEST, errorMessage: `Null value not supported for : ${name}` };
              current.set(name, value);
              break;
            case DELETE:
              current.delete(name);
              break;
            case APPEND:
            case SUBTRACT: {
              if (!isList) return { errorCode: E.INVALID_CONFIG, errorMessage: `Config value ${op === APPEND ? 'append' : 'subtract'} is not allowed for config key: ${name}` };
              const items = topicConfig(current, name).split(',').map((s) => s.trim()).filter((s) => s !== '');
              const given = (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
              const out = op === APPEND ? [...items, ...given.filter((g) => !items.includes(g))] : items.filter((i) => !given.includes(i));
              current.set(name, out.join(','));
              break;
            }
            default:
              return { errorCode: E.INVALID_REQUEST, errorMessage: `Unknown alter configs operation ${op}` };
          }
        }
        return current;
      });
      return { ...result, resourceType: r.resourceType, resourceName: r.resourceName };
    });
    return ctx.broker.durable({ throttleTimeMs: 0, responses });
  },
};
