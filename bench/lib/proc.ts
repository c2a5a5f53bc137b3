// Child processes for the benchmarks: servers started with a readiness line, always stopped at
// exit (also on Ctrl-C), and per-process RSS / CPU read from /proc so server cost can be compared.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The first output line that matched the ready pattern. */
  readonly readyMatch: RegExpMatchArray;
  /** Recent output lines (stdout and stderr), for error messages. */
  readonly tail: string[];
  stop(): Promise<void>;
}

export interface StartOptions extends SpawnOptions {
  ready: RegExp;
  timeoutMs: number;
  /** Signal that asks the server to stop; SIGKILL follows after graceMs. */
  stopSignal?: NodeJS.Signals;
  graceMs?: number;
  /** Called before a child that never became ready is killed (e.g. to kill its own children). */
  beforeKill?: (child: ChildProcess) => void;
}

const live = new Set<ChildProcess>();
/** Grandchildren we know of (e.g. RabbitMQ's beam.smp under its wrapper script). */
const livePids = new Set<number>();
/** Temp dirs to remove if we exit before their owner does. */
const liveDirs = new Set<string>();
let hooked = false;

/** Kills every child still running when this process ends, whatever the reason. */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const killAll = (): void => {
    for (const pid of livePids) killPid(pid, 'SIGKILL');
    for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      killAll();
      process.exit(130);
    });
  }
}

/** Registers a child (also ones not started through startServer) so it dies with us. */
export function track(child: ChildProcess): ChildProcess {
  hookExit();
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

const pidNames = new Map<number, string>();

/** Registers a temp dir to be removed if we exit first; call the result once it is removed. */
export function trackDir(dir: string): () => void {
  hookExit();
  liveDirs.add(dir);
  return () => liveDirs.delete(dir);
}

/** Registers a process id (one we started indirectly) to be killed if we exit first. */
export function trackPid(pid: number): () => void {
  hookExit();
  const name = commandName(pid);
  if (name !== undefined) pidNames.set(pid, name);
  livePids.add(pid);
  return () => livePids.delete(pid);
}

function commandName(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  } catch {
    return undefined;
  }
}

/**
 * Sends a signal to a process id we started indirectly; false when it is gone. The command name
 * seen the first time is checked again each time, so a recycled pid is never signalled.
 */
export function killPid(pid: number, signal: NodeJS.Signals): boolean {
  const name = commandName(pid);
  if (name === undefined) return false;
  const first = pidNames.get(pid);
  if (first === undefined) pidNames.set(pid, name);
  else if (first !== name) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

export async function startServer(command: string, args: string[], options: StartOptions): Promise<ServerProcess> {
  const { ready, timeoutMs, stopSignal = 'SIGTERM', graceMs = 5000, beforeKill, ...spawnOptions } = options;
  const child = track(spawn(command, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] }));
  const tail: string[] = [];
  const readyMatch = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${command} printed no ready line within ${timeoutMs} ms`)), timeoutMs);
    let done = false;
    function fail(err: Error): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      beforeKill?.(child);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}; last output: ${tail.slice(-5).join(' | ')}`));
    }
    const onLine = (line: string): void => {
      tail.push(line);
      if (tail.length > 50) tail.shift();
      const m = line.match(ready);
      if (m && !done) {
        done = true;
        clearTimeout(timer);
        resolve(m);
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('error', (err) => fail(err));
    child.once('exit', (code, signal) => fail(new Error(`${command} exited (${signal ?? code}) before it was ready`)));
  });
  return {
    child,
    pid: child.pid!,
    readyMatch,
    tail,
    stop: () => stopChild(child, stopSignal, graceMs),
  };
}

/** Sends the stop signal, then SIGKILL if the child is still there after graceMs. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/** Resident set size of a process in KiB (VmRSS), or undefined when it is gone. */
export function rssKiB(pid: number): number | undefined {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)\s+kB/m);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ; /proc reports CPU time in these units.

/** User + system CPU time a process has used so far, in milliseconds. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** The pid of the first descendant of `pid` whose command name is `name` (e.g. beam.smp). */
export function findDescendant(pid: number, name: string): number | undefined {
  const children = new Map<number, number[]>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      names.set(Number(entry), comm);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // The process ended while we were looking.
    }
  }
  const queue = [...(children.get(pid) ?? [])];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (names.get(next) === name) return next;
    queue.push(...(children.get(next) ?? []));
  }
  return undefined;
}

/** Runs a command to completion with a hard time limit; resolves with its exit status and output. */
export function run(
  command: string,
  args: string[],
  options: SpawnOptions & { timeoutMs: number; input?: string },
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number; stdoutLines: number }> {
  const { timeoutMs, input, ...spawnOptions } = options;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = track(spawn(command, args, { ...spawnOptions, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    let stdoutLines = 0; // counted over all output, also past what is kept
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      for (let i = d.indexOf('\n'); i !== -1; i = d.indexOf('\n', i + 1)) stdoutLines++;
      if (stdout.length < 1_000_000) stdout += d;
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 100_000) stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started, stdoutLines });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}
