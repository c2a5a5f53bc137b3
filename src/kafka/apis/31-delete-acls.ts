// DeleteAcls (key 31), v1-3. Without an authorizer every filter fails with SECURITY_DISABLED,
// as on a Kafka broker without authorizer.class.name. With one: needs ALTER on the cluster
// (CLUSTER_AUTHORIZATION_FAILED for every filter otherwise); each filter (acl/filter.ts
// semantics) removes and lists the ACLs it matches; a filter with UNKNOWN elements ->
// INVALID_REQUEST. With --data-dir the answer waits until the ACL list is written.
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import { clusterAllowed, notAuthorizedMessage, OP } from '../acl/check.js';
import { invalidFilter } from '../acl/validate.js';
import { filterOf } from '../acl/wire.js';
import { E } from '../errors.js';
import { NO_AUTHORIZER } from './29-describe-acls.js';

export const deleteAclsApi: ApiModule = {
  key: 31,
  name: 'DeleteAcls',
  minVersion: 1,
  maxVersion: 3,
  handle(req, ctx) {
    const a = ctx.broker.authorizer;
    const filters = req.filters as Msg[];
    if (!a) return { throttleTimeMs: 0, filterResults: filters.map(() => ({ errorCode: E.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER, matchingAcls: [] })) };
    if (!clusterAllowed(ctx, OP.ALTER)) {
      const errorMessage = notAuthorizedMessage(ctx);
      return { throttleTimeMs: 0, filterResults: filters.map(() => ({ errorCode: E.CLUSTER_AUTHORIZATION_FAILED, errorMessage, matchingAcls: [] })) };
    }
    let filterResults: Msg[] = [];
    const written = a.change(() => {
      filterResults = filters.map((f) => {
        const filter = filterOf(f);
        const invalid = invalidFilter(filter);
        if (invalid) return { errorCode: E.INVALID_REQUEST, errorMessage: invalid, matchingAcls: [] };
        const matchingAcls = a.store.remove(filter).map((b) => ({ errorCode: E.NONE, errorMessage: null, ...b }));
        return { errorCode: E.NONE, errorMessage: null, matchingAcls };
      });
    });
    if (!written) return { throttleTimeMs: 0, filterResults };
    return written.then(
      () => ({ throttleTimeMs: 0, filterResults }),
      (err: unknown) => ({ throttleTimeMs: 0, filterResults: filterResults.map((r) => ({ ...r, errorCode: E.UNKNOWN_SERVER_ERROR, errorMessage: String(err) })) }),
    );
  },
};
