// DeleteAcls (key 31), v1-3. No authorizer: every filter fails with SECURITY_DISABLED, as on a
// Kafka broker without authorizer.class.name.
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import { E } from '../errors.js';
import { NO_AUTHORIZER } from './29-describe-acls.js';

export const deleteAclsApi: ApiModule = {
  key: 31,
  name: 'DeleteAcls',
  minVersion: 1,
  maxVersion: 3,
  handle(req) {
    return { throttleTimeMs: 0, filterResults: (req.filters as Msg[]).map(() => ({ errorCode: E.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER, matchingAcls: [] })) };
  },
};
