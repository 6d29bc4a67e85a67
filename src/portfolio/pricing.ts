/**
 * Prices every asset the engine holds in USDT and in the share class, from grid series resolved once.
 * Reference prices: BTC and ETH from the mode's spot venue series (binance by default); WETH = ETH;
 * LSTs = ETH × the Aave oracle exchange rate; tokens with only a WETH pool (EIGEN, ETHFI) = ETH × their DEX
 * price; USDT = 1.
 */
import { DataError } from '../domain/errors.js';
import type { ShareClass } from '../domain/types.js';
import type { MarketCursor } from '../data/cursor.js';

export class Pricer {
  private readonly usdtSeries = new Map<string, Float64Array | null>();
  private readonly lstRate = new Map<string, Float64Array>();
  private readonly scSeries: Float64Array | null;

  constructor(
    private readonly market: MarketCursor,
    readonly shareClass: ShareClass,
    readonly spotVenue = 'binance',
  ) {
    this.scSeries = shareClass === 'USDT' ? null : this.usdtPriceSeries(shareClass === 'ETH' ? 'ETH' : 'BTC');
  }

  /** Price series id used for an asset's USDT price, or null for USDT itself. */
  static referenceSeries(asset: string, spotVenue = 'binance'): string | null {
    switch (asset) {
      case 'USDT':
      case 'USDC':
        return null;
      case 'ETH':
      case 'WETH':
        return `cex.${spotVenue}.ETHUSDT.spot.price`;
      case 'BTC':
        return `cex.${spotVenue}.BTCUSDT.spot.price`;
      default:
        return `cex.${spotVenue}.${asset}USDT.spot.price`;
    }
  }

  private usdtPriceSeries(asset: string): Float64Array | null {
    if (this.usdtSeries.has(asset)) return this.usdtSeries.get(asset) ?? null;
    let s: Float64Array | null;
    if (asset === 'weETH' || asset === 'wstETH') {
      this.lstRate.set(asset, this.market.series(`oracle.${asset}.eth`));
      s = this.usdtPriceSeries('ETH');
    } else {
      const id = Pricer.referenceSeries(asset, this.spotVenue);
      if (id === null) s = null;
      else if (this.market.hasSeries(id)) s = this.market.series(id);
      else if (this.spotVenue !== 'binance' && this.market.hasSeries(Pricer.referenceSeries(asset)!))
        s = this.market.series(Pricer.referenceSeries(asset)!);
      else if (this.market.hasSeries(`dex.${asset}WETH.price`)) s = this.wethPairInUsdt(asset);
      else throw new DataError(`no price series for ${asset}: ${id} is not loaded`, id);
    }
    this.usdtSeries.set(asset, s);
    return s;
  }

  /**
   * Tokens traded only on chain against WETH (reward tokens EIGEN, ETHFI): WETH per token on the DEX
   * (`dex.{ASSET}WETH.price`) × the ETH reference price; NaN before the pool's first bar.
   */
  private wethPairInUsdt(asset: string): Float64Array {
    const dex = this.market.series(`dex.${asset}WETH.price`);
    const eth = this.usdtPriceSeries('ETH');
    const out = new Float64Array(dex.length);
    for (let i = 0; i < dex.length; i++) out[i] = dex[i] * (eth === null ? 1 : eth[i]);
    return out;
  }

  /** Price of one unit of `asset` in USDT at `step`. */
  usdt(asset: string, step = this.market.step): number {
    const s = this.usdtPriceSeries(asset);
    let p = s === null ? 1 : s[step];
    const rate = this.lstRate.get(asset);
    if (rate) p *= rate[step];
    return p;
  }

  /** Price of one share-class unit in USDT at `step`. */
  shareClassUsdt(step = this.market.step): number {
    return this.scSeries === null ? 1 : this.scSeries[step];
  }

  /** Price of one unit of `asset` in share-class units at `step`. */
  inShareClass(asset: string, step = this.market.step): number {
    if (asset === this.shareClass || (this.shareClass === 'ETH' && asset === 'WETH')) return 1;
    return this.usdt(asset, step) / this.shareClassUsdt(step);
  }

  /** Resolves a function-free accessor for the hot loop: the USDT price array (null = 1) and LST rate. */
  accessor(asset: string): { usdt: Float64Array | null; rate: Float64Array | null; unit: boolean } {
    const unit = asset === this.shareClass || (this.shareClass === 'ETH' && asset === 'WETH');
    return { usdt: this.usdtPriceSeries(asset), rate: this.lstRate.get(asset) ?? null, unit };
  }
}
