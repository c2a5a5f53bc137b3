// Server-side assignors of KIP-848 groups (group.consumer.assignors, default "uniform,range";
// the first is the default, a member may ask for another with ServerAssignor).
// - uniform (Kafka's UniformAssignor): balanced and sticky. Every partition of a subscribed
//   topic goes to one subscribed member; members keep what they already had as far as balance
//   allows (counts differ by at most one among members that could take the partition).
// - range (Kafka's server RangeAssignor): per topic, the members subscribed to it in member-id
//   order get contiguous ranges; the first (partitions % members) get one more. Not sticky
//   (Kafka 4.x's range keeps previous ranges where the quotas allow; here ranges are recomputed).
import { fromPairs, pairs, type Assignment } from './assignment.js';

export interface AssignorMember {
  memberId: string;
  /** Topic ids the member subscribes to (resolved names and regex). */
  topics: Set<string>;
  /** The member's current target assignment (stickiness input). */
  current: Assignment;
}

/** topic id -> partition count, in the order topics are assigned. */
export type TopicCounts = Map<string, number>;

export type Assignor = (members: AssignorMember[], topics: TopicCounts) => Map<string, Assignment>;

export const ASSIGNORS: Record<string, Assignor> = { uniform, range };

function uniform(members: AssignorMember[], topics: TopicCounts): Map<string, Assignment> {
  const sorted = [...members].sort((a, b) => cmp(a.memberId, b.memberId));
  const owned = new Map<string, [string, number][]>(sorted.map((m) => [m.memberId, []]));
  const taken = new Set<string>();
  const key = (t: string, p: number): string => `${t}:${p}`;
  // 1. Stickiness: keep every partition that still exists and is still subscribed.
  for (const m of sorted) {
    for (const [t, p] of pairs(m.current)) {
      const count = topics.get(t);
      if (count === undefined || p >= count || !m.topics.has(t) || taken.has(key(t, p))) continue;
      taken.add(key(t, p));
      owned.get(m.memberId)?.push([t, p]);
    }
  }
  // 2. Unowned partitions go to the least loaded subscribed member.
  for (const [t, count] of topics) {
    const eligible = sorted.filter((m) => m.topics.has(t));
    if (eligible.length === 0) continue;
    for (let p = 0; p < count; p++) {
      if (taken.has(key(t, p))) continue;
      let best = eligible[0] as AssignorMember;
      for (const m of eligible) if (load(owned, m) < load(owned, best)) best = m;
      owned.get(best.memberId)?.push([t, p]);
      taken.add(key(t, p));
    }
  }
  // 3. Balance: move partitions from the most to the least loaded member that can take them,
  //    until no move lowers the spread (each move strictly reduces the sum of squares: ends).
  for (let moved = true; moved; ) {
    moved = false;
    const byLoad = [...sorted].sort((a, b) => load(owned, b) - load(owned, a) || cmp(a.memberId, b.memberId));
    for (const from of byLoad) {
      const list = owned.get(from.memberId) as [string, number][];
      for (let i = list.length - 1; i >= 0 && !moved; i--) {
        const [t, p] = list[i] as [string, number];
        let to: AssignorMember | null = null;
        for (const m of sorted) if (m.topics.has(t) && load(owned, m) + 1 < list.length && (to === null || load(owned, m) < load(owned, to))) to = m;
        if (to) {
          list.splice(i, 1);
          owned.get(to.memberId)?.push([t, p]);
          moved = true;
        }
      }
      if (moved) break;
    }
  }
  return new Map([...owned].map(([id, list]) => [id, fromPairs(list)]));
}

function range(members: AssignorMember[], topics: TopicCounts): Map<string, Assignment> {
  const sorted = [...members].sort((a, b) => cmp(a.memberId, b.memberId));
  const owned = new Map<string, [string, number][]>(sorted.map((m) => [m.memberId, []]));
  for (const [t, count] of topics) {
    const eligible = sorted.filter((m) => m.topics.has(t));
    if (eligible.length === 0) continue;
    const per = Math.floor(count / eligible.length);
    const extra = count % eligible.length;
    let next = 0;
    eligible.forEach((m, i) => {
      const n = per + (i < extra ? 1 : 0);
      for (let k = 0; k < n; k++) owned.get(m.memberId)?.push([t, next++]);
    });
  }
  return new Map([...owned].map(([id, list]) => [id, fromPairs(list)]));
}

function load(owned: Map<string, unknown[]>, m: AssignorMember): number {
  return owned.get(m.memberId)?.length ?? 0;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
