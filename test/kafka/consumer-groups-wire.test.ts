// KIP-848 consumer groups over the raw protocol (no installed client can be steered into each
// epoch and fencing case): ConsumerGroupHeartbeat joins, epochs and errors, the reconciliation
// rule (a partition reaches its new owner only after the previous owner stopped reporting it),
// static members, session and rebalance timeouts on a ManualClock, regex subscriptions and
// new partitions, ConsumerGroupDescribe, OffsetCommit/OffsetFetch v9 member epoch checks, and
// how classic and consumer groups share group ids.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Msg } from '../../src/kafka/codec.js';
import { ManualClock } from '../../src/core/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { Reader } from '../../src/kafka/bytes.js';
import { RawClient } from './raw-client.js';

let server: TestServer;
let c: RawClient;
const clock = new ManualClock();

beforeAll(async () => {
  server = await startTestServer({ protocols: ['kafka'] }, clock);
  c = await RawClient.connect(server.ports.kafka as number);
});
afterAll(async () => {
  c.socket.destroy();
  await server.stop();
});

const FENCED_MEMBER_EPOCH = 110;
const UNRELEASED_INSTANCE_ID = 111;
const STALE_MEMBER_EPOCH = 113;

function topic(name: string, partitions: number): string {
  return server.core.topics.create(name, partitions).id;
}

interface Tp {
  topicId: string;
  partitions: number[];
}

function hb(body: Msg, version = 1): Promise<Msg> {
  return c.call(68, version, { instanceId: null, rackId: null, rebalanceTimeoutMs: -1, subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: null, ...body });
}

function join(groupId: string, memberId: string, topics: string[], extra: Msg = {}): Promise<Msg> {
  return hb({ groupId, memberId, memberEpoch: 0, rebalanceTimeoutMs: 30000, subscribedTopicNames: topics, topicPartitions: [], ...extra });
}

function beat(groupId: string, memberId: string, memberEpoch: number, owned: Tp[] | null, extra: Msg = {}): Promise<Msg> {
  return hb({ groupId, memberId, memberEpoch, topicPartitions: owned, ...extra });
}

function parts(r: Msg): number[] {
  return ((r.assignment?.topicPartitions ?? []) as Tp[]).flatMap((t) => t.partitions).sort((a, b) => a - b);
}

async function describeGroup(groupId: string, version = 1): Promise<Msg> {
  const r = await c.call(69, version, { groupIds: [groupId], includeAuthorizedOperations: true });
  return (r.groups as Msg[])[0] as Msg;
}

describe('ApiVersions', () => {
  it('advertises ConsumerGroupHeartbeat 0-1, ConsumerGroupDescribe 0-1, OffsetCommit 2-9, OffsetFetch 1-9', async () => {
    const r = await c.call(18, 3, { clientSoftwareName: 'wire', clientSoftwareVersion: '1' });
    const ranges = Object.fromEntries((r.apiKeys as Msg[]).map((k) => [k.apiKey, `${k.minVersion}-${k.maxVersion}`]));
    expect(ranges).toMatchObject({ 8: '2-9', 9: '1-9', 16: '0-5', 68: '0-1', 69: '0-1' });
  });
});

