#!/usr/bin/env node
// Command line entry: flags/env -> config -> startServer -> ready line; signals -> graceful exit.
import { loadConfig, usage } from './config.js';
import { startServer, type RunningServer } from './server.js';
import { StartupError } from './shared/startup-error.js';

const SHUTDOWN_DEADLINE_MS = 5000;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  // Handlers go in before anything listens, so a signal that arrives at any point (even in the
  // middle of startup, or right after the ready line) ends in an orderly exit 0.
  let server: RunningServer | undefined;
  let pendingSignal: string | undefined;
  let stopping = false;
  const stop = (signal: string): void => {
    if (!server) {
      pendingSignal = signal;
      return;
    }
    if (stopping) return;
    stopping = true;
    const running = server;
    running.log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      running.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        running.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  try {
    server = await startServer(loadConfig(argv));
  } catch (err) {
    fail(err);
    process.exit();
  }
  process.stdout.write(`${server.readyLine()}\n`);
  if (pendingSignal) stop(pendingSignal);
}

function fail(err: unknown): void {
  const message = err instanceof StartupError ? err.message : `startup failed: ${err instanceof Error ? err.message : String(err)}`;
  process.stderr.write(`omnibroker: ${message}\n`);
  process.exitCode = 1;
}

void main();
