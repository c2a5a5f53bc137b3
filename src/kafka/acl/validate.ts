// Validation of new ACLs and of filters, with Kafka's INVALID_REQUEST messages: first
// AclApis.handleCreateAcls (CLUSTER name, empty name), then AclControlManager.validateNewAcl
// (concrete resource type, pattern type, operation and permission; "type:name" principal;
// non-empty host). A filter must not hold UNKNOWN elements (Kafka refuses such a request).
import { CLUSTER_NAME, OP, operationName, PATTERN, patternTypeName, PERMISSION, permissionName, RESOURCE, resourceTypeName, type AclBinding, type AclFilter } from './types.js';

export function invalidCreation(b: AclBinding): string | null {
  if (b.resourceType === RESOURCE.CLUSTER && b.resourceName !== CLUSTER_NAME) return `The only valid name for the CLUSTER resource is ${CLUSTER_NAME}`;
  if (b.resourceName === '') return 'Invalid empty resource name';
  if (b.resourceType <= RESOURCE.ANY || b.resourceType > RESOURCE.USER) return `Invalid resourceType ${resourceTypeName(b.resourceType)}`;
  if (b.patternType !== PATTERN.LITERAL && b.patternType !== PATTERN.PREFIXED) return `Invalid patternType ${patternTypeName(b.patternType)}`;
  if (b.operation <= OP.ANY || b.operation > OP.TWO_PHASE_COMMIT) return `Invalid operation ${operationName(b.operation)}`;
  if (b.permissionType !== PERMISSION.ALLOW && b.permissionType !== PERMISSION.DENY) return `Invalid permissionType ${permissionName(b.permissionType)}`;
  if (!b.principal.includes(':')) return `Could not parse principal from \`${b.principal}\` (no colon is present separating the principal type from the principal name)`;
  if (b.host === '') return 'Host pattern cannot be null or empty';
  return null;
}

export function invalidFilter(f: AclFilter): string | null {
  const unknown =
    f.resourceType <= RESOURCE.UNKNOWN || f.resourceType > RESOURCE.USER ||
    f.patternType <= PATTERN.UNKNOWN || f.patternType > PATTERN.PREFIXED ||
    f.operation <= OP.UNKNOWN || f.operation > OP.TWO_PHASE_COMMIT ||
    f.permissionType <= PERMISSION.UNKNOWN || f.permissionType > PERMISSION.ALLOW;
  return unknown ? 'The filter contains UNKNOWN elements' : null;
}