describe('ConsumerGroupHeartbeat', () => {
  it('joins at epoch 0, gets the group epoch, the heartbeat interval and every partition', async () => {
    const id = topic('cg-one', 3);
    const r = await join('g-one', 'm1', ['cg-one']);
    expect(r).toMatchObject({ errorCode: 0, errorMessage: null, memberId: 'm1', memberEpoch: 1, heartbeatIntervalMs: 5000 });
    expect(r.assignment.topicPartitions).toEqual([{ topicId: id, partitions: [0, 1, 2] }]);
    // A plain heartbeat (no changed fields) carries no assignment.
    const again = await beat('g-one', 'm1', 1, null);
    expect(again).toMatchObject({ errorCode: 0, memberEpoch: 1, assignment: null });
    const d = await describeGroup('g-one');
    expect(d).toMatchObject({ errorCode: 0, groupState: 'Stable', groupEpoch: 1, assignmentEpoch: 1, assignorName: 'uniform', authorizedOperations: 328 });
    expect(d.members[0]).toMatchObject({ memberId: 'm1', memberEpoch: 1, clientId: 'wire-test', subscribedTopicNames: ['cg-one'], memberType: 1 });
    expect(d.members[0].assignment.topicPartitions).toEqual([{ topicId: id, topicName: 'cg-one', partitions: [0, 1, 2] }]);
  });

  it('v0 lets the coordinator name the member; v1 requires a member id', async () => {
    topic('cg-v0', 1);
    const r0 = await hb({ groupId: 'g-v0', memberId: '', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: ['cg-v0'], topicPartitions: [] }, 0);
    expect(r0.errorCode).toBe(0);
    expect(r0.memberId).toMatch(/^[0-9a-f-]{36}$/);
    const r1 = await join('g-v0', '', ['cg-v0']);
    expect(r1).toMatchObject({ errorCode: 42, errorMessage: "MemberId can't be empty." });
  });

  it('rejects invalid requests with Kafka\'s messages', async () => {
    expect(await join('', 'x', ['t'])).toMatchObject({ errorCode: 42, errorMessage: "GroupId can't be empty." });
    expect(await join('g-bad', 'x', ['t'], { rebalanceTimeoutMs: -1 })).toMatchObject({ errorCode: 42, errorMessage: 'RebalanceTimeoutMs must be provided in first request.' });
    expect(await join('g-bad', 'x', ['t'], { topicPartitions: null })).toMatchObject({ errorCode: 42, errorMessage: 'TopicPartitions must be empty when (re-)joining.' });
    expect(await join('g-bad', 'x', null as unknown as string[])).toMatchObject({ errorCode: 42, errorMessage: 'Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.' });
    expect(await join('g-bad', 'x', ['t'], { instanceId: '' })).toMatchObject({ errorCode: 42, errorMessage: "InstanceId can't be empty." });
    expect(await beat('g-bad', 'x', -3, null)).toMatchObject({ errorCode: 42, errorMessage: 'MemberEpoch is invalid.' });
    expect(await beat('g-bad', 'x', -2, null)).toMatchObject({ errorCode: 42, errorMessage: "InstanceId can't be null." });
    expect(await join('g-bad', 'x', ['t'], { serverAssignor: 'sticky' })).toMatchObject({ errorCode: 112, errorMessage: 'ServerAssignor sticky is not supported. Supported assignors: uniform, range.' });
    expect(await join('g-bad', 'x', [], { subscribedTopicRegex: '(' })).toMatchObject({ errorCode: 128, errorMessage: 'SubscribedTopicRegex `(` is not a valid regular expression: missing closing ).' });
    // RE2 syntax, as Kafka's RE2/J: no backreferences or lookarounds.
    expect((await join('g-bad', 'x', [], { subscribedTopicRegex: '(a)\\1' })).errorCode).toBe(128);
    expect((await join('g-bad', 'x', [], { subscribedTopicRegex: '(?=a).*' })).errorCode).toBe(128);
    expect(await beat('g-nowhere', 'x', 3, null)).toMatchObject({ errorCode: 69, errorMessage: 'Consumer group g-nowhere not found.' });
    // Failed joins create no group.
    expect(await describeGroup('g-bad')).toMatchObject({ errorCode: 69, errorMessage: 'Group g-bad not found.' });
  });

  it('fences wrong epochs and unknown members; tolerates the previous epoch with a subset', async () => {
    const id = topic('cg-epochs', 2);
    await join('g-ep', 'a', ['cg-epochs']);
    expect(await beat('g-ep', 'a', 5, null)).toMatchObject({ errorCode: FENCED_MEMBER_EPOCH });
    expect(await beat('g-ep', 'ghost', 1, null)).toMatchObject({ errorCode: 25, errorMessage: 'Member ghost is not a member of group g-ep.' });
    // b joins (group epoch 2): a must first revoke one partition, then moves to epoch 2.
    await join('g-ep', 'b', ['cg-epochs']);
    const a2 = await beat('g-ep', 'a', 1, [{ topicId: id, partitions: [0, 1] }]);
    expect(a2.memberEpoch).toBe(1); // still revoking
    const a3 = await beat('g-ep', 'a', 1, a2.assignment.topicPartitions);
    expect(a3.memberEpoch).toBe(2);
    // The response with epoch 2 may be lost: epoch 1 with a subset of the assignment is accepted.
    expect((await beat('g-ep', 'a', 1, a2.assignment.topicPartitions)).errorCode).toBe(0);
    // Epoch 1 while claiming a partition a does not own is fenced.
    expect((await beat('g-ep', 'a', 1, [{ topicId: id, partitions: [0, 1] }])).errorCode).toBe(FENCED_MEMBER_EPOCH);
    expect((await beat('g-ep', 'a', 0 + 0, null)).errorCode).toBe(42); // epoch 0 needs a full join
  });
});

