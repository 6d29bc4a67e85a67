/**
 * What the recorded events say per venue: PnL by venue and source (the ledger's `booking` events —
 * funding, fees, gas, rewards… each with its share-class value — and its daily `interest` events),
 * funding APR by venue (`funding` events: size, mark, rate, payment) and turnover (`fill` events).
 * Price PnL is not booked per venue (it is the revaluation of the whole book): what the series attribute
 * to a source beyond the venues' bookings is reported as `unattributed`.
 */
import { MS_PER_YEAR } from '../../domain/types.js';

/** An event as the store returns it: type, venue and its data. */
export interface EventLike {
  seq?: number;
  t: string;
  type: string;
  venue: string | null;
  data: Record<string, unknown>;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export interface VenuePnl {
  venue: string;
  /** Share-class value per PnL source. */
  sources: Record<string, number>;
  total: number;
}

/** PnL by venue and source from the `booking` and `interest` events. */
export function pnlByVenue(events: readonly EventLike[]): VenuePnl[] {
  const by = new Map<string, Record<string, number>>();
  for (const e of events) {
    if (e.type !== 'booking' && e.type !== 'interest') continue;
    const venue = (e.venue ?? (e.data.venue as string | undefined)) || 'unknown';
    const source = String(e.data.source ?? 'other');
    const row = by.get(venue) ?? {};
    row[source] = (row[source] ?? 0) + num(e.data.value);
    by.set(venue, row);
  }
  return [...by]
    .map(([venue, sources]) => ({
      venue,
      sources,
      total: Object.values(sources).reduce((s, x) => s + x, 0),
    }))
    .sort((a, b) => a.venue.localeCompare(b.venue));
}

/** Per source: the series' total minus what the venues booked (price revaluation, mostly). */
export function unattributed(
  attribution: Record<string, number>,
  venues: readonly VenuePnl[],
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [source, total] of Object.entries(attribution)) {
    const booked = venues.reduce((s, v) => s + (v.sources[source] ?? 0), 0);
    const rest = total - booked;
    // rounding of the same bookings summed in two orders is no unattributed PnL
    out[source] = Math.abs(rest) <= 1e-9 * Math.max(1, Math.abs(total)) ? 0 : rest;
  }
  return out;
}

export interface FundingApr {
  venue: string;
  /** Funding payments received (negative: paid), in the payment's currency (USDT). */
  payments: number;
  /** Number of funding events. */
  periods: number;
  /** Mean payment per unit of notional (|size| × mark) per period. */
  mean_rate: number;
  /** Funding periods per year (from the median gap between a symbol's consecutive fundings). */
  periods_per_year: number;
  /** mean_rate × periods_per_year: the APR the position earned on its notional. */
  apr: number;
}

/**
 * Funding APR by venue: Σ payment / Σ (|size| × mark) per period, annualised by the median interval
 * between a symbol's consecutive funding events (8 h → 1095 periods a year).
 */
export function fundingAprByVenue(events: readonly EventLike[]): FundingApr[] {
  const by = new Map<string, { pay: number; notional: number; n: number; times: Map<string, number[]> }>();
  for (const e of events) {
    if (e.type !== 'funding') continue;
    const venue = (e.venue ?? (e.data.venue as string | undefined)) || 'unknown';
    const acc = by.get(venue) ?? { pay: 0, notional: 0, n: 0, times: new Map<string, number[]>() };
    acc.pay += num(e.data.payment);
    acc.notional += Math.abs(num(e.data.size) * num(e.data.mark));
    acc.n++;
    const symbol = String(e.data.symbol ?? '');
    const list = acc.times.get(symbol) ?? [];
    list.push(Date.parse(e.t));
    acc.times.set(symbol, list);
    by.set(venue, acc);
  }
  const out: FundingApr[] = [];
  for (const [venue, acc] of by) {
    const gaps: number[] = [];
    for (const list of acc.times.values()) {
      for (let i = 1; i < list.length; i++) if (list[i] > list[i - 1]) gaps.push(list[i] - list[i - 1]);
    }
    gaps.sort((a, b) => a - b);
    const median = gaps.length === 0 ? 8 * 3_600_000 : gaps[Math.floor((gaps.length - 1) / 2)];
    const meanRate = acc.notional > 0 ? acc.pay / acc.notional : 0;
    const perYear = MS_PER_YEAR / median;
    out.push({
      venue,
      payments: acc.pay,
      periods: acc.n,
      mean_rate: meanRate,
      periods_per_year: perYear,
      apr: meanRate * perYear,
    });
  }
  return out.sort((a, b) => a.venue.localeCompare(b.venue));
}

/** Operations that move cash rather than trade (left out of the turnover). */
const CASH_OPS = new Set(['transfer', 'supply', 'withdraw', 'borrow', 'repay']);

/**
 * Traded notional of the fills that trade (spot, perp, stake, swap…; not transfers or lending): |amount|
 * × price in USDT for a USDT share class, else |amount| in the traded asset's units (ETH or BTC, or an
 * LST worth about one).
 */
export function tradedNotional(events: readonly EventLike[], shareClass: string): number {
  let total = 0;
  for (const e of events) {
    if (e.type !== 'fill' || CASH_OPS.has(String(e.data.op))) continue;
    const amount = Math.abs(num(e.data.amount));
    const price = num(e.data.price);
    total += shareClass === 'USDT' ? amount * (price > 0 ? price : 1) : amount;
  }
  return total;
}

/** Turnover: traded notional over the mean equity, and per year. */
export function turnover(
  notional: number,
  equity: ArrayLike<number>,
  years: number,
): { ratio: number | null; annual: number | null } {
  let s = 0;
  let n = 0;
  for (let i = 0; i < equity.length; i++) {
    if (Number.isFinite(equity[i])) {
      s += equity[i];
      n++;
    }
  }
  const meanEquity = n > 0 ? s / n : 0;
  if (!(meanEquity > 0)) return { ratio: null, annual: null };
  const ratio = notional / meanEquity;
  return { ratio, annual: years > 0 ? ratio / years : null };
}
