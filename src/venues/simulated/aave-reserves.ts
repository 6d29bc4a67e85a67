/**
 * The market side of the simulated Aave pool: per reserve, the index and oracle series (resolved once) and
 * the risk parameters of the venue config, addressed by reserve number for the settle loop.
 *
 * Prices (USD): `oracle.{ASSET}.usd`; when missing, `oracle.{ASSET}.eth × oracle.WETH.usd` (LSTs); when
 * missing too, 1.0 for USD stablecoins (USDT, USDC, DAI). WETH without an oracle value at a step is priced
 * at the reference `cex.binance.ETHUSDT.spot.price`. A missing series only fails (DataError naming the
 * series and the time) when a position needs it.
 */
import type { LendingVenueConfig } from '../../config/schema.js';
import { DataError, VenueError } from '../../domain/errors.js';
import type { MarketCursor } from '../../data/cursor.js';

const STABLECOINS = new Set(['USDT', 'USDC', 'DAI']);
const ETH_REFERENCE = 'cex.binance.ETHUSDT.spot.price';

export class AaveReserves {
  /** Reference ETH/USDT price used where an ETH reserve's oracle has no value (e.g. before its first row). */
  private readonly fallback: (Float64Array | null)[] = [];
  readonly assets: readonly string[];
  readonly ltv: Float64Array;
  readonly lt: Float64Array;
  readonly bonus: Float64Array;
  /** 1 when the reserve belongs to the e-mode category. */
  readonly inEmode: Uint8Array;
  private readonly idx = new Map<string, number>();
  private readonly liquidity: (Float64Array | null)[] = [];
  private readonly borrow: (Float64Array | null)[] = [];
  private readonly liquidityId: string[] = [];
  private readonly borrowId: string[] = [];
  /** USD price = priceA[step] × (priceB ? priceB[step] : 1), or `priceConst` when priceA is null. */
  private readonly priceA: (Float64Array | null)[] = [];
  private readonly priceB: (Float64Array | null)[] = [];
  private readonly priceConst: number[] = [];
  private readonly priceId: string[] = [];

  constructor(
    private readonly venue: string,
    config: LendingVenueConfig,
    private readonly cursor: MarketCursor,
    assets: readonly string[],
  ) {
    const n = assets.length;
    this.assets = [...assets];
    this.ltv = new Float64Array(n);
    this.lt = new Float64Array(n);
    this.bonus = new Float64Array(n);
    this.inEmode = new Uint8Array(n);
    const opt = (id: string) => (cursor.hasSeries(id) ? cursor.series(id) : null);
    assets.forEach((a, i) => {
      const reserve = config.reserves[a];
      if (!reserve) {
        const known = Object.keys(config.reserves).join(', ');
        throw new VenueError(venue, `reserve ${a} is not configured (reserves: ${known})`);
      }
      this.idx.set(a, i);
      this.ltv[i] = reserve.ltv;
      this.lt[i] = reserve.liquidation_threshold;
      this.bonus[i] = reserve.liquidation_bonus;
      this.inEmode[i] = config.emode?.assets.includes(a) ? 1 : 0;
      this.liquidityId.push(`aave.${a}.liquidityIndex`);
      this.borrowId.push(`aave.${a}.variableBorrowIndex`);
      this.liquidity.push(opt(this.liquidityId[i]));
      this.borrow.push(opt(this.borrowId[i]));
      const usd = `oracle.${a}.usd`;
      const eth = `oracle.${a}.eth`;
      const wethUsd = 'oracle.WETH.usd';
      // ETH-priced reserves fall back to the reference ETH/USDT price where the oracle has no value
      const ethRef = cursor.hasSeries(ETH_REFERENCE) ? cursor.series(ETH_REFERENCE) : null;
      const ethUsd = cursor.hasSeries(wethUsd) ? cursor.series(wethUsd) : ethRef;
      if (cursor.hasSeries(usd)) this.addPrice(usd, cursor.series(usd), null, NaN);
      else if (cursor.hasSeries(eth) && ethUsd !== null)
        this.addPrice(`${eth} × ${wethUsd}`, cursor.series(eth), ethUsd, NaN);
      else if ((a === 'WETH' || a === 'ETH') && ethRef !== null)
        this.addPrice(ETH_REFERENCE, ethRef, null, NaN);
      else this.addPrice(usd, null, null, STABLECOINS.has(a) ? 1 : NaN);
      this.fallback.push(a === 'WETH' || a === 'ETH' ? ethRef : null);
    });
  }

  /** Reserve number of `asset`; unknown → VenueError. */
  slot(asset: string): number {
    const i = this.idx.get(asset);
    if (i === undefined) {
      throw new VenueError(this.venue, `reserve ${asset} is not tracked (assets: ${this.assets.join(', ')})`);
    }
    return i;
  }

  /** Oracle price in USD at `step`; missing → DataError. */
  price(i: number, step: number): number {
    const a = this.priceA[i];
    const b = this.priceB[i];
    let p = a === null ? this.priceConst[i] : b === null ? a[step] : a[step] * b[step];
    if (!(p > 0) && this.fallback[i] !== null) p = this.fallback[i]![step];
    if (!(p > 0)) this.missing(this.priceId[i], step);
    return p;
  }

  liquidityIndex(i: number, step: number): number {
    const s = this.liquidity[i];
    const v = s === null ? NaN : s[step];
    if (!(v > 0)) this.missing(this.liquidityId[i], step);
    return v;
  }

  borrowIndex(i: number, step: number): number {
    const s = this.borrow[i];
    const v = s === null ? NaN : s[step];
    if (!(v > 0)) this.missing(this.borrowId[i], step);
    return v;
  }

  private missing(id: string, step: number): never {
    const at = new Date(this.cursor.data.timestampsMs[step]).toISOString();
    throw new DataError(`${this.venue}: series ${id} has no value at ${at} (step ${step})`, id);
  }

  private addPrice(id: string, a: Float64Array | null, b: Float64Array | null, constant: number): void {
    this.priceId.push(id);
    this.priceA.push(a);
    this.priceB.push(b);
    this.priceConst.push(constant);
  }
}
