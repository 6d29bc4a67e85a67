/**
 * Backtest runner: historical clock over the market-data grid, simulated venues, and the one loop every
 * environment shares — settle, tight loop (positions → exposure → risk → PnL), strategy decision,
 * execution (tight loop again after every execution), record.
 */
import { resolveMode, type ResolvedMode } from '../config/index.js';
import { DEFAULT_CAPITAL, type ModeConfig } from '../config/schema.js';
import { MissingFileError, describeCoverage, ensureSampleDataset, loadMarketData } from '../data/index.js';
import type { LoadRequest, MarketData, SeriesMeta } from '../data/types.js';
import { InputError } from '../domain/errors.js';
import { HOUR_MS } from '../domain/types.js';
import type { RunEvent } from '../portfolio/ledger.js';
import {
  fillOutOfSpanMarks,
  hedgeCoverageVerdict,
  seriesPlan,
  type SeriesPlan,
  type CoverageVerdict,
  type WeightSpan,
} from './requirements.js';
import { buildRun, type RunParts } from './setup.js';
import { stepOf, type Flow } from './flows.js';
import type { StepRecorder } from './recorder.js';
import { runStep, type StepOptions } from './step.js';
import { familyOf } from '../strategies/index.js';
import { iso } from './time.js';
import type { PredictionSet, SignalSandbox } from '../signals/types.js';

export { MAX_PASSES_PER_STEP } from './step.js';

/** How long a backtest lets a withdrawal the strategy cannot fund wait before the run fails. */
export const MAX_WITHDRAWAL_DELAY_MS = 24 * HOUR_MS;

export interface BacktestOptions {
  mode: string;
  startMs?: number;
  endMs?: number;
  /** Initial capital in share-class units; default DEFAULT_CAPITAL of the mode's share class. */
  capital?: number;
  /** Dataset root; default env BASIS_DATA_DIR, else the generated synthetic sample. */
  dataDir?: string;
  configDir?: string;
  overrides?: string[];
  deposits?: Flow[];
  withdrawals?: Flow[];
  cacheDir?: string;
  /** ml_directional: predictions that replace the mode's signal source (benchmarks, tests). */
  signals?: PredictionSet;
  /** Runs started for an API caller: where the signal source may read and connect (docs/security.md). */
  sandbox?: SignalSandbox;
  /** Long first-time work before the loop (generating the sample dataset, training a model). */
  onPhase?: (phase: string, done: number, total: number) => void;
  /** Called about 100 times per run; a returned promise is awaited. */
  onProgress?: (done: number, total: number) => void | Promise<void>;
  /**
   * Supplies the window's market data instead of loading it: called with the load request and `load`
   * (loads and builds the derived series, returning their notes). A sweep answers from data it loaded
   * once (src/sweep/data.ts); the run only reads the data it is given.
   */
  loadData?: (req: LoadRequest, load: () => Promise<LoadedData>) => Promise<LoadedData>;
}

/** A window's market data with the notes of the series derived after loading (perp marks). */
export interface LoadedData {
  data: MarketData;
  derived: string[];
}

/** What a run's summary states beyond its series (src/results/summary.ts computes the figures). */
export interface RunFacts {
  mode: ModeConfig;
  initialCapital: number;
  notes: string[];
  hedgeWeights: Record<string, number>;
  /** Per-span hedge weights (hedge_coverage_rule reallocate); absent or empty when they never change. */
  hedgeSchedule?: WeightSpan[];
  runtimeMs: number;
  loadMs: number;
  loopMs: number;
  /** Set when the run stopped mid-way: the error (one line); the series hold the steps before it. */
  error?: string;
}

/** A run as the engine leaves it; `summariseRun` (src/results/run.ts) adds its summary. */
export interface BacktestRun {
  facts: RunFacts;
  recorder: StepRecorder;
  events: RunEvent[];
  data: MarketData;
  parts: RunParts;
}

/** Throws an InputError naming the registered families when the mode's family is not one of them. */
export function checkAvailable(mode: ModeConfig): void {
  familyOf(mode.family);
}

export function resolveDataDir(dataDir?: string, onGenerate?: () => void): { dir: string; sample: boolean } {
  const dir = dataDir ?? process.env.BASIS_DATA_DIR;
  if (dir && dir.length > 0) return { dir, sample: false };
  return { dir: ensureSampleDataset(undefined, onGenerate), sample: true };
}

