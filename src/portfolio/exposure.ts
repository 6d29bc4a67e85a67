/**
 * ExposureMonitor: values positions in the share class and measures net delta per risk asset.
 * Perps are valued at their unrealised PnL (size × (mark − entry)); their margin sits in the venue's
 * USDT balance. Debt counts negatively. LSTs are priced as ETH × oracle exchange rate.
 */
import { PNL_SOURCE_INDEX } from '../domain/types.js';
import type { MarketCursor } from '../data/cursor.js';
import type { PositionMonitor } from './positions.js';
import type { Pricer } from './pricing.js';

interface SlotPricing {
  sign: number;
  perp: boolean;
  usdt: Float64Array | null;
  rate: Float64Array | null;
  unit: boolean;
  mark: Float64Array | null;
  /** Risk asset this slot's delta counts toward (BTC, ETH) or -1. */
  deltaAsset: number;
}

export const DELTA_ASSETS = ['BTC', 'ETH'] as const;

export class ExposureMonitor {
  private readonly pricing: SlotPricing[];
  private readonly sc: Float64Array | null;
  /** Value of each slot in the share class after the last `update`. */
  readonly values: Float64Array;
  /** Net delta per DELTA_ASSETS entry, in asset units. */
  readonly netDelta = new Float64Array(DELTA_ASSETS.length);
  equity = 0;
  grossExposure = 0;

  constructor(
    private readonly positions: PositionMonitor,
    private readonly pricer: Pricer,
    market: MarketCursor,
  ) {
    this.pricing = positions.slots.map((s) => {
      const perp = s.type === 'Perp';
      const acc = perp
        ? { usdt: null, rate: null, unit: pricer.shareClass === 'USDT' }
        : pricer.accessor(s.asset);
      const base = s.asset === 'WETH' || s.asset === 'weETH' || s.asset === 'wstETH' ? 'ETH' : s.asset;
      return {
        sign: s.type === 'debtToken' ? -1 : 1,
        perp,
        usdt: acc.usdt,
        rate: acc.rate,
        unit: acc.unit,
        mark: perp ? market.series(`cex.${s.venue}.${s.symbol}.perp.price`) : null,
        deltaAsset: (DELTA_ASSETS as readonly string[]).indexOf(base),
      };
    });
    this.sc = pricer.shareClass === 'USDT' ? null : pricer.accessor(pricer.shareClass).usdt;
    this.values = new Float64Array(positions.slots.length);
  }

  /** Values `amounts` (with perp `entries`) at `step` prices, in the share class. */
  valueOf(amounts: Float64Array, entries: Float64Array, step: number, out?: Float64Array): number {
    const scPx = this.sc === null ? 1 : this.sc[step];
    let total = 0;
    for (let i = 0; i < this.pricing.length; i++) {
      const a = amounts[i];
      if (a === 0) {
        if (out) out[i] = 0;
        continue;
      }
      const p = this.pricing[i];
      let v: number;
      if (p.perp) {
        v = (a * (p.mark![step] - entries[i])) / scPx;
      } else if (p.unit) {
        v = p.sign * a;
      } else {
        let px = p.usdt === null ? 1 : p.usdt[step];
        if (p.rate !== null) px *= p.rate[step];
        v = (p.sign * a * px) / scPx;
      }
      if (out) out[i] = v;
      total += v;
    }
    return total;
  }

  /**
   * The value change of holding `amounts` from `fromStep` to `toStep`, split into the LST exchange-rate
   * part (staking yield) and the rest (price). Writes both into `attribution` (indexed by PNL_SOURCES).
   */
  holdingPnl(
    amounts: Float64Array,
    entries: Float64Array,
    fromStep: number,
    toStep: number,
    attribution: Float64Array,
  ): void {
    const before = this.valueOf(amounts, entries, fromStep);
    const after = this.valueOf(amounts, entries, toStep);
    let staking = 0;
    const scPx = this.sc === null ? 1 : this.sc[toStep];
    for (let i = 0; i < this.pricing.length; i++) {
      const p = this.pricing[i];
      if (p.rate === null || amounts[i] === 0) continue;
      const ethUsdt = p.usdt === null ? 1 : p.usdt[toStep];
      staking += (p.sign * amounts[i] * ethUsdt * (p.rate[toStep] - p.rate[fromStep])) / scPx;
    }
    attribution[PNL_SOURCE_INDEX.staking_yield] += staking;
    attribution[PNL_SOURCE_INDEX.price] += after - before - staking;
  }

  /** Recomputes equity, per-slot values, gross exposure and net delta at `step`. */
  update(step: number): void {
    const amounts = this.positions.amounts;
    this.equity = this.valueOf(amounts, this.positions.entries, step, this.values);
    let gross = 0;
    this.netDelta.fill(0);
    const scPx = this.sc === null ? 1 : this.sc[step];
    for (let i = 0; i < this.pricing.length; i++) {
      const p = this.pricing[i];
      const a = amounts[i];
      if (a === 0) continue;
      if (p.perp) gross += Math.abs((a * p.mark![step]) / scPx);
      else gross += Math.abs(this.values[i]);
      if (p.deltaAsset >= 0) this.netDelta[p.deltaAsset] += p.sign * a * (p.rate === null ? 1 : p.rate[step]);
    }
    this.grossExposure = gross;
  }

  /** Net delta of `asset` (BTC or ETH) in asset units after the last update. */
  delta(asset: string): number {
    const i = (DELTA_ASSETS as readonly string[]).indexOf(asset === 'WETH' ? 'ETH' : asset);
    return i < 0 ? 0 : this.netDelta[i];
  }
}
