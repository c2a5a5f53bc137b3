// Classic consumer group coordinator (Kafka's GroupCoordinator/ClassicGroup semantics) for the
// single broker: membership, generations, protocol selection, leader-side assignment, session
// and rebalance timeouts, static membership (KIP-345). States: Empty, PreparingRebalance,
// CompletingRebalance, Stable, Dead. Committed offsets live in the core's OffsetStore; this
// file keeps only the live session state. Errors are Kafka error names resolved by errors.ts.
// Skips: group.max.size, KIP-848 consumer groups, the __consumer_offsets topic.

import { randomUUID } from 'node:crypto';
import type { Broker, TimerHandle } from '../core/index.js';
import type { Logger } from '../shared/logger.js';
import type { KafkaSettings } from './broker.js';
import { E } from './errors.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface Protocol {
  name: string;
  metadata: Buffer;
}

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  skipAssignment: boolean;
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface Member {
  memberId: string;
  instanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: Protocol[];
  assignment: Buffer;
  joinWaiter: ((r: JoinResult) => void) | null;
  syncWaiter: ((r: SyncResult) => void) | null;
  sessionTimer: TimerHandle | null;
}

export interface Group {
  id: string;
  state: GroupState;
  generation: number;
  protocolType: string | null;
  protocol: string | null;
  leader: string | null;
  members: Map<string, Member>;
  /** group.instance.id -> member id */
  statics: Map<string, string>;
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet. */
  pending: Set<string>;
  rebalanceTimer: TimerHandle | null;
  /** The join phase may not complete before this time (group.initial.rebalance.delay.ms). */
  notBefore: number;
}

export interface JoinInput {
  groupId: string;
  memberId: string;
  instanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
  /** JoinGroup v4+ requires a member id first (KIP-394). */
  requireKnownMemberId: boolean;
}

const EMPTY = Buffer.alloc(0);

export class GroupCoordinator {
  private groups = new Map<string, Group>();

  constructor(private readonly core: Broker, private readonly settings: KafkaSettings, private readonly log: Logger) {}

  get(id: string): Group | undefined {
    return this.groups.get(id);
  }

  list(): Group[] {
    return [...this.groups.values()];
  }

  /** The group, created Empty if unknown (offset commits by simple consumers create one too). */
  ensure(id: string): Group {
    let g = this.groups.get(id);
    if (!g) {
      g = { id, state: 'Empty', generation: 0, protocolType: null, protocol: null, leader: null, members: new Map(), statics: new Map(), pending: new Set(), rebalanceTimer: null, notBefore: 0 };
      this.groups.set(id, g);
    }
    return g;
  }

  delete(id: string): void {
    const g = this.groups.get(id);
    if (g) g.state = 'Dead';
    this.groups.delete(id);
  }

