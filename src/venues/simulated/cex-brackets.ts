/**
 * Bracket (conditional) orders of the simulated CEX: a stop-loss and / or take-profit trigger price held
 * for a whole perp position, set with `perp_open` (`stopLossPrice`, `takeProfitPrice`) and cancelled when
 * the position is closed.
 *
 * Resolution, in `settle(step)`, from the bar that ran from step − 1 to step (open O = mark at step − 1,
 * high H, low L of that bar), for a long with stop S < take T (a short mirrors it):
 * 1. O ≤ S → stop-loss filled at O (the bar opened through the stop: a gap);
 *    O ≥ T → take-profit filled at O (gap in the position's favour);
 * 2. L ≤ S → stop-loss at S — also when H ≥ T in the same bar: the path inside a bar is unknown, so when
 *    both levels could have been hit the stop is assumed first (the conservative choice);
 * 3. H ≥ T → take-profit at T;
 * then, after funding, the open of the new bar (mark at step) is checked the same way, so a price that
 * opens beyond a level fills there at that open. Both triggers fill as market orders: no slippage beyond
 * the level, the run's perp fee. A bar without high / low (NaN) is only checked at its open. When the bar
 * also crossed the liquidation price and that price lies before the stop on the way down (long: LP > S;
 * short: LP < S), or the hit is a take-profit, the liquidation is assumed first and the venue liquidates.
 */

/** A bracket level hit: which one, where it filled and whether it was a gap through the level. */
export interface BracketHit {
  reason: 'sl' | 'tp';
  price: number;
  gap: boolean;
}

import type { Ledger, PerpTrigger } from '../types.js';
import type { CexMarket } from './cex-market.js';
import { QUOTE } from './cex-market.js';

const set = (x: number) => x === x && x > 0;

/**
 * Which level (if any) a bar hits for a position of signed `size`, given its open, high and low (high and
 * low may be NaN: then only the open is checked). Stop first when both could have been hit.
 */
export function resolveBracket(
  size: number,
  stop: number,
  take: number,
  open: number,
  high: number,
  low: number,
): BracketHit | null {
  if (size === 0 || !(open > 0)) return null;
  const hasStop = set(stop);
  const hasTake = set(take);
  if (size > 0) {
    if (hasStop && open <= stop) return { reason: 'sl', price: open, gap: true };
    if (hasTake && open >= take) return { reason: 'tp', price: open, gap: true };
    if (hasStop && low <= stop) return { reason: 'sl', price: stop, gap: false };
    if (hasTake && high >= take) return { reason: 'tp', price: take, gap: false };
  } else {
    if (hasStop && open >= stop) return { reason: 'sl', price: open, gap: true };
    if (hasTake && open <= take) return { reason: 'tp', price: open, gap: true };
    if (hasStop && high >= stop) return { reason: 'sl', price: stop, gap: false };
    if (hasTake && low <= take) return { reason: 'tp', price: take, gap: false };
  }
  return null;
}

/**
 * Whether a liquidation at `lp` inside the same bar comes before the bracket hit: always for a
 * take-profit; for a stop when the liquidation price lies between the open and the stop.
 */
export function liquidationFirst(size: number, hit: BracketHit, lp: number): boolean {
  if (hit.gap || !(lp === lp)) return false;
  if (hit.reason === 'tp') return true;
  return size > 0 ? lp > hit.price : lp < hit.price;
}

/**
 * Checks a new bracket against the current mark: a long needs stop < mark < take, a short
 * take < mark < stop (a level already crossed would trigger at once). Returns the problem or null.
 */
export function bracketProblem(
  size: number,
  stop: number | undefined,
  take: number | undefined,
  mark: number,
) {
  const long = size > 0;
  if (stop !== undefined && !(Number.isFinite(stop) && stop > 0))
    return `stop-loss ${stop} is not a positive price`;
  if (take !== undefined && !(Number.isFinite(take) && take > 0))
    return `take-profit ${take} is not a positive price`;
  if (stop !== undefined && (long ? stop >= mark : stop <= mark))
    return `stop-loss ${stop} must be ${long ? 'below' : 'above'} the mark ${mark} for a ${long ? 'long' : 'short'}`;
  if (take !== undefined && (long ? take <= mark : take >= mark))
    return `take-profit ${take} must be ${long ? 'above' : 'below'} the mark ${mark} for a ${long ? 'long' : 'short'}`;
  return null;
}

