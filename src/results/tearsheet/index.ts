/**
 * The tearsheet of a stored run: figures (volatility, Sortino, Calmar, turnover…), monthly and yearly
 * returns, rolling Sharpe and drawdown, the underwater curve, time-weighted equity, PnL by venue and
 * source, funding APR by venue, trade statistics and the benchmark comparison — all computed here from
 * the recorded series and events (GET /api/backtests/{id}/tearsheet, the results page, the report).
 */
import { PNL_SOURCES } from '../../domain/types.js';
import { downsample, downsampleTimes, bucketSize } from '../store/downsample.js';
import type { ResultsStore, RunRecord, StoredEvent } from '../store/index.js';
import {
  fundingAprByVenue,
  pnlByVenue,
  tradedNotional,
  turnover,
  unattributed,
  type EventLike,
  type FundingApr,
  type VenuePnl,
} from './attribution.js';
import {
  compareBenchmark,
  compareSeriesBenchmark,
  readBenchmark,
  readSeriesBenchmark,
  type BenchmarkChoice,
  type BenchmarkComparison,
} from './benchmark.js';
import {
  annualised,
  calmar,
  dailyReturns,
  maxDrawdown,
  monthlyReturns,
  rollingDrawdown,
  rollingSharpe,
  sharpe,
  sortino,
  volatility,
  yearlyReturns,
  type MonthlyReturn,
  type RollingPoint,
} from './metrics.js';
import { tradeList, tradeStats, type TradeRow, type TradeStats } from './trades.js';
import { MS_PER_YEAR } from '../../domain/types.js';

export * from './metrics.js';
export * from './attribution.js';
export * from './trades.js';
export * from './benchmark.js';
export { csvCell, csvRows } from './csv.js';

/** Trailing window of the rolling figures, days. */
export const ROLLING_DAYS = 30;
/** Points of the curves in a tearsheet. */
export const CURVE_POINTS = 1500;

const TEARSHEET_EVENTS = ['booking', 'interest', 'funding', 'fill', 'trade', 'decision'];

export interface Tearsheet {
  id: string;
  share_class: string;
  figures: {
    total_return: number;
    apy: number;
    max_drawdown: number;
    volatility: number | null;
    sharpe: number | null;
    sortino: number | null;
    calmar: number | null;
    /** Traded notional / mean equity over the run, and per year. */
    turnover: number | null;
    turnover_annual: number | null;
    traded_notional: number;
    days: number;
    best_day: number | null;
    worst_day: number | null;
    positive_days: number | null;
  };
  monthly: MonthlyReturn[];
  yearly: { year: number; r: number }[];
  rolling: { window_days: number; sharpe: RollingPoint[]; drawdown: RollingPoint[] };
  /** Curves downsampled to ≤ CURVE_POINTS: equity, time-weighted equity (capital × index), underwater (−drawdown). */
  curves: { t: number[]; equity: number[]; twr_equity: number[]; underwater: number[] };
  pnl: {
    by_source: Record<string, number>;
    by_venue: VenuePnl[];
    /** Per source, the series' total beyond the venues' bookings (price revaluation). */
    unattributed: Record<string, number>;
  };
  funding: FundingApr[];
  trades: TradeStats & { kind: 'position' | 'decision' | null };
  benchmark: BenchmarkComparison;
}

/** Every event of the given types, in recorded order (one read). */
export async function allEvents(store: ResultsStore, id: string, types?: string[]): Promise<StoredEvent[]> {
  return store.allEvents(id, { types });
}

