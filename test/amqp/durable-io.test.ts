// --data-dir I/O behaviour seen through amqplib: concurrent persistent publishes share fsyncs
// (group commit); a publisher confirm for a persistent message in a durable queue waits for
// its write while transient messages and non-durable queues are confirmed at once (on their
// own channel). The engine's I/O object is wrapped in-process. A full disk (the disk alarm) is
// covered by durable-disk-alarm.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type amqplib from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeIo } from '../../src/core/storage/io.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connect, sendConfirmed, sleep } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'omnibroker-amqp-io-'));
let server: TestServer;
let conn: amqplib.ChannelModel;
const original = { ...nodeIo };

beforeAll(async () => {
  server = await startTestServer({ protocols: ['amqp'], dataDir: dir, fsync: 'always' });
  conn = await connect(server);
});
afterAll(async () => {
  Object.assign(nodeIo, original);
  await conn.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('AMQP on the storage engine', () => {
  it('concurrent persistent publishes share fsyncs (group commit)', async () => {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('group', { durable: true });
    await sleep(50);
    let fsyncs = 0;
    nodeIo.fsync = (fd, path) => {
      fsyncs++;
      return original.fsync(fd, path);
    };
    const n = 400;
    const oks = await Promise.all(Array.from({ length: n }, (_, i) => sendConfirmed(ch, 'group', `m${i}`, true)));
    nodeIo.fsync = original.fsync;
    expect(oks.every(Boolean)).toBe(true);
    expect(fsyncs).toBeGreaterThan(0);
    expect(fsyncs).toBeLessThan(n / 4);
  });

  it('confirms persistent messages to durable queues only after the write; others at once', async () => {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('gated', { durable: true });
    await ch.assertQueue('memory', { durable: false });
    await sleep(50);
    const other = await conn.createConfirmChannel();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    nodeIo.writev = async (fd, bufs, position) => {
      await gate;
      return original.writev(fd, bufs, position);
    };
    const confirmed: string[] = [];
    const durable = sendConfirmed(ch, 'gated', 'durable', true).then(() => confirmed.push('durable'));
    // Behind the durable one on the same channel: confirms keep publish order.
    const behind = sendConfirmed(ch, 'gated', 'transient-behind', false).then(() => confirmed.push('behind'));
    try {
      expect(await sendConfirmed(other, 'gated', 'transient', false)).toBe(true);
      expect(await sendConfirmed(other, 'memory', 'persistent-in-transient-queue', true)).toBe(true);
      await sleep(200);
      expect(confirmed).toEqual([]);
    } finally {
      open();
      nodeIo.writev = original.writev;
    }
    await Promise.all([durable, behind]);
    expect(confirmed).toEqual(['durable', 'behind']);
  });
});
