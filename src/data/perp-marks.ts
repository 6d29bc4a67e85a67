/**
 * Perp marks on a grid finer than the hourly perp candles, with an explicit rule where the perp's own
 * candles are missing (the Binance 5-minute perp files have a 230-day hole in 2024).
 *
 * For every step t of the grid (bar [t, t + step)):
 * - when a perp candle of the grid's resolution opens in the bar, the mark is that candle's value by the
 *   usual candle rule (open at t) and the bar's high / low are the candle's;
 * - otherwise the bar is FILLED from the spot candle of the same bar and the hourly basis:
 *     b_h  = perp_1h.open(h) / spot.open(h) − 1, measured at the open of the hour h that contains t (both
 *            known at h ≤ t, so no look-ahead), carried forward from the last hour that had an hourly perp
 *            candle when the hour's own candle is missing;
 *     mark = spot(t) × (1 + b_h),  high = spot.high(t) × (1 + b_h),  low = spot.low(t) × (1 + b_h).
 *
 * On grids of an hour or more the hourly perp candles are the grid's own candles and only their holes are
 * filled. The result replaces `cex.{venue}.{SYMBOL}.perp.{price,high,low}` in the MarketData, so the
 * simulated venue and the valuation read one consistent mark; `PerpMarkReport.note` says what was done
 * and must be reported with the run.
 */
import { DataError } from '../domain/errors.js';
import { stepLabel } from './load.js';
import { HOUR_MS, formatMinuteUtc } from './timestamps.js';
import type { MarketData } from './types.js';

export interface FilledSpan {
  fromMs: number;
  /** Last filled step (inclusive). */
  toMs: number;
  steps: number;
}

export interface PerpMarkReport {
  venue: string;
  symbol: string;
  steps: number;
  /** Steps whose mark comes from the perp's own candles at the grid resolution. */
  fromCandles: number;
  /** Steps filled by the spot × hourly-basis rule. */
  filled: number;
  /** Runs of consecutive filled steps, longest first (at most 5). */
  longestFilled: FilledSpan[];
  /** Hours without an hourly perp candle in which filled steps used the last basis carried forward. */
  basisCarriedHours: number;
  /** The source file of the grid-resolution candles, or null when none was loaded. */
  candleFile: string | null;
  /** One line for the run's notes. */
  note: string;
}

export function perpIds(venue: string, symbol: string) {
  const p = `cex.${venue}.${symbol}`;
  return {
    price: `${p}.perp.price`,
    high: `${p}.perp.high`,
    low: `${p}.perp.low`,
    fine: { price: `${p}.perp_5m.price`, high: `${p}.perp_5m.high`, low: `${p}.perp_5m.low` },
  };
}

export function spotIds(venue: string, symbol: string) {
  const p = `cex.${venue}.${symbol}.spot`;
  return { price: `${p}.price`, high: `${p}.high`, low: `${p}.low` };
}

/**
 * The series the rule reads for a grid of `stepMs`: hourly perp candles (price and high, for the basis and
 * their presence), the spot candles, and, below one hour, the optional 5-minute perp candles.
 */
export function perpMarkSeries(
  venue: string,
  symbol: string,
  stepMs: number,
  spotVenue = 'binance',
): { required: string[]; optional: string[] } {
  const p = perpIds(venue, symbol);
  const s = spotIds(spotVenue, symbol);
  return {
    required: [p.price, p.high, p.low, s.price, s.high, s.low],
    optional: stepMs < HOUR_MS ? [p.fine.price, p.fine.high, p.fine.low] : [],
  };
}

function need(data: MarketData, id: string): Float64Array {
  const s = data.series.get(id);
  if (!s) throw new DataError(`perp mark rule: series ${id} is not loaded`, id);
  return s;
}

