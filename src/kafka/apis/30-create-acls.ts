// CreateAcls (key 30), v1-3. No authorizer: every creation fails with SECURITY_DISABLED, as on
// a Kafka broker without authorizer.class.name; nothing is stored.
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import { E } from '../errors.js';
import { NO_AUTHORIZER } from './29-describe-acls.js';

export const createAclsApi: ApiModule = {
  key: 30,
  name: 'CreateAcls',
  minVersion: 1,
  maxVersion: 3,
  handle(req) {
    return { throttleTimeMs: 0, results: (req.creations as Msg[]).map(() => ({ errorCode: E.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER })) };
  },
};
