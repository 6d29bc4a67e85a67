/**
 * Per-step results series, preallocated as typed arrays (one column per figure); results/files.ts writes
 * them to CSV at the end of a run, straight from these arrays.
 */
import { PNL_SOURCES } from '../domain/types.js';

export class StepRecorder {
  readonly equity: Float64Array;
  readonly flows: Float64Array;
  readonly deposits: Float64Array;
  readonly pnl: Float64Array;
  readonly residual: Float64Array;
  /** Per source, per step attribution (share class). */
  readonly attribution: Float64Array[];
  /** Position amounts per slot. */
  readonly positions: Float64Array[];
  readonly marginRatio: Float64Array[];
  readonly healthFactor: Float64Array;
  readonly ltv: Float64Array;
  readonly deltaDrift: Float64Array;
  readonly netDelta: Float64Array;
  /** Liquidation distance in the mode asset's price (signed fraction) and in the LST/ETH rate (fall). */
  readonly liqDistanceAsset: Float64Array;
  readonly liqDistanceLst: Float64Array;
  /** Value of each position slot in the share class (balance sheet; not written to the CSV). */
  readonly positionValues: Float64Array[];
  /** Gross exposure in the share class: Σ |value|, perps at notional. */
  readonly grossExposure: Float64Array;
  length = 0;

  constructor(
    readonly capacity: number,
    readonly positionKeys: readonly string[],
    readonly cexVenues: readonly string[],
    readonly hasLending: boolean,
    readonly deltaAsset: string,
  ) {
    const col = () => new Float64Array(capacity);
    this.equity = col();
    this.flows = col();
    this.deposits = col();
    this.pnl = col();
    this.residual = col();
    this.attribution = PNL_SOURCES.map(col);
    this.positions = positionKeys.map(col);
    this.marginRatio = cexVenues.map(col);
    this.healthFactor = col();
    this.ltv = col();
    this.deltaDrift = col();
    this.netDelta = col();
    this.liqDistanceAsset = col();
    this.liqDistanceLst = col();
    this.positionValues = positionKeys.map(col);
    this.grossExposure = col();
  }

  /** Column names and accessors, in CSV order. */
  columns(): { name: string; values: Float64Array }[] {
    const cols: { name: string; values: Float64Array }[] = [
      { name: 'equity', values: this.equity },
      { name: 'flow', values: this.flows },
      { name: 'pnl', values: this.pnl },
      { name: 'residual', values: this.residual },
    ];
    PNL_SOURCES.forEach((s, i) => cols.push({ name: `pnl_${s}`, values: this.attribution[i] }));
    this.cexVenues.forEach((v, i) => cols.push({ name: `margin_ratio_${v}`, values: this.marginRatio[i] }));
    if (this.hasLending) {
      cols.push({ name: 'health_factor', values: this.healthFactor });
      cols.push({ name: 'ltv', values: this.ltv });
      cols.push({ name: 'liq_distance_lst', values: this.liqDistanceLst });
    }
    if ((this.hasLending || this.cexVenues.length > 0) && this.deltaAsset !== 'USDT')
      cols.push({ name: `liq_distance_${this.deltaAsset}`, values: this.liqDistanceAsset });
    if (this.deltaAsset !== 'USDT') {
      cols.push({ name: `net_delta_${this.deltaAsset}`, values: this.netDelta });
      cols.push({ name: 'delta_drift', values: this.deltaDrift });
    }
    this.positionKeys.forEach((k, i) => cols.push({ name: k, values: this.positions[i] }));
    return cols;
  }
}
