// KIP-848 group coordinator for "consumer" type groups (ConsumerGroupHeartbeat): membership
// with member epochs, the group epoch bumped on every membership, subscription or subscribed
// metadata change, the target assignment computed at once by the server-side assignor, and
// per-member incremental reconciliation (reconcile.ts). Session timeout
// (group.consumer.session.timeout.ms) removes silent members; a member that does not revoke
// within its rebalance timeout is removed too. Static members (instance id) may leave for a
// while (epoch -2) and be replaced without a rebalance. Committed offsets live in the core's
// OffsetStore like classic groups'; membership is not persisted (lost on restart, as members
// rejoin). Classic groups stay in groups.ts: a group id belongs to one of the two.
import { randomUUID } from 'node:crypto';
import type { Broker } from '../../core/index.js';
import type { Logger } from '../../shared/logger.js';
import type { KafkaSettings } from '../broker.js';
import { code, E } from '../errors.js';
import type { GroupCoordinator } from '../groups.js';
import { equals, keys, type Assignment } from './assignment.js';
import { ASSIGNORS, type AssignorMember } from './assignors.js';
import { reconcile } from './reconcile.js';
import { compileRegex, groupTopics, memberTopics, metadataKey } from './subscription.js';
import { LEAVE_EPOCH, STATIC_LEAVE_EPOCH, type ConsumerGroup, type ConsumerMember } from './types.js';

export interface HeartbeatInput {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[] | null;
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  owned: Assignment | null;
  clientId: string;
  clientHost: string;
}

export interface HeartbeatResult {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: Assignment | null;
}

/** A request the coordinator refuses: the Kafka error and its message. */
export class GroupError extends Error {
  constructor(readonly errorCode: number, message: string) {
    super(message);
  }
}

export class ConsumerGroupCoordinator {
  private groups = new Map<string, ConsumerGroup>();

  constructor(
    private readonly core: Broker,
    private readonly settings: KafkaSettings,
    private readonly log: Logger,
    private readonly classic: GroupCoordinator,
  ) {}

  get(id: string): ConsumerGroup | undefined {
    return this.groups.get(id);
  }

  list(): ConsumerGroup[] {
    return [...this.groups.values()];
  }

  delete(id: string): void {
    const g = this.groups.get(id);
    if (!g) return;
    for (const m of g.members.values()) this.stopTimers(m);
    this.groups.delete(id);
  }

  /** Stops every session and revocation timer (server shutdown). */
  close(): void {
    for (const g of this.groups.values()) for (const m of g.members.values()) this.stopTimers(m);
  }

