// The ACLs of this broker: a set of bindings (adding an existing one is a no-op, as in
// Kafka), indexed per resource type by literal name and by prefix for the authorizer. ACL
// changes are rare and checks are frequent, so the index is rebuilt on change.
import { filterMatches } from './filter.js';
import { PATTERN, type AclBinding, type AclFilter } from './types.js';

export interface TypeIndex {
  readonly literal: Map<string, AclBinding[]>;
  readonly prefixed: AclBinding[];
}

function keyOf(b: AclBinding): string {
  return JSON.stringify([b.resourceType, b.resourceName, b.patternType, b.principal, b.host, b.operation, b.permissionType]);
}

export class AclStore {
  private readonly bindings = new Map<string, AclBinding>();
  private index = new Map<number, TypeIndex>();
  /** Called after every change (persistence writes the new list). */
  onChange: (() => void) | undefined = undefined;

  add(list: readonly AclBinding[]): void {
    let changed = false;
    for (const b of list) {
      const key = keyOf(b);
      if (this.bindings.has(key)) continue;
      this.bindings.set(key, { ...b });
      changed = true;
    }
    if (changed) this.changed();
  }

  /** Removes and returns every binding the filter matches. */
  remove(filter: AclFilter): AclBinding[] {
    const removed: AclBinding[] = [];
    for (const [key, b] of this.bindings) {
      if (!filterMatches(filter, b)) continue;
      this.bindings.delete(key);
      removed.push(b);
    }
    if (removed.length > 0) this.changed();
    return removed;
  }

  matching(filter: AclFilter): AclBinding[] {
    const out: AclBinding[] = [];
    for (const b of this.bindings.values()) if (filterMatches(filter, b)) out.push(b);
    return out;
  }

  all(): AclBinding[] {
    return [...this.bindings.values()];
  }

  /** The bindings of one resource type, by literal name and prefix (undefined: none). */
  ofType(resourceType: number): TypeIndex | undefined {
    return this.index.get(resourceType);
  }

  private changed(): void {
    const index = new Map<number, TypeIndex>();
    for (const b of this.bindings.values()) {
      let t = index.get(b.resourceType);
      if (!t) index.set(b.resourceType, (t = { literal: new Map(), prefixed: [] }));
      if (b.patternType === PATTERN.PREFIXED) t.prefixed.push(b);
      else {
        const list = t.literal.get(b.resourceName);
        if (list) list.push(b);
        else t.literal.set(b.resourceName, [b]);
      }
    }
    this.index = index;
    this.onChange?.();
  }
}
