// ACL request fields to bindings and filters, and back (DescribeAcls/CreateAcls/DeleteAcls).
import type { Msg } from '../codec.js';
import type { AclBinding, AclFilter } from './types.js';

export function filterOf(f: Msg): AclFilter {
  return {
    resourceType: f.resourceTypeFilter as number,
    resourceName: f.resourceNameFilter as string | null,
    patternType: f.patternTypeFilter as number,
    principal: f.principalFilter as string | null,
    host: f.hostFilter as string | null,
    operation: f.operation as number,
    permissionType: f.permissionType as number,
  };
}

export function bindingOf(c: Msg): AclBinding {
  return {
    resourceType: c.resourceType as number,
    resourceName: c.resourceName as string,
    patternType: c.resourcePatternType as number,
    principal: c.principal as string,
    host: c.host as string,
    operation: c.operation as number,
    permissionType: c.permissionType as number,
  };
}

/** DescribeAcls groups the bindings by resource pattern. */
export function byResource(list: readonly AclBinding[]): Msg[] {
  const groups = new Map<string, Msg>();
  for (const b of list) {
    const key = `${b.resourceType}\u0000${b.patternType}\u0000${b.resourceName}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] }));
    (g.acls as Msg[]).push({ principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType });
  }
  return [...groups.values()];
}