describe('ConsumerGroupDescribe bytes', () => {
  // No installed client implements key 69, so the v1 layout is checked against the upstream
  // schema field by field here, not through our own codec.
  it('encodes v1 exactly as ConsumerGroupDescribeResponse.json lays it out', async () => {
    const id = topic('cg-bytes', 1);
    await join('g-bytes', 'mb', ['cg-bytes'], { rackId: 'r1' });
    const group = Buffer.from('g-bytes');
    const body = Buffer.concat([
      Buffer.from([0, 69, 0, 1, 0, 0, 0, 9, 0, 4]), Buffer.from('hand'), Buffer.from([0]), // header v2: key, version, correlation, client id, no tags
      Buffer.from([2, group.length + 1]), group, Buffer.from([1, 0]), // GroupIds [g-bytes], IncludeAuthorizedOperations true, no tags
    ]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length);
    c.socket.write(Buffer.concat([size, body]));
    const r = new Reader(await c.next());
    const str = (): string | null => r.string(true);
    const tags = (): void => expect(r.uvarint()).toBe(0);
    const assignment = (): unknown[] => {
      const out: unknown[] = [];
      for (let n = r.arrayLength(true); n > 0; n--) {
        const topicId = r.uuid();
        const name = str();
        const ps: number[] = [];
        for (let k = r.arrayLength(true); k > 0; k--) ps.push(r.int32());
        tags();
        out.push([topicId, name, ps]);
      }
      tags();
      return out;
    };
    expect(r.int32()).toBe(9);
    tags();
    expect(r.int32()).toBe(0); // throttle
    expect(r.arrayLength(true)).toBe(1);
    expect([r.int16(), str(), str(), str(), r.int32(), r.int32(), str()]).toEqual([0, null, 'g-bytes', 'Stable', 1, 1, 'uniform']);
    expect(r.arrayLength(true)).toBe(1);
    expect([str(), str(), str(), r.int32(), str(), str()]).toEqual(['mb', null, 'r1', 1, 'wire-test', expect.stringMatching(/^\/127\.0\.0\.1$/)]);
    const names: (string | null)[] = [];
    for (let n = r.arrayLength(true); n > 0; n--) names.push(str());
    expect(names).toEqual(['cg-bytes']);
    expect(str()).toBe(null); // regex
    expect(assignment()).toEqual([[id, 'cg-bytes', [0]]]);
    expect(assignment()).toEqual([[id, 'cg-bytes', [0]]]);
    expect(r.int8()).toBe(1); // member type: consumer
    tags();
    expect(r.int32()).toBe(328); // READ, DELETE, DESCRIBE
    tags();
    tags();
    expect(r.remaining).toBe(0);
  });
});

