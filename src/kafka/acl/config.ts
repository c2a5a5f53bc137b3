// ACLs declared in the --config document's "kafka" section, applied at startup when an
// authorizer is configured (like ACLs created with kafka-acls.sh before clients connect):
//   "acls": [{ "resourceType": "TOPIC", "resourceName": "orders", "patternType": "PREFIXED",
//              "principal": "User:ANONYMOUS", "host": "*", "operation": "WRITE", "permission": "ALLOW" }]
// Names are Kafka's enum names (any case); patternType defaults to LITERAL, host to "*",
// permission to ALLOW. Each entry is validated as a CreateAcls creation.
import { expectArray, expectObject, expectString, optional, ShapeError } from '../../shared/json-shape.js';
import { invalidCreation } from './validate.js';
import { OP, PATTERN, PERMISSION, RESOURCE, type AclBinding } from './types.js';

const KEYS = ['resourceType', 'resourceName', 'patternType', 'principal', 'host', 'operation', 'permission'];

function code(table: Record<string, number>, value: string, path: string): number {
  const c = table[value.toUpperCase()];
  if (c === undefined) throw new ShapeError(path, `must be one of ${Object.keys(table).join(', ')}`);
  return c;
}

export function readAcls(section: Record<string, unknown>, path: string): AclBinding[] {
  const list = optional(section, 'acls', path, expectArray) ?? [];
  return list.map((raw, i) => {
    const p = `${path}.acls[${i}]`;
    const a = expectObject(raw, p, KEYS);
    const binding: AclBinding = {
      resourceType: code(RESOURCE, expectString(a.resourceType, `${p}.resourceType`), `${p}.resourceType`),
      resourceName: expectString(a.resourceName, `${p}.resourceName`),
      patternType: code(PATTERN, optional(a, 'patternType', p, expectString) ?? 'LITERAL', `${p}.patternType`),
      principal: expectString(a.principal, `${p}.principal`),
      host: optional(a, 'host', p, expectString) ?? '*',
      operation: code(OP, expectString(a.operation, `${p}.operation`), `${p}.operation`),
      permissionType: code(PERMISSION, optional(a, 'permission', p, expectString) ?? 'ALLOW', `${p}.permission`),
    };
    const invalid = invalidCreation(binding);
    if (invalid) throw new ShapeError(p, invalid);
    return binding;
  });
}
