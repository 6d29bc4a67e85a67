/**
 * Benchmark overlay: a run's daily time-weighted returns against a yield benchmark of the dataset —
 * Ethena sUSDe (`benchmarks/ethena_susde_daily.csv`, daily APY), the market-neutral yield a user would
 * compare against. Benchmarks are chosen by name from this list, never by path (the API is a trust
 * boundary, docs/security.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  const t: number[] = [];
  const run: number[] = [];
  const bench: number[] = [];
  const diff: number[] = [];
  let ri = 1;
  let bi = 1;
  let prev: number | undefined;
  for (let d = first; d <= last; d += DAY_MS) {
    // carried forward so a missing day inside the coverage is filled
    if (apy.has(d)) prev = apy.get(d);
    apy.set(d, prev!);
  }
  for (let i = 0; i < daily.t.length; i++) {
    const day = daily.t[i];
    if (day < first || day > last) continue;
    const b = Math.pow(1 + apy.get(day)!, 1 / 365) - 1;
    const r = daily.r[i];
    ri *= 1 + r;
    bi *= 1 + b;
    t.push(day);
    run.push(ri);
    bench.push(bi);
    diff.push(r - b);
  }
  if (t.length === 0) {
    return {
      ...base,
      available: false,
      reason: `no benchmark: ${spec.label} covers ${iso(first)} .. ${iso(last)}, no full day of this run`,
    };
  }
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
