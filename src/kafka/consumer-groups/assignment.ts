// Partition sets keyed by topic id, the unit KIP-848 assignments are expressed in (the
// ConsumerGroupHeartbeat wire format names topics by id). Pure helpers, no group state.

/** topic id -> sorted partition indexes (never an empty list). */
export type Assignment = Map<string, number[]>;

export function fromPairs(pairs: Iterable<[string, number]>): Assignment {
  const out: Assignment = new Map();
  for (const [topicId, p] of pairs) {
    const list = out.get(topicId);
    if (list) list.push(p);
    else out.set(topicId, [p]);
  }
  for (const list of out.values()) list.sort((a, b) => a - b);
  return out;
}

export function* pairs(a: Assignment): Iterable<[string, number]> {
  for (const [topicId, list] of a) for (const p of list) yield [topicId, p];
}

export function has(a: Assignment, topicId: string, partition: number): boolean {
  return a.get(topicId)?.includes(partition) ?? false;
}

export function size(a: Assignment): number {
  let n = 0;
  for (const list of a.values()) n += list.length;
  return n;
}

export function equals(a: Assignment, b: Assignment): boolean {
  if (size(a) !== size(b)) return false;
  const inB = keys(b);
  for (const [t, p] of pairs(a)) if (!inB.has(`${t}:${p}`)) return false;
  return true;
}

/** Partitions of `a` not in `b`. */
export function minus(a: Assignment, b: Assignment): Assignment {
  const inB = keys(b);
  return fromPairs([...pairs(a)].filter(([t, p]) => !inB.has(`${t}:${p}`)));
}

/** Partitions in both. */
export function intersect(a: Assignment, b: Assignment): Assignment {
  const inB = keys(b);
  return fromPairs([...pairs(a)].filter(([t, p]) => inB.has(`${t}:${p}`)));
}

export function union(a: Assignment, b: Assignment): Assignment {
  return fromPairs([...pairs(a), ...pairs(minus(b, a))]);
}

/** "topicId:partition" of every partition, for set lookups on large assignments. */
export function keys(a: Assignment): Set<string> {
  const out = new Set<string>();
  for (const [t, p] of pairs(a)) out.add(`${t}:${p}`);
  return out;
}

/** The request's owned partitions (wire shape), null when the member did not send them. */
export function fromWire(list: { topicId: string; partitions: number[] }[] | null): Assignment | null {
  if (list === null) return null;
  return fromPairs(list.flatMap((t) => t.partitions.map((p) => [t.topicId, p] as [string, number])));
}

export function toWire(a: Assignment): { topicId: string; partitions: number[] }[] {
  return [...a].map(([topicId, partitions]) => ({ topicId, partitions: [...partitions] }));
}