describe('reconciliation', () => {
  it('revokes before assigning: a partition reaches its new owner only once the old owner released it', async () => {
    const id = topic('cg-rec', 4);
    const a1 = await join('g-rec', 'a', ['cg-rec']);
    expect(parts(a1)).toEqual([0, 1, 2, 3]);
    const b1 = await join('g-rec', 'b', ['cg-rec']);
    // b is at the new epoch but gets none of a's partitions yet.
    expect(b1).toMatchObject({ memberEpoch: 2 });
    expect(parts(b1)).toEqual([]);
    let d = await describeGroup('g-rec');
    expect(d).toMatchObject({ groupState: 'Reconciling', groupEpoch: 2, assignmentEpoch: 2 });
    const bTarget = (d.members as Msg[]).find((m) => m.memberId === 'b')?.targetAssignment.topicPartitions[0].partitions as number[];
    expect(bTarget).toHaveLength(2);
    // a learns what to keep; its epoch stays until it revoked.
    const a2 = await beat('g-rec', 'a', 1, [{ topicId: id, partitions: [0, 1, 2, 3] }]);
    expect(a2.memberEpoch).toBe(1);
    const keep = parts(a2);
    expect(keep).toHaveLength(2);
    expect(keep.some((p) => bTarget.includes(p))).toBe(false);
    // a still reports the revoked partitions: b still waits, a still at epoch 1.
    expect(parts(await beat('g-rec', 'b', 2, [], { rebalanceTimeoutMs: 30000, subscribedTopicNames: ['cg-rec'] }))).toEqual([]);
    expect((await beat('g-rec', 'a', 1, [{ topicId: id, partitions: [0, 1, 2, 3] }])).memberEpoch).toBe(1);
    // a stops reporting them: it moves to epoch 2, then b gets them.
    const a3 = await beat('g-rec', 'a', 1, [{ topicId: id, partitions: keep }]);
    expect(a3.memberEpoch).toBe(2);
    const b2 = await beat('g-rec', 'b', 2, []);
    expect(parts(b2)).toEqual(bTarget);
    d = await describeGroup('g-rec');
    expect(d.groupState).toBe('Stable');
  });

  it('removes a member that does not revoke within its rebalance timeout', async () => {
    const id = topic('cg-slow', 2);
    await join('g-slow', 'a', ['cg-slow'], { rebalanceTimeoutMs: 1000 });
    await join('g-slow', 'b', ['cg-slow'], { rebalanceTimeoutMs: 1000 });
    await beat('g-slow', 'a', 1, [{ topicId: id, partitions: [0, 1] }]); // a must revoke one now
    clock.advance(1001);
    expect((await beat('g-slow', 'a', 1, [{ topicId: id, partitions: [0, 1] }])).errorCode).toBe(25);
    const b = await beat('g-slow', 'b', 2, []);
    expect(b).toMatchObject({ errorCode: 0, memberEpoch: 3 });
    expect(parts(b)).toEqual([0, 1]);
  });

  it('expires silent members after group.consumer.session.timeout.ms (45 s)', async () => {
    topic('cg-sess', 2);
    await join('g-sess', 'a', ['cg-sess']);
    await join('g-sess', 'b', ['cg-sess']);
    clock.advance(30_000);
    await beat('g-sess', 'b', 2, null);
    clock.advance(15_001); // a silent for 45 s
    expect((await beat('g-sess', 'a', 1, null)).errorCode).toBe(25);
    const b = await beat('g-sess', 'b', 2, []);
    expect(b.memberEpoch).toBe(3);
    expect(parts(b)).toEqual([0, 1]);
  });
});

