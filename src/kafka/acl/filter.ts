// Filter matching for DescribeAcls / DeleteAcls, with Kafka's semantics
// (ResourcePatternFilter.matches and AccessControlEntryFilter.matches): ANY matches every
// pattern type by exact name; MATCH matches the literal name, the literal wildcard "*" and
// every prefix of the name; LITERAL / PREFIXED match that pattern type by exact name; a null
// name, principal or host matches all.
import { OP, PATTERN, PERMISSION, RESOURCE, WILDCARD, type AclBinding, type AclFilter } from './types.js';

export function patternMatches(f: AclFilter, b: AclBinding): boolean {
  if (f.resourceType !== RESOURCE.ANY && f.resourceType !== b.resourceType) return false;
  if (f.patternType !== PATTERN.ANY && f.patternType !== PATTERN.MATCH && f.patternType !== b.patternType) return false;
  if (f.resourceName === null) return true;
  if (f.patternType === PATTERN.ANY || f.patternType === b.patternType) return f.resourceName === b.resourceName;
  // MATCH: which stored patterns would apply to a resource of this name.
  if (b.patternType === PATTERN.LITERAL) return f.resourceName === b.resourceName || b.resourceName === WILDCARD;
  if (b.patternType === PATTERN.PREFIXED) return f.resourceName.startsWith(b.resourceName);
  return false;
}

export function entryMatches(f: AclFilter, b: AclBinding): boolean {
  if (f.principal !== null && f.principal !== b.principal) return false;
  if (f.host !== null && f.host !== b.host) return false;
  if (f.operation !== OP.ANY && f.operation !== b.operation) return false;
  return f.permissionType === PERMISSION.ANY || f.permissionType === b.permissionType;
}

export function filterMatches(f: AclFilter, b: AclBinding): boolean {
  return patternMatches(f, b) && entryMatches(f, b);
}
