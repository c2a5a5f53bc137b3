// AMQP 0-9-1 front-end entry point: listens, runs one Connection per socket over the shared
// core, and on close() sends every client connection.close 320 CONNECTION_FORCED first, as a
// stopping RabbitMQ node does. Limits come from AMQP_* options (see docs/amqp.md).

import { fileStoreOf } from '../core/index.js';
import type { FrontEndModule, FrontEndState } from '../shared/front-end.js';
import { listenTcp } from '../shared/tcp-server.js';
import { totalmem } from 'node:os';
import v8 from 'node:v8';
import { ResourceAlarm } from './alarm.js';
import { Connection, type AmqpSettings, type ServerContext } from './connection.js';
import { AmqpPersistence } from './persistence/amqp-persistence.js';
import { applyResources, parseResources } from './resources.js';
import { LIMITS } from './spec.js';

function intOption(extra: Record<string, string>, key: string, fallback: number): number {
  const raw = extra[key];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`invalid value '${raw}' for ${key}: expected a non-negative integer`);
  return n;
}

export const amqp: FrontEndModule = {
  name: 'amqp',
  checkResources(section, path) {
    parseResources(section, path);
  },
  async start(core, config, log) {
    const resources = parseResources(config.resources['amqp'], '$.amqp');
    // --data-dir: stored definitions and messages come back first, then --config is merged.
    const files = fileStoreOf(core.store);
    const stored = files ? AmqpPersistence.restore(core, files, log) : undefined;
    const { vhosts, users } = applyResources(core, resources, stored?.restored);
    if (stored) {
      stored.persistence.attach(vhosts, users);
      await stored.persistence.save();
    }
    const x = config.extra;
    const settings: AmqpSettings = {
      frameMax: intOption(x, 'AMQP_FRAME_MAX', LIMITS.frameMax),
      channelMax: intOption(x, 'AMQP_CHANNEL_MAX', LIMITS.channelMax),
      heartbeat: intOption(x, 'AMQP_HEARTBEAT', LIMITS.heartbeat),
      maxMessageSize: intOption(x, 'AMQP_MAX_MESSAGE_SIZE', LIMITS.maxMessageSize),
      handshakeTimeoutMs: intOption(x, 'AMQP_HANDSHAKE_TIMEOUT_MS', LIMITS.handshakeTimeoutMs),
      mechanisms: (x['AMQP_AUTH_MECHANISMS'] ?? 'PLAIN AMQPLAIN ANONYMOUS').split(/[ ,]+/).filter(Boolean),
      users,
      // AMQP_LOOPBACK_USERS overrides the section's loopback_users ('none' = nobody restricted).
      loopbackUsers: x['AMQP_LOOPBACK_USERS'] !== undefined ? x['AMQP_LOOPBACK_USERS'].split(/[ ,]+/).filter((u) => u !== '' && u !== 'none') : resources.loopbackUsers,
      socketHighWater: intOption(x, 'AMQP_SOCKET_HIGH_WATER', 4 * 1024 * 1024),
      consumerTimeoutMs: intOption(x, 'AMQP_CONSUMER_TIMEOUT_MS', 1800000),
      queueHighWater: intOption(x, 'AMQP_QUEUE_HIGH_WATER', 64 * 1024 * 1024),
    };
    const ctx: ServerContext = {
      core,
      settings,
      vhosts,
      log,
      ...(stored ? { durable: stored.persistence } : {}),
      connections: new Set(),
      product: 'RabbitMQ',
      version: '4.2.0',
    };
    // RabbitMQ's default vm_memory_high_watermark is 0.6 of RAM; V8's heap limit bounds us first.
    const defaultWatermark = Math.min(0.6 * totalmem(), 0.9 * v8.getHeapStatistics().heap_size_limit);
    const alarm = new ResourceAlarm(ctx, intOption(x, 'AMQP_MEMORY_HIGH_WATERMARK', Math.floor(defaultWatermark)), intOption(x, 'AMQP_MEMORY_CHECK_MS', 1000));
    ctx.alarm = alarm;
    // The disk alarm: on while the storage engine refuses writes for lack of space (any
    // protocol's journal: the disk is shared), off once its retry writes again.
    const stopDiskAlarm = files?.onWriteFailure((f) => alarm.setDiskFull(f?.reason === 'disk_full'));
    if (files) {
      alarm.setDiskFull(files.writeFailure?.reason === 'disk_full');
      // RabbitMQ's disk_free_limit default is 50 MB (50000000 bytes); rabbit_disk_monitor polls.
      alarm.watchDisk(files.dir, intOption(x, 'AMQP_DISK_FREE_LIMIT', 50_000_000), Math.max(1, intOption(x, 'AMQP_DISK_CHECK_MS', 10_000)));
    }
    const server = await listenTcp({
      host: config.host,
      port: config.amqpPort,
      label: 'AMQP',
      flag: '--amqp-port',
      log,
      onConnection(socket, id) {
        const conn = new Connection(socket, id, ctx);
        return { shutdown: () => conn.shutdown() };
      },
    });
    let state: FrontEndState = 'running';
    return {
      name: 'amqp',
      port: server.port,
      url: `amqp://${config.advertisedHost}:${server.port}`,
      state: () => state,
      registerAdmin(app) {
        // Test and operator affordance, like rabbitmqctl set_vm_memory_high_watermark.
        app.put('/amqp/memory-high-watermark', async (req, reply) => {
          const bytes = (req.body as { bytes?: unknown } | undefined)?.bytes;
          if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) return reply.code(400).send({ error: 'expected {"bytes": <non-negative number>}' });
          alarm.watermark = bytes;
          alarm.check();
          return { watermark: bytes, alarm: alarm.active };
        });
        // Like rabbitmqctl set_disk_free_limit (--data-dir only: without it nothing is on disk).
        app.put('/amqp/disk-free-limit', async (req, reply) => {
          const bytes = (req.body as { bytes?: unknown } | undefined)?.bytes;
          if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) return reply.code(400).send({ error: 'expected {"bytes": <non-negative number>}' });
          if (alarm.diskFreeLimit === undefined) return reply.code(409).send({ error: 'the disk alarm needs --data-dir' });
          await alarm.setDiskFreeLimit(bytes);
          return { limit: bytes, alarm: alarm.disk };
        });
      },
      async close() {
        state = 'stopping';
        alarm.stop();
        stopDiskAlarm?.();
        await server.close();
        for (const vh of ctx.vhosts.values()) vh.delayed.clear();
        await stored?.persistence.save().catch((err: unknown) => log.error({ err }, 'cannot save AMQP definitions'));
        state = 'stopped';
      },
    };
  },
};
