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
  level: RiskLevel = 'ok';
  override = false;
  reasons: string[] = [];
  private lastLevel = new Map<string, RiskLevel>();

  constructor(
    private readonly mode: ModeConfig,
    readonly cexVenues: readonly CexVenue[],
    readonly lending: LendingVenue | null,
    private readonly exposure: ExposureMonitor,
    private readonly ledger: Ledger,
    private readonly assetPriceInShareClass: () => number,
  ) {
    this.marginRatio = new Float64Array(cexVenues.length);
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
      this.track(`margin_ratio:${this.cexVenues[i].name}`, l, {
        venue: this.cexVenues[i].name,
        margin_ratio: mr,
      });
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
      this.track('health_factor', l, { venue: this.lending.name, health_factor: hf, ltv: a.ltv });
      if (l !== 'ok') this.reasons.push(`health factor ${hf.toFixed(4)}`);
      level = worst(level, l);
    }
    const equity = this.exposure.equity;
    const delta = this.mode.asset === 'USDT' ? 0 : this.exposure.delta(this.mode.asset);
    this.deltaDrift = equity > 0 ? Math.abs(delta * this.assetPriceInShareClass()) / equity : 0;
    this.level = level;
    this.override = level === 'critical';
  }

  /** Emits an alert event when a metric's level changes. */
  private track(metric: string, level: RiskLevel, data: Record<string, unknown>): void {
    const prev = this.lastLevel.get(metric) ?? 'ok';
    if (prev !== level) {
      this.ledger.event('alert', { metric: metric.split(':')[0], level, previous: prev, ...data });
      this.lastLevel.set(metric, level);
    }
  }
}

function worst(a: RiskLevel, b: RiskLevel): RiskLevel {
  if (a === 'critical' || b === 'critical') return 'critical';
  if (a === 'warning' || b === 'warning') return 'warning';
  return 'ok';
}
