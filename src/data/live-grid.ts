/**
 * A market-data grid that grows on a wall clock: the same MarketData contract the backtest reads (one
 * Float64Array per series, index = step), preallocated to `capacity` rows and filled one row per tick, so
 * the simulated venues, the pricer and the monitors — which resolve their series arrays once — work on it
 * unchanged. Values not sampled yet are NaN. When the grid is full the runner rebuilds the run on a new
 * grid seeded with the most recent rows (`tail`).
 */
import { DataError } from '../domain/errors.js';
import type { MarketData, SeriesMeta } from './types.js';

export interface GridRow {
  timeMs: number;
  values: Record<string, number>;
}

export class LiveGrid implements MarketData {
  readonly startMs: number;
  readonly stepMs: number;
  length = 0;
  readonly timestampsMs: Float64Array;
  readonly synthetic = false;
  readonly datasetId = 'live';
  readonly dataDir = '';
  readonly series = new Map<string, Float64Array>();
  readonly events = new Map<string, { timestampsMs: Float64Array; values: Float64Array }>();
  readonly meta = new Map<string, SeriesMeta>();

  /**
   * @param ids series the run reads.
   * @param stepMs nominal tick length, ms (the live grid is as regular as the clock that fills it).
   */
  constructor(
    readonly ids: readonly string[],
    readonly capacity: number,
    stepMs: number,
    startMs: number,
  ) {
    if (!(capacity >= 2)) throw new DataError(`live grid capacity must be at least 2, was ${capacity}`);
    this.stepMs = stepMs;
    this.startMs = startMs;
    this.timestampsMs = new Float64Array(capacity).fill(Number.NaN);
    for (const id of ids) this.series.set(id, new Float64Array(capacity).fill(Number.NaN));
  }

  get full(): boolean {
    return this.length >= this.capacity;
  }

  get lastTimeMs(): number {
    return this.length === 0 ? Number.NEGATIVE_INFINITY : this.timestampsMs[this.length - 1];
  }

  /** Appends a row; series missing from `values` stay NaN. Returns its step. */
  append(row: GridRow): number {
    if (this.full) throw new DataError(`live grid is full (${this.capacity} rows)`);
    if (!(row.timeMs > this.lastTimeMs))
      throw new DataError(
        `live grid rows must move forward in time: ${new Date(row.timeMs).toISOString()} after ${new Date(this.lastTimeMs).toISOString()}`,
      );
    const step = this.length;
    this.timestampsMs[step] = row.timeMs;
    for (const [id, v] of Object.entries(row.values)) {
      const s = this.series.get(id);
      if (s) s[step] = v;
    }
    this.length = step + 1;
    return step;
  }

  /** Overwrites one value of an existing row (the bar extremes of the previous row once its bar closed). */
  set(step: number, id: string, value: number): void {
    if (step < 0 || step >= this.length) throw new DataError(`live grid has no row ${step}`);
    const s = this.series.get(id);
    if (s) s[step] = value;
  }

  value(step: number, id: string): number {
    return this.series.get(id)?.[step] ?? Number.NaN;
  }

  /** The last `n` rows, oldest first (to seed a new grid). */
  tail(n: number): GridRow[] {
    const out: GridRow[] = [];
    for (let step = Math.max(0, this.length - n); step < this.length; step++) {
      const values: Record<string, number> = {};
      for (const [id, s] of this.series) values[id] = s[step];
      out.push({ timeMs: this.timestampsMs[step], values });
    }
    return out;
  }
}
