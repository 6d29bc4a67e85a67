/**
 * The market side of a simulated CEX: balance slots, spot and perp symbols, their price / bar / funding
 * series (resolved once) and maintenance margin rates, addressed by number for the settle loop.
 *
 * - Spot: `cex.<venue>.<SYMBOL>.spot.price`; a venue without spot series (OKX in the dataset) trades at the
 *   Binance spot price `cex.binance.<SYMBOL>.spot.price`.
 * - Perp mark: `cex.<venue>.<SYMBOL>.perp.price`; bar extremes `perp.high` / `perp.low` (optional: without
 *   them only the mark-based liquidation check runs).
 * - Funding: the grid series `cex.<venue>.<SYMBOL>.funding` (rate at funding steps, NaN elsewhere); when only
 *   the event series is loaded it is laid on the grid here, once, like src/data/align.ts does (each event on
 *   the step that contains it, events sharing a step summed).
 */
import type { CexVenueConfig } from '../../config/schema.js';
import { ConfigError, DataError, VenueError } from '../../domain/errors.js';
import type { MarketCursor } from '../../data/cursor.js';
import type { PerpPositionView } from '../types.js';

/** Totals over a venue's perps at one step, USDT. */
export interface PerpTotals {
  upnl: number;
  notional: number;
  mm: number;
}

export const QUOTE = 'USDT';

export class CexMarket {
  /** Balance slots: USDT (slot 0), then the spot symbols' base assets. */
  readonly balanceAssets: readonly string[];
  readonly spotSymbols: readonly string[];
  readonly perpSymbols: readonly string[];
  /** Balance slot of each spot symbol's base asset. */
  readonly spotBase: number[] = [];
  /** Per perp slot: the maintenance-margin brackets (upper notional, rate, cum), ascending. */
  private readonly tierCap: Float64Array[] = [];
  private readonly tierRate: Float64Array[] = [];
  private readonly tierCum: Float64Array[] = [];
  readonly high: (Float64Array | null)[] = [];
  readonly low: (Float64Array | null)[] = [];
  readonly funding: Float64Array[] = [];
  private readonly balIdx = new Map<string, number>();
  private readonly spotIdx = new Map<string, number>();
  private readonly perpIdx = new Map<string, number>();
  private readonly spotPx: Float64Array[] = [];
  private readonly spotPxId: string[] = [];
  private readonly mark: Float64Array[] = [];
  private readonly markId: string[] = [];

  constructor(
    private readonly venue: string,
    config: CexVenueConfig,
    private readonly cursor: MarketCursor,
    symbols: { spot: readonly string[]; perp: readonly string[] },
  ) {
    const ex = config.venue;
    const bad = (path: string, problem: string) => new ConfigError(`venue ${venue}`, path, problem);
    const opt = (id: string) => (cursor.hasSeries(id) ? cursor.series(id) : null);
    const assets = [QUOTE];
    for (const sym of symbols.spot) {
      if (!config.symbols.spot.includes(sym)) throw bad('symbols.spot', `${sym} is not listed`);
      if (!sym.endsWith(QUOTE) || sym === QUOTE) throw bad('symbols.spot', `${sym} is not a ${QUOTE} pair`);
      const base = sym.slice(0, -QUOTE.length);
      if (!assets.includes(base)) assets.push(base);
      this.spotIdx.set(sym, this.spotBase.length);
      this.spotBase.push(assets.indexOf(base));
      const own = `cex.${ex}.${sym}.spot.price`;
      const id = cursor.hasSeries(own) ? own : `cex.binance.${sym}.spot.price`;
      this.spotPxId.push(id);
      this.spotPx.push(cursor.series(id));
    }
    assets.forEach((a, i) => this.balIdx.set(a, i));
    this.balanceAssets = assets;
    this.spotSymbols = [...symbols.spot];
    this.perpSymbols = [...symbols.perp];
    symbols.perp.forEach((sym, k) => {
      if (!config.symbols.perp.includes(sym)) throw bad('symbols.perp', `${sym} is not listed`);
      const rate = config.perp.maintenance_margin_rate[sym];
      if (rate === undefined) throw bad(`perp.maintenance_margin_rate.${sym}`, 'missing');
      this.perpIdx.set(sym, k);
      const tiers = config.perp.maintenance_margin_tiers?.[sym] ?? [{ max_notional_usdt: Infinity, rate }];
      const cap = new Float64Array(tiers.length);
      const r = new Float64Array(tiers.length);
      const cum = new Float64Array(tiers.length);
      tiers.forEach((t, i) => {
        // the last bracket extends to any notional; cum_i = cum_{i-1} + floor_i × (rate_i − rate_{i-1})
        cap[i] = i === tiers.length - 1 ? Infinity : t.max_notional_usdt;
        r[i] = t.rate;
        cum[i] = i === 0 ? 0 : cum[i - 1] + tiers[i - 1].max_notional_usdt * (t.rate - tiers[i - 1].rate);
      });
      this.tierCap.push(cap);
      this.tierRate.push(r);
      this.tierCum.push(cum);
      const base = `cex.${ex}.${sym}`;
      this.markId.push(`${base}.perp.price`);
      this.mark.push(cursor.series(`${base}.perp.price`));
      this.high.push(opt(`${base}.perp.high`));
      this.low.push(opt(`${base}.perp.low`));
      this.funding.push(fundingGrid(cursor, `${base}.funding`));
    });
  }

