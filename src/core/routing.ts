// Exchanges and bindings: which queues a message reaches from an exchange, given its routing
// key and (for header matching) its headers as plain values. Four matchers: direct (hash),
// fanout (set), topic (a word trie: `*` one word, `#` zero or more), headers (x-match all /
// any / all-with-x / any-with-x). Exchange-to-exchange bindings and alternate exchanges are
// followed, each exchange visited once per message. Protocol-neutral: values are plain JS.
// Synchronous; owners (front-ends) decide naming rules, permissions and wire errors.

import { BrokerError } from './errors.js';

export type ExchangeKind = 'direct' | 'fanout' | 'topic' | 'headers';
export type DestinationKind = 'queue' | 'exchange';

export interface ExchangeOptions {
  kind: ExchangeKind;
  durable?: boolean;
  autoDelete?: boolean;
  internal?: boolean;
  /** Where messages that match no binding go (alternate exchange), by name. */
  alternate?: string | undefined;
  /** Owner's data kept with the exchange (original arguments). */
  meta?: unknown;
}

export interface Binding {
  readonly source: string;
  readonly destination: string;
  readonly destinationKind: DestinationKind;
  readonly key: string;
  /** Plain-valued binding arguments (headers exchanges match on them). */
  readonly args: Readonly<Record<string, unknown>>;
  /** Canonical identity of args, so equal bindings are one binding. */
  readonly argsKey: string;
}

export type HeadersProvider = () => Readonly<Record<string, unknown>> | undefined;

interface Matcher {
  add(b: Binding): void;
  remove(b: Binding): void;
  match(key: string, headers: HeadersProvider, out: Binding[]): void;
}

export class Exchange {
  readonly bindings = new Map<string, Binding>();
  readonly matcher: Matcher;
  constructor(readonly name: string, readonly options: Readonly<ExchangeOptions>) {
    this.matcher = makeMatcher(options.kind);
  }
  get kind(): ExchangeKind {
    return this.options.kind;
  }
}

export interface RouteResult {
  /** Destination queue names, each once. */
  queues: Set<string>;
  /** True when some exchange had no matching binding and no alternate took the message. */
  unroutable: boolean;
}

export class Router {
  private exchanges = new Map<string, Exchange>();
  /** Bindings by destination ("q:" or "e:" + name), to drop them when it goes away. */
  private byDestination = new Map<string, Set<Binding>>();

  declare(name: string, options: ExchangeOptions): Exchange {
    if (this.exchanges.has(name)) throw new BrokerError('already_exists', `exchange '${name}' already exists`);
    const ex = new Exchange(name, { ...options });
    this.exchanges.set(name, ex);
    return ex;
  }

  get(name: string): Exchange | undefined {
    return this.exchanges.get(name);
  }

  list(): Exchange[] {
    return [...this.exchanges.values()];
  }

  /** Deletes an exchange with its bindings both ways. */
  delete(name: string): boolean {
    const ex = this.exchanges.get(name);
    if (!ex) return false;
    for (const b of [...ex.bindings.values()]) this.unbind(b, false);
    for (const b of [...(this.byDestination.get('e:' + name) ?? [])]) this.unbind(b);
    this.exchanges.delete(name);
    return true;
  }

  /** Adds a binding; true when it is new. The source exchange must exist. */
  bind(source: string, destinationKind: DestinationKind, destination: string, key: string, args: Record<string, unknown> = {}): boolean {
    const ex = this.exchanges.get(source);
    if (!ex) throw new BrokerError('not_found', `exchange '${source}' does not exist`);
    const argsKey = canonical(args);
    const id = bindingId(destinationKind, destination, key, argsKey);
    if (ex.bindings.has(id)) return false;
    const b: Binding = { source, destination, destinationKind, key, args: { ...args }, argsKey };
    ex.bindings.set(id, b);
    ex.matcher.add(b);
    const dk = destKey(destinationKind, destination);
    let set = this.byDestination.get(dk);
    if (!set) this.byDestination.set(dk, (set = new Set()));
    set.add(b);
    return true;
  }

