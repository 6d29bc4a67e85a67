/**
 * The replay environment of the wall-clock runner (`basis run --replay`): recorded history from the
 * dataset fed through the same runner, journal and control commands, on a simulated clock, with every
 * venue simulated (no network).
 *
 * - `loadReplayHistory` loads the window the way a backtest does (the family's data plan, the hedge
 *   coverage rule, the derived series), so a replay and a backtest of one window read the same numbers.
 * - `ReplayGrid` is the runner's market-data grid: the window's schedule (timestamps, length) is known
 *   up front, as a clock's ticks are, but every series value is NaN until its row is replayed — the
 *   runner appends one row per tick, so nothing reads a value ahead of the clock.
 * - `ReplayMarketSource` appends the next recorded row at each tick; it has ended after the last row.
 * - `ReplayClock`: `now()` is virtual time; `sleep(ms)` advances it by `ms` after `ms / speed` real
 *   milliseconds (`speed` 0: at once).
 */
import { resolveDataDir, loadWindow, scheduleSteps, windowOf } from '../backtest.js';
import type { ResolvedMode } from '../../config/index.js';
import type { GridRow } from '../../data/live-grid.js';
import type { EventSeries, MarketData, SeriesMeta } from '../../data/types.js';
import { DataError, InputError } from '../../domain/errors.js';
import type { MarketSourceState, TickResult } from '../../venues/feeds/market-source.js';
import type { StepRecorder } from '../recorder.js';
import { seriesPlan } from '../requirements.js';
import { iso } from '../time.js';
import type { Clock } from './options.js';

export interface ReplayOptions {
  /** Window start (UTC ms); default the data coverage's start, as a backtest. */
  fromMs?: number;
  /** Window end, inclusive (UTC ms); default the data coverage's end. */
  toMs?: number;
  /** Simulated time per real time: 0 as fast as the runner goes, N N× real time. */
  speed: number;
  /** Dataset root (default BASIS_DATA_DIR, else the generated sample). */
  dataDir?: string;
  cacheDir?: string;
}

/** The window's history as a backtest loads it. */
export interface ReplayHistory {
  data: MarketData;
  /** Hedge weights after the coverage rule (the backtest's). */
  weights: Record<string, number>;
  /** Per-span hedge weights from a step on (the backtest's schedule, hedge_coverage_rule reallocate). */
  weightsAt: Map<number, Record<string, number>>;
  /** Coverage-rule notes and notes of the derived series (also the backtest's). */
  coverageNotes: string[];
  derivedNotes: string[];
  loadMs: number;
}

export async function loadReplayHistory(resolved: ResolvedMode, o: ReplayOptions): Promise<ReplayHistory> {
  const t0 = performance.now();
  const mode = resolved.mode;
  const { dir: dataDir } = resolveDataDir(o.dataDir);
  const plan = seriesPlan(mode);
  const { startMs, endMs } = windowOf(
    dataDir,
    plan,
    o.fromMs,
    o.toMs,
    o.cacheDir,
    '--to must be after --from',
  );
  const { data, derived, verdict } = await loadWindow(mode, plan, dataDir, startMs, endMs, o);
  return {
    data,
    weights: verdict.weights,
    weightsAt: scheduleSteps(data, verdict.schedule),
    coverageNotes: verdict.notes,
    derivedNotes: derived,
    loadMs: performance.now() - t0,
  };
}

/** The replay's grid: the window's schedule up front, each row's values once the runner appended it. */
export class ReplayGrid implements MarketData {
  readonly startMs: number;
  readonly stepMs: number;
  readonly length: number;
  readonly timestampsMs: Float64Array;
  readonly synthetic: boolean;
  readonly datasetId: string;
  readonly dataDir: string;
  readonly series = new Map<string, Float64Array>();
  readonly events: Map<string, EventSeries>;
  readonly meta: Map<string, SeriesMeta>;
  readonly notes?: string[];
  readonly ids: string[];
  /** Rows replayed so far. */
  rows = 0;
  readonly full = false;

  constructor(readonly history: MarketData) {
    this.startMs = history.startMs;
    this.stepMs = history.stepMs;
    this.length = history.length;
    this.timestampsMs = history.timestampsMs;
    this.synthetic = history.synthetic;
    this.datasetId = history.datasetId;
    this.dataDir = history.dataDir;
    this.events = history.events;
    this.meta = history.meta;
    if (history.notes) this.notes = history.notes;
    this.ids = [...history.series.keys()];
    for (const id of this.ids) this.series.set(id, new Float64Array(history.length).fill(Number.NaN));
  }

