// Incremental cooperative reconciliation of one member toward its target assignment (KIP-848
// "Member Reconciliation", Kafka's CurrentAssignmentBuilder). Rules:
// - partitions leaving the member are revoked first: while the member still reports owning any
//   of them, its epoch stays and it is told only the partitions it keeps (UNREVOKED_PARTITIONS);
// - once they are gone, the member moves to the target epoch and gets every target partition
//   no other member holds (assigned or pending revocation); partitions still held elsewhere
//   are handed over later, when their previous owner released them (UNRELEASED_PARTITIONS).
import { has, intersect, minus, pairs, size, union, fromPairs, type Assignment } from './assignment.js';

export type MemberState = 'STABLE' | 'UNREVOKED_PARTITIONS' | 'UNRELEASED_PARTITIONS';

export interface Reconciled {
  state: MemberState;
  memberEpoch: number;
  previousMemberEpoch: number;
  assigned: Assignment;
  pendingRevocation: Assignment;
}

/**
 * The member's next state. `owned` is what the request reported (null: not sent);
 * `heldByOther(topicId, partition)` tells whether another member still holds a partition.
 */
export function reconcile(cur: Reconciled, targetEpoch: number, target: Assignment, owned: Assignment | null, heldByOther: (t: string, p: number) => boolean): Reconciled {
  switch (cur.state) {
    case 'STABLE':
      if (cur.memberEpoch === targetEpoch) return cur;
      return next(cur, targetEpoch, target, owned, heldByOther);
    case 'UNREVOKED_PARTITIONS':
      if (stillOwns(owned, cur.pendingRevocation)) return cur;
      return next({ ...cur, pendingRevocation: new Map() }, targetEpoch, target, owned, heldByOther);
    case 'UNRELEASED_PARTITIONS':
      return next(cur, targetEpoch, target, owned, heldByOther);
  }
}

function next(cur: Reconciled, targetEpoch: number, target: Assignment, owned: Assignment | null, heldByOther: (t: string, p: number) => boolean): Reconciled {
  const kept = intersect(cur.assigned, target);
  const revoke = minus(cur.assigned, target);
  const wanted = minus(target, cur.assigned);
  const free = fromPairs([...pairs(wanted)].filter(([t, p]) => !heldByOther(t, p)));
  if (size(revoke) > 0 && stillOwns(owned, revoke)) {
    return { state: 'UNREVOKED_PARTITIONS', memberEpoch: cur.memberEpoch, previousMemberEpoch: cur.previousMemberEpoch, assigned: kept, pendingRevocation: revoke };
  }
  const assigned = union(kept, free);
  // The previous epoch moves only when the epoch does.
  const previousMemberEpoch = cur.memberEpoch === targetEpoch ? cur.previousMemberEpoch : cur.memberEpoch;
  const state: MemberState = size(free) < size(wanted) ? 'UNRELEASED_PARTITIONS' : 'STABLE';
  return { state, memberEpoch: targetEpoch, previousMemberEpoch, assigned, pendingRevocation: new Map() };
}

/** Does the member still report any of these partitions? Unknown (null) counts as yes. */
function stillOwns(owned: Assignment | null, partitions: Assignment): boolean {
  if (owned === null) return true;
  for (const [t, p] of pairs(partitions)) if (has(owned, t, p)) return true;
  return false;
}
