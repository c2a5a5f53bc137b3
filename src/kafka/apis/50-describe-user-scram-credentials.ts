// DescribeUserScramCredentials (key 50), v0. Lists each user's SCRAM mechanisms and iteration
// counts (never salts or keys), as Kafka's ScramImage.describe: null or empty users = every
// user with a SCRAM credential; an unknown user gets RESOURCE_NOT_FOUND, a user named twice
// DUPLICATE_RESOURCE, each with Kafka's message. With an authorizer, CLUSTER DESCRIBE is required
// (else CLUSTER_AUTHORIZATION_FAILED at the top and for every named user, as Kafka's getErrorResponse).
import type { ApiModule } from '../api.js';
import type { Msg } from '../codec.js';
import { code, message } from '../errors.js';
import { SCRAM } from '../sasl/credentials.js';
import { clusterAllowed, OP } from '../acl/check.js';

export const describeUserScramCredentialsApi: ApiModule = {
  key: 50,
  name: 'DescribeUserScramCredentials',
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const store = ctx.broker.credentials;
    const asked = (req.users as Msg[] | null) ?? [];
    if (!clusterAllowed(ctx, OP.DESCRIBE)) {
      const errorCode = code('CLUSTER_AUTHORIZATION_FAILED');
      const errorMessage = message('CLUSTER_AUTHORIZATION_FAILED');
      const results = asked.map((u) => ({ user: String(u.name), errorCode, errorMessage, credentialInfos: [] }));
      return { throttleTimeMs: 0, errorCode, errorMessage, results };
    }
    // name -> named more than once
    const users = new Map<string, boolean>();
    if (asked.length === 0) for (const u of store.scramUsers()) users.set(u, false);
    else for (const u of asked) users.set(String(u.name), users.has(String(u.name)));
    const results = [...users].map(([user, duplicate]) => {
      if (duplicate) {
        return { user, errorCode: code('DUPLICATE_RESOURCE'), errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`, credentialInfos: [] };
      }
      const infos = store.scramInfo(user);
      if (infos.length === 0) {
        return { user, errorCode: code('RESOURCE_NOT_FOUND'), errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentialInfos: [] };
      }
      return { user, errorCode: 0, errorMessage: null, credentialInfos: infos.map((i) => ({ mechanism: SCRAM[i.mechanism].type, iterations: i.iterations })) };
    });
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, results };
  },
};
