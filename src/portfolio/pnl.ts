/**
 * PnlCalculator: balance-based PnL (equity change net of deposits and withdrawals) and its attribution
 * by source, computed independently: holding PnL of the previous positions over the price move (price,
 * staking yield) plus the cash flows venues booked (interest, funding, fees, gas, liquidation). The
 * residual between the two is reported per pass, per step and in total; a correct engine keeps it at
 * floating-point noise.
 */
import { PNL_SOURCES } from '../domain/types.js';
import type { RunLedger } from './ledger.js';
import type { ExposureMonitor } from './exposure.js';
import type { PositionMonitor } from './positions.js';

export class PnlCalculator {
  private readonly prevAmounts: Float64Array;
  private readonly prevEntries: Float64Array;
  private prevEquity = 0;
  private prevStep = -1;
  private pendingFlows = 0;
  private readonly passAttribution = new Float64Array(PNL_SOURCES.length);
  /** Attribution accumulated over the current step. */
  readonly stepAttribution = new Float64Array(PNL_SOURCES.length);
  readonly totalAttribution = new Float64Array(PNL_SOURCES.length);
  stepPnl = 0;
  stepFlows = 0;
  stepResidual = 0;
  /** Largest |residual| of any pass in the current step. */
  stepMaxAbsResidual = 0;
  totalPnl = 0;
  totalFlows = 0;
  totalResidual = 0;

  constructor(
    private readonly positions: PositionMonitor,
    private readonly exposure: ExposureMonitor,
    private readonly ledger: RunLedger,
  ) {
    this.prevAmounts = new Float64Array(positions.amounts.length);
    this.prevEntries = new Float64Array(positions.amounts.length);
  }

  /** Starts the accounting at `step` from the current positions (before any capital arrives). */
  start(step: number): void {
    this.prevAmounts.set(this.positions.amounts);
    this.prevEntries.set(this.positions.entries);
    this.prevEquity = this.exposure.equity;
    this.prevStep = step;
  }

  beginStep(): void {
    this.stepAttribution.fill(0);
    this.stepPnl = 0;
    this.stepFlows = 0;
    this.stepResidual = 0;
    this.stepMaxAbsResidual = 0;
  }

  /** A deposit (> 0) or withdrawal (< 0) in share-class units, applied since the last update. */
  flow(valueShareClass: number): void {
    this.pendingFlows += valueShareClass;
  }

  /** Closes one tight-loop pass: positions and exposure must be fresh for `step`. */
  update(step: number): void {
    const a = this.passAttribution;
    a.fill(0);
    if (step !== this.prevStep) {
      this.exposure.holdingPnl(this.prevAmounts, this.prevEntries, this.prevStep, step, a);
    }
    this.ledger.drain(a);
    const equity = this.exposure.equity;
    const pnl = equity - this.prevEquity - this.pendingFlows;
    let attributed = 0;
    for (let i = 0; i < a.length; i++) {
      attributed += a[i];
      this.stepAttribution[i] += a[i];
      this.totalAttribution[i] += a[i];
    }
    const residual = pnl - attributed;
    this.stepPnl += pnl;
    this.stepFlows += this.pendingFlows;
    this.stepResidual += residual;
    if (Math.abs(residual) > this.stepMaxAbsResidual) this.stepMaxAbsResidual = Math.abs(residual);
    this.totalPnl += pnl;
    this.totalFlows += this.pendingFlows;
    this.totalResidual += residual;
    this.pendingFlows = 0;
    this.prevEquity = equity;
    this.prevStep = step;
    this.prevAmounts.set(this.positions.amounts);
    this.prevEntries.set(this.positions.entries);
  }

  attributionObject(values: Float64Array = this.totalAttribution): Record<string, number> {
    const out: Record<string, number> = {};
    PNL_SOURCES.forEach((s, i) => (out[s] = values[i]));
    return out;
  }
}