  heartbeat(input: HeartbeatInput): HeartbeatResult {
    try {
      if (input.memberEpoch === LEAVE_EPOCH || input.memberEpoch === STATIC_LEAVE_EPOCH) return this.leave(input);
      return this.beat(input);
    } catch (e) {
      if (!(e instanceof GroupError)) throw e;
      return { errorCode: e.errorCode, errorMessage: e.message, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
    }
  }

  private beat(input: HeartbeatInput): HeartbeatResult {
    const g = this.groupFor(input.groupId, input.memberId, input.memberEpoch === 0);
    const member = this.memberFor(g, input);
    const before = member.assigned;
    let bump = this.applyRequest(g, member, input);
    if (!this.groups.has(g.id)) {
      // Only a request that succeeds creates the group (Kafka writes nothing for a failed one).
      if (this.classic.get(g.id)) this.classic.delete(g.id);
      this.groups.set(g.id, g);
    }
    if (!g.members.has(member.memberId)) {
      g.members.set(member.memberId, member);
      if (member.instanceId !== null) g.statics.set(member.instanceId, member.memberId);
      bump ||= !g.target.has(member.memberId);
    }
    const topics = groupTopics(this.core, g);
    if (bump || metadataKey(topics) !== g.metadataKey) {
      g.groupEpoch++;
      this.computeTarget(g, topics);
    }
    this.reconcileMember(g, member, input.owned);
    this.touch(g, member);
    const full = input.rebalanceTimeoutMs !== -1 && (input.subscribedTopicNames !== null || input.subscribedTopicRegex !== null) && input.owned !== null;
    const changed = !equals(before, member.assigned);
    return {
      errorCode: E.NONE,
      errorMessage: null,
      memberId: member.memberId,
      memberEpoch: member.memberEpoch,
      heartbeatIntervalMs: this.settings.consumerGroupHeartbeatIntervalMs,
      assignment: input.memberEpoch === 0 || full || changed ? member.assigned : null,
    };
  }

  /** The group of this id; epoch 0 creates it or takes over an empty classic group. */
  private groupFor(groupId: string, memberId: string, create: boolean): ConsumerGroup {
    const existing = this.groups.get(groupId);
    if (existing) return existing;
    const classic = this.classic.get(groupId);
    if (!create && !classic) throw new GroupError(E.GROUP_ID_NOT_FOUND, `Consumer group ${groupId} not found.`);
    // Kafka deletes an empty classic group when a consumer member joins (its offsets stay);
    // a classic group with members would need the online upgrade, not done here.
    const live = classic !== undefined && (classic.members.size > 0 || classic.pending.size > 0);
    if (live) throw new GroupError(E.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group`);
    // An empty classic group holding offsets is also what a consumer group becomes across a
    // restart (membership is not persisted): its members are told they are unknown, so they
    // rejoin, as Kafka answers members that expired.
    if (!create) throw new GroupError(E.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${groupId}.`);
    return { id: groupId, groupEpoch: 0, assignmentEpoch: 0, members: new Map(), statics: new Map(), target: new Map(), assignor: this.defaultAssignor(), metadataKey: '' };
  }

  private memberFor(g: ConsumerGroup, input: HeartbeatInput): ConsumerMember {
    const id = input.memberId === '' ? randomUUID() : input.memberId; // v0: the coordinator names the member
    if (input.instanceId !== null) {
      const staticId = g.statics.get(input.instanceId);
      const existing = staticId === undefined ? undefined : g.members.get(staticId);
      if (input.memberEpoch === 0) {
        if (!existing) return this.newMember(id, input);
        if (existing.memberEpoch !== STATIC_LEAVE_EPOCH) {
          throw new GroupError(code('UNRELEASED_INSTANCE_ID'), `Static member ${id} with instance id ${input.instanceId} cannot join the group because the instance id is owned by ${existing.memberId} member.`);
        }
        return this.replaceStatic(g, existing, id);
      }
      if (!existing) throw new GroupError(E.UNKNOWN_MEMBER_ID, `Instance id ${input.instanceId} is unknown.`);
      if (existing.memberId !== id) throw new GroupError(E.FENCED_INSTANCE_ID, `Static member ${id} with instance id ${input.instanceId} was fenced by member ${existing.memberId}.`);
      this.checkEpoch(existing, input.memberEpoch, input.owned);
      return existing;
    }
    const existing = g.members.get(id);
    if (input.memberEpoch === 0) {
      if (!existing) return this.newMember(id, input);
      // A known member rejoining has dropped its partitions (TopicPartitions is empty on join).
      Object.assign(existing, { memberEpoch: 0, previousMemberEpoch: 0, state: 'STABLE', assigned: new Map(), pendingRevocation: new Map() });
      existing.revocationTimer?.cancel();
      existing.revocationTimer = null;
      return existing;
    }
    if (!existing) throw new GroupError(E.UNKNOWN_MEMBER_ID, `Member ${id} is not a member of group ${g.id}.`);
    this.checkEpoch(existing, input.memberEpoch, input.owned);
    return existing;
  }

  /** Kafka's throwIfConsumerGroupMemberEpochIsInvalid: only the previous epoch is tolerated (lost response). */
  private checkEpoch(m: ConsumerMember, received: number, owned: Assignment | null): void {
    const fenced = (how: string): GroupError =>
      new GroupError(code('FENCED_MEMBER_EPOCH'), `The consumer group member has a ${how} member epoch (${received}) than the one known by the group coordinator (${m.memberEpoch}). The member must abandon all its partitions and rejoin.`);
    if (received > m.memberEpoch) throw fenced('greater');
    if (received < m.memberEpoch) {
      const assigned = keys(m.assigned);
      const subset = owned !== null && [...owned].every(([t, ps]) => ps.every((p) => assigned.has(`${t}:${p}`)));
      if (received !== m.previousMemberEpoch || !subset) throw fenced('smaller');
    }
  }

  private newMember(id: string, input: HeartbeatInput): ConsumerMember {
    return {
      memberId: id,
      instanceId: input.instanceId,
      rackId: null,
      clientId: input.clientId,
      clientHost: input.clientHost,
      rebalanceTimeoutMs: input.rebalanceTimeoutMs,
      subscribedTopicNames: [],
      subscribedTopicRegex: null,
      serverAssignor: null,
      memberEpoch: 0,
      previousMemberEpoch: 0,
      state: 'STABLE',
      assigned: new Map(),
      pendingRevocation: new Map(),
      sessionTimer: null,
      revocationTimer: null,
    };
  }

  /** KIP-345 with KIP-848: the new instance takes over the departed one's assignment. */
  private replaceStatic(g: ConsumerGroup, old: ConsumerMember, id: string): ConsumerMember {
    this.stopTimers(old);
    g.members.delete(old.memberId);
    const m: ConsumerMember = { ...old, memberId: id, memberEpoch: 0, previousMemberEpoch: 0, sessionTimer: null, revocationTimer: null };
    const target = g.target.get(old.memberId);
    g.target.delete(old.memberId);
    if (target) g.target.set(id, target);
    g.members.set(id, m);
    g.statics.set(m.instanceId as string, id);
    return m;
  }

  /** Takes the request's non-null fields; true when the subscription changed (new group epoch). */
  private applyRequest(g: ConsumerGroup, m: ConsumerMember, input: HeartbeatInput): boolean {
    if (input.subscribedTopicRegex !== null && input.subscribedTopicRegex !== '') {
      const re = compileRegex(input.subscribedTopicRegex);
      if (typeof re === 'string') throw new GroupError(code('INVALID_REGULAR_EXPRESSION'), `SubscribedTopicRegex \`${input.subscribedTopicRegex}\` is not a valid regular expression: ${re}.`);
    }
    let changed = false;
    if (input.rackId !== null) m.rackId = input.rackId;
    if (input.rebalanceTimeoutMs !== -1) m.rebalanceTimeoutMs = input.rebalanceTimeoutMs;
    m.clientId = input.clientId;
    m.clientHost = input.clientHost;
    if (input.subscribedTopicNames !== null) {
      const names = [...new Set(input.subscribedTopicNames)].sort();
      if (names.join('\u0000') !== m.subscribedTopicNames.join('\u0000')) changed = true;
      m.subscribedTopicNames = names;
    }
    if (input.subscribedTopicRegex !== null) {
      const regex = input.subscribedTopicRegex === '' ? null : input.subscribedTopicRegex;
      if (regex !== m.subscribedTopicRegex) changed = true;
      m.subscribedTopicRegex = regex;
    }
    if (input.serverAssignor !== null && input.serverAssignor !== m.serverAssignor) {
      m.serverAssignor = input.serverAssignor;
      changed = true;
    }
    return changed && g.members.has(m.memberId);
  }

  /** Kafka picks the assignor most members ask for, else the first of group.consumer.assignors. */
  private preferredAssignor(g: ConsumerGroup): string {
    const votes = new Map<string, number>();
    for (const m of g.members.values()) if (m.serverAssignor !== null) votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1);
    let best = this.defaultAssignor();
    let most = 0;
    for (const [name, n] of votes) if (n > most) [best, most] = [name, n];
    return best;
  }

