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
  const first = sorted[0];
  const homogeneous = first !== undefined && sorted.every((m) => sameSet(m.topics, first.topics));
  const owned = homogeneous ? uniformHomogeneous(sorted, topics) : uniformGeneral(sorted, topics);
  return new Map([...owned].map(([id, list]) => [id, fromPairs(list)]));
}

/**
 * Every member subscribes to the same topics (the common case): quotas are known up front,
 * floor(P/M) each and one more for P%M members; members keep what they had up to their quota
 * (those that had more keep the extra slots first), the rest fills the members below quota.
 */
function uniformHomogeneous(sorted: AssignorMember[], topics: TopicCounts): Map<string, [string, number][]> {
  const subscribed = [...topics].filter(([t]) => sorted[0]?.topics.has(t));
  const total = subscribed.reduce((n, [, c]) => n + c, 0);
  const base = Math.floor(total / sorted.length);
  let extra = total % sorted.length;
  const owned = new Map<string, [string, number][]>(sorted.map((m) => [m.memberId, []]));
  const taken = new Set<string>();
  const valid = new Map<string, [string, number][]>();
  for (const m of sorted) {
    const mine: [string, number][] = [];
    for (const [t, p] of pairs(m.current)) {
      const count = topics.get(t);
      if (count !== undefined && p < count && m.topics.has(t) && !taken.has(`${t}:${p}`)) {
        taken.add(`${t}:${p}`);
        mine.push([t, p]);
      }
    }
    valid.set(m.memberId, mine);
  }
  taken.clear();
  const byPrevious = [...sorted].sort((a, b) => (valid.get(b.memberId)?.length ?? 0) - (valid.get(a.memberId)?.length ?? 0));
  for (const m of byPrevious) {
    const mine = valid.get(m.memberId) ?? [];
    let quota = base;
    if (mine.length > base && extra > 0) {
      quota++;
      extra--;
    }
    const keep = mine.slice(0, quota);
    owned.set(m.memberId, keep);
    for (const [t, p] of keep) taken.add(`${t}:${p}`);
  }
  const quotaLeft = (m: AssignorMember): number => base - (owned.get(m.memberId)?.length ?? 0);
  let cursor = 0;
  for (const [t, count] of subscribed) {
    for (let p = 0; p < count; p++) {
      if (taken.has(`${t}:${p}`)) continue;
      // Fill members below the base quota first, then hand out the remaining extra slots.
      let target: AssignorMember | undefined;
      for (let k = 0; k < sorted.length && !target; k++) {
        const m = sorted[(cursor + k) % sorted.length] as AssignorMember;
        if (quotaLeft(m) > 0) target = m;
      }
      if (!target) {
        target = sorted.find((m) => quotaLeft(m) === 0 && extra > 0) as AssignorMember;
        extra--;
      }
      owned.get(target.memberId)?.push([t, p]);
      cursor = (sorted.indexOf(target) + 1) % sorted.length;
    }
  }
  return owned;
}

/** Members subscribe to different topics: sticky first, then least loaded, then balancing moves. */
function uniformGeneral(sorted: AssignorMember[], topics: TopicCounts): Map<string, [string, number][]> {
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
  // 3. Balance: move a partition from a loaded member to one with at least two fewer that
  //    subscribes to its topic, until none exists (each move lowers the sum of squares: ends).
  for (let moved = true; moved; ) {
    moved = false;
    const byLoad = [...sorted].sort((a, b) => load(owned, b) - load(owned, a) || cmp(a.memberId, b.memberId));
    for (const from of byLoad) {
      const list = owned.get(from.memberId) as [string, number][];
      for (let i = byLoad.length - 1; i >= 0 && !moved; i--) {
        const to = byLoad[i] as AssignorMember;
        if (load(owned, to) + 2 > list.length) break; // the rest are loaded too
        const at = list.findLastIndex(([t]) => to.topics.has(t));
        if (at < 0) continue;
        owned.get(to.memberId)?.push(list.splice(at, 1)[0] as [string, number]);
        moved = true;
      }
      if (moved) break;
    }
  }
  return owned;
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

function sameSet(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