  /** Removes a binding if present (idempotent); an auto-delete source left unbound goes too. */
  unbindMatching(source: string, destinationKind: DestinationKind, destination: string, key: string, args: Record<string, unknown> = {}): boolean {
    const ex = this.exchanges.get(source);
    const b = ex?.bindings.get(bindingId(destinationKind, destination, key, canonical(args)));
    if (!b) return false;
    this.unbind(b);
    return true;
  }

  private unbind(b: Binding, autoDelete = true): void {
    const ex = this.exchanges.get(b.source);
    if (!ex) return;
    ex.bindings.delete(bindingId(b.destinationKind, b.destination, b.key, b.argsKey));
    ex.matcher.remove(b);
    this.byDestination.get(destKey(b.destinationKind, b.destination))?.delete(b);
    // An auto-delete exchange is deleted when its last binding (as source) goes.
    if (autoDelete && ex.options.autoDelete && ex.bindings.size === 0) this.delete(ex.name);
  }

  /** Drops every binding to a queue (the queue was deleted). */
  removeQueue(name: string): void {
    const set = this.byDestination.get('q:' + name);
    if (!set) return;
    for (const b of [...set]) this.unbind(b);
    this.byDestination.delete('q:' + name);
  }

  /** Where a message published to `exchange` with `key` goes. */
  route(exchange: string, key: string, headers: HeadersProvider): RouteResult {
    const result: RouteResult = { queues: new Set(), unroutable: false };
    const start = this.exchanges.get(exchange);
    if (!start) return result;
    // Fast path: one exchange whose bindings all lead to queues (the common case).
    const visited = new Set<string>();
    let matched = false;
    const stack: Exchange[] = [start];
    const found: Binding[] = [];
    while (stack.length > 0) {
      const ex = stack.pop() as Exchange;
      if (visited.has(ex.name)) continue;
      visited.add(ex.name);
      found.length = 0;
      ex.matcher.match(key, headers, found);
      if (found.length === 0 && ex.options.alternate !== undefined) {
        const alt = this.exchanges.get(ex.options.alternate);
        if (alt) stack.push(alt);
        continue;
      }
      for (const b of found) {
        if (b.destinationKind === 'queue') {
          result.queues.add(b.destination);
          matched = true;
        } else {
          const next = this.exchanges.get(b.destination);
          if (next) stack.push(next);
        }
      }
    }
    result.unroutable = !matched;
    return result;
  }
}

function destKey(kind: DestinationKind, name: string): string {
  return (kind === 'queue' ? 'q:' : 'e:') + name;
}

function bindingId(kind: DestinationKind, destination: string, key: string, argsKey: string): string {
  return `${destKey(kind, destination)}\u0000${key}\u0000${argsKey}`;
}

function canonical(args: Record<string, unknown>): string {
  const keys = Object.keys(args).sort();
  if (keys.length === 0) return '';
  return JSON.stringify(keys.map((k) => [k, args[k]]), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() + 'n' : Buffer.isBuffer(v) ? v.toString('base64') : v));
}

function makeMatcher(kind: ExchangeKind): Matcher {
  switch (kind) {
    case 'direct': return new DirectMatcher();
    case 'fanout': return new FanoutMatcher();
    case 'topic': return new TopicMatcher();
    case 'headers': return new HeadersMatcher();
  }
}

class DirectMatcher implements Matcher {
  private byKey = new Map<string, Set<Binding>>();
  add(b: Binding): void {
    let set = this.byKey.get(b.key);
    if (!set) this.byKey.set(b.key, (set = new Set()));
    set.add(b);
  }
  remove(b: Binding): void {
    const set = this.byKey.get(b.key);
    if (!set) return;
    set.delete(b);
    if (set.size === 0) this.byKey.delete(b.key);
  }
  match(key: string, _h: HeadersProvider, out: Binding[]): void {
    const set = this.byKey.get(key);
    if (set) for (const b of set) out.push(b);
  }
}

class FanoutMatcher implements Matcher {
  private all = new Set<Binding>();
  add(b: Binding): void { this.all.add(b); }
  remove(b: Binding): void { this.all.delete(b); }
  match(_k: string, _h: HeadersProvider, out: Binding[]): void {
    for (const b of this.all) out.push(b);
  }
}

