// Debian's rabbitmq-server (3.10) as the AMQP peer: a private node under a temp dir (own epmd on a
// free loopback port, AMQP and distribution listeners on 127.0.0.1, no plugins), stopped and
// removed at the end. The system-wide service, its data and its epmd are never touched.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { freePort } from '../lib/ports.js';
import { findDescendant, killPid, startServer, stopChild, track, trackDir, trackPid } from '../lib/proc.js';
import { sleep } from '../lib/measure.js';
import { spawn } from 'node:child_process';

const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';

export interface Rabbit {
  url: string;
  /** The beam.smp process that serves connections (for RSS and CPU). */
  pid: number;
  version: string;
  stop(): Promise<void>;
}

export async function startRabbit(): Promise<Rabbit> {
  if (!existsSync(RABBITMQ_SERVER)) throw new Error('rabbitmq-server is not installed (apt-get install rabbitmq-server)');
  const dir = mkdtempSync(join(tmpdir(), 'omnibroker-bench-rabbitmq-'));
  const untrackDir = trackDir(dir);
  const [amqpPort, distPort, epmdPort] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  // loopback_users = none lets guest/guest log in; the listener is loopback-only anyway.
  writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.1 = 127.0.0.1:${amqpPort}\nloopback_users = none\n`);

  const epmd = track(spawn('epmd', ['-address', '127.0.0.1', '-port', String(epmdPort)], { stdio: 'ignore' }));
  const stopEpmd = (): Promise<void> => stopChild(epmd, 'SIGKILL', 0); // epmd ignores SIGTERM
  try {
    await waitForPort(epmdPort, 5000);
    const proc = await startServer(RABBITMQ_SERVER, [], {
      cwd: dir,
      env: {
        ...process.env,
        HOME: dir, // the Erlang cookie goes here, not into root's home
        ERL_EPMD_PORT: String(epmdPort),
        ERL_EPMD_ADDRESS: '127.0.0.1',
        RABBITMQ_NODENAME: `omnibroker-bench-${process.pid}@localhost`,
        RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
        RABBITMQ_NODE_PORT: String(amqpPort),
        RABBITMQ_DIST_PORT: String(distPort),
        RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
        RABBITMQ_LOG_BASE: join(dir, 'log'),
        RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
        RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
        RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
      },
      ready: /Starting broker\.\.\. completed|Server startup complete/,
      timeoutMs: 90_000,
      // Killing the wrapper script alone would leave the Erlang VM running.
      beforeKill: (child) => {
        const b = child.pid === undefined ? undefined : findDescendant(child.pid, 'beam.smp');
        if (b !== undefined) killPid(b, 'SIGKILL');
      },
    });
    const beam = findDescendant(proc.pid, 'beam.smp');
    if (beam === undefined) {
      await stopChild(proc.child, 'SIGKILL', 0);
      throw new Error('cannot find the beam.smp process of rabbitmq-server');
    }
    const untrack = trackPid(beam);
    const version = /RabbitMQ (\d+\.\d+\.\d+)/.exec(proc.tail.join('\n'))?.[1] ?? '3.10';
    return {
      url: `amqp://guest:guest@127.0.0.1:${amqpPort}`,
      pid: beam,
      version,
      async stop() {
        // SIGTERM to beam.smp is an orderly node stop; the wrapper shell exits with it. SIGCONT
        // to the wrapper is a no-op signal: stopChild only waits for it, then kills it if stuck.
        killPid(beam, 'SIGTERM');
        await stopChild(proc.child, 'SIGCONT', 15_000);
        killPid(beam, 'SIGKILL'); // false when it already stopped cleanly
        untrack();
        await stopEpmd();
        rmSync(dir, { recursive: true, force: true });
        untrackDir();
      },
    };
  } catch (err) {
    await stopEpmd();
    rmSync(dir, { recursive: true, force: true });
    untrackDir();
    throw err;
  }
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`);
}