  defaultAssignor(): string {
    return this.settings.consumerGroupAssignors[0] ?? 'uniform';
  }

  /** `topics`: the group's subscribed topics, when the caller has just resolved them. */
  private computeTarget(g: ConsumerGroup, topics = groupTopics(this.core, g)): void {
    g.metadataKey = metadataKey(topics);
    g.assignor = this.preferredAssignor(g);
    const assign = ASSIGNORS[g.assignor] ?? ASSIGNORS.uniform;
    const members: AssignorMember[] = [...g.members.values()].map((m) => ({
      memberId: m.memberId,
      topics: new Set(memberTopics(this.core, m).map((t) => t.id)),
      current: g.target.get(m.memberId) ?? new Map(),
    }));
    g.target = (assign as NonNullable<typeof assign>)(members, new Map(topics.map((t) => [t.id, t.partitions.length])));
    g.assignmentEpoch = g.groupEpoch;
    this.log.debug({ proto: 'kafka', group: g.id, epoch: g.groupEpoch, assignor: g.assignor }, 'consumer group target assignment');
  }

  private reconcileMember(g: ConsumerGroup, m: ConsumerMember, owned: Assignment | null): void {
    let held: Set<string> | null = null; // built on first use: most heartbeats never ask
    const heldByOther = (t: string, p: number): boolean => {
      if (held === null) {
        held = new Set();
        for (const other of g.members.values()) {
          if (other === m) continue;
          for (const k of keys(other.assigned)) held.add(k);
          for (const k of keys(other.pendingRevocation)) held.add(k);
        }
      }
      return held.has(`${t}:${p}`);
    };
    const next = reconcile(m, g.assignmentEpoch, g.target.get(m.memberId) ?? new Map(), owned, heldByOther);
    const wasRevoking = m.state === 'UNREVOKED_PARTITIONS';
    Object.assign(m, next);
    if (m.state === 'UNREVOKED_PARTITIONS' && !wasRevoking) {
      // The member must revoke within its rebalance timeout, or it is removed from the group.
      const epoch = m.memberEpoch;
      m.revocationTimer?.cancel();
      m.revocationTimer = this.core.clock.at(this.core.clock.now() + Math.max(0, m.rebalanceTimeoutMs), () => {
        m.revocationTimer = null;
        if (g.members.get(m.memberId) === m && m.state === 'UNREVOKED_PARTITIONS' && m.memberEpoch === epoch) this.remove(g, m, 'rebalance timeout');
      });
    } else if (m.state !== 'UNREVOKED_PARTITIONS' && m.revocationTimer) {
      m.revocationTimer.cancel();
      m.revocationTimer = null;
    }
  }

