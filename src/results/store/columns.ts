/**
 * A finished backtest as named columns on its step grid: equity and flows, PnL by source, risk
 * metrics, exposure, and per position key its amount and its value in the share class (the balance
 * sheet), plus the time-weighted index and drawdown (the same formula as the summary's metrics).
 */
import { PNL_SOURCES } from '../../domain/types.js';
import type { SummarisedRun } from '../../results/run.js';
import type { BacktestSummary } from '../summary.js';
import type { RunResult, RunTimings, SeriesColumn } from './types.js';

/**
 * Time-weighted index (starts at 1) and drawdown from its running peak, per step:
 * r_t = pnl_t / (equity_{t−1} + deposits_t), index_t = Π(1 + r), drawdown_t = 1 − index_t / max index.
 */
export function timeWeighted(
  equity: Float64Array,
  pnl: Float64Array,
  deposits: Float64Array,
  length: number,
): { index: Float64Array; drawdown: Float64Array } {
  const index = new Float64Array(length);
  const drawdown = new Float64Array(length);
  let x = 1;
  let peak = 0; // from the end of the first step, as computeMetrics
  for (let t = 0; t < length; t++) {
    const base = (t > 0 ? equity[t - 1] : 0) + deposits[t];
    x *= 1 + (base > 0 ? pnl[t] / base : 0);
    if (x > peak) peak = x;
    index[t] = x;
    drawdown[t] = 1 - x / peak;
  }
  return { index, drawdown };
}

/** The columns the store keeps for a run, in display order. */
export function runColumns(run: SummarisedRun): SeriesColumn[] {
  const r = run.recorder;
  const n = r.length;
  const sc = run.summary.share_class;
  const cut = (a: Float64Array) => a.subarray(0, n);
  const { index, drawdown } = timeWeighted(r.equity, r.pnl, r.deposits, n);
  const cols: SeriesColumn[] = [
    { name: 'equity', group: 'equity', agg: 'last', unit: sc, values: cut(r.equity) },
    { name: 'twr_index', group: 'equity', agg: 'last', unit: 'ratio', values: index },
    { name: 'drawdown', group: 'equity', agg: 'max', unit: 'fraction', values: drawdown },
    { name: 'flow', group: 'equity', agg: 'sum', unit: sc, values: cut(r.flows) },
    { name: 'deposits', group: 'equity', agg: 'sum', unit: sc, values: cut(r.deposits) },
    { name: 'pnl', group: 'pnl', agg: 'sum', unit: sc, values: cut(r.pnl) },
    { name: 'residual', group: 'pnl', agg: 'sum', unit: sc, values: cut(r.residual) },
  ];
  PNL_SOURCES.forEach((s, i) =>
    cols.push({ name: `pnl.${s}`, group: 'pnl', agg: 'sum', unit: sc, values: cut(r.attribution[i]) }),
  );
  r.cexVenues.forEach((v, i) =>
    cols.push({
      name: `margin_ratio.${v}`,
      group: 'risk',
      agg: 'min',
      unit: 'ratio',
      values: cut(r.marginRatio[i]),
    }),
  );
  if (r.hasLending) {
    cols.push({
      name: 'health_factor',
      group: 'risk',
      agg: 'min',
      unit: 'ratio',
      values: cut(r.healthFactor),
    });
    cols.push({ name: 'ltv', group: 'risk', agg: 'max', unit: 'fraction', values: cut(r.ltv) });
  }
  if (r.deltaAsset !== 'USDT') {
    cols.push({
      name: `net_delta.${r.deltaAsset}`,
      group: 'exposure',
      agg: 'absmax',
      unit: r.deltaAsset,
      values: cut(r.netDelta),
    });
    cols.push({
      name: 'delta_drift',
      group: 'risk',
      agg: 'max',
      unit: 'fraction',
      values: cut(r.deltaDrift),
    });
  }
  cols.push({
    name: 'gross_exposure',
    group: 'exposure',
    agg: 'last',
    unit: sc,
    values: cut(r.grossExposure),
  });
  r.positionKeys.forEach((k, i) => {
    cols.push({
      name: `amount.${k}`,
      group: 'amount',
      agg: 'last',
      unit: assetUnit(k),
      values: cut(r.positions[i]),
    });
    cols.push({
      name: `value.${k}`,
      group: 'value',
      agg: 'last',
      unit: sc,
      values: cut(r.positionValues[i]),
    });
  });
  return cols;
}

/** The unit of a position amount: the symbol of its key (`binance:Perp:BTCUSDT` → BTCUSDT). */
function assetUnit(key: string): string {
  return key.split(':')[2] ?? '';
}

/** A SummarisedRun in the shape the store saves. */
export function toRunResult(run: SummarisedRun): RunResult {
  const n = run.recorder.length;
  return {
    summary: run.summary,
    timestampsMs: run.data.timestampsMs.subarray(0, n),
    columns: runColumns(run),
    events: run.events,
  };
}

/** The timings the store keeps for a run, from its summary. */
export function runTimings(s: BacktestSummary): RunTimings {
  return { runtime_ms: s.runtime_ms, load_ms: s.load_ms, loop_ms: s.loop_ms };
}