  /** Replays the next recorded row; returns its step. */
  appendNext(): { step: number; values: Record<string, number> } {
    const step = this.rows;
    if (step >= this.length)
      throw new DataError(`the replay has no row after ${iso(this.timestampsMs[step - 1])}`);
    const values: Record<string, number> = {};
    for (const id of this.ids) {
      const v = this.history.series.get(id)![step];
      this.series.get(id)![step] = v;
      values[id] = v;
    }
    this.rows = step + 1;
    return { step, values };
  }

  /** Replays rows up to (excluding) `rows` (a resumed replay). */
  seed(rows: number): void {
    while (this.rows < rows) this.appendNext();
  }

  get ended(): boolean {
    return this.rows >= this.length;
  }

  /** The time of the next row (end of the window once ended). */
  get nextTimeMs(): number {
    return this.ended ? this.timestampsMs[this.length - 1] + this.stepMs : this.timestampsMs[this.rows];
  }

  tail(n: number): GridRow[] {
    const out: GridRow[] = [];
    for (let step = Math.max(0, this.rows - n); step < this.rows; step++) {
      const values: Record<string, number> = {};
      for (const [id, s] of this.series) values[id] = s[step];
      out.push({ timeMs: this.timestampsMs[step], values });
    }
    return out;
  }

  /** The step of the row at `timeMs`, or -1. */
  stepAt(timeMs: number): number {
    const k = Math.round((timeMs - this.startMs) / this.stepMs);
    return k >= 0 && k < this.length && this.timestampsMs[k] === timeMs ? k : -1;
  }
}

/** The runner's market source in a replay: the next recorded row at each tick. */
export class ReplayMarketSource {
  constructor(private readonly grid: ReplayGrid) {}

  get ended(): boolean {
    return this.grid.ended;
  }

  state(): MarketSourceState {
    return { announced: {} };
  }

  restore(): void {}

  async tick(timeMs: number): Promise<TickResult> {
    const g = this.grid;
    if (g.ended) throw new DataError(`the replay ended at ${iso(g.timestampsMs[g.length - 1])}`);
    if (timeMs !== g.nextTimeMs)
      throw new DataError(
        `replay clock at ${iso(timeMs)} but the next recorded row is at ${iso(g.nextTimeMs)}`,
      );
    const { step, values } = g.appendNext();
    return { step, errors: [], values };
  }
}

/** Virtual time: `sleep(ms)` advances it by `ms`, waiting `ms / speed` real ms (speed 0: none). */
export class ReplayClock implements Clock {
  constructor(
    private t: number,
    readonly speed: number,
  ) {
    if (!(Number.isFinite(speed) && speed >= 0))
      throw new InputError(`replay speed must be 0 (as fast as possible) or a positive number, was ${speed}`);
  }

  now = (): number => this.t;

  set(timeMs: number): void {
    this.t = timeMs;
  }

  sleep = async (ms: number): Promise<void> => {
    const target = this.t + Math.max(0, ms);
    if (this.speed > 0 && ms > 0) await new Promise((r) => setTimeout(r, ms / this.speed));
    else await new Promise((r) => setImmediate(r));
    if (target > this.t) this.t = target;
  };
}

/** Every column of a recorder, in a fixed order (one row of them per step goes to the journal). */
export function recorderColumns(r: StepRecorder): Float64Array[] {
  return [
    r.equity,
    r.flows,
    r.deposits,
    r.pnl,
    r.residual,
    ...r.attribution,
    ...r.positions,
    ...r.marginRatio,
    r.healthFactor,
    r.ltv,
    r.deltaDrift,
    r.netDelta,
    r.liqDistanceAsset,
    r.liqDistanceLst,
    ...r.positionValues,
    r.grossExposure,
  ];
}

export function recorderRow(r: StepRecorder, step: number): number[] {
  return recorderColumns(r).map((c) => c[step]);
}

/** Writes a journaled row back into the recorder (a resumed replay keeps the steps recorded before). */
export function restoreRecorderRow(r: StepRecorder, step: number, row: readonly number[]): void {
  const cols = recorderColumns(r);
  if (row.length !== cols.length)
    throw new DataError(`journaled step ${step} has ${row.length} columns, the run records ${cols.length}`);
  for (let i = 0; i < cols.length; i++) cols[i][step] = row[i];
  if (step + 1 > r.length) r.length = step + 1;
}