function column(s: { columns: { name: string; values: Float64Array }[] }, name: string): Float64Array {
  const c = s.columns.find((x) => x.name === name);
  if (!c) throw new Error(`the run has no ${name} series`);
  return c.values;
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

/** The run's trades (ML positions, else decisions) from its stored events and PnL. */
export async function runTrades(store: ResultsStore, id: string): Promise<TradeRow[]> {
  const series = (await store.getSeries(id, { names: ['pnl'] }))!;
  const events = await allEvents(store, id, TEARSHEET_EVENTS);
  return tradeList(events as EventLike[], series.timestamps, column(series, 'pnl'));
}

/**
 * The tearsheet of a run with results; `dataDir` is where benchmarks are read (the server's dataset),
 * `benchmark` the one compared with (resolveBenchmark; default sUSDe).
 */
export async function buildTearsheet(
  store: ResultsStore,
  run: RunRecord,
  opts: { dataDir?: string; benchmark?: BenchmarkChoice } = {},
): Promise<Tearsheet> {
  const s = run.summary!;
  const names = ['twr_index', 'drawdown', 'equity', 'pnl', ...PNL_SOURCES.map((x) => `pnl.${x}`)];
  const series = (await store.getSeries(run.id, { names }))!;
  const ts = series.timestamps;
  const index = column(series, 'twr_index');
  const equity = column(series, 'equity');
  const pnl = column(series, 'pnl');
  const events = (await allEvents(store, run.id, TEARSHEET_EVENTS)) as EventLike[];

  const daily = dailyReturns(ts, index);
  const apy = annualised(ts, index);
  const dd = maxDrawdown(index);
  const years = ts.length > 1 ? (ts[ts.length - 1] - ts[0]) / MS_PER_YEAR : 0;
  const notional = tradedNotional(events, s.share_class);
  const turn = turnover(notional, equity, years);
  const bySource: Record<string, number> = {};
  for (const src of PNL_SOURCES) {
    const v = column(series, `pnl.${src}`);
    let sum = 0;
    for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i])) sum += v[i];
    bySource[src] = sum;
  }
  const venues = pnlByVenue(events);
  const trades = tradeList(events, ts, pnl);

  const bucket = bucketSize(ts.length, CURVE_POINTS);
  const capital = s.initial_capital;
  const drawdown = column(series, 'drawdown');
  const curves = {
    t: Array.from(downsampleTimes(ts, bucket)),
    equity: Array.from(downsample(equity, bucket, 'last'), finiteOrNull) as number[],
    twr_equity: Array.from(downsample(index, bucket, 'last'), (x) => capital * x),
    underwater: Array.from(downsample(drawdown, bucket, 'max'), (x) => (x === 0 ? 0 : -x)),
  };
  const choice = opts.benchmark ?? { kind: 'susde' };
  const benchmark =
    choice.kind === 'series'
      ? compareSeriesBenchmark(
          choice.id,
          choice.file,
          daily,
          opts.dataDir === undefined ? null : await readSeriesBenchmark(opts.dataDir, choice.id, ts),
        )
      : compareBenchmark(
          'susde',
          daily,
          opts.dataDir === undefined ? null : readBenchmark(opts.dataDir, 'susde'),
        );
  return {
    id: run.id,
    share_class: s.share_class,
    figures: {
      total_return: index.length > 0 ? index[index.length - 1] - 1 : 0,
      apy,
      max_drawdown: dd,
      volatility: volatility(daily.r),
      sharpe: sharpe(daily.r),
      sortino: sortino(daily.r),
      calmar: calmar(apy, dd),
      turnover: turn.ratio,
      turnover_annual: turn.annual,
      traded_notional: notional,
      days: daily.r.length,
      best_day: daily.r.length ? Math.max(...daily.r) : null,
      worst_day: daily.r.length ? Math.min(...daily.r) : null,
      positive_days: daily.r.length ? daily.r.filter((r) => r > 0).length / daily.r.length : null,
    },
    monthly: monthlyReturns(ts, index),
    yearly: yearlyReturns(monthlyReturns(ts, index)),
    rolling: {
      window_days: ROLLING_DAYS,
      sharpe: rollingSharpe(daily, ROLLING_DAYS),
      drawdown: rollingDrawdown(daily, ROLLING_DAYS),
    },
    curves,
    pnl: { by_source: bySource, by_venue: venues, unattributed: unattributed(bySource, venues) },
    funding: fundingAprByVenue(events),
    trades: { ...tradeStats(trades), kind: trades[0]?.kind ?? null },
    benchmark,
  };
}
