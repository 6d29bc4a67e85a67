/**
 * RiskMonitor: per step, reads account health from the venues (CEX margin ratio, Aave health factor and
 * LTV) and net delta from the exposure monitor; raises alerts when a threshold is crossed and sets
 * `override` when positions must be reduced. It never acts: the strategy answers an override with
 * exit_partial.
 */
import type { ModeConfig } from '../config/schema.js';
import type { ExposureMonitor } from '../portfolio/exposure.js';
import type { CexVenue, LendingVenue, Ledger } from '../venues/types.js';

export type RiskLevel = 'ok' | 'warning' | 'critical';

export class RiskMonitor {
  /** Margin ratio per CEX venue (marginBalance / notional; Infinity when flat). */
  readonly marginRatio: Float64Array;
  healthFactor = Number.POSITIVE_INFINITY;
  ltv = 0;
  /** |net delta of the mode's asset| valued in the share class / equity. */
  deltaDrift = 0;
  /**
   * Liquidation distance in the price of the mode's asset: the smallest move (signed fraction, +0.3 = a
   * 30 % rise) that would liquidate a position, over the lending account (every reserve priced with that
   * asset moving together, health factor to 1) and each perp (its venue's liquidation price). NaN when no
   * such move liquidates anything (an e-mode LST loop against WETH debt under an ETH move). Measured by
   * `measureLiquidationDistance()`, once per step (when the step is recorded).
   */
  liqDistanceAsset = Number.NaN;
  /** Fall of the LST/ETH oracle rate (fraction) that takes the lending health factor to 1; NaN without debt. */
  liqDistanceLst = Number.NaN;
  level: RiskLevel = 'ok';
  override = false;
  reasons: string[] = [];
  /** Last alert level per CEX venue and of the health factor. */
  private readonly marginLevel: RiskLevel[];
  private hfLevel: RiskLevel = 'ok';

  constructor(
    private readonly mode: ModeConfig,
    readonly cexVenues: readonly CexVenue[],
    readonly lending: LendingVenue | null,
    private readonly exposure: ExposureMonitor,
    private readonly ledger: Ledger,
    private readonly assetPriceInShareClass: () => number,
  ) {
    this.marginRatio = new Float64Array(cexVenues.length);
    this.marginLevel = cexVenues.map(() => 'ok');
  }

  update(): void {
    const r = this.mode.risk;
    let level: RiskLevel = 'ok';
    this.reasons.length = 0;
    for (let i = 0; i < this.cexVenues.length; i++) {
      const acct = this.cexVenues[i].account();
      const mr = acct.marginRatio;
      this.marginRatio[i] = mr;
      const l: RiskLevel =
        mr < r.margin_ratio_critical ? 'critical' : mr < r.margin_ratio_warning ? 'warning' : 'ok';
      if (l !== this.marginLevel[i]) {
        this.alert('margin_ratio', l, this.marginLevel[i], {
          venue: this.cexVenues[i].name,
          margin_ratio: mr,
        });
        this.marginLevel[i] = l;
      }
      if (l !== 'ok') this.reasons.push(`${this.cexVenues[i].name} margin ratio ${mr.toFixed(4)}`);
      level = worst(level, l);
    }
    if (this.lending) {
      const a = this.lending.account();
      this.healthFactor = a.healthFactor;
      this.ltv = a.ltv;
      const hf = a.healthFactor;
      const l: RiskLevel =
        hf < r.health_factor_critical ? 'critical' : hf < r.health_factor_warning ? 'warning' : 'ok';
      if (l !== this.hfLevel) {
        this.alert('health_factor', l, this.hfLevel, {
          venue: this.lending.name,
          health_factor: hf,
          ltv: a.ltv,
        });
        this.hfLevel = l;
      }
      if (l !== 'ok') this.reasons.push(`health factor ${hf.toFixed(4)}`);
      level = worst(level, l);
    }
    const equity = this.exposure.equity;
    const delta = this.mode.asset === 'USDT' ? 0 : this.exposure.delta(this.mode.asset);
    this.deltaDrift = equity > 0 ? Math.abs(delta * this.assetPriceInShareClass()) / equity : 0;
    this.level = level;
    this.override = level === 'critical';
  }

  /** Updates `liqDistanceAsset` and `liqDistanceLst` from the venues' current state. */
  measureLiquidationDistance(): void {
    let move = Number.NaN;
    const consider = (m: number) => {
      if (Number.isFinite(m) && (Number.isNaN(move) || Math.abs(m) < Math.abs(move))) move = m;
    };
    const asset = this.mode.asset;
    this.liqDistanceLst = Number.NaN;
    const lending = this.lending;
    if (lending?.liquidationPriceFactor) {
      const group = PRICED_WITH[asset];
      if (group) consider(lending.liquidationPriceFactor(group) - 1);
      const lst = this.mode.lst_type;
      if (lst) {
        const f = lending.liquidationPriceFactor([lst]);
        if (Number.isFinite(f)) this.liqDistanceLst = 1 - f;
      }
    }
    const symbol = `${asset}USDT`;
    for (let i = 0; i < this.cexVenues.length; i++) {
      if (!Number.isFinite(this.marginRatio[i])) continue; // no open perp
      const p = this.cexVenues[i].perpPosition(symbol);
      if (p.size !== 0 && p.liquidationPrice > 0) consider(p.liquidationPrice / p.markPrice - 1);
    }
    this.liqDistanceAsset = move;
  }

  /** Emits an alert event when a metric's level changes (the hot path only compares levels). */
  private alert(metric: string, level: RiskLevel, previous: RiskLevel, data: Record<string, unknown>): void {
    this.ledger.event('alert', { metric, level, previous, ...data });
  }
}

/** Lending reserves whose oracle price moves with each asset's price. */
const PRICED_WITH: Record<string, readonly string[] | undefined> = {
  ETH: ['ETH', 'WETH', 'weETH', 'wstETH'],
  BTC: ['BTC', 'WBTC'],
};

function worst(a: RiskLevel, b: RiskLevel): RiskLevel {
  if (a === 'critical' || b === 'critical') return 'critical';
  if (a === 'warning' || b === 'warning') return 'warning';
  return 'ok';
}
