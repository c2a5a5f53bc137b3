// SyncGroup (key 14), v0-5. The leader's assignments are fanned out to every member; others
// wait for them. v5+ checks the protocol type and name (INCONSISTENT_GROUP_PROTOCOL).
// With an authorizer: GROUP READ (GROUP_AUTHORIZATION_FAILED).
import type { Msg } from '../codec.js';
import type { ApiModule } from '../api.js';
import type { SyncResult } from '../groups.js';
import { E } from '../errors.js';
import { groupAllowed, OP } from '../acl/check.js';

export const syncGroupApi: ApiModule = {
  key: 14,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    if (!groupAllowed(ctx, OP.READ, req.groupId as string)) return { throttleTimeMs: 0, errorCode: E.GROUP_AUTHORIZATION_FAILED, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
    const result = ctx.broker.groups.sync(
      req.groupId as string,
      req.memberId as string,
      req.groupInstanceId as string | null,
      req.generationId as number,
      req.protocolType as string | null,
      req.protocolName as string | null,
      (req.assignments as Msg[]).map((a) => ({ memberId: a.memberId as string, assignment: Buffer.from(a.assignment as Buffer) })),
    );
    const shape = (r: SyncResult): Msg => ({ throttleTimeMs: 0, ...r });
    return result instanceof Promise ? result.then(shape) : shape(result);
  },
};
