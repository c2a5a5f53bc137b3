// CreateAcls (key 30), v1-3. Without an authorizer every creation fails with SECURITY_DISABLED,
// as on a Kafka broker without authorizer.class.name; nothing is stored. With one: needs ALTER
// on the cluster (CLUSTER_AUTHORIZATION_FAILED for every creation otherwise); each creation is
// validated as Kafka does (acl/validate.ts, INVALID_REQUEST with Kafka's message) and the valid
// ones stored (an ACL that exists already is no error). With --data-dir the answer waits
// until the ACL list is written.
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import { clusterAllowed, notAuthorizedMessage, OP } from '../acl/check.js';
import { invalidCreation } from '../acl/validate.js';
import { bindingOf } from '../acl/wire.js';
import type { AclBinding } from '../acl/types.js';
import { E } from '../errors.js';
import { NO_AUTHORIZER } from './29-describe-acls.js';

export const createAclsApi: ApiModule = {
  key: 30,
  name: 'CreateAcls',
  minVersion: 1,
  maxVersion: 3,
  handle(req, ctx) {
    const a = ctx.broker.authorizer;
    const creations = req.creations as Msg[];
    if (!a) return { throttleTimeMs: 0, results: creations.map(() => ({ errorCode: E.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER })) };
    if (!clusterAllowed(ctx, OP.ALTER)) {
      const errorMessage = notAuthorizedMessage(ctx);
      return { throttleTimeMs: 0, results: creations.map(() => ({ errorCode: E.CLUSTER_AUTHORIZATION_FAILED, errorMessage })) };
    }
    const valid: AclBinding[] = [];
    const results = creations.map((c) => {
      const binding = bindingOf(c);
      const invalid = invalidCreation(binding);
      if (invalid) return { errorCode: E.INVALID_REQUEST, errorMessage: invalid };
      valid.push(binding);
      return { errorCode: E.NONE, errorMessage: null };
    });
    const written = a.change(() => a.store.add(valid));
    if (!written) return { throttleTimeMs: 0, results };
    return written.then(
      () => ({ throttleTimeMs: 0, results }),
      (err: unknown) => ({ throttleTimeMs: 0, results: results.map((r) => (r.errorCode === E.NONE ? { errorCode: E.UNKNOWN_SERVER_ERROR, errorMessage: String(err) } : r)) }),
    );
  },
};
