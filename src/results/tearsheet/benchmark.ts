/**
 * Benchmark overlay: a run's daily time-weighted returns against a benchmark of the dataset — Ethena
 * sUSDe (`benchmarks/ethena_susde_daily.csv`, daily APY), the market-neutral yield a user would compare
 * against, or any price/index series of the data manifest (`cex.binance.BTCUSDT.spot.price`,
 * `aave.USDT.liquidityIndex`: the series' daily returns). Benchmarks are chosen by name — `susde` or a
 * series id the manifest resolves — never by path (the API is a trust boundary, docs/security.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findSeriesSpec, loadMarketData, type FillKind } from '../../data/index.js';
import type { DailyReturns } from './metrics.js';
import { stdev } from './metrics.js';

const DAY_MS = 86_400_000;

export const BENCHMARKS = {
  susde: {
    label: 'Ethena sUSDe APY',
    file: 'benchmarks/ethena_susde_daily.csv',
    dateColumn: 'date',
    apyColumn: 'apy_decimal',
  },
} as const;
export type BenchmarkName = keyof typeof BENCHMARKS;

/** Daily APY (decimal) by UTC day start (epoch ms). */
export type DailyApy = Map<number, number>;

/** Reads a benchmark of the dataset; null when the dataset has none (the synthetic sample). */
export function readBenchmark(dataDir: string, name: BenchmarkName): DailyApy | null {
  const spec = BENCHMARKS[name];
  const path = join(dataDir, spec.file);
  if (!existsSync(path)) return null;
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const header = lines[0].split(',');
  const di = header.indexOf(spec.dateColumn);
  const ai = header.indexOf(spec.apyColumn);
  if (di < 0 || ai < 0) return null;
  const out: DailyApy = new Map();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const cells = lines[i].split(',');
    const ms = Date.parse(`${cells[di].slice(0, 10)}T00:00:00Z`);
    const apy = Number(cells[ai]);
    if (Number.isFinite(ms) && Number.isFinite(apy)) out.set(ms, apy);
  }
  return out.size > 0 ? out : null;
}

/** Fills whose values are a level a return can be taken of (not rates, bar extremes or events). */
const SERIES_FILLS: ReadonlySet<FillKind> = new Set([
  'candle',
  'level',
  'aave_liquidity_index',
  'aave_borrow_index',
]);
const SERIES_ID_RE = /^[A-Za-z0-9_]{2,24}(\.[A-Za-z0-9_]{2,24}){1,4}$/;

/** A benchmark a caller named: the sUSDe yield or a dataset series. */
export type BenchmarkChoice = { kind: 'susde' } | { kind: 'series'; id: string; file: string };

/**
 * Resolves a caller's benchmark name: `susde` or a series id of the manifest whose values are a price,
 * level or index. Throws an Error with a one-line message naming the value otherwise.
 */
export function resolveBenchmark(name: string): BenchmarkChoice {
  if (name === 'susde') return { kind: 'susde' };
  const spec = SERIES_ID_RE.test(name) ? findSeriesSpec(name) : null;
  if (!spec || !SERIES_FILLS.has(spec.fill)) {
    throw new Error(
      `unknown benchmark "${name.slice(0, 80)}" (expected susde or a price/index series id such as ` +
        `cex.binance.BTCUSDT.spot.price or aave.USDT.liquidityIndex)`,
    );
  }
  return { kind: 'series', id: spec.id, file: spec.file };
}

/** A few series ids a user may pick as benchmark (those of the reference dataset layout). */
export const SUGGESTED_BENCHMARKS = [
  'susde',
  'cex.binance.BTCUSDT.spot.price',
  'cex.binance.ETHUSDT.spot.price',
  'aave.USDT.liquidityIndex',
  'aave.WETH.liquidityIndex',
  'oracle.wstETH.eth',
] as const;

/**
 * Daily returns of a dataset series over the run's days: for each day of the run (as dailyReturns
 * counts them: from its first step to the next day's first step), the series' value at the next day's
 * first step over its value at the day's first step, minus 1. Null when the dataset has no file for it.
 */
export async function readSeriesBenchmark(
  dataDir: string,
  id: string,
  timestamps: ArrayLike<number>,
  cacheDir?: string,
): Promise<Map<number, number> | null> {
  const out = new Map<number, number>();
  if (timestamps.length < 2) return out;
  const step = 3_600_000;
  const startMs = Math.floor(timestamps[0] / step) * step;
  const endMs = Math.ceil(timestamps[timestamps.length - 1] / step) * step;
  const md = await loadMarketData({ dataDir, startMs, endMs, required: [], optional: [id], cacheDir });
  const grid = md.series.get(id);
  if (!grid) return null;
  const at = (ms: number) => grid[Math.floor((ms - startMs) / step)];
  let day = Math.floor(timestamps[0] / DAY_MS);
  let start = at(timestamps[0]);
  for (let i = 0; i < timestamps.length; i++) {
    const d = Math.floor(timestamps[i] / DAY_MS);
    if (d === day) continue;
    const v = at(timestamps[i]);
    const r = v / start - 1;
    if (Number.isFinite(r) && start > 0) out.set(day * DAY_MS, r);
    start = v;
    day = d;
  }
  return out;
}

