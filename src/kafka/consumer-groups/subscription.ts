// Which topics a member subscribes to: its topic names plus every topic its regex matches.
// Kafka compiles SubscribedTopicRegex with RE2/J and requires a full match of the topic name;
// re2js is a JavaScript port of RE2/J: the same syntax (no backreferences or lookarounds) and
// linear-time matching, so a hostile pattern cannot stall the event loop as a backtracking
// RegExp could. Topics that do not exist are ignored until they are created; the group picks
// them up on the next heartbeat.
import { RE2JS } from 're2js';
import type { Broker, Topic } from '../../core/index.js';
import type { ConsumerGroup, ConsumerMember } from './types.js';

const compiled = new Map<string, RE2JS>();

/** The compiled pattern, or RE2's description of why it does not compile. */
export function compileRegex(source: string): RE2JS | string {
  const hit = compiled.get(source);
  if (hit) return hit;
  try {
    const re = RE2JS.compile(source);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(source, re);
    return re;
  } catch (e) {
    return String((e as { error?: unknown }).error ?? (e as Error).message);
  }
}

export function memberTopics(core: Broker, m: ConsumerMember): Topic[] {
  const out = new Map<string, Topic>();
  for (const name of m.subscribedTopicNames) {
    const t = core.topics.get(name);
    if (t) out.set(t.name, t);
  }
  if (m.subscribedTopicRegex !== null && m.subscribedTopicRegex !== '') {
    const re = compileRegex(m.subscribedTopicRegex);
    if (typeof re !== 'string') for (const t of core.topics.list()) if (re.matches(t.name)) out.set(t.name, t);
  }
  return [...out.values()];
}

/** Every topic some member subscribes to, by name (the order assignors walk them in). */
export function groupTopics(core: Broker, g: ConsumerGroup): Topic[] {
  const out = new Map<string, Topic>();
  for (const m of g.members.values()) for (const t of memberTopics(core, m)) out.set(t.name, t);
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Changes when a subscribed topic appears, disappears or gains partitions. */
export function metadataKey(topics: Topic[]): string {
  return topics.map((t) => `${t.id}:${t.partitions.length}`).join(',');
}
