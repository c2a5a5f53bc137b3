// The process-level contract: the ready line, /health, startup errors with exit code 1 and one
// clear line, and a clean exit 0 on SIGINT/SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

const CLI = join(import.meta.dirname, '..', 'src', 'cli.ts');
const ZERO_PORTS = ['--sqs-port', '0', '--amqp-port', '0', '--kafka-port', '0', '--http-port', '0'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI through tsx-free Node: vitest's own loader is not available in a child, so use the built strip-types path. */
function runCli(args: string[], opts: { untilReady?: boolean; signal?: NodeJS.Signals; env?: NodeJS.ProcessEnv } = {}): Promise<Run & { readyAfterMs?: number; exitAfterSignalMs?: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      env: { ...process.env, OMNIBROKER_LOG_LEVEL: 'warn', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let readyAfterMs: number | undefined;
    let signalledAt: number | undefined;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (readyAfterMs === undefined && stdout.includes('omnibroker ready')) {
        readyAfterMs = Date.now() - started;
        if (opts.signal) {
          signalledAt = Date.now();
          child.kill(opts.signal);
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => {
      resolve({
        code,
        stdout,
        stderr,
        ...(readyAfterMs !== undefined ? { readyAfterMs } : {}),
        ...(signalledAt !== undefined ? { exitAfterSignalMs: Date.now() - signalledAt } : {}),
      });
    });
  });
}

describe('in-process server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('reports each front-end in /health', async () => {
    const res = await fetch(`http://127.0.0.1:${server.ports.http}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; protocols: Record<string, { state: string; port: number }> };
    expect(body.status).toBe('ok');
    expect(Object.keys(body.protocols).sort()).toEqual(['amqp', 'kafka', 'sqs']);
    expect(body.protocols.sqs?.state).toBe('running');
    expect(body.protocols.amqp?.port).toBe(server.ports.amqp);
  });

  it('names every listener in the ready line', () => {
    expect(server.readyLine()).toMatch(/^omnibroker ready sqs=http:\/\/127\.0\.0\.1:\d+ amqp=amqp:\/\/127\.0\.0\.1:\d+ kafka=127\.0\.0\.1:\d+ http=http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('command line', () => {
  it('prints the ready line and exits 0 on SIGINT', async () => {
    const run = await runCli(ZERO_PORTS, { signal: 'SIGINT' });
    expect(run.stdout).toMatch(/omnibroker ready sqs=/);
    expect(run.code).toBe(0);
    expect(run.exitAfterSignalMs).toBeLessThan(5000);
  });

  it('exits 0 on SIGTERM', async () => {
    const run = await runCli(ZERO_PORTS, { signal: 'SIGTERM' });
    expect(run.code).toBe(0);
  });

  it('runs only the protocols asked for', async () => {
    const run = await runCli([...ZERO_PORTS, '--protocols', 'kafka'], { signal: 'SIGTERM' });
    expect(run.stdout).toMatch(/omnibroker ready kafka=127\.0\.0\.1:\d+ http=/);
    expect(run.stdout).not.toMatch(/sqs=/);
  });

  it('fails with exit 1 and one line naming the port, protocol and flag when a port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const run = await runCli(['--sqs-port', '0', '--amqp-port', String(taken), '--kafka-port', '0', '--http-port', '0']);
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toBe(`omnibroker: AMQP port ${taken} on 127.0.0.1 is already in use; choose another with --amqp-port`);
      expect(run.stdout).not.toMatch(/ready/);
    } finally {
      blocker.close();
    }
  });

  it('rejects an invalid flag value', async () => {
    const run = await runCli(['--kafka-port', 'ninety']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe("omnibroker: invalid value 'ninety' for --kafka-port: expected a port number 0-65535");
  });

  it('rejects an invalid environment value, naming the variable', async () => {
    const run = await runCli(ZERO_PORTS, { env: { OMNIBROKER_PROTOCOLS: 'sqs,mqtt' } });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe("omnibroker: invalid value 'sqs,mqtt' for OMNIBROKER_PROTOCOLS: 'mqtt' is not one of sqs, amqp, kafka");
  });

  it('rejects an unknown flag', async () => {
    const run = await runCli(['--colour']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe("omnibroker: unknown option '--colour' (see --help)");
  });

  it('rejects an unreadable --config file', async () => {
    const run = await runCli([...ZERO_PORTS, '--config', '/nonexistent/omnibroker.json']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('omnibroker: cannot read --config file /nonexistent/omnibroker.json: no such file');
  });

  it('rejects a malformed --config file with the JSON path of the first error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnibroker-cfg-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ sqs: {}, rabbit: {} }));
    try {
      const run = await runCli([...ZERO_PORTS, '--config', file]);
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toBe(`omnibroker: --config file ${file}: $.rabbit: unknown key (expected one of: sqs, amqp, kafka)`);
      writeFileSync(file, '{"sqs": ');
      const syntax = await runCli([...ZERO_PORTS, '--config', file]);
      expect(syntax.code).toBe(1);
      expect(syntax.stderr).toMatch(/^omnibroker: --config file .* is not valid JSON: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a --data-dir held by another running omnibroker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnibroker-lock-'));
    const first = await startTestServer({ dataDir: dir });
    try {
      const run = await runCli([...ZERO_PORTS, '--data-dir', dir]);
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toMatch(new RegExp(`^omnibroker: the data directory is in use by another omnibroker \\(pid ${process.pid}, .*--data-dir`));
    } finally {
      await first.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an invalid --fsync policy', async () => {
    const run = await runCli([...ZERO_PORTS, '--fsync', 'sometimes']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toMatch(/^omnibroker: invalid value 'sometimes' for --fsync/);
  });

  it('rejects a --data-dir that cannot be written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnibroker-ro-'));
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, '');
    chmodSync(dir, 0o500);
    try {
      const run = await runCli([...ZERO_PORTS, '--data-dir', join(file, 'data')]);
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toMatch(/^omnibroker: --data-dir .*not-a-dir\/data cannot be written \(\w+\); choose another directory with --data-dir$/);
    } finally {
      chmodSync(dir, 0o700);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