/** Applies the rule in place (see the file comment) and reports what it did. */
export function composePerpMarks(
  data: MarketData,
  venue: string,
  symbol: string,
  spotVenue = 'binance',
): PerpMarkReport {
  const { stepMs, length: n, timestampsMs: ts } = data;
  const p = perpIds(venue, symbol);
  const s = spotIds(spotVenue, symbol);
  const hourPrice = need(data, p.price);
  const hourHigh = need(data, p.high);
  const hourLow = need(data, p.low);
  const spot = need(data, s.price);
  const spotHigh = need(data, s.high);
  const spotLow = need(data, s.low);
  const fine = stepMs < HOUR_MS && data.series.has(p.fine.price);
  const cPrice = fine ? need(data, p.fine.price) : hourPrice;
  const cHigh = fine ? need(data, p.fine.high) : hourHigh;
  const cLow = fine ? need(data, p.fine.low) : hourLow;

  const price = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const usable = stepMs < HOUR_MS ? fine : true;
  let basis = NaN;
  let basisHour = -1;
  let carried = 0;
  let hourCarried = false;
  let carriedCounted = false;
  let fromCandles = 0;
  const spans: FilledSpan[] = [];
  let spanStart = -1;
  for (let i = 0; i < n; i++) {
    const t = ts[i];
    const hour = Math.floor(t / HOUR_MS);
    if (hour !== basisHour) {
      basisHour = hour;
      // the step at the open of this hour (or the grid's first step when the hour opened before it)
      const h = Math.max(0, i - Math.round((t - hour * HOUR_MS) / stepMs));
      hourCarried = !(hourHigh[h] === hourHigh[h] && hourPrice[h] > 0 && spot[h] > 0);
      carriedCounted = false;
      if (!hourCarried) basis = hourPrice[h] / spot[h] - 1;
    }
    if (usable && cHigh[i] === cHigh[i] && cPrice[i] > 0) {
      price[i] = cPrice[i];
      high[i] = cHigh[i];
      low[i] = cLow[i];
      fromCandles++;
      if (spanStart >= 0) spans.push(span(ts, spanStart, i - 1));
      spanStart = -1;
      continue;
    }
    if (hourCarried && !carriedCounted) {
      carried++; // an hour without its hourly perp candle in which the rule was used
      carriedCounted = true;
    }
    const f = 1 + basis;
    price[i] = spot[i] * f;
    high[i] = spotHigh[i] * f;
    low[i] = spotLow[i] * f;
    if (spanStart < 0) spanStart = i;
  }
  if (spanStart >= 0) spans.push(span(ts, spanStart, n - 1));
  data.series.set(p.price, price);
  data.series.set(p.high, high);
  data.series.set(p.low, low);

  const filled = n - fromCandles;
  const longestFilled = spans.sort((a, b) => b.steps - a.steps || a.fromMs - b.fromMs).slice(0, 5);
  const candleFile = fine
    ? (data.meta.get(p.fine.price)?.file ?? null)
    : stepMs >= HOUR_MS
      ? (data.meta.get(p.price)?.file ?? null)
      : null;
  const grid = stepLabel(stepMs);
  const where =
    longestFilled.length === 0
      ? ''
      : ` (longest: ${longestFilled
          .slice(0, 3)
          .map((g) => `${formatMinuteUtc(g.fromMs)} .. ${formatMinuteUtc(g.toMs)} ${g.steps} steps`)
          .join('; ')}${spans.length > 3 ? `; ${spans.length} runs in all` : ''})`;
  const note =
    `perp marks ${venue} ${symbol} on the ${grid} grid: ${fromCandles} of ${n} steps from the perp's own ` +
    `${candleFile ? `candles (${candleFile})` : 'candles (none at this resolution)'}, ${filled} filled by the rule ` +
    `mark = spot ${grid} candle × (perp/spot at the open of the hour, hourly perp candles)${where}` +
    (carried > 0 ? `; basis carried forward over ${carried} hours without an hourly perp candle` : '');
  return {
    venue,
    symbol,
    steps: n,
    fromCandles,
    filled,
    longestFilled,
    basisCarriedHours: carried,
    candleFile,
    note,
  };
}

function span(ts: Float64Array, from: number, to: number): FilledSpan {
  return { fromMs: ts[from], toMs: ts[to], steps: to - from + 1 };
}