  join(input: JoinInput): JoinResult | Promise<JoinResult> {
    const fail = (errorCode: number, memberId = input.memberId): JoinResult => ({ errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, skipAssignment: false, members: [] });
    if (input.groupId === '') return fail(E.INVALID_GROUP_ID);
    if (input.sessionTimeoutMs < this.settings.groupMinSessionTimeoutMs || input.sessionTimeoutMs > this.settings.groupMaxSessionTimeoutMs) return fail(E.INVALID_SESSION_TIMEOUT);
    const existing = this.groups.get(input.groupId);
    const g = existing ?? this.ensure(input.groupId);
    if (input.protocolType === '' || input.protocols.length === 0) return fail(E.INCONSISTENT_GROUP_PROTOCOL);
    if (g.members.size > 0 && (g.protocolType !== input.protocolType || !this.supportsAny(g, input.protocols, input.memberId))) return fail(E.INCONSISTENT_GROUP_PROTOCOL);

    if (input.memberId === '') {
      if (input.instanceId !== null) {
        const old = g.statics.get(input.instanceId);
        if (old !== undefined) return this.replaceStatic(g, old, input);
        const m = this.addMember(g, randomUUIDMember(input.clientId), input);
        return this.joinAndWait(g, m);
      }
      const newId = randomUUIDMember(input.clientId);
      if (input.requireKnownMemberId) {
        // KIP-394: hand out an id and expect the member to rejoin with it within the session.
        g.pending.add(newId);
        this.core.clock.at(this.core.clock.now() + input.sessionTimeoutMs, () => {
          if (g.pending.delete(newId)) this.maybeCompleteJoin(g);
        });
        return fail(E.MEMBER_ID_REQUIRED, newId);
      }
      const m = this.addMember(g, newId, input);
      return this.joinAndWait(g, m);
    }

    if (g.pending.has(input.memberId)) {
      g.pending.delete(input.memberId);
      const m = this.addMember(g, input.memberId, input);
      return this.joinAndWait(g, m);
    }
    const m = g.members.get(input.memberId);
    if (!m) return fail(E.UNKNOWN_MEMBER_ID);
    if (m.instanceId !== input.instanceId) return fail(E.FENCED_INSTANCE_ID);
    const changed = !sameProtocols(m.protocols, input.protocols);
    m.protocols = input.protocols;
    m.sessionTimeoutMs = input.sessionTimeoutMs;
    m.rebalanceTimeoutMs = input.rebalanceTimeoutMs;
    switch (g.state) {
      case 'PreparingRebalance':
        return this.joinAndWait(g, m);
      case 'CompletingRebalance':
        if (!changed) return this.currentJoinResult(g, m);
        return this.rebalanceAndWait(g, m);
      case 'Stable':
        if (m.memberId === g.leader || changed) return this.rebalanceAndWait(g, m);
        return this.currentJoinResult(g, m);
      default:
        return fail(E.UNKNOWN_MEMBER_ID);
    }
  }

  sync(groupId: string, memberId: string, instanceId: string | null, generation: number, protocolType: string | null, protocolName: string | null, assignments: { memberId: string; assignment: Buffer }[]): SyncResult | Promise<SyncResult> {
    const g = this.groups.get(groupId);
    const fail = (errorCode: number): SyncResult => ({ errorCode, protocolType: null, protocolName: null, assignment: EMPTY });
    if (groupId === '') return fail(E.INVALID_GROUP_ID);
    const m = g?.members.get(memberId);
    if (!g || !m) return fail(E.UNKNOWN_MEMBER_ID);
    if (m.instanceId !== instanceId) return fail(E.FENCED_INSTANCE_ID);
    if (generation !== g.generation) return fail(E.ILLEGAL_GENERATION);
    if ((protocolType !== null && protocolType !== g.protocolType) || (protocolName !== null && protocolName !== g.protocol)) return fail(E.INCONSISTENT_GROUP_PROTOCOL);
    const ok = (member: Member): SyncResult => ({ errorCode: E.NONE, protocolType: g.protocolType, protocolName: g.protocol, assignment: member.assignment });
    switch (g.state) {
      case 'PreparingRebalance':
        return fail(E.REBALANCE_IN_PROGRESS);
      case 'Stable':
        this.touch(g, m);
        return ok(m);
      case 'CompletingRebalance': {
        this.touch(g, m);
        const waiting = new Promise<SyncResult>((resolve) => {
          m.syncWaiter = resolve;
        });
        if (memberId === g.leader) {
          for (const member of g.members.values()) member.assignment = EMPTY;
          for (const a of assignments) {
            const target = g.members.get(a.memberId);
            if (target) target.assignment = a.assignment;
          }
          g.state = 'Stable';
          for (const member of g.members.values()) {
            const resolve = member.syncWaiter;
            member.syncWaiter = null;
            resolve?.(ok(member));
          }
        }
        return waiting;
      }
      default:
        return fail(E.UNKNOWN_MEMBER_ID);
    }
  }