  /** The maintenance-margin bracket of perp slot `k` for a position of `notional` USDT. */
  bracket(k: number, notional: number): number {
    const cap = this.tierCap[k];
    let b = 0;
    while (notional > cap[b]) b++;
    return b;
  }

  /** Maintenance margin rate of bracket `b` of perp slot `k`. */
  rateOf(k: number, b: number): number {
    return this.tierRate[k][b];
  }

  /** Maintenance amount (cum) of bracket `b` of perp slot `k`, USDT. */
  cumOf(k: number, b: number): number {
    return this.tierCum[k][b];
  }

  /** Maintenance margin of a position of `notional` USDT on perp slot `k`: notional × rate − cum of its bracket. */
  maintenance(k: number, notional: number): number {
    if (notional === 0) return 0;
    const b = this.bracket(k, notional);
    return notional * this.tierRate[k][b] - this.tierCum[k][b];
  }

  /** Perp mark at `step`; missing → DataError naming the series and the time. */
  markAt(k: number, step: number): number {
    const m = this.mark[k][step];
    if (!(m > 0)) this.missing(this.markId[k], step);
    return m;
  }

  /** Raw mark (NaN allowed) for views of flat positions. */
  rawMark(k: number, step: number): number {
    return this.mark[k][step];
  }

  spotAt(k: number, step: number): number {
    const p = this.spotPx[k][step];
    if (!(p > 0)) this.missing(this.spotPxId[k], step);
    return p;
  }

  /** Perp mark of `symbol` at `step`. */
  markOf(symbol: string, step: number): number {
    return this.markAt(this.perpSlot(symbol), step);
  }

  /** Spot price of `symbol` at `step`. */
  spotOf(symbol: string, step: number): number {
    return this.spotAt(this.spotSlot(symbol), step);
  }

  /**
   * Σ unrealised PnL, Σ notional and Σ maintenance margin of the perps (signed sizes, entry prices) at the
   * marks of `step`, written into `out` (reused: no allocation on the hot path).
   */
  measurePerps(size: Float64Array, entry: Float64Array, step: number, out: PerpTotals): PerpTotals {
    let upnl = 0;
    let notional = 0;
    let mm = 0;
    for (let k = 0; k < size.length; k++) {
      const s = size[k];
      if (s === 0) continue;
      const m = this.markAt(k, step);
      const n = Math.abs(s) * m;
      upnl += s * (m - entry[k]);
      notional += n;
      mm += this.maintenance(k, n);
    }
    out.upnl = upnl;
    out.notional = notional;
    out.mm = mm;
    return out;
  }

  /**
   * The position view of perp slot `k` (mark may be NaN for a flat position); the caller supplies the LP and
   * any bracket levels. One object literal of a fixed shape: this is called several times per step.
   */
  perpView(
    k: number,
    size: number,
    entryPrice: number,
    step: number,
    liquidationPrice: number,
    stopLossPrice = NaN,
    takeProfitPrice = NaN,
  ): PerpPositionView {
    const m = size === 0 ? this.rawMark(k, step) : this.markAt(k, step);
    return {
      symbol: this.perpSymbols[k],
      size,
      entryPrice,
      markPrice: m,
      unrealizedPnl: size === 0 ? 0 : size * (m - entryPrice),
      maintenanceMargin: size === 0 ? 0 : this.maintenance(k, Math.abs(size) * m),
      liquidationPrice: size === 0 ? NaN : liquidationPrice,
      stopLossPrice,
      takeProfitPrice,
    };
  }

  perpSlot(symbol: string): number {
    const k = this.perpIdx.get(symbol);
    if (k === undefined) throw this.unknown(`perp ${symbol}`, this.perpSymbols);
    return k;
  }

  spotSlot(symbol: string): number {
    const k = this.spotIdx.get(symbol);
    if (k === undefined) throw this.unknown(`spot symbol ${symbol}`, this.spotSymbols);
    return k;
  }

  balSlot(asset: string): number {
    const i = this.balIdx.get(asset);
    if (i === undefined) throw this.unknown(`${asset} balance`, this.balanceAssets);
    return i;
  }

  hasBalance(asset: string): boolean {
    return this.balIdx.has(asset);
  }

  private unknown(what: string, known: readonly string[]): VenueError {
    return new VenueError(this.venue, `${what} is not traded at this venue (${known.join(', ') || 'none'})`);
  }

  private missing(id: string, step: number): never {
    const at = new Date(this.cursor.data.timestampsMs[step]).toISOString();
    throw new DataError(`${this.venue}: series ${id} has no value at ${at} (step ${step})`, id);
  }
}

/** Grid funding series, or the event series laid on the grid (each event on the step that contains it). */
function fundingGrid(cursor: MarketCursor, id: string): Float64Array {
  if (cursor.hasSeries(id)) return cursor.series(id);
  const events = cursor.data.events.get(id);
  if (!events) throw new DataError(`series ${id} is not loaded for this run`, id);
  const { startMs, stepMs, length } = cursor.data;
  const grid = new Float64Array(length).fill(NaN);
  for (let e = 0; e < events.timestampsMs.length; e++) {
    const k = Math.floor((events.timestampsMs[e] - startMs) / stepMs);
    if (k < 0 || k >= length) continue;
    const r = events.values[e];
    grid[k] = grid[k] !== grid[k] ? r : grid[k] + r;
  }
  return grid;
}
