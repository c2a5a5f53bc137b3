// DescribeAcls (key 29), v1-3. Without an authorizer (the default) Kafka's own answer for a
// broker without one: SECURITY_DISABLED "No Authorizer is configured." (UIs such as Kafbat and
// AKHQ treat it as "ACLs not enabled" and keep loading). With KAFKA_AUTHORIZER_CLASS_NAME set:
// the ACLs matching the filter (acl/filter.ts: ANY, MATCH, LITERAL, PREFIXED), grouped by
// resource pattern; needs DESCRIBE on the cluster (CLUSTER_AUTHORIZATION_FAILED otherwise);
// a filter with UNKNOWN elements -> INVALID_REQUEST.
import type { ApiModule } from '../api.js';
import { clusterAllowed, notAuthorizedMessage, OP } from '../acl/check.js';
import { invalidFilter } from '../acl/validate.js';
import { byResource, filterOf } from '../acl/wire.js';
import { E } from '../errors.js';

export const NO_AUTHORIZER = 'No Authorizer is configured.';

export const describeAclsApi: ApiModule = {
  key: 29,
  name: 'DescribeAcls',
  minVersion: 1,
  maxVersion: 3,
  handle(req, ctx) {
    const a = ctx.broker.authorizer;
    if (!a) return { throttleTimeMs: 0, errorCode: E.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER, resources: [] };
    if (!clusterAllowed(ctx, OP.DESCRIBE)) return { throttleTimeMs: 0, errorCode: E.CLUSTER_AUTHORIZATION_FAILED, errorMessage: notAuthorizedMessage(ctx), resources: [] };
    const filter = filterOf(req);
    const invalid = invalidFilter(filter);
    if (invalid) return { throttleTimeMs: 0, errorCode: E.INVALID_REQUEST, errorMessage: invalid, resources: [] };
    return { throttleTimeMs: 0, errorCode: E.NONE, errorMessage: null, resources: byResource(a.store.matching(filter)) };
  },
};
