// The embedded "consumer" protocol of classic groups (ConsumerProtocolSubscription v0-3):
// version int16, topics [string], userData bytes, ... The broker only needs the topic list,
// to tell which topics a live group consumes (OffsetDelete answers GROUP_SUBSCRIBED_TO_TOPIC
// for them, like Kafka's GroupMetadata.subscribedTopics).
import { Reader } from './bytes.js';
import type { Group } from './groups.js';

/** Topics named in one member's subscription metadata; null when it cannot be parsed. */
export function subscriptionTopics(metadata: Buffer): string[] | null {
  try {
    const r = new Reader(metadata);
    r.int16();
    const n = r.arrayLength(false);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(r.string(false) ?? '');
    return out;
  } catch {
    return null;
  }
}

/**
 * Topics the group's members subscribe to under the selected protocol, or null when unknown
 * (not the consumer protocol, or unparsable metadata): callers must then assume "all".
 */
export function subscribedTopics(g: Group): Set<string> | null {
  if (g.protocolType !== 'consumer' || g.protocol === null) return null;
  const topics = new Set<string>();
  for (const m of g.members.values()) {
    const p = m.protocols.find((x) => x.name === g.protocol);
    const list = p ? subscriptionTopics(p.metadata) : null;
    if (list === null) return null;
    for (const t of list) topics.add(t);
  }
  return topics;
}