describe('subscriptions', () => {
  it('follows a regex (full match) and new partitions, bumping the group epoch', async () => {
    const r = await join('g-re', 'a', [], { subscribedTopicNames: null, subscribedTopicRegex: 'cg-re-.*' });
    expect(r).toMatchObject({ errorCode: 0, memberEpoch: 1 });
    expect(parts(r)).toEqual([]);
    const id = topic('cg-re-1', 2);
    topic('xcg-re-2', 1); // no full match
    topic('a'.repeat(200), 1); // a pattern that backtracks exponentially in JS RegExp is linear in RE2
    expect((await join('g-redos', 'r', [], { subscribedTopicNames: null, subscribedTopicRegex: '(a|a)*b' })).errorCode).toBe(0);
    const r2 = await beat('g-re', 'a', 1, []);
    expect(r2.memberEpoch).toBe(2);
    expect(r2.assignment.topicPartitions).toEqual([{ topicId: id, partitions: [0, 1] }]);
    server.core.topics.addPartitions('cg-re-1', 3);
    const r3 = await beat('g-re', 'a', 2, r2.assignment.topicPartitions);
    expect(r3.memberEpoch).toBe(3);
    expect(parts(r3)).toEqual([0, 1, 2]);
    expect((await describeGroup('g-re')).members[0].subscribedTopicRegex).toBe('cg-re-.*');
  });

  it('uniform assignment stays balanced and sticky: a third member takes partitions without reshuffling the rest', async () => {
    topic('cg-sticky', 6);
    await join('g-sticky', 'm1', ['cg-sticky']);
    await join('g-sticky', 'm2', ['cg-sticky']);
    const targets = async (): Promise<Record<string, number[]>> =>
      Object.fromEntries(((await describeGroup('g-sticky')).members as Msg[]).map((m) => [m.memberId, (m.targetAssignment.topicPartitions[0]?.partitions ?? []) as number[]]));
    const before = await targets();
    expect(Object.values(before).map((p) => p.length)).toEqual([3, 3]);
    await join('g-sticky', 'm3', ['cg-sticky']);
    const after = await targets();
    expect(Object.values(after).map((p) => p.length)).toEqual([2, 2, 2]);
    // m1 and m2 each give up exactly one partition, keep the other two.
    expect(after.m1?.every((p) => before.m1?.includes(p))).toBe(true);
    expect(after.m2?.every((p) => before.m2?.includes(p))).toBe(true);
    expect([...(after.m1 ?? []), ...(after.m2 ?? []), ...(after.m3 ?? [])].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('members subscribed to different topics only get their own topics', async () => {
    const x = topic('cg-het-x', 2);
    const y = topic('cg-het-y', 2);
    const a = await join('g-het', 'a', ['cg-het-x']);
    const b = await join('g-het', 'b', ['cg-het-x', 'cg-het-y']);
    expect(a.assignment.topicPartitions).toEqual([{ topicId: x, partitions: [0, 1] }]);
    expect(b.assignment.topicPartitions).toEqual([{ topicId: y, partitions: [0, 1] }]);
  });

  it('range assignor gives contiguous ranges when the members ask for it', async () => {
    topic('cg-range', 5);
    await join('g-range', 'm1', ['cg-range'], { serverAssignor: 'range' });
    await join('g-range', 'm2', ['cg-range'], { serverAssignor: 'range' });
    const d = await describeGroup('g-range');
    expect(d.assignorName).toBe('range');
    const target = Object.fromEntries((d.members as Msg[]).map((m) => [m.memberId, m.targetAssignment.topicPartitions[0].partitions]));
    expect(target).toEqual({ m1: [0, 1, 2], m2: [3, 4] });
  });
});

describe('static members', () => {
  it('UNRELEASED_INSTANCE_ID while held, -2 keeps the assignment for a replacement, FENCED_INSTANCE_ID for the old id', async () => {
    topic('cg-static', 2);
    const a = await join('g-st', 'a', ['cg-static'], { instanceId: 'i1' });
    expect(a.memberEpoch).toBe(1);
    expect((await join('g-st', 'a2', ['cg-static'], { instanceId: 'i1' })).errorCode).toBe(UNRELEASED_INSTANCE_ID);
    const left = await beat('g-st', 'a', -2, null, { instanceId: 'i1' });
    expect(left).toMatchObject({ errorCode: 0, memberId: 'a', memberEpoch: -2 });
    const back = await join('g-st', 'a2', ['cg-static'], { instanceId: 'i1' });
    expect(back).toMatchObject({ errorCode: 0, memberEpoch: 1 });
    expect(parts(back)).toEqual([0, 1]);
    expect((await describeGroup('g-st')).groupEpoch).toBe(1); // no rebalance
    expect(await beat('g-st', 'a', 1, null, { instanceId: 'i1' })).toMatchObject({ errorCode: 82, errorMessage: 'Static member a with instance id i1 was fenced by member a2.' });
    expect((await beat('g-st', 'x', -1, null, { instanceId: 'nope' })).errorCode).toBe(25);
    expect(await beat('g-st', 'a2', -1, null, { instanceId: 'i1' })).toMatchObject({ errorCode: 0, memberEpoch: -1 });
    expect((await describeGroup('g-st')).groupState).toBe('Empty');
  });

  it('a static member gone with -2 keeps its partitions until the session times out', async () => {
    topic('cg-st2', 2);
    await join('g-st2', 's', ['cg-st2'], { instanceId: 'i' });
    await beat('g-st2', 's', -2, null, { instanceId: 'i' });
    const other = await join('g-st2', 'o', ['cg-st2']);
    expect(parts(other)).toEqual([]); // s still holds one partition, the other is o's only once s is gone
    clock.advance(30_000);
    expect(parts(await beat('g-st2', 'o', other.memberEpoch as number, [], { rebalanceTimeoutMs: 30000, subscribedTopicNames: ['cg-st2'] }))).toEqual([]);
    clock.advance(15_001);
    const later = await beat('g-st2', 'o', other.memberEpoch as number, []);
    expect(parts(later)).toEqual([0, 1]);
    expect(((await describeGroup('g-st2')).members as Msg[]).map((m) => m.memberId)).toEqual(['o']);
  });
});

describe('offsets with member epochs', () => {
  it('OffsetCommit v9 / OffsetFetch v9 check member id and epoch', async () => {
    topic('cg-off', 1);
    await join('g-off', 'm', ['cg-off']);
    const commit = async (memberId: string, epoch: number, version = 9): Promise<number> => {
      const r = await c.call(8, version, { groupId: 'g-off', generationIdOrMemberEpoch: epoch, memberId, groupInstanceId: null, topics: [{ name: 'cg-off', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: '' }] }] });
      return r.topics[0].partitions[0].errorCode as number;
    };
    expect(await commit('m', 0)).toBe(STALE_MEMBER_EPOCH);
    expect(await commit('m', 7)).toBe(FENCED_MEMBER_EPOCH);
    expect(await commit('zz', 1)).toBe(25);
    expect(await commit('', -1)).toBe(25); // the group has members: no admin commit
    expect(await commit('m', 1, 8)).toBe(35); // members must use v9+
    expect(await commit('m', 1)).toBe(0);
    const fetch = async (memberId: string | null, memberEpoch: number): Promise<Msg> => {
      const r = await c.call(9, 9, { groups: [{ groupId: 'g-off', memberId, memberEpoch, topics: [{ name: 'cg-off', partitionIndexes: [0] }] }], requireStable: false });
      return r.groups[0] as Msg;
    };
    expect((await fetch('m', 0)).errorCode).toBe(STALE_MEMBER_EPOCH);
    expect((await fetch('other', 1)).errorCode).toBe(25);
    expect((await fetch('m', 1)).topics[0].partitions[0]).toMatchObject({ committedOffset: 5, errorCode: 0 });
    expect((await fetch(null, -1)).topics[0].partitions[0].committedOffset).toBe(5);
    // OffsetDelete protects the topics a live member subscribes to.
    const od = await c.call(47, 0, { groupId: 'g-off', topics: [{ name: 'cg-off', partitions: [{ partitionIndex: 0 }] }] });
    expect(od).toMatchObject({ errorCode: 0, topics: [{ name: 'cg-off', partitions: [{ partitionIndex: 0, errorCode: 86 }] }] });
    // v9 member commit to a group nobody created.
    const r = await c.call(8, 9, { groupId: 'g-none', generationIdOrMemberEpoch: 3, memberId: 'q', groupInstanceId: null, topics: [{ name: 'cg-off', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '' }] }] });
    expect(r.topics[0].partitions[0].errorCode).toBe(69);
  });
});

