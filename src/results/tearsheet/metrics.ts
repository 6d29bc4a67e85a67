/**
 * Tearsheet figures computed from a run's recorded series (pure functions; the engine computes none of
 * them). Returns are time-weighted: the stored `twr_index` (r_t = pnl_t / (equity_{t−1} + deposits_t)),
 * so deposits and withdrawals never count as performance.
 *
 * Daily returns follow the summary's convention (src/results/metrics.ts): a day's return is the index at
 * the first step of the next UTC day over the index at the first step of that day (1 before the first
 * step); the last, unfinished day is left out. So `volatility` here equals the summary's.
 */
import { MS_PER_YEAR } from '../../domain/types.js';

const DAY_MS = 86_400_000;
const SQRT_365 = Math.sqrt(365);

export interface DailyReturns {
  /** Start (UTC midnight, epoch ms) of each day whose return is given. */
  t: number[];
  r: number[];
  /** The index at the end of each of those days (the first step of the next day). */
  index: number[];
}

export function dailyReturns(timestamps: ArrayLike<number>, index: ArrayLike<number>): DailyReturns {
  const out: DailyReturns = { t: [], r: [], index: [] };
  if (timestamps.length === 0) return out;
  let day = Math.floor(timestamps[0] / DAY_MS);
  let startIndex = 1;
  for (let i = 0; i < timestamps.length; i++) {
    const d = Math.floor(timestamps[i] / DAY_MS);
    if (d !== day) {
      out.t.push(day * DAY_MS);
      out.r.push(index[i] / startIndex - 1);
      out.index.push(index[i]);
      startIndex = index[i];
      day = d;
    }
  }
  return out;
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Sample standard deviation (n − 1); null with fewer than 2 values. */
export function stdev(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Annualised volatility of daily returns (× √365); null with fewer than 2 days. */
export function volatility(daily: readonly number[]): number | null {
  const sd = stdev(daily);
  return sd === null ? null : sd * SQRT_365;
}

/** mean / sd × √365 (risk-free 0); null with fewer than 2 days or no dispersion. */
export function sharpe(daily: readonly number[]): number | null {
  const sd = stdev(daily);
  return sd === null || sd === 0 ? null : (mean(daily) / sd) * SQRT_365;
}

/**
 * mean / downside deviation × √365, the downside deviation being √(Σ min(r, 0)² / n) (target 0);
 * null with fewer than 2 days or no losing day.
 */
export function sortino(daily: readonly number[]): number | null {
  if (daily.length < 2) return null;
  const down = Math.sqrt(daily.reduce((s, x) => s + Math.min(x, 0) ** 2, 0) / daily.length);
  return down === 0 ? null : (mean(daily) / down) * SQRT_365;
}

/** APY / max drawdown; null without a drawdown. */
export function calmar(apy: number, maxDrawdown: number): number | null {
  return maxDrawdown > 0 ? apy / maxDrawdown : null;
}

/** Compounded annual growth of the index from the first to the last step (the summary's APY). */
export function annualised(timestamps: ArrayLike<number>, index: ArrayLike<number>): number {
  const n = timestamps.length;
  if (n === 0) return 0;
  const years = (timestamps[n - 1] - timestamps[0]) / MS_PER_YEAR;
  const last = index[n - 1];
  return years > 0 && last > 0 ? Math.pow(last, 1 / years) - 1 : 0;
}

/** Largest fall of the index from its running peak (peaks from the end of the first step on). */
export function maxDrawdown(index: ArrayLike<number>): number {
  let peak = 0;
  let dd = 0;
  for (let i = 0; i < index.length; i++) {
    if (index[i] > peak) peak = index[i];
    const x = 1 - index[i] / peak;
    if (x > dd) dd = x;
  }
  return dd;
}

export interface MonthlyReturn {
  /** `YYYY-MM`. */
  month: string;
  year: number;
  /** 1..12. */
  m: number;
  r: number;
}

/**
 * Return of each calendar month (UTC): the index at the first step of the next month over the index at
 * the first step of the month (1 before the first step); the last month runs to the last step, so the
 * months compound to the total return.
 */
export function monthlyReturns(timestamps: ArrayLike<number>, index: ArrayLike<number>): MonthlyReturn[] {
  const out: MonthlyReturn[] = [];
  const n = timestamps.length;
  if (n === 0) return out;
  const monthOf = (ms: number) => {
    const d = new Date(ms);
    return d.getUTCFullYear() * 12 + d.getUTCMonth();
  };
  const push = (k: number, r: number) => {
    const year = Math.floor(k / 12);
    const m = (k % 12) + 1;
    out.push({ month: `${year}-${String(m).padStart(2, '0')}`, year, m, r });
  };
  let month = monthOf(timestamps[0]);
  let start = 1;
  for (let i = 0; i < n; i++) {
    const k = monthOf(timestamps[i]);
    if (k !== month) {
      push(month, index[i] / start - 1);
      start = index[i];
      month = k;
    }
  }
  push(month, index[n - 1] / start - 1);
  return out;
}

/** Returns per calendar year, compounded from the months. */
export function yearlyReturns(months: readonly MonthlyReturn[]): { year: number; r: number }[] {
  const by = new Map<number, number>();
  for (const m of months) by.set(m.year, (by.get(m.year) ?? 1) * (1 + m.r));
  return [...by].map(([year, g]) => ({ year, r: g - 1 }));
}

export interface RollingPoint {
  t: number;
  value: number | null;
}

/** Sharpe of the trailing `window` daily returns, for each day from the window's end on. */
export function rollingSharpe(daily: DailyReturns, window: number): RollingPoint[] {
  const out: RollingPoint[] = [];
  for (let i = window - 1; i < daily.r.length; i++) {
    out.push({ t: daily.t[i], value: sharpe(daily.r.slice(i - window + 1, i + 1)) });
  }
  return out;
}

/**
 * Drawdown from the trailing peak of `window` days: 1 − index_d / max(index over the window's days and
 * the index the window starts from), for each day from the window's end on.
 */
export function rollingDrawdown(daily: DailyReturns, window: number): RollingPoint[] {
  const out: RollingPoint[] = [];
  for (let i = window - 1; i < daily.index.length; i++) {
    let peak = i - window >= 0 ? daily.index[i - window] : 1;
    for (let j = i - window + 1; j <= i; j++) peak = Math.max(peak, daily.index[j]);
    out.push({ t: daily.t[i], value: 1 - daily.index[i] / peak });
  }
  return out;
}
