/**
 * Performance metrics from the per-step series. Returns are time-weighted (deposits and withdrawals do
 * not count as performance): r_t = pnl_t / (equity_{t-1} + deposits_t).
 */
import { MS_PER_YEAR } from '../domain/types.js';

export interface Metrics {
  /** Time-weighted return over the window, fraction. */
  totalReturn: number;
  /** (1 + totalReturn)^(year / window) − 1, compounded and annualised (365-day year). */
  apy: number;
  /**
   * Largest peak-to-trough fall of the time-weighted equity index, positive fraction; peaks from the end
   * of the first step on (the opening trades' costs count in the return, not as a drawdown).
   */
  maxDrawdown: number;
  /** mean / std of daily returns × √365, risk-free rate 0; null with fewer than 2 days. */
  sharpe: number | null;
  /** Standard deviation of daily returns × √365. */
  volatility: number | null;
}

export function computeMetrics(
  timestampsMs: Float64Array,
  equity: Float64Array,
  pnl: Float64Array,
  deposits: Float64Array,
  length: number,
): Metrics {
  let index = 1;
  // the first peak is the index after the first step: the opening trades' costs are in the return,
  // not a drawdown (a pure lending run has no drawdown at all)
  let peak = 0;
  let maxDd = 0;
  const daily: number[] = [];
  let dayStartIndex = 1;
  let day = Math.floor(timestampsMs[0] / 86_400_000);
  for (let t = 0; t < length; t++) {
    const base = (t > 0 ? equity[t - 1] : 0) + deposits[t];
    const r = base > 0 ? pnl[t] / base : 0;
    index *= 1 + r;
    if (index > peak) peak = index;
    const dd = 1 - index / peak;
    if (dd > maxDd) maxDd = dd;
    const d = Math.floor(timestampsMs[t] / 86_400_000);
    if (d !== day) {
      daily.push(index / dayStartIndex - 1);
      dayStartIndex = index;
      day = d;
    }
  }
  const totalReturn = index - 1;
  const years = (timestampsMs[length - 1] - timestampsMs[0]) / MS_PER_YEAR;
  const apy = years > 0 && index > 0 ? Math.pow(index, 1 / years) - 1 : 0;
  let sharpe: number | null = null;
  let volatility: number | null = null;
  if (daily.length >= 2) {
    const mean = daily.reduce((s, x) => s + x, 0) / daily.length;
    const variance = daily.reduce((s, x) => s + (x - mean) ** 2, 0) / (daily.length - 1);
    const sd = Math.sqrt(variance);
    volatility = sd * Math.sqrt(365);
    sharpe = sd > 0 ? (mean / sd) * Math.sqrt(365) : null;
  }
  return { totalReturn, apy, maxDrawdown: maxDd, sharpe, volatility };
}