/**
 * Default window: the intersection of the required series' coverage, narrowed by the hedge venues whose
 * series all start at or before that common start (a venue that starts later is left to the coverage
 * rule instead of shortening the window).
 */
export function defaultWindow(
  dataDir: string,
  plan: SeriesPlan,
  cacheDir?: string,
): { startMs: number; endMs: number } {
  const policy = plan.policy;
  const metas: SeriesMeta[] = describeCoverage(dataDir, plan.required, { cacheDir, policy });
  let first = Math.max(...metas.map((m) => m.coverage.firstMs));
  let last = Math.min(...metas.map((m) => m.coverage.lastMs));
  for (const ids of Object.values(plan.hedge)) {
    let venueMetas: SeriesMeta[];
    try {
      venueMetas = describeCoverage(dataDir, ids, { cacheDir, policy });
    } catch (err) {
      if (err instanceof MissingFileError) continue;
      throw err;
    }
    const vFirst = Math.max(...venueMetas.map((m) => m.coverage.firstMs));
    if (vFirst > first + 8 * HOUR_MS) continue;
    first = Math.max(first, vFirst);
    last = Math.min(last, ...venueMetas.map((m) => m.coverage.lastMs));
  }
  const unit = Math.max(HOUR_MS, plan.stepMs ?? HOUR_MS);
  return { startMs: Math.ceil(first / unit) * unit, endMs: Math.floor(last / unit) * unit };
}

/**
 * The capital must be something the venues can hold and trade: at least one smallest unit of the share
 * class (10^-decimals) and, for a mode with CEX venues, at least the largest minimum order notional among
 * them (valued at the window's first share-class price). Below that the run would trade nothing and report
 * a return of 0.
 */
export function checkCapital(resolved: ResolvedMode, capital: number, shareClassUsdt: number): void {
  const sc = resolved.shareClass;
  const unit = 10 ** -sc.decimals;
  if (capital < unit) {
    throw new InputError(
      `capital ${capital} ${sc.share_class} is below the smallest unit of the share class (${unit} ${sc.share_class}, ${sc.decimals} decimals)`,
    );
  }
  let venue: string | null = null;
  let minUsdt = 0;
  for (const [name, v] of Object.entries(resolved.venues)) {
    if (v.kind === 'cex' && v.min_order_notional_usdt > minUsdt) {
      minUsdt = v.min_order_notional_usdt;
      venue = name;
    }
  }
  if (venue !== null && Number.isFinite(shareClassUsdt) && capital * shareClassUsdt < minUsdt) {
    throw new InputError(
      `capital ${capital} ${sc.share_class} (${(capital * shareClassUsdt).toPrecision(4)} USDT at the window's first price) is below the minimum order notional of venue ${venue} (${minUsdt} USDT): the mode could not place an order`,
    );
  }
}