  heartbeat(groupId: string, memberId: string, instanceId: string | null, generation: number): number {
    const g = this.groups.get(groupId);
    if (groupId === '') return E.INVALID_GROUP_ID;
    const m = g?.members.get(memberId);
    if (!g || !m) return E.UNKNOWN_MEMBER_ID;
    if (m.instanceId !== instanceId) return E.FENCED_INSTANCE_ID;
    if (generation !== g.generation) return E.ILLEGAL_GENERATION;
    this.touch(g, m);
    if (g.state === 'PreparingRebalance') return E.REBALANCE_IN_PROGRESS;
    if (g.state === 'Empty' || g.state === 'Dead') return E.UNKNOWN_MEMBER_ID;
    return E.NONE;
  }

  /** Removes one member (LeaveGroup); returns the error for that member. */
  leave(groupId: string, memberId: string, instanceId: string | null): number {
    const g = this.groups.get(groupId);
    if (!g) return E.UNKNOWN_MEMBER_ID;
    let id = memberId;
    if (instanceId !== null) {
      const byInstance = g.statics.get(instanceId);
      if (byInstance === undefined) return E.UNKNOWN_MEMBER_ID;
      if (memberId !== '' && byInstance !== memberId) return E.FENCED_INSTANCE_ID;
      id = byInstance;
    }
    if (g.pending.delete(id)) {
      this.maybeCompleteJoin(g);
      return E.NONE;
    }
    const m = g.members.get(id);
    if (!m) return E.UNKNOWN_MEMBER_ID;
    this.removeMember(g, m, 'left the group');
    return E.NONE;
  }

  /** May a commit from (memberId, generation) be stored? Returns the error or NONE. */
  validateCommit(groupId: string, memberId: string, instanceId: string | null, generation: number): number {
    const g = this.groups.get(groupId);
    if (generation < 0 && memberId === '' && (!g || g.members.size === 0)) return E.NONE; // admin / simple consumer commit
    if (!g) return generation < 0 ? E.NONE : E.ILLEGAL_GENERATION;
    if (g.state === 'Dead') return E.COORDINATOR_NOT_AVAILABLE;
    const m = g.members.get(memberId);
    if (!m) return E.UNKNOWN_MEMBER_ID;
    if (instanceId !== null && m.instanceId !== instanceId) return E.FENCED_INSTANCE_ID;
    if (generation !== g.generation) return E.ILLEGAL_GENERATION;
    if (g.state === 'CompletingRebalance') return E.REBALANCE_IN_PROGRESS;
    this.touch(g, m);
    return E.NONE;
  }

  private supportsAny(g: Group, protocols: Protocol[], exceptMember: string): boolean {
    const names = new Set(protocols.map((p) => p.name));
    for (const m of g.members.values()) {
      if (m.memberId === exceptMember) continue;
      const theirs = new Set(m.protocols.map((p) => p.name));
      for (const n of [...names]) if (!theirs.has(n)) names.delete(n);
    }
    return names.size > 0;
  }

  private addMember(g: Group, memberId: string, input: JoinInput): Member {
    const m: Member = {
      memberId,
      instanceId: input.instanceId,
      clientId: input.clientId,
      clientHost: input.clientHost,
      sessionTimeoutMs: input.sessionTimeoutMs,
      rebalanceTimeoutMs: input.rebalanceTimeoutMs,
      protocols: input.protocols,
      assignment: EMPTY,
      joinWaiter: null,
      syncWaiter: null,
      sessionTimer: null,
    };
    if (g.members.size === 0) g.protocolType = input.protocolType;
    g.members.set(memberId, m);
    if (input.instanceId !== null) g.statics.set(input.instanceId, memberId);
    if (g.leader === null) g.leader = memberId;
    return m;
  }

