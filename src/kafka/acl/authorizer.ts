// The authorizer, enabled as in Kafka by authorizer.class.name (KAFKA_AUTHORIZER_CLASS_NAME,
// any non-empty value), with super.users (KAFKA_SUPER_USERS, "User:a;User:b") and
// allow.everyone.if.no.acl.found (KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND, default false).
// Decision as StandardAuthorizer: super users pass; the ACLs that apply to a resource are its
// literal name, the literal "*" and every matching prefix; a matching DENY (same operation or
// ALL) wins; an ALLOW matches the operation, ALL, or an operation implying it (READ, WRITE,
// DELETE, ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS); with no ACL at all on
// the resource the answer is allow.everyone.if.no.acl.found. Principals match exactly or via
// "User:*", hosts exactly or via "*".
import { AclStore } from './store.js';
import { OP, PATTERN, PERMISSION, SUPPORTED_OPERATIONS, WILDCARD, WILDCARD_PRINCIPAL, type AclBinding } from './types.js';

export interface AuthorizerSettings {
  /** authorizer.class.name as given (reported by DescribeConfigs; any value enables this authorizer). */
  className: string;
  superUsers: ReadonlySet<string>;
  allowEveryoneIfNoAclFound: boolean;
}

/** The authorizer settings from config.extra, or undefined when none is configured (the default). */
export function authorizerSettings(extra: Record<string, string>): AuthorizerSettings | undefined {
  const cls = (extra.KAFKA_AUTHORIZER_CLASS_NAME ?? '').trim();
  if (cls === '') return undefined;
  const superUsers = new Set((extra.KAFKA_SUPER_USERS ?? '').split(';').map((s) => s.trim()).filter((s) => s !== ''));
  return { className: cls, superUsers, allowEveryoneIfNoAclFound: (extra.KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND ?? 'false').trim().toLowerCase() === 'true' };
}

/** Kafka compares ACL hosts with the client's address: "/127.0.0.1" and "::ffff:127.0.0.1" are "127.0.0.1". */
export function hostAddress(clientHost: string): string {
  const h = clientHost.startsWith('/') ? clientHost.slice(1) : clientHost;
  return h.startsWith('::ffff:') && h.includes('.') ? h.slice(7) : h;
}

function allowImplies(aclOp: number, op: number): boolean {
  if (aclOp === op || aclOp === OP.ALL) return true;
  if (op === OP.DESCRIBE) return aclOp === OP.READ || aclOp === OP.WRITE || aclOp === OP.DELETE || aclOp === OP.ALTER;
  if (op === OP.DESCRIBE_CONFIGS) return aclOp === OP.ALTER_CONFIGS;
  return false;
}

const enum Verdict {
  None,
  Allow,
  Deny,
}

export class Authorizer {
  readonly store = new AclStore();
  /** The latest --data-dir write of the ACL list (set by acl/persistence.ts; read through change()). */
  written: Promise<void> | undefined = undefined;

  constructor(readonly settings: AuthorizerSettings) {}

  /**
   * Runs one ACL change and returns the --data-dir write it caused (undefined in memory mode or
   * when nothing changed), so CreateAcls/DeleteAcls can answer once the list is stored.
   */
  change(apply: () => void): Promise<void> | undefined {
    this.written = undefined;
    apply();
    return this.written;
  }

  authorize(principal: string, clientHost: string, op: number, resourceType: number, name: string): boolean {
    if (this.settings.superUsers.has(principal)) return true;
    const index = this.store.ofType(resourceType);
    if (!index) return this.settings.allowEveryoneIfNoAclFound;
    const host = hostAddress(clientHost);
    let found = false;
    let allowed = false;
    // The literal name, then the literal "*" (skipped when the name is "*" itself).
    for (let pass = 0; pass < 2; pass++) {
      const list = pass === 0 ? index.literal.get(name) : name === WILDCARD ? undefined : index.literal.get(WILDCARD);
      if (!list) continue;
      found = true;
      for (const b of list) {
        const v = this.judge(b, principal, host, op);
        if (v === Verdict.Deny) return false;
        if (v === Verdict.Allow) allowed = true;
      }
    }
    for (const b of index.prefixed) {
      if (!name.startsWith(b.resourceName)) continue;
      found = true;
      const v = this.judge(b, principal, host, op);
      if (v === Verdict.Deny) return false;
      if (v === Verdict.Allow) allowed = true;
    }
    return allowed || (!found && this.settings.allowEveryoneIfNoAclFound);
  }

  private judge(b: AclBinding, principal: string, host: string, op: number): Verdict {
    if (b.principal !== principal && b.principal !== WILDCARD_PRINCIPAL) return Verdict.None;
    if (b.host !== WILDCARD && b.host !== host) return Verdict.None;
    if (b.permissionType === PERMISSION.DENY) return b.operation === op || b.operation === OP.ALL ? Verdict.Deny : Verdict.None;
    return allowImplies(b.operation, op) ? Verdict.Allow : Verdict.None;
  }

  /**
   * Whether the principal may do `op` on some resource of the type (Kafka's
   * Authorizer.authorizeByResourceType, used by InitProducerId for idempotent producers):
   * allowed when an ALLOW pattern exists that no DENY literal or shorter DENY prefix covers;
   * a DENY on the literal "*" refuses everything.
   */
  authorizeByResourceType(principal: string, clientHost: string, op: number, resourceType: number): boolean {
    // Kafka first asks about a made-up name, so super users and allow-everyone pass here too.
    if (this.authorize(principal, clientHost, op, resourceType, 'hardcode')) return true;
    const host = hostAddress(clientHost);
    const denyLiteral = new Set<string>();
    const denyPrefix = new Set<string>();
    const allow: AclBinding[] = [];
    for (const b of this.store.all()) {
      if (b.resourceType !== resourceType) continue;
      if (b.host !== host && b.host !== WILDCARD) continue;
      if (b.principal !== principal && b.principal !== WILDCARD_PRINCIPAL) continue;
      if (b.operation !== op && b.operation !== OP.ALL) continue;
      if (b.permissionType === PERMISSION.DENY) {
        if (b.patternType === PATTERN.LITERAL && b.resourceName === WILDCARD) return false;
        (b.patternType === PATTERN.PREFIXED ? denyPrefix : denyLiteral).add(b.resourceName);
      } else if (b.permissionType === PERMISSION.ALLOW) {
        if (b.patternType === PATTERN.LITERAL && b.resourceName === WILDCARD) return true;
        allow.push(b);
      }
    }
    return allow.some((b) => {
      if (b.patternType === PATTERN.LITERAL && denyLiteral.has(b.resourceName)) return false;
      for (let i = 1; i <= b.resourceName.length; i++) if (denyPrefix.has(b.resourceName.slice(0, i))) return false;
      return true;
    });
  }

  /** The KIP-430 bitfield: bit n set for each supported operation n the principal may do. */
  authorizedOperations(principal: string, clientHost: string, resourceType: number, name: string): number {
    let bits = 0;
    for (const op of SUPPORTED_OPERATIONS.get(resourceType) ?? []) if (this.authorize(principal, clientHost, op, resourceType, name)) bits |= 1 << op;
    return bits;
  }
}