interface TrieNode {
  children: Map<string, TrieNode>;
  bindings: Set<Binding>;
}

const newNode = (): TrieNode => ({ children: new Map(), bindings: new Set() });

/** Topic patterns as a trie of words; matching walks only the branches a key can take. */
class TopicMatcher implements Matcher {
  private root = newNode();

  add(b: Binding): void {
    let node = this.root;
    for (const word of b.key.split('.')) {
      let next = node.children.get(word);
      if (!next) node.children.set(word, (next = newNode()));
      node = next;
    }
    node.bindings.add(b);
  }

  remove(b: Binding): void {
    const path: TrieNode[] = [this.root];
    const words = b.key.split('.');
    for (const word of words) {
      const next = (path[path.length - 1] as TrieNode).children.get(word);
      if (!next) return;
      path.push(next);
    }
    (path[path.length - 1] as TrieNode).bindings.delete(b);
    // Prune empty branches so the trie does not grow with churn.
    for (let i = words.length; i > 0; i--) {
      const node = path[i] as TrieNode;
      if (node.bindings.size > 0 || node.children.size > 0) break;
      (path[i - 1] as TrieNode).children.delete(words[i - 1] as string);
    }
  }

  match(key: string, _h: HeadersProvider, out: Binding[]): void {
    const seen = new Set<Binding>();
    this.walk(this.root, key.split('.'), 0, seen, undefined);
    for (const b of seen) out.push(b);
  }

  /**
   * `hashVisits` remembers (node, position) pairs already explored below a '#', so patterns
   * with several '#' stay polynomial instead of re-walking the same suffix many times.
   */
  private walk(node: TrieNode, words: string[], i: number, out: Set<Binding>, hashVisits: Map<TrieNode, Set<number>> | undefined): void {
    if (hashVisits) {
      let at = hashVisits.get(node);
      if (!at) hashVisits.set(node, (at = new Set()));
      if (at.has(i)) return;
      at.add(i);
    }
    if (i === words.length) {
      for (const b of node.bindings) out.add(b);
      // A trailing '#' also matches zero more words.
      const hash = node.children.get('#');
      if (hash) this.walk(hash, words, i, out, hashVisits ?? new Map());
      return;
    }
    const word = words[i] as string;
    const exact = node.children.get(word);
    if (exact) this.walk(exact, words, i + 1, out, hashVisits);
    const star = node.children.get('*');
    if (star) this.walk(star, words, i + 1, out, hashVisits);
    const hash = node.children.get('#');
    if (hash) {
      // '#' takes zero or more words: try every split point.
      const visits = hashVisits ?? new Map<TrieNode, Set<number>>();
      for (let j = i; j <= words.length; j++) this.walk(hash, words, j, out, visits);
    }
  }
}

/** Header matching as RabbitMQ does it: x-match decides all/any and whether x- keys count. */
class HeadersMatcher implements Matcher {
  private all = new Set<Binding>();
  add(b: Binding): void { this.all.add(b); }
  remove(b: Binding): void { this.all.delete(b); }
  match(_k: string, headers: HeadersProvider, out: Binding[]): void {
    if (this.all.size === 0) return;
    const h = headers() ?? {};
    for (const b of this.all) if (headersMatch(b.args, h)) out.push(b);
  }
}

export function headersMatch(args: Readonly<Record<string, unknown>>, headers: Readonly<Record<string, unknown>>): boolean {
  const mode = typeof args['x-match'] === 'string' ? args['x-match'] : 'all';
  const any = mode === 'any' || mode === 'any-with-x';
  const withX = mode === 'all-with-x' || mode === 'any-with-x';
  let considered = 0;
  for (const [k, v] of Object.entries(args)) {
    if (k === 'x-match' || (!withX && k.startsWith('x-'))) continue;
    considered++;
    const present = Object.prototype.hasOwnProperty.call(headers, k);
    // A void (null) binding value matches on presence alone.
    const ok = present && (v === null || sameValue(v, headers[k]));
    if (any && ok) return true;
    if (!any && !ok) return false;
  }
  return any ? false : considered >= 0;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) return canonicalValue(a) === canonicalValue(b);
  return false;
}

function canonicalValue(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}
