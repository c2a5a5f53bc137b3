// FindCoordinator (key 10), v0-6. This broker (node 1) coordinates every group (key type 0)
// and every transactional id (key type 1); batched keys from v4. Empty keys get
// INVALID_REQUEST, as Kafka answers. With an authorizer: GROUP DESCRIBE / TRANSACTIONAL_ID
// DESCRIBE on the key (GROUP_ / TRANSACTIONAL_ID_AUTHORIZATION_FAILED).
import type { ApiModule } from '../api.js';
import { E, message } from '../errors.js';
import { allowed, OP, RESOURCE } from '../acl/check.js';

export const findCoordinatorApi: ApiModule = {
  key: 10,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 6,
  handle(req, ctx) {
    const b = ctx.broker;
    const one = (key: string) => {
      if (req.keyType !== 0 && req.keyType !== 1) return { key, nodeId: -1, host: '', port: -1, errorCode: E.INVALID_REQUEST, errorMessage: `Invalid coordinator type ${String(req.keyType)}` };
      if (key === '') return { key, nodeId: -1, host: '', port: -1, errorCode: E.INVALID_REQUEST, errorMessage: req.keyType === 1 ? 'Transactional ID cannot be empty' : 'Group ID cannot be empty' };
      if (req.keyType === 0 && !allowed(ctx, OP.DESCRIBE, RESOURCE.GROUP, key)) return { key, nodeId: -1, host: '', port: -1, errorCode: E.GROUP_AUTHORIZATION_FAILED, errorMessage: message('GROUP_AUTHORIZATION_FAILED') };
      if (req.keyType === 1 && !allowed(ctx, OP.DESCRIBE, RESOURCE.TRANSACTIONAL_ID, key)) return { key, nodeId: -1, host: '', port: -1, errorCode: E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, errorMessage: message('TRANSACTIONAL_ID_AUTHORIZATION_FAILED') };
      return { key, nodeId: b.nodeId, host: ctx.listener.host, port: ctx.listener.port, errorCode: E.NONE, errorMessage: null };
    };
    if (ctx.version >= 4) return { throttleTimeMs: 0, coordinators: (req.coordinatorKeys as string[]).map(one) };
    const r = one(req.key as string);
    return { throttleTimeMs: 0, ...r, errorMessage: r.errorCode === E.NONE ? null : r.errorMessage };
  },
};
