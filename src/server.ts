// Wiring only: config -> core -> front-ends -> admin HTTP. Used by the CLI and by tests, which
// start a whole server in-process on port 0.

import { accessSync, constants, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAdmin, type AdminServer } from './admin/index.js';
import { amqp } from './amqp/index.js';
import type { Config } from './config.js';
import { Broker, createStore, parseFsyncOption, type Clock } from './core/index.js';
import { kafka } from './kafka/index.js';
import type { FrontEnd, FrontEndModule } from './shared/front-end.js';
import { ShapeError } from './shared/json-shape.js';
import { createLogger, type Logger } from './shared/logger.js';
import { StartupError } from './shared/startup-error.js';
import { sqs } from './sqs/index.js';

const FRONT_ENDS: readonly FrontEndModule[] = [sqs, amqp, kafka];

export interface RunningServer {
  readonly core: Broker;
  readonly config: Config;
  readonly frontEnds: readonly FrontEnd[];
  readonly admin: AdminServer;
  readonly log: Logger;
  /** The ports actually bound, by listener. */
  readonly ports: { sqs?: number; amqp?: number; kafka?: number; http: number };
  readyLine(): string;
  close(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  clock?: Clock;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.log ?? createLogger(config.logLevel);
  const modules = FRONT_ENDS.filter((m) => config.protocols.includes(m.name));
  checkResources(config, modules);
  if (config.dataDir !== undefined) prepareDataDir(config.dataDir, log);

  const store = createStore(config.dataDir, {
    ...parseFsyncOption(config.fsync),
    onIssue: (i) => log.warn({ file: i.file, offset: i.offset, kind: i.kind }, i.message),
  });
  const core = new Broker({ ...(options.clock ? { clock: options.clock } : {}), store });
  await core.store.open();
  const frontEnds: FrontEnd[] = [];
  let admin: AdminServer | undefined;
  try {
    for (const m of modules) frontEnds.push(await m.start(core, config, log.child({ proto: m.name })));
    admin = await startAdmin(core, config, () => frontEnds, log.child({ proto: 'http' }));
  } catch (err) {
    await Promise.allSettled(frontEnds.map((f) => f.close()));
    await core.close();
    throw err;
  }
  const adminServer = admin;
  const port = (name: string): number | undefined => frontEnds.find((f) => f.name === name)?.port;
  let closing: Promise<void> | undefined;
  return {
    core,
    config,
    frontEnds,
    admin: adminServer,
    log,
    ports: { ...optionalPort('sqs', port('sqs')), ...optionalPort('amqp', port('amqp')), ...optionalPort('kafka', port('kafka')), http: adminServer.port },
    readyLine() {
      const parts = frontEnds.map((f) => `${f.name}=${f.url}`);
      parts.push(`http=http://${config.advertisedHost}:${adminServer.port}`);
      return `omnibroker ready ${parts.join(' ')}`;
    },
    close() {
      closing ??= (async () => {
        await Promise.allSettled(frontEnds.map((f) => f.close()));
        await adminServer.close();
        await core.close();
      })();
      return closing;
    },
  };
}

function optionalPort(name: 'sqs' | 'amqp' | 'kafka', value: number | undefined): Partial<Record<typeof name, number>> {
  return value === undefined ? {} : { [name]: value };
}

function checkResources(config: Config, modules: readonly FrontEndModule[]): void {
  for (const m of modules) {
    const section = config.resources[m.name];
    if (section === undefined || !m.checkResources) continue;
    try {
      m.checkResources(section, `$.${m.name}`);
    } catch (err) {
      if (err instanceof ShapeError) throw new StartupError(`--config file ${config.configFile ?? ''}: ${err.message}`);
      throw err;
    }
  }
}

/** Fails startup unless the data directory exists (or can be made) and is writable. */
function prepareDataDir(dir: string, log: Logger): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    const probe = join(dir, `.write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new StartupError(`--data-dir ${dir} cannot be written (${code}); choose another directory with --data-dir`);
  }
  // All three front-ends journal their state; docs/storage.md lists the little that is not kept.
  log.info({ dataDir: dir }, 'durable storage enabled');
}
