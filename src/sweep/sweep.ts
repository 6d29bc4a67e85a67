/**
 * A sweep from spec to report: validate every swept key and value by the config resolution `--set`
 * uses (before any run starts), expand the runs (windows, or walk-forward folds), and turn the finished
 * runs into a ranking and, for a walk-forward, the out-of-sample report.
 */
import { checkCallerOverrides, type CallerCatalogue } from '../config/caller.js';
import { resolveMode } from '../config/index.js';
import { InputError } from '../domain/errors.js';
import { checkAvailable, defaultWindow, resolveDataDir } from '../engine/backtest.js';
import { seriesPlan } from '../engine/requirements.js';
import { iso } from '../engine/time.js';
import type { RunRecord } from './journal.js';
import { metricOf, rank, satisfies, type Constraint, type RankedSet, type RunOutcome } from './objective.js';
import { expandRuns, formatValue, walkForwardFolds, type SweepRun, type SweepSpec } from './spec.js';

export interface PrepareOptions {
  dataDir?: string;
  configDir?: string;
  cacheDir?: string;
  /** An API caller's sweep: every override must be on the caller allow-list (src/config/caller.ts). */
  catalogue?: CallerCatalogue;
}

/**
 * Checks the spec: each mode available, each swept key and value (and the random ranges' ends) resolved
 * with the fixed overrides as `basis backtest --set` would; the first problem is one InputError/ConfigError line.
 */
export function validateSpec(spec: SweepSpec, opts: PrepareOptions = {}): void {
  if (spec.modes.length === 0) throw new InputError('a sweep needs at least one --mode');
  const keys = [...spec.grid.map((g) => g.key), ...(spec.random?.ranges ?? []).map((r) => r.key)];
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup) throw new InputError(`the sweep sets ${dup} twice (each key may be in one --grid or --range)`);
  if (spec.random && spec.random.ranges.length === 0)
    throw new InputError('--random needs at least one --range key=low:high');
  const single: string[][] = [[]];
  for (const g of spec.grid) for (const v of g.values) single.push([`${g.key}=${v}`]);
  for (const r of spec.random?.ranges ?? [])
    single.push([`${r.key}=${formatValue(r.lo)}`], [`${r.key}=${formatValue(r.hi)}`]);
  if (opts.catalogue) checkCallerOverrides([...spec.fixed, ...single.flat()], opts.catalogue);
  for (const mode of spec.modes) {
    for (const s of single) {
      const resolved = resolveMode(mode, { configDir: opts.configDir, overrides: [...spec.fixed, ...s] });
      checkAvailable(resolved.mode);
    }
  }
}

/** The coverage window of a mode as `basis backtest` without --start / --end would take it. */
export function coverageWindow(
  mode: string,
  fixed: string[],
  opts: PrepareOptions,
): { startMs: number; endMs: number } {
  const resolved = resolveMode(mode, { configDir: opts.configDir, overrides: fixed });
  const { dir } = resolveDataDir(opts.dataDir);
  return defaultWindow(dir, seriesPlan(resolved.mode), opts.cacheDir);
}

/** Validates the spec and expands its runs (walk-forward: every set on every fold's train and test window). */
export function prepareSweep(spec: SweepSpec, opts: PrepareOptions = {}): SweepRun[] {
  validateSpec(spec, opts);
  if (!spec.walkForward) return expandRuns(spec);
  if (spec.windows.length > 1)
    throw new InputError('--walk-forward takes one window (--windows START..END) to fold, not several');
  const w = spec.windows[0];
  let startMs = w.start === null ? undefined : Date.parse(w.start);
  let endMs = w.end === null ? undefined : Date.parse(w.end);
  if (startMs === undefined || endMs === undefined) {
    // the common coverage of the modes
    const cov = spec.modes.map((m) => coverageWindow(m, spec.fixed, opts));
    startMs ??= Math.max(...cov.map((c) => c.startMs));
    endMs ??= Math.min(...cov.map((c) => c.endMs));
  }
  const folds = walkForwardFolds(spec.walkForward, startMs, endMs);
  return expandRuns(
    spec,
    folds.flatMap((f) => [
      { window: f.train, fold: { index: f.index, part: 'train' as const } },
      { window: f.test, fold: { index: f.index, part: 'test' as const } },
    ]),
  );
}

export const groupOf = (r: Pick<SweepRun, 'mode' | 'params'>): string => JSON.stringify([r.mode, r.params]);

const outcome = (r: RunRecord): RunOutcome => ({
  group: groupOf(r),
  mode: r.mode,
  params: r.params,
  summary: r.summary,
  error: r.error,
});

/** The ranking of the parameter sets over the recorded runs (walk-forward: over the test windows). */
export function rankRecords(records: RunRecord[], objective: string, constraints: Constraint[]): RankedSet[] {
  return rank(records.filter((r) => !r.fold || r.fold.part === 'test').map(outcome), objective, constraints);
}