  private touch(g: ConsumerGroup, m: ConsumerMember): void {
    m.sessionTimer?.cancel();
    m.sessionTimer = this.core.clock.at(this.core.clock.now() + this.settings.consumerGroupSessionTimeoutMs, () => {
      m.sessionTimer = null;
      if (g.members.get(m.memberId) === m) this.remove(g, m, 'session timeout');
    });
  }

  private leave(input: HeartbeatInput): HeartbeatResult {
    const g = this.groups.get(input.groupId);
    if (!g) throw new GroupError(E.GROUP_ID_NOT_FOUND, this.classic.get(input.groupId) ? `Group ${input.groupId} is not a consumer group` : `Consumer group ${input.groupId} not found.`);
    let m: ConsumerMember | undefined;
    if (input.instanceId !== null) {
      const id = g.statics.get(input.instanceId);
      m = id === undefined ? undefined : g.members.get(id);
      if (!m) throw new GroupError(E.UNKNOWN_MEMBER_ID, `Instance id ${input.instanceId} is unknown.`);
      if (m.memberId !== input.memberId) throw new GroupError(E.FENCED_INSTANCE_ID, `Static member ${input.memberId} with instance id ${input.instanceId} was fenced by member ${m.memberId}.`);
    } else {
      m = g.members.get(input.memberId);
      if (!m) throw new GroupError(E.UNKNOWN_MEMBER_ID, `Member ${input.memberId} is not a member of group ${g.id}.`);
    }
    if (input.memberEpoch === STATIC_LEAVE_EPOCH) {
      // Temporary departure: the assignment stays reserved until the session times out.
      m.memberEpoch = STATIC_LEAVE_EPOCH;
      m.revocationTimer?.cancel();
      m.revocationTimer = null;
    } else this.remove(g, m, 'left the group');
    return { errorCode: E.NONE, errorMessage: null, memberId: m.memberId, memberEpoch: input.memberEpoch, heartbeatIntervalMs: 0, assignment: null };
  }

  /** Fences the member: it leaves, its partitions are free, the group moves to a new epoch. */
  private remove(g: ConsumerGroup, m: ConsumerMember, why: string): void {
    this.log.debug({ proto: 'kafka', group: g.id, member: m.memberId, why }, 'consumer group member removed');
    this.stopTimers(m);
    g.members.delete(m.memberId);
    g.target.delete(m.memberId);
    if (m.instanceId !== null && g.statics.get(m.instanceId) === m.memberId) g.statics.delete(m.instanceId);
    g.groupEpoch++;
    this.computeTarget(g);
  }

  private stopTimers(m: ConsumerMember): void {
    m.sessionTimer?.cancel();
    m.sessionTimer = null;
    m.revocationTimer?.cancel();
    m.revocationTimer = null;
  }

  /**
   * OffsetCommit by a consumer group (ConsumerGroup.validateOffsetCommit): epoch -1 commits are
   * allowed only while the group is empty; members must use OffsetCommit v9+ and their current
   * epoch (greater: FENCED_MEMBER_EPOCH, smaller: STALE_MEMBER_EPOCH).
   */
  validateCommit(g: ConsumerGroup, memberId: string, memberEpoch: number, version: number): number {
    if (memberEpoch < 0 && g.members.size === 0) return E.NONE;
    const m = g.members.get(memberId);
    if (!m) return E.UNKNOWN_MEMBER_ID;
    if (version < 9) return E.UNSUPPORTED_VERSION;
    return this.epochError(m, memberEpoch);
  }

  /** OffsetFetch v9+ (ConsumerGroup.validateOffsetFetch): no member id and epoch -1 is an admin fetch. */
  validateFetch(g: ConsumerGroup, memberId: string | null, memberEpoch: number): number {
    if (memberId === null && memberEpoch < 0) return E.NONE;
    const m = g.members.get(memberId ?? '');
    if (!m) return E.UNKNOWN_MEMBER_ID;
    return this.epochError(m, memberEpoch);
  }

  private epochError(m: ConsumerMember, received: number): number {
    if (received > m.memberEpoch) return code('FENCED_MEMBER_EPOCH');
    if (received < m.memberEpoch) return code('STALE_MEMBER_EPOCH');
    return E.NONE;
  }
}
