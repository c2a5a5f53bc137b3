// Side-by-side runner and table: each scenario runs against omnibroker and against the peer in
// the same process, in alternating rounds (omnibroker, peer, peer, omnibroker, ...) so both see the
// same machine noise and drift; each cell keeps its best round (noise on a shared machine only ever
// slows things down). The table prints `name | omnibroker | peer | ratio`, ratio = omnibroker / peer.
import { withTimeout } from './measure.js';

export type Better = 'higher' | 'lower';

export interface Metric {
  name: string;
  unit: string;
  better: Better;
  /**
   * How rounds combine: 'best' (default; machine noise only ever makes a result worse) or 'mean',
   * for rows that are themselves a ratio of two measurements taken in the same round, where
   * keeping the best round would pick the luckiest pairing.
   */
  combine?: 'best' | 'mean';
}

export type Cell = { value: number } | { text: string };

export interface Target<C> {
  label: string;
  /** Connection details of a running server; undefined with `unavailable` set when it is not. */
  ctx: C | undefined;
  unavailable?: string;
}

export interface Scenario<C> {
  metrics: Metric[];
  /** Measures one target; resolves with a value for each metric name. */
  run: (ctx: C, target: string) => Promise<Record<string, number>>;
  /** Per round and target. */
  timeoutMs: number;
  /** Rounds per target (default BENCH_ROUNDS or 2); the best round counts. */
  rounds?: number;
}

/** A scenario with one metric, measured by `fn` (given the target's label too, as `run` is). */
export function single<C>(metric: string, unit: string, better: Better, timeoutMs: number, fn: (c: C, target: string) => Promise<number>): Scenario<C> {
  return { metrics: [{ name: metric, unit, better }], timeoutMs, run: async (c, target) => ({ [metric]: await fn(c, target) }) };
}

/** A latency scenario reporting the p50 and p99 (in ms, lower is better) that `fn` measures. */
export function percentiles<C>(p50: string, p99: string, timeoutMs: number, fn: (c: C) => Promise<{ p50: number; p99: number }>): Scenario<C> {
  return {
    metrics: [
      { name: p50, unit: 'ms', better: 'lower' },
      { name: p99, unit: 'ms', better: 'lower' },
    ],
    timeoutMs,
    run: async (c) => {
      const r = await fn(c);
      return { [p50]: r.p50, [p99]: r.p99 };
    },
  };
}

const DEFAULT_ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2) || 2);
/** BENCH_ONLY=<regex>: run only the scenarios with a row name matching it (case-insensitive). */
const ONLY = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, 'i') : undefined;
/** BENCH_VERBOSE=1: print every round's values (stderr), not only the combined row. */
const VERBOSE = process.env.BENCH_VERBOSE === '1';

interface Row {
  metric: Metric;
  omni: Cell;
  peer: Cell;
}

export class Report<C> {
  private readonly rows: Row[] = [];

  constructor(
    readonly title: string,
    readonly omni: Target<C>,
    readonly peer: Target<C>,
  ) {}

  async measure(scenario: Scenario<C>): Promise<void> {
    if (ONLY && !scenario.metrics.some((m) => ONLY.test(m.name))) return;
    const rounds = scenario.rounds ?? DEFAULT_ROUNDS;
    const omni: Map<string, Cell>[] = [];
    const peer: Map<string, Cell>[] = [];
    for (let r = 0; r < rounds; r++) {
      // ABBA order: whichever target goes second in one round goes first in the next.
      const order = r % 2 === 0 ? [this.omni, this.peer] : [this.peer, this.omni];
      for (const t of order) (t === this.omni ? omni : peer).push(await this.cells(t, scenario));
    }
    for (const metric of scenario.metrics) {
      const row = { metric, omni: best(metric, omni), peer: best(metric, peer) };
      this.rows.push(row);
      process.stderr.write(`  ${metric.name}: ${this.omni.label} ${show(row.omni)}, ${this.peer.label} ${show(row.peer)}\n`);
    }
  }

  private async cells(target: Target<C>, scenario: Scenario<C>): Promise<Map<string, Cell>> {
    const out = new Map<string, Cell>();
    const fill = (cell: Cell): void => {
      for (const m of scenario.metrics) out.set(m.name, cell);
    };
    if (target.ctx === undefined) {
      fill({ text: `n/a (${target.unavailable ?? 'not available'})` });
      return out;
    }
    try {
      const values = await withTimeout(scenario.run(target.ctx, target.label), scenario.timeoutMs, 'scenario');
      for (const m of scenario.metrics) {
        const v = values[m.name];
        out.set(m.name, v === undefined || !Number.isFinite(v) ? { text: 'no result' } : { value: v });
        if (VERBOSE) process.stderr.write(`    round, ${target.label}: ${m.name} = ${v}\n`);
      }
    } catch (err) {
      fill({ text: `error: ${oneLine(err).slice(0, 80)}` });
    }
    return out;
  }

  /** The table as Markdown (paste-able into docs/performance.md). */
  table(): string {
    const header = ['name', this.omni.label, this.peer.label, 'ratio'];
    const lines = this.rows.map((r) => [`${r.metric.name} [${r.metric.unit}, ${r.metric.better} is better]`, show(r.omni), show(r.peer), ratio(r)]);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
    const fmt = (cols: string[]): string => `| ${cols.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
    return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
  }

  print(notes: string[] = []): void {
    process.stdout.write(`\n## ${this.title}\n\n${this.table()}\n\nratio = ${this.omni.label} / ${this.peer.label}`);
    process.stdout.write(` (above 1 is better for "higher is better" rows, below 1 for "lower is better" rows);`);
    process.stdout.write(` best of ${DEFAULT_ROUNDS} alternating rounds unless a note says otherwise\n`);
    for (const n of notes) process.stdout.write(`${n}\n`);
  }
}

/** The best (or mean) numeric cell over the rounds; the first round's text when no round has a number. */
function best(metric: Metric, rounds: Map<string, Cell>[]): Cell {
  if (metric.combine === 'mean') {
    const values = rounds.map((cells) => cells.get(metric.name)).flatMap((c) => (c && 'value' in c ? [c.value] : []));
    if (values.length > 0) return { value: values.reduce((a, b) => a + b, 0) / values.length };
  }
  let bestValue: number | undefined;
  for (const cells of rounds) {
    const c = cells.get(metric.name);
    if (c && 'value' in c) {
      if (bestValue === undefined || (metric.better === 'higher' ? c.value > bestValue : c.value < bestValue)) bestValue = c.value;
    }
  }
  return bestValue === undefined ? (rounds[0]?.get(metric.name) ?? { text: 'no result' }) : { value: bestValue };
}

function ratio(r: Row): string {
  if (!('value' in r.omni) || !('value' in r.peer) || r.peer.value === 0) return '-';
  return `${(r.omni.value / r.peer.value).toFixed(2)}x`;
}

export function show(cell: Cell): string {
  if ('text' in cell) return cell.text;
  const v = cell.value;
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return Number(v.toPrecision(3)).toString();
}

export function oneLine(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: string };
  const text = e?.message ?? String(err);
  return `${e?.name && e.name !== 'Error' ? `${e.name}: ` : ''}${text}`.replace(/\s+/g, ' ');
}
