/**
 * Objectives and constraints over the summary JSON of `basis backtest`, and the ranking of a sweep's
 * parameter sets (over several windows: the mean objective, and constraints that hold in every window).
 */
import { InputError } from '../domain/errors.js';
import type { BacktestSummary } from '../results/summary.js';

/** Metric name → whether larger is better. `calmar` = apy / max_drawdown (null without a drawdown). */
export const METRICS: Record<string, 'max' | 'min'> = {
  apy: 'max',
  total_return: 'max',
  sharpe: 'max',
  calmar: 'max',
  final_equity: 'max',
  max_drawdown: 'min',
  volatility: 'min',
  trades: 'min',
  failed_instructions: 'min',
};

/** A metric of a summary; null when undefined for the run (no sharpe under two days, no drawdown). */
export function metricOf(s: BacktestSummary, name: string): number | null {
  if (name === 'calmar') return s.max_drawdown > 0 ? s.apy / s.max_drawdown : null;
  const v = (s as unknown as Record<string, unknown>)[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function checkObjective(name: string): string {
  if (!(name in METRICS))
    throw new InputError(`--objective ${name} is not a metric; one of ${Object.keys(METRICS).join(', ')}`);
  return name;
}

export interface Constraint {
  text: string;
  metric: string;
  op: '<' | '<=' | '>' | '>=';
  value: number;
}

/** `max_drawdown<0.02`, `sharpe>=1`. */
export function parseConstraint(text: string): Constraint {
  const m = /^\s*([a-z_]+)\s*(<=|>=|<|>)\s*(-?[0-9.]+(?:e-?\d+)?)\s*$/i.exec(text);
  if (!m) throw new InputError(`--constraint "${text}": expected METRIC<VALUE, e.g. max_drawdown<0.02`);
  if (!(m[1] in METRICS))
    throw new InputError(
      `--constraint "${text}": ${m[1]} is not a metric; one of ${Object.keys(METRICS).join(', ')}`,
    );
  const value = Number(m[3]);
  if (!Number.isFinite(value)) throw new InputError(`--constraint "${text}": ${m[3]} is not a number`);
  return { text: text.trim(), metric: m[1], op: m[2] as Constraint['op'], value };
}

export function satisfies(s: BacktestSummary, c: Constraint): boolean {
  const v = metricOf(s, c.metric);
  if (v === null) return false;
  switch (c.op) {
    case '<':
      return v < c.value;
    case '<=':
      return v <= c.value;
    case '>':
      return v > c.value;
    case '>=':
      return v >= c.value;
  }
}

/** The outcome of one run as ranking sees it. */
export interface RunOutcome {
  /** Parameter-set identity (mode + swept values), shared by the set's runs in every window. */
  group: string;
  mode: string;
  params: Record<string, string>;
  summary: BacktestSummary | null;
  error: string | null;
}

export interface RankedSet {
  rank: number;
  mode: string;
  params: Record<string, string>;
  /** Mean objective over the set's windows; null when a window has none or a run failed. */
  objective: number | null;
  /** Every constraint held in every window, and no run failed. */
  feasible: boolean;
  windows: number;
  /** Means over the windows (max_drawdown: the worst). */
  apy: number | null;
  sharpe: number | null;
  max_drawdown: number | null;
  final_equity: number | null;
  errors: string[];
}

const mean = (xs: (number | null)[]): number | null =>
  xs.length === 0 || xs.some((x) => x === null)
    ? null
    : (xs as number[]).reduce((a, b) => a + b, 0) / xs.length;

/** Feasible sets first, best objective first (nulls last), ties by first appearance. */
export function rank(outcomes: RunOutcome[], objective: string, constraints: Constraint[]): RankedSet[] {
  const groups = new Map<string, RunOutcome[]>();
  for (const o of outcomes) {
    const g = groups.get(o.group);
    if (g) g.push(o);
    else groups.set(o.group, [o]);
  }
  const dir = METRICS[objective] === 'min' ? -1 : 1;
  const sets = [...groups.values()].map((runs, order) => {
    const ok = runs.filter((r) => r.summary && r.summary.status !== 'failed').map((r) => r.summary!);
    const errors = runs.filter((r) => r.error).map((r) => r.error!);
    const complete = ok.length === runs.length;
    const dd = ok.map((s) => s.max_drawdown);
    return {
      order,
      set: {
        rank: 0,
        mode: runs[0].mode,
        params: runs[0].params,
        objective: complete ? mean(ok.map((s) => metricOf(s, objective))) : null,
        feasible: complete && ok.every((s) => constraints.every((c) => satisfies(s, c))),
        windows: runs.length,
        apy: complete ? mean(ok.map((s) => s.apy)) : null,
        sharpe: complete ? mean(ok.map((s) => s.sharpe)) : null,
        max_drawdown: complete && dd.length > 0 ? Math.max(...dd) : null,
        final_equity: complete ? mean(ok.map((s) => s.final_equity)) : null,
        errors,
      } satisfies RankedSet,
    };
  });
  sets.sort((a, b) => {
    if (a.set.feasible !== b.set.feasible) return a.set.feasible ? -1 : 1;
    const x = a.set.objective;
    const y = b.set.objective;
    if (x !== null && y !== null && x !== y) return dir * (y - x);
    if ((x === null) !== (y === null)) return x === null ? 1 : -1;
    return a.order - b.order;
  });
  return sets.map((s, i) => ({ ...s.set, rank: i + 1 }));
}