describe('transactional offsets', () => {
  it('TxnOffsetCommit to a consumer group checks the member epoch (consume-transform-produce)', async () => {
    topic('cg-txn', 1);
    await join('g-txn', 'm', ['cg-txn']);
    const p = await c.call(22, 4, { transactionalId: 'cg-tx', transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 });
    expect(p.errorCode).toBe(0);
    expect((await c.call(25, 2, { transactionalId: 'cg-tx', producerId: p.producerId, producerEpoch: p.producerEpoch, groupId: 'g-txn' })).errorCode).toBe(0);
    const txnCommit = async (memberId: string, generationId: number): Promise<number> => {
      const r = await c.call(28, 3, { transactionalId: 'cg-tx', groupId: 'g-txn', producerId: p.producerId, producerEpoch: p.producerEpoch, generationId, memberId, groupInstanceId: null, topics: [{ name: 'cg-txn', partitions: [{ partitionIndex: 0, committedOffset: 4, committedLeaderEpoch: -1, committedMetadata: null }] }] });
      return r.topics[0].partitions[0].errorCode as number;
    };
    expect(await txnCommit('m', 0)).toBe(STALE_MEMBER_EPOCH);
    expect(await txnCommit('nobody', 1)).toBe(25);
    expect(await txnCommit('m', 1)).toBe(0);
    expect((await c.call(26, 3, { transactionalId: 'cg-tx', producerId: p.producerId, producerEpoch: p.producerEpoch, committed: true })).errorCode).toBe(0);
    expect(server.core.offsets.get('g-txn', 'cg-txn', 0)?.offset).toBe(4);
  });
});