  /** A known static instance rejoined with a new member id: fence the old id, keep the assignment. */
  private replaceStatic(g: Group, oldId: string, input: JoinInput): JoinResult | Promise<JoinResult> {
    const old = g.members.get(oldId) as Member;
    const newId = randomUUIDMember(input.clientId);
    const fenced = { errorCode: E.FENCED_INSTANCE_ID, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: oldId, skipAssignment: false, members: [] };
    old.joinWaiter?.(fenced);
    old.syncWaiter?.({ errorCode: E.FENCED_INSTANCE_ID, protocolType: null, protocolName: null, assignment: EMPTY });
    old.joinWaiter = null;
    old.syncWaiter = null;
    old.sessionTimer?.cancel();
    g.members.delete(oldId);
    const m = this.addMember(g, newId, input);
    m.assignment = old.assignment;
    if (g.leader === oldId) g.leader = newId;
    if (g.state === 'Stable' && sameProtocols(old.protocols, input.protocols)) {
      // KIP-345: a static member restarting gets the current generation back, no rebalance.
      this.touch(g, m);
      return this.currentJoinResult(g, m);
    }
    return this.rebalanceAndWait(g, m);
  }

  private currentJoinResult(g: Group, m: Member): JoinResult {
    this.touch(g, m);
    return this.joinResult(g, m);
  }

  private joinResult(g: Group, m: Member): JoinResult {
    const isLeader = m.memberId === g.leader;
    return {
      errorCode: E.NONE,
      generationId: g.generation,
      protocolType: g.protocolType,
      protocolName: g.protocol,
      leader: g.leader ?? '',
      memberId: m.memberId,
      skipAssignment: false,
      members: isLeader
        ? [...g.members.values()].map((x) => ({ memberId: x.memberId, groupInstanceId: x.instanceId, metadata: x.protocols.find((p) => p.name === g.protocol)?.metadata ?? EMPTY }))
        : [],
    };
  }

  private rebalanceAndWait(g: Group, m: Member): Promise<JoinResult> {
    const p = this.wait(m);
    this.prepareRebalance(g);
    this.maybeCompleteJoin(g);
    return p;
  }

  private joinAndWait(g: Group, m: Member): Promise<JoinResult> {
    const p = this.wait(m);
    if (g.state !== 'PreparingRebalance') this.prepareRebalance(g);
    this.maybeCompleteJoin(g);
    return p;
  }

  private wait(m: Member): Promise<JoinResult> {
    m.sessionTimer?.cancel();
    m.sessionTimer = null;
    return new Promise<JoinResult>((resolve) => {
      m.joinWaiter = resolve;
    });
  }

  private prepareRebalance(g: Group): void {
    if (g.state === 'PreparingRebalance') return;
    if (g.state === 'CompletingRebalance') {
      for (const m of g.members.values()) {
        m.assignment = EMPTY;
        const resolve = m.syncWaiter;
        m.syncWaiter = null;
        resolve?.({ errorCode: E.REBALANCE_IN_PROGRESS, protocolType: null, protocolName: null, assignment: EMPTY });
      }
    }
    const now = this.core.clock.now();
    const wasEmpty = g.state === 'Empty';
    g.state = 'PreparingRebalance';
    g.notBefore = wasEmpty ? now + this.settings.groupInitialRebalanceDelayMs : now;
    let timeout = 0;
    for (const m of g.members.values()) timeout = Math.max(timeout, m.rebalanceTimeoutMs > 0 ? m.rebalanceTimeoutMs : m.sessionTimeoutMs);
    g.rebalanceTimer?.cancel();
    if (g.notBefore > now) {
      // group.initial.rebalance.delay.ms: let more members arrive before the first generation,
      // then wait for stragglers up to the rebalance timeout.
      g.rebalanceTimer = this.core.clock.at(g.notBefore, () => {
        g.rebalanceTimer = null;
        if (!this.maybeCompleteJoin(g)) g.rebalanceTimer = this.core.clock.at(now + timeout, () => this.completeJoin(g));
      });
    } else {
      g.rebalanceTimer = this.core.clock.at(now + timeout, () => {
        g.rebalanceTimer = null;
        this.completeJoin(g);
      });
    }
  }

  private maybeCompleteJoin(g: Group): boolean {
    if (g.state !== 'PreparingRebalance') return false;
    if (this.core.clock.now() < g.notBefore) return false;
    if (g.pending.size > 0) return false;
    for (const m of g.members.values()) if (!m.joinWaiter) return false;
    g.rebalanceTimer?.cancel();
    g.rebalanceTimer = null;
    this.completeJoin(g);
    return true;
  }

