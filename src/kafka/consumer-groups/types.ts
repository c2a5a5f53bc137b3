// State of KIP-848 consumer groups ("consumer" type groups): the group epoch, the target
// assignment and its epoch, and per member its own epoch and reconciliation state.
import type { TimerHandle } from '../../core/index.js';
import type { Assignment } from './assignment.js';
import type { Reconciled } from './reconcile.js';

/** Member epoch sent to leave the group (-1) and by a static member leaving for a while (-2). */
export const LEAVE_EPOCH = -1;
export const STATIC_LEAVE_EPOCH = -2;

export interface ConsumerMember extends Reconciled {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  sessionTimer: TimerHandle | null;
  /** Running while the member has partitions to revoke (rebalance timeout). */
  revocationTimer: TimerHandle | null;
}

export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable';

export interface ConsumerGroup {
  id: string;
  groupEpoch: number;
  /** Epoch of the target assignment (equal to groupEpoch once computed). */
  assignmentEpoch: number;
  members: Map<string, ConsumerMember>;
  /** group.instance.id -> member id */
  statics: Map<string, string>;
  /** member id -> target assignment */
  target: Map<string, Assignment>;
  /** The assignor that computed the current target. */
  assignor: string;
  /** Subscribed topics' ids and partition counts the target was computed from. */
  metadataKey: string;
}

export function groupState(g: ConsumerGroup): ConsumerGroupState {
  if (g.members.size === 0) return 'Empty';
  if (g.assignmentEpoch < g.groupEpoch) return 'Assigning';
  for (const m of g.members.values()) if (m.state !== 'STABLE' || m.memberEpoch !== g.assignmentEpoch) return 'Reconciling';
  return 'Stable';
}