/** Per-perp-slot bracket levels (NaN = none), with checkpoint / restore. */
export class BracketBook {
  readonly stop: Float64Array;
  readonly take: Float64Array;

  constructor(slots: number) {
    this.stop = new Float64Array(slots).fill(NaN);
    this.take = new Float64Array(slots).fill(NaN);
  }

  has(k: number): boolean {
    return set(this.stop[k]) || set(this.take[k]);
  }

  any(): boolean {
    for (let k = 0; k < this.stop.length; k++) if (this.has(k)) return true;
    return false;
  }

  place(k: number, stop: number | undefined, take: number | undefined): void {
    this.stop[k] = stop ?? NaN;
    this.take[k] = take ?? NaN;
  }

  cancel(k: number): void {
    this.stop[k] = NaN;
    this.take[k] = NaN;
  }

  checkpoint(): Float64Array {
    const c = new Float64Array(this.stop.length * 2);
    c.set(this.stop);
    c.set(this.take, this.stop.length);
    return c;
  }

  restore(c: Float64Array): void {
    this.stop.set(c.subarray(0, this.stop.length));
    this.take.set(c.subarray(this.stop.length));
  }
}

/** What settleBrackets needs of the venue: its arrays (by reference), market and liquidation price. */
export interface BracketHost {
  readonly name: string;
  readonly mk: CexMarket;
  readonly size: Float64Array;
  readonly entry: Float64Array;
  /** Balance slots; slot 0 is USDT. */
  readonly balances: Float64Array;
  readonly perpFee: number;
  /** Grid times (MarketData.timestampsMs). */
  readonly timestampsMs: Float64Array;
  readonly brackets: BracketBook;
  readonly triggers: (PerpTrigger | null)[];
  liquidationPrice(k: number, step: number): number;
}

/**
 * Resolves the brackets of every open perp against the bar that ran from step − 1 to step (`inBar`), or
 * against the open of the bar at `step` (`!inBar`). A hit closes the whole position at the fill price with
 * the run's perp fee; the difference between the fill and the mark the step is valued at is booked as
 * `price` PnL (the bar's move up to the level), so balance PnL and attribution agree.
 */
export function settleBrackets(h: BracketHost, step: number, inBar: boolean, ledger: Ledger): void {
  const { mk, size, entry, balances, brackets } = h;
  const t = h.timestampsMs;
  for (let k = 0; k < size.length; k++) {
    const s = size[k];
    if (s === 0 || !brackets.has(k)) continue;
    const bar = inBar ? step - 1 : step;
    const hi = mk.high[k];
    const lo = mk.low[k];
    const high = inBar && hi ? hi[bar] : NaN;
    const low = inBar && lo ? lo[bar] : NaN;
    const hit = resolveBracket(s, brackets.stop[k], brackets.take[k], mk.rawMark(k, bar), high, low);
    if (!hit) continue;
    if (inBar) {
      const lp = h.liquidationPrice(k, step);
      const crossed = s > 0 ? low <= lp : high >= lp;
      if (crossed && liquidationFirst(s, hit, lp)) continue;
    }
    const m = mk.markAt(k, step);
    const fee = Math.abs(s) * hit.price * h.perpFee;
    balances[0] += s * (hit.price - entry[k]) - fee;
    size[k] = 0;
    entry[k] = 0;
    brackets.cancel(k);
    const symbol = mk.perpSymbols[k];
    h.triggers[k] = { symbol, ...hit, size: s, barMs: t[bar], timeMs: t[step] };
    if (fee !== 0) ledger.book('trading_fees', QUOTE, -fee, h.name, symbol);
    ledger.book('price', QUOTE, s * (hit.price - m), h.name);
    ledger.event('bracket_fill', {
      venue: h.name,
      symbol,
      reason: hit.reason,
      gap: hit.gap,
      size: s,
      price: hit.price,
      mark: m,
      fee,
      bar: new Date(t[bar]).toISOString(),
    });
  }
}
