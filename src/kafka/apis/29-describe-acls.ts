// DescribeAcls (key 29), v1-3. There is no authorizer, so the answer is Kafka's own for a
// broker without one: SECURITY_DISABLED "No Authorizer is configured." (UIs such as Kafbat and
// AKHQ treat it as "ACLs not enabled" and keep loading).
import type { ApiModule } from '../api.js';
import { E } from '../errors.js';

export const NO_AUTHORIZER = 'No Authorizer is configured.';

export const describeAclsApi: ApiModule = {
  key: 29,
  name: 'DescribeAcls',
  minVersion: 1,
  maxVersion: 3,
  handle() {
    return { throttleTimeMs: 0, errorCode: E.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER, resources: [] };
  },
};