export interface FoldReport {
  fold: number;
  train: { start: string | null; end: string | null };
  test: { start: string | null; end: string | null };
  /** The set chosen in-sample (best feasible objective on the train window), null when none was. */
  chosen: { mode: string; params: Record<string, string> } | null;
  in_sample: number | null;
  out_of_sample: number | null;
  oos_total_return: number | null;
  oos_apy: number | null;
  oos_max_drawdown: number | null;
  /** Whether the chosen set met the constraints out of sample too. */
  oos_feasible: boolean | null;
  /** Where the chosen set ranked among all sets on the test window (1 = best). */
  oos_rank: number | null;
}

export interface WalkForwardReport {
  objective: string;
  folds: FoldReport[];
  /** Parameter sets tried per fold. */
  sets: number;
  /** Backtests behind the choices: sets × folds (train windows). */
  trials: number;
  mean_in_sample: number | null;
  mean_out_of_sample: number | null;
  /** mean in-sample − mean out-of-sample objective: how much of the in-sample figure did not carry over. */
  gap: number | null;
  /** The test windows chained: Π(1 + total_return) − 1, and annualised over their span. */
  oos_total_return: number | null;
  oos_apy: number | null;
}

const meanOf = (xs: (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
};

export function walkForwardReport(
  records: RunRecord[],
  objective: string,
  constraints: Constraint[],
): WalkForwardReport {
  const byFold = new Map<number, { train: RunRecord[]; test: RunRecord[] }>();
  for (const r of records) {
    if (!r.fold) continue;
    const f = byFold.get(r.fold.index) ?? { train: [], test: [] };
    f[r.fold.part].push(r);
    byFold.set(r.fold.index, f);
  }
  const folds: FoldReport[] = [];
  let sets = 0;
  for (const [index, f] of [...byFold.entries()].sort((a, b) => a[0] - b[0])) {
    const train = rank(f.train.map(outcome), objective, constraints);
    const test = rank(f.test.map(outcome), objective, constraints);
    sets = Math.max(sets, train.length);
    const best = train[0] && train[0].feasible && train[0].objective !== null ? train[0] : null;
    const oos = best ? f.test.find((r) => groupOf(r) === groupOf(best)) : undefined;
    const s = oos?.summary && oos.summary.status !== 'failed' ? oos.summary : null;
    const oosRank = best ? test.findIndex((t) => groupOf(t) === groupOf(best)) : -1;
    folds.push({
      fold: index,
      train: f.train[0]?.window ?? { start: null, end: null },
      test: f.test[0]?.window ?? { start: null, end: null },
      chosen: best ? { mode: best.mode, params: best.params } : null,
      in_sample: best?.objective ?? null,
      out_of_sample: s ? metricOf(s, objective) : null,
      oos_total_return: s?.total_return ?? null,
      oos_apy: s?.apy ?? null,
      oos_max_drawdown: s?.max_drawdown ?? null,
      oos_feasible: s ? constraints.every((c) => satisfies(s, c)) : null,
      oos_rank: oosRank >= 0 ? oosRank + 1 : null,
    });
  }
  const isMean = meanOf(folds.map((f) => f.in_sample));
  const oosMean = meanOf(folds.map((f) => f.out_of_sample));
  let chained: number | null = null;
  let spanMs = 0;
  if (folds.length > 0 && folds.every((f) => f.oos_total_return !== null)) {
    chained = folds.reduce((acc, f) => acc * (1 + f.oos_total_return!), 1) - 1;
    for (const f of folds) spanMs += Date.parse(f.test.end!) - Date.parse(f.test.start!);
  }
  const years = spanMs / (365 * 86_400_000);
  return {
    objective,
    folds,
    sets,
    trials: sets * folds.length,
    mean_in_sample: isMean,
    mean_out_of_sample: oosMean,
    gap: isMean !== null && oosMean !== null ? isMean - oosMean : null,
    oos_total_return: chained,
    oos_apy: chained !== null && years > 0 && chained > -1 ? Math.pow(1 + chained, 1 / years) - 1 : null,
  };
}

/** The `--json` document: the sweep, every run (overrides as `--set` takes them, window, summary), the ranking. */
export function sweepDocument(
  id: string,
  spec: SweepSpec,
  runs: SweepRun[],
  records: Map<string, RunRecord>,
  constraints: Constraint[],
): Record<string, unknown> {
  const list = runs.map((r) => records.get(r.key)).filter((r): r is RunRecord => r !== undefined);
  return {
    id,
    spec,
    runs_total: runs.length,
    runs_done: list.length,
    objective: spec.objective,
    constraints: spec.constraints,
    ranking: rankRecords(list, spec.objective, constraints),
    ...(spec.walkForward ? { walk_forward: walkForwardReport(list, spec.objective, constraints) } : {}),
    runs: list.map((r) => ({
      index: r.index,
      key: r.key,
      mode: r.mode,
      params: r.params,
      overrides: r.overrides,
      window: r.window,
      ...(r.fold ? { fold: r.fold } : {}),
      run_id: r.run_id,
      error: r.error,
      summary: r.summary,
    })),
    generated_at: iso(Date.now()),
  };
}