describe('classic and consumer groups', () => {
  const joinClassic = (groupId: string): Promise<Msg> =>
    c.call(11, 5, { groupId, sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] });

  it('a classic group with members refuses consumer members; an empty one (offsets only) converts', async () => {
    topic('cg-mix', 1);
    const j = await joinClassic('g-classic');
    expect(j.errorCode).toBe(79); // MEMBER_ID_REQUIRED first
    const j2 = await c.call(11, 5, { groupId: 'g-classic', sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, memberId: j.memberId, groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] });
    expect(j2.errorCode).toBe(0);
    expect(await join('g-classic', 'n', ['cg-mix'])).toMatchObject({ errorCode: 69, errorMessage: 'Group g-classic is not a consumer group' });
    expect(await describeGroup('g-classic')).toMatchObject({ errorCode: 69, errorMessage: 'Group g-classic is not a consumer group' });
    // Offsets alone make an Empty classic group; a consumer member takes it over, offsets kept.
    await c.call(8, 9, { groupId: 'g-conv', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name: 'cg-mix', partitions: [{ partitionIndex: 0, committedOffset: 3, committedLeaderEpoch: -1, committedMetadata: null }] }] });
    const list = async (types: string[]): Promise<Msg[]> => ((await c.call(16, 5, { statesFilter: [], typesFilter: types })).groups as Msg[]).filter((g) => g.groupId === 'g-conv');
    expect(await list([])).toEqual([{ groupId: 'g-conv', protocolType: '', groupState: 'Empty', groupType: 'classic' }]);
    expect((await join('g-conv', 'n', ['cg-mix'])).errorCode).toBe(0);
    expect(await list(['consumer'])).toEqual([{ groupId: 'g-conv', protocolType: 'consumer', groupState: 'Stable', groupType: 'consumer' }]);
    expect(await list(['classic'])).toEqual([]);
    expect(server.core.offsets.get('g-conv', 'cg-mix', 0)?.offset).toBe(3);
    // DescribeGroups: v6 says it is not a classic group, older versions Dead.
    const dg6 = ((await c.call(15, 6, { groups: ['g-conv'], includeAuthorizedOperations: false })).groups as Msg[])[0];
    expect(dg6).toMatchObject({ errorCode: 69, errorMessage: 'Group g-conv is not a classic group.', groupState: 'Dead' });
    const dg5 = ((await c.call(15, 5, { groups: ['g-conv'], includeAuthorizedOperations: false })).groups as Msg[])[0];
    expect(dg5).toMatchObject({ errorCode: 0, groupState: 'Dead', members: [] });
    // A classic member cannot join the live consumer group; classic heartbeats do not know it.
    expect((await joinClassic('g-conv')).errorCode).toBe(23);
    expect((await c.call(12, 4, { groupId: 'g-conv', generationId: 1, memberId: 'n', groupInstanceId: null })).errorCode).toBe(25);
    // DeleteGroups: not while it has members.
    const del = async (): Promise<number> => ((await c.call(42, 2, { groupsNames: ['g-conv'] })).results as Msg[])[0]?.errorCode as number;
    expect(await del()).toBe(68);
    await beat('g-conv', 'n', -1, null);
    expect(await del()).toBe(0);
    expect(server.core.offsets.get('g-conv', 'cg-mix', 0)).toBeUndefined();
  });
});

describe('with --data-dir', () => {
  it('keeps a consumer group\'s committed offsets across a restart; membership starts afresh', async () => {
    const dir = mkdtempSync(joinPath(tmpdir(), 'omnibroker-kip848-'));
    try {
      const commitAndRead = async (offset: number | null): Promise<number> => {
        const s = await startTestServer({ protocols: ['kafka'], dataDir: dir });
        const r = await RawClient.connect(s.ports.kafka as number);
        try {
          if (!s.core.topics.get('cg-dur')) s.core.topics.create('cg-dur', 1);
          const hbBody = { groupId: 'g-dur', memberId: 'm', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 1000, subscribedTopicNames: ['cg-dur'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [] };
          if (offset === null) {
            // After the restart the member is unknown (membership is not persisted): it rejoins.
            expect(await r.call(68, 1, { ...hbBody, memberEpoch: 1, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: null })).toMatchObject({ errorCode: 25 });
          }
          const joined = await r.call(68, 1, hbBody);
          expect(joined).toMatchObject({ errorCode: 0, memberEpoch: 1 });
          if (offset !== null) {
            const c8 = await r.call(8, 9, { groupId: 'g-dur', generationIdOrMemberEpoch: 1, memberId: 'm', groupInstanceId: null, topics: [{ name: 'cg-dur', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: 'x' }] }] });
            expect(c8.topics[0].partitions[0].errorCode).toBe(0);
          }
          const f = await r.call(9, 9, { groups: [{ groupId: 'g-dur', memberId: 'm', memberEpoch: 1, topics: [{ name: 'cg-dur', partitionIndexes: [0] }] }], requireStable: false });
          return f.groups[0].topics[0].partitions[0].committedOffset as number;
        } finally {
          r.socket.destroy();
          await s.stop();
        }
      };
      expect(await commitAndRead(42)).toBe(42);
      expect(await commitAndRead(null)).toBe(42);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