  private completeJoin(g: Group): void {
    if (g.state !== 'PreparingRebalance') return;
    for (const m of [...g.members.values()]) {
      if (!m.joinWaiter && m.instanceId === null) this.dropMember(g, m);
    }
    g.pending.clear();
    g.generation++;
    if (g.members.size === 0) {
      g.state = 'Empty';
      g.protocol = null;
      g.leader = null;
      return;
    }
    g.protocol = this.selectProtocol(g);
    if (g.leader === null || !g.members.get(g.leader)?.joinWaiter) {
      g.leader = [...g.members.values()].find((m) => m.joinWaiter)?.memberId ?? (g.members.keys().next().value as string);
    }
    g.state = 'CompletingRebalance';
    for (const m of g.members.values()) {
      const resolve = m.joinWaiter;
      m.joinWaiter = null;
      this.touch(g, m);
      resolve?.(this.joinResult(g, m));
    }
  }

  /** Each member votes for its most preferred protocol that every member supports. */
  private selectProtocol(g: Group): string {
    const members = [...g.members.values()];
    const common = new Set((members[0] as Member).protocols.map((p) => p.name));
    for (const m of members) {
      const names = new Set(m.protocols.map((p) => p.name));
      for (const n of [...common]) if (!names.has(n)) common.delete(n);
    }
    const votes = new Map<string, number>();
    for (const m of members) {
      const choice = m.protocols.find((p) => common.has(p.name))?.name;
      if (choice) votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    let best = '';
    let most = -1;
    for (const [name, n] of votes) if (n > most) [best, most] = [name, n];
    return best;
  }

  /** Restarts the member's session timer (heartbeat, commit, sync). */
  private touch(g: Group, m: Member): void {
    m.sessionTimer?.cancel();
    m.sessionTimer = this.core.clock.at(this.core.clock.now() + m.sessionTimeoutMs, () => {
      m.sessionTimer = null;
      if (g.members.get(m.memberId) !== m || m.joinWaiter) return;
      this.log.debug({ proto: 'kafka', group: g.id, member: m.memberId }, 'session timeout');
      this.removeMember(g, m, 'session timeout');
    });
  }

  private dropMember(g: Group, m: Member): void {
    m.sessionTimer?.cancel();
    m.sessionTimer = null;
    g.members.delete(m.memberId);
    if (m.instanceId !== null && g.statics.get(m.instanceId) === m.memberId) g.statics.delete(m.instanceId);
    if (g.leader === m.memberId) g.leader = null;
  }

  private removeMember(g: Group, m: Member, _why: string): void {
    const joinWaiter = m.joinWaiter;
    const syncWaiter = m.syncWaiter;
    m.joinWaiter = null;
    m.syncWaiter = null;
    this.dropMember(g, m);
    joinWaiter?.({ errorCode: E.UNKNOWN_MEMBER_ID, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: m.memberId, skipAssignment: false, members: [] });
    syncWaiter?.({ errorCode: E.UNKNOWN_MEMBER_ID, protocolType: null, protocolName: null, assignment: EMPTY });
    if (g.leader === null && g.members.size > 0) g.leader = g.members.keys().next().value as string;
    switch (g.state) {
      case 'Stable':
      case 'CompletingRebalance':
        if (g.members.size === 0) {
          g.state = 'PreparingRebalance';
          this.completeJoin(g);
        } else this.prepareRebalance(g);
        break;
      case 'PreparingRebalance':
        if (g.members.size === 0 && g.pending.size === 0) {
          g.rebalanceTimer?.cancel();
          g.rebalanceTimer = null;
          this.completeJoin(g);
        } else this.maybeCompleteJoin(g);
        break;
      default:
        break;
    }
  }
}

function sameProtocols(a: Protocol[], b: Protocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]?.name && p.metadata.equals(b[i]?.metadata ?? EMPTY));
}

function randomUUIDMember(clientId: string): string {
  return `${clientId}-${randomUUID()}`;
}
