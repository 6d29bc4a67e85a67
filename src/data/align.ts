/**
 * Puts parsed rows on the hourly grid t_i = startMs + i × stepMs, i = 0 .. length − 1. Every rule uses
 * only rows known at or before t (no look-ahead), except bar_high / bar_low, which describe the bar that
 * OPENS at t: the engine reads them at index i − 1 when at step i. All loops are single forward merges.
 */
import type { EventSeries } from './types.js';

export interface Grid {
  startMs: number;
  stepMs: number;
  length: number;
}

/** Seconds in the 365-day year Aave uses for its per-second rates. */
export const SECONDS_PER_YEAR = 365 * 86_400;

/**
 * Candles: a bar stamped s shows its open at s and its close at s + intervalMs. The value at t is the
 * OPEN of the bar stamped exactly t when present; otherwise the CLOSE of the latest bar stamped before t
 * if that bar has closed by t (s + intervalMs ≤ t), else (an unaligned bar still open at t) its open.
 * NaN before the first bar. For 5-minute files the bar stamped at the hour supplies the open.
 */
export function alignCandle(
  ts: Float64Array,
  open: Float64Array,
  close: Float64Array,
  intervalMs: number,
  g: Grid,
): Float64Array {
  const out = new Float64Array(g.length);
  const n = ts.length;
  let j = 0;
  for (let i = 0; i < g.length; i++) {
    const t = g.startMs + i * g.stepMs;
    while (j < n && ts[j] <= t) j++;
    const k = j - 1;
    if (k < 0) out[i] = NaN;
    else if (ts[k] === t) out[i] = open[k];
    else out[i] = ts[k] + intervalMs <= t ? close[k] : open[k];
  }
  return out;
}

/**
 * Bar extremes: the max (high) or min (low) over the bars that open in [t, t + stepMs); for hourly files
 * that is the bar stamped t. NaN when no bar opens in that hour.
 */
export function alignBarExtreme(
  ts: Float64Array,
  values: Float64Array,
  g: Grid,
  kind: 'max' | 'min',
): Float64Array {
  const out = new Float64Array(g.length);
  const n = ts.length;
  let j = 0;
  for (let i = 0; i < g.length; i++) {
    const t = g.startMs + i * g.stepMs;
    const tEnd = t + g.stepMs;
    while (j < n && ts[j] < t) j++;
    let v = NaN;
    while (j < n && ts[j] < tEnd) {
      const x = values[j];
      if (v !== v || (kind === 'max' ? x > v : x < v)) v = x;
      j++;
    }
    out[i] = v;
  }
  return out;
}

/** Levels: the last value stamped at or before t; NaN before the first row. */
export function alignLevel(ts: Float64Array, values: Float64Array, g: Grid): Float64Array {
  const out = new Float64Array(g.length);
  const n = ts.length;
  let j = 0;
  for (let i = 0; i < g.length; i++) {
    const t = g.startMs + i * g.stepMs;
    while (j < n && ts[j] <= t) j++;
    out[i] = j > 0 ? values[j - 1] : NaN;
  }
  return out;
}

/**
 * Aave indexes from daily snapshots (t_k, index_k): the index meets every snapshot exactly and, between
 * two, accrues at the one rate that meets the next snapshot, so it never steps down (the snapshot's own
 * `current…Rate` does not meet the next index on real data: accruing at it and then snapping to the
 * next snapshot made negative hourly steps, an artificial drawdown). With f = (t − t_k) / (t_{k+1} − t_k):
 *   simple (liquidityIndex):        index_k × (1 + (index_{k+1} / index_k − 1) × f)   (linear)
 *   compound (variableBorrowIndex): index_k × (index_{k+1} / index_k)^f                (geometric)
 * Before the first and after the last snapshot: NaN (no extrapolation).
 */
export function alignAaveIndex(
  ts: Float64Array,
  index: Float64Array,
  g: Grid,
  mode: 'simple' | 'compound',
): Float64Array {
  const out = new Float64Array(g.length);
  const n = ts.length;
  const last = n > 0 ? ts[n - 1] : NaN;
  let j = 0;
  for (let i = 0; i < g.length; i++) {
    const t = g.startMs + i * g.stepMs;
    while (j < n && ts[j] <= t) j++;
    const k = j - 1;
    if (k < 0 || t > last) {
      out[i] = NaN;
      continue;
    }
    const tk = ts[k];
    if (tk === t) {
      out[i] = index[k];
      continue;
    }
    // tk < t < last: snapshot k + 1 exists
    const f = (t - tk) / (ts[k + 1] - tk);
    const growth = index[k + 1] / index[k];
    out[i] = mode === 'simple' ? index[k] * (1 + (growth - 1) * f) : index[k] * Math.pow(growth, f);
  }
  return out;
}

/** Aave rates: the rate of the snapshot in force (latest at or before t); NaN before the first and after the last snapshot. */
export function alignSnapshotRate(ts: Float64Array, rate: Float64Array, g: Grid): Float64Array {
  const out = alignLevel(ts, rate, g);
  const n = ts.length;
  if (n === 0) return out;
  const last = ts[n - 1];
  for (let i = 0; i < g.length; i++) if (g.startMs + i * g.stepMs > last) out[i] = NaN;
  return out;
}

/**
 * Funding events: the raw events with startMs ≤ t ≤ endMs (already sorted and de-duplicated), plus a grid
 * series holding each event's rate at its step, NaN elsewhere. An event not on a whole step is put on the
 * step that contains it (rounded DOWN: 08:30 → 08:00); the reference data has funding only at whole hours.
 * Events sharing a step are summed (each is a separate payment).
 */
export function alignEvents(
  ts: Float64Array,
  values: Float64Array,
  g: Grid,
  endMs: number,
): { events: EventSeries; grid: Float64Array } {
  const n = ts.length;
  let lo = 0;
  while (lo < n && ts[lo] < g.startMs) lo++;
  let hi = lo;
  while (hi < n && ts[hi] <= endMs) hi++;
  const events: EventSeries = { timestampsMs: ts.slice(lo, hi), values: values.slice(lo, hi) };
  const grid = new Float64Array(g.length).fill(NaN);
  for (let j = lo; j < hi; j++) {
    const i = Math.floor((ts[j] - g.startMs) / g.stepMs);
    if (i < 0 || i >= g.length) continue;
    grid[i] = grid[i] !== grid[i] ? values[j] : grid[i] + values[j];
  }
  return { events, grid };
}