/** Compares the run's daily returns with a series' (days the series lacks are left out). */
export function compareSeriesBenchmark(
  id: string,
  file: string,
  daily: DailyReturns,
  bench: Map<number, number> | null,
): BenchmarkComparison {
  const base = { name: id, label: `${id} (daily returns)` };
  if (!bench) {
    return { ...base, available: false, reason: `no benchmark: this dataset has no ${file}` };
  }
  const out = compareDays(base, daily, (day) => bench.get(day));
  return (
    out ?? {
      ...base,
      available: false,
      reason: `no benchmark: ${id} has no value on any full day of this run`,
    }
  );
}

export interface BenchmarkComparison {
  name: string;
  label: string;
  available: boolean;
  /** Why there is no comparison (no benchmark in the dataset, no overlapping day). */
  reason?: string;
  /** The days compared (UTC). */
  from?: string;
  to?: string;
  days?: number;
  /** Compounded over the compared days. */
  run_return?: number;
  benchmark_return?: number;
  /** run_return − benchmark_return. */
  excess_return?: number;
  /** sd(daily run − daily benchmark) × √365. */
  tracking_error?: number | null;
  /** mean(daily difference) / its sd × √365. */
  information_ratio?: number | null;
  /** Both indexes at the end of each compared day, from 1. */
  series?: { t: number[]; run: number[]; benchmark: number[] };
}

/**
 * Compares the run's daily returns with the benchmark's: a day's benchmark return is (1 + APY)^(1/365) − 1
 * at that day's APY (a missing day takes the previous day's); only days inside the benchmark's coverage
 * count.
 */
export function compareBenchmark(
  name: BenchmarkName,
  daily: DailyReturns,
  apy: DailyApy | null,
): BenchmarkComparison {
  const spec = BENCHMARKS[name];
  const base = { name, label: spec.label };
  if (!apy) {
    return {
      ...base,
      available: false,
      reason: `no benchmark: this dataset has no ${spec.file} (the synthetic sample ships none)`,
    };
  }
  const days = [...apy.keys()].sort((a, b) => a - b);
  const first = days[0];
  const last = days[days.length - 1];
  let prev: number | undefined;
  for (let d = first; d <= last; d += DAY_MS) {
    // carried forward so a missing day inside the coverage is filled
    if (apy.has(d)) prev = apy.get(d);
    apy.set(d, prev!);
  }
  const out = compareDays(base, daily, (day) =>
    day < first || day > last ? undefined : Math.pow(1 + apy.get(day)!, 1 / 365) - 1,
  );
  return (
    out ?? {
      ...base,
      available: false,
      reason: `no benchmark: ${spec.label} covers ${iso(first)} .. ${iso(last)}, no full day of this run`,
    }
  );
}

/** The comparison over the run's days the benchmark has a return for; null when there is none. */
function compareDays(
  base: { name: string; label: string },
  daily: DailyReturns,
  benchOn: (day: number) => number | undefined,
): BenchmarkComparison | null {
  const t: number[] = [];
  const run: number[] = [];
  const bench: number[] = [];
  const diff: number[] = [];
  let ri = 1;
  let bi = 1;
  for (let i = 0; i < daily.t.length; i++) {
    const day = daily.t[i];
    const b = benchOn(day);
    if (b === undefined) continue;
    const r = daily.r[i];
    ri *= 1 + r;
    bi *= 1 + b;
    t.push(day);
    run.push(ri);
    bench.push(bi);
    diff.push(r - b);
  }
  if (t.length === 0) return null;
  const sd = stdev(diff);
  const meanDiff = diff.reduce((s, x) => s + x, 0) / diff.length;
  return {
    ...base,
    available: true,
    from: iso(t[0]),
    to: iso(t[t.length - 1]),
    days: t.length,
    run_return: ri - 1,
    benchmark_return: bi - 1,
    excess_return: ri - 1 - (bi - 1),
    tracking_error: sd === null ? null : sd * Math.sqrt(365),
    information_ratio: sd === null || sd === 0 ? null : (meanDiff / sd) * Math.sqrt(365),
    series: { t, run, benchmark: bench },
  };
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