/** Runs a backtest and returns its series, events and facts; src/results/run.ts `runBacktest` adds the summary. */
export async function executeBacktest(opts: BacktestOptions): Promise<BacktestRun> {
  const t0 = performance.now();
  if (opts.capital !== undefined && !(Number.isFinite(opts.capital) && opts.capital > 0)) {
    throw new InputError(`capital must be a positive number, was ${opts.capital}`);
  }
  const resolved = resolveMode(opts.mode, { configDir: opts.configDir, overrides: opts.overrides });
  const mode = resolved.mode;
  const capital = opts.capital ?? DEFAULT_CAPITAL[mode.share_class];
  checkAvailable(mode);
  const { dir: dataDir } = resolveDataDir(opts.dataDir, () =>
    opts.onPhase?.('generating the synthetic sample dataset (first run only)', 0, 1),
  );

  const plan = seriesPlan(mode);
  const { startMs, endMs } = windowOf(dataDir, plan, opts.startMs, opts.endMs, opts.cacheDir);

  const { data, derived, verdict } = await loadWindow(mode, plan, dataDir, startMs, endMs, opts);
  const loadMs = performance.now() - t0;

  const parts = buildRun(resolved, data, verdict.weights);
  checkCapital(resolved, capital, parts.pricer.shareClassUsdt(0));
  parts.ledger.setTime(data.startMs); // events logged before the loop are stamped with the run's start
  for (const note of verdict.notes) parts.ledger.event('coverage_rule', { note });
  for (const note of derived) parts.ledger.event('data_rule', { note });
  const prepared = parts.strategy.prepare
    ? await parts.strategy.prepare({
        data,
        events: parts.ledger,
        modeFile: resolved.modeFile,
        signals: opts.signals,
        sandbox: opts.sandbox,
        cacheDir: opts.cacheDir,
        onPhase: opts.onPhase,
      })
    : [];

  const n = data.length;
  const depositAt = new Float64Array(n);
  const withdrawAt = new Float64Array(n);
  depositAt[0] += capital;
  for (const f of opts.deposits ?? [])
    depositAt[stepOf(f.timeMs, data.startMs, data.stepMs, n, 'deposit')] += f.amount;
  for (const f of opts.withdrawals ?? [])
    withdrawAt[stepOf(f.timeMs, data.startMs, data.stepMs, n, 'withdrawal')] += f.amount;
  // withdrawals beyond what was ever put in can never be paid: refused before the run starts
  let putIn = 0;
  let takenOut = 0;
  for (let i = 0; i < n; i++) {
    putIn += depositAt[i];
    takenOut += withdrawAt[i];
    if (withdrawAt[i] > 0 && takenOut > putIn * (1 + 1e-12)) {
      throw new InputError(
        `withdrawals up to ${iso(data.timestampsMs[i])} (${takenOut} ${mode.share_class}) exceed the capital and deposits up to then (${putIn} ${mode.share_class})`,
      );
    }
  }

  const t1 = performance.now();
  const finish = (rec: StepRecorder, error?: string): BacktestRun => {
    const facts: RunFacts = {
      mode,
      initialCapital: capital,
      notes: [...verdict.notes, ...parts.notes, ...derived, ...prepared],
      hedgeWeights: verdict.weights,
      hedgeSchedule: verdict.schedule,
      runtimeMs: performance.now() - t0,
      loadMs,
      loopMs: performance.now() - t1,
    };
    if (error !== undefined) facts.error = error;
    return { facts, recorder: rec, events: parts.ledger.events, data, parts };
  };
  let rec: StepRecorder;
  try {
    rec = await runLoop(parts, depositAt, withdrawAt, opts.onProgress, scheduleSteps(data, verdict.schedule));
  } catch (err) {
    // a run that stops mid-way keeps what it computed: the steps recorded before the failing one
    if (err instanceof Error && parts.recorder.length > 0) {
      const message = err.message.split('\n')[0];
      parts.ledger.event('run_failed', { error: message });
      partials.set(err, finish(parts.recorder, message));
    }
    throw err;
  }
  return finish(rec);
}

const partials = new WeakMap<Error, BacktestRun>();

/**
 * The steps a failed run recorded before it stopped (with the error in its facts), or undefined when it
 * failed before its first step. CLI and API write it as a failed run (src/results/run.ts).
 */
export function partialExecutionOf(err: unknown): BacktestRun | undefined {
  return err instanceof Error ? partials.get(err) : undefined;
}

/** The loop itself (the one step of src/engine/step.ts over the grid), shared by the benchmark. */
/**
 * The window of a run over history: the given bounds, each missing one from the data coverage
 * (`defaultWindow`); an empty window is an InputError (`empty`: what to tell the user).
 */
export function windowOf(
  dataDir: string,
  plan: SeriesPlan,
  from: number | undefined,
  to: number | undefined,
  cacheDir?: string,
  empty = 'end must be after start',
): { startMs: number; endMs: number } {
  let startMs = from;
  let endMs = to;
  if (startMs === undefined || endMs === undefined) {
    const w = defaultWindow(dataDir, plan, cacheDir);
    startMs ??= w.startMs;
    endMs ??= w.endMs;
  }
  if (!(endMs > startMs))
    throw new InputError(`the window ${iso(startMs)} .. ${iso(endMs)} is empty: ${empty}`);
  return { startMs, endMs };
}

/**
 * A window's market data as every run over history reads it (a backtest, a replay): the hedge coverage rule
 * first (a corrupt row fails there, it is not a coverage gap), the plan's series with the hedge venues'
 * (a venue without data for part of the window loaded as optional: its series cover only the rest), the
 * derived series, and the marks of flat venues inside their spans without data.
 */
