// A real omnibroker process for crash tests: `node --import tsx src/cli.ts` on a data directory
// shared by every start in one test file, ephemeral ports, `--fsync always`. The directory and
// any child still running are removed after the file's tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

export interface ChildBroker {
  child: ChildProcess;
  /** The protocol's address from the ready line (e.g. amqp://127.0.0.1:PORT, 127.0.0.1:PORT). */
  url: string;
  /** The HTTP admin URL from the ready line. */
  http: string;
  /** Resolves with the signal that ended the process (null for a normal exit). */
  exited: Promise<NodeJS.Signals | null>;
}

/** Returns `start()`, which launches a broker for `protocol` on this file's data directory. */
export function childBrokers(protocol: 'sqs' | 'amqp' | 'kafka'): { dir: string; start(): Promise<ChildBroker> } {
  const dir = mkdtempSync(join(tmpdir(), `omnibroker-${protocol}-crash-`));
  const children = new Set<ChildProcess>();
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const args = ['--import', 'tsx', 'src/cli.ts', '--data-dir', dir, '--fsync', 'always', '--protocols', protocol, `--${protocol}-port`, '0', '--http-port', '0', '--log-level', 'warn'];
  const start = (): Promise<ChildBroker> =>
    new Promise((resolvePromise, reject) => {
      const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      const exited = new Promise<NodeJS.Signals | null>((r) =>
        child.on('exit', (_code, signal) => {
          children.delete(child);
          r(signal);
        }),
      );
      let out = '';
      let err = '';
      child.on('error', reject);
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const line = /omnibroker ready .*\n/.exec(out)?.[0];
        const url = line && new RegExp(`${protocol}=(\\S+)`).exec(line)?.[1];
        const http = line && /http=(\S+)/.exec(line)?.[1];
        if (url && http) resolvePromise({ child, url, http, exited });
      });
      void exited.then((signal) => reject(new Error(`omnibroker exited (${signal ?? 'normally'}) before it was ready: ${err}${out}`)));
    });
  return { dir, start };
}