export async function loadWindow(
  mode: ModeConfig,
  plan: SeriesPlan,
  dataDir: string,
  startMs: number,
  endMs: number,
  opts: Pick<BacktestOptions, 'cacheDir' | 'loadData'> = {},
): Promise<LoadedData & { verdict: CoverageVerdict }> {
  const verdict = hedgeCoverageVerdict(mode, plan, dataDir, startMs, endMs, opts.cacheDir);
  const required = [...plan.required];
  const optional = [...(plan.optional ?? [])];
  const partial = new Set(
    verdict.schedule.flatMap((e) => Object.keys(e.weights).filter((v) => e.weights[v] === 0)),
  );
  for (const v of Object.keys(verdict.weights)) (partial.has(v) ? optional : required).push(...plan.hedge[v]);
  const req: LoadRequest = {
    dataDir,
    startMs,
    endMs,
    required,
    optional,
    cacheDir: opts.cacheDir,
    stepMs: plan.stepMs,
    policy: plan.policy,
  };
  const load = async (): Promise<LoadedData> => {
    const loaded = await loadMarketData(req);
    const derived = plan.derive?.(loaded) ?? [];
    fillOutOfSpanMarks(loaded, mode, verdict.schedule);
    return { data: loaded, derived };
  };
  const loaded = opts.loadData ? await opts.loadData(req, load) : await load();
  return { ...loaded, verdict };
}

/** The step each entry of a hedge-weight schedule takes effect: the first step at or after its time. */
export function scheduleSteps(
  data: MarketData,
  schedule: readonly WeightSpan[],
): Map<number, Record<string, number>> {
  const out = new Map<number, Record<string, number>>();
  for (const e of schedule) {
    let step = Math.ceil((e.fromMs - data.startMs) / data.stepMs);
    step = Math.max(0, Math.min(data.length - 1, step));
    out.set(step, e.weights);
  }
  return out;
}

export async function runLoop(
  parts: RunParts,
  depositAt: Float64Array,
  withdrawAt: Float64Array,
  onProgress?: (done: number, total: number) => void | Promise<void>,
  /** Hedge weights from a step on (per-span coverage rule): the strategy is reweighed before that step. */
  weightsAt: ReadonlyMap<number, Record<string, number>> = new Map(),
): Promise<StepRecorder> {
  const { cursor, data, positions, exposure, pnl, ledger, recorder } = parts;
  const n = data.length;
  const progressEvery = Math.max(1, Math.floor(n / 100));

  cursor.step = 0;
  ledger.setTime(data.timestampsMs[0]);
  positions.refresh();
  exposure.update(0);
  pnl.start(0);

  // A withdrawal beyond the step's equity fails the run. One the strategy cannot fund at its step (e.g. a
  // gas spike beyond the wallet's reserve: an unwind pays its gas before its proceeds arrive) waits and is
  // paid at the first step it can be, stated in the run's notes; unpaid after MAX_WITHDRAWAL_DELAY_MS or
  // at the window's end, it fails the run.
  const firstStep: StepOptions = { settle: false, unfunded: 'defer', beyondEquity: 'fail', record: true };
  const nextSteps: StepOptions = { ...firstStep, settle: true };
  let carried = 0;
  let since = -1;
  let why = '';
  for (let step = 0; step < n; step++) {
    const w = weightsAt.get(step);
    if (w) {
      parts.reweigh(w);
      ledger.setTime(data.timestampsMs[step]);
      ledger.event('hedge_reweight', { weights: w });
    }
    const wd = withdrawAt[step] + carried;
    const r = runStep(parts, step, depositAt[step], wd, step > 0 ? nextSteps : firstStep);
    const out = r instanceof Promise ? await r : r;
    if (out.deferred !== undefined) {
      if (since < 0) {
        since = step;
        why = out.deferred;
      }
      carried = wd;
      const late = data.timestampsMs[step] - data.timestampsMs[since];
      if (late >= MAX_WITHDRAWAL_DELAY_MS || step === n - 1)
        throw new InputError(
          late > 0
            ? `${why}; still unpaid ${Math.round(late / HOUR_MS)} h later (${iso(data.timestampsMs[step])})`
            : why,
        );
    } else if (since >= 0) {
      parts.notes.push(
        `${why}; paid ${Math.round((data.timestampsMs[step] - data.timestampsMs[since]) / HOUR_MS)} h later, at ${iso(data.timestampsMs[step])}`,
      );
      carried = 0;
      since = -1;
    }
    if (onProgress && (step % progressEvery === 0 || step === n - 1)) await onProgress(step + 1, n);
  }
  ledger.flushInterest();
  return recorder;
}
