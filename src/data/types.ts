/**
 * The contract between the data layer and the engine: series parsed once into Float64Arrays on one
 * grid (index i = step i, timestamp = startMs + i * stepMs; hourly unless `LoadRequest.stepMs` says otherwise).
 *
 * Series ids (grid-aligned unless noted):
 * - `cex.{venue}.{SYMBOL}.spot.price`                 last traded price at or before t (bar open at t, else last close)
 * - `cex.{venue}.{SYMBOL}.perp.price`                 same for the USDT-margined perp (used as mark)
 * - `cex.{venue}.{SYMBOL}.perp.high` / `.perp.low`    high/low of the bar that opens at t (NaN when no bar)
 * - `cex.{venue}.{SYMBOL}.spot.high` / `.spot.low`    same for the spot candles
 * - `cex.{venue}.{SYMBOL}.perp_5m.price|high|low`     the perp's 5-minute candles (`{SYMBOL}_perp_5m.csv`)
 * - `cex.{venue}.{SYMBOL}.funding`                    event series: decimal rate per funding period at its timestamp
 * - `aave.{ASSET}.liquidityIndex` / `.variableBorrowIndex`   normalised (÷1e27); daily snapshots met exactly,
 *                                                     accrued between snapshots at the snapshot's rate
 * - `aave.{ASSET}.liquidityRate` / `.borrowRate`      APR decimals of the snapshot in force at t
 * - `oracle.{ASSET}.usd`                              Aave oracle price in USD, last value at or before t
 * - `oracle.{LST}.eth`                                Aave oracle exchange rate of the LST in ETH
 * - `gas.price_gwei`, `gas.base_fee_gwei`             hourly gas prices
 * - `dex.{PAIR}.price`                                Uniswap V3 price (quote per base), last value at or before t
 * - `peg.{LST}.market_rate` / `.protocol_rate`        LST/ETH market (DEX) and protocol rates
 *
 * {venue} ∈ binance | bybit | okx, {SYMBOL} e.g. BTCUSDT, {ASSET} e.g. USDT, WETH, weETH, wstETH.
 */
import type { DataPolicy } from '../config/schema.js';

export interface Gap {
  fromMs: number;
  toMs: number;
}

/** Where a series has data: first and last timestamp and the gaps longer than its native interval. */
export interface Coverage {
  firstMs: number;
  lastMs: number;
  /** Gaps longer than the series' native interval, in time order. */
  gaps: Gap[];
}

export interface SeriesMeta {
  id: string;
  /** Path of the source file relative to the dataset root. */
  file: string;
  unit: string;
  coverage: Coverage;
  rows: number;
  /** Rows dropped as duplicates of a timestamp (merged equal rows and conflicting rows). */
  duplicatesDropped: number;
  /** Data-quality notes about the file (merged duplicates, resolved conflicts: src/data/quality.ts). */
  notes?: string[];
  /** How the series is put on the grid (src/data/manifest.ts); decides its coverage rule. */
  fill?: FillKind;
  /** Native spacing of the source rows, ms (5 m, 1 h, 8 h funding, 1 d Aave). */
  intervalMs?: number;
}

/**
 * How a series is put on the hourly grid (details in src/data/align.ts and docs/data.md):
 * candle (open at t, else last close), bar_high / bar_low (the bar opening at t), level (last value at or
 * before t), aave_liquidity_index / aave_borrow_index (snapshots met exactly, accrued between),
 * aave_rate (rate of the snapshot in force), event (funding events).
 */
export type FillKind =
  | 'candle'
  | 'bar_high'
  | 'bar_low'
  | 'level'
  | 'aave_liquidity_index'
  | 'aave_borrow_index'
  | 'aave_rate'
  | 'event';

/** Irregular events (funding) kept at their own timestamps, sorted and de-duplicated. */
export interface EventSeries {
  timestampsMs: Float64Array;
  values: Float64Array;
}

export interface MarketData {
  startMs: number;
  stepMs: number;
  /** Number of grid steps; the grid includes both startMs and the last step at or before endMs. */
  length: number;
  timestampsMs: Float64Array;
  /** True when the dataset root carries the synthetic marker (the generated sample). */
  synthetic: boolean;
  /** Content hash of the files this window was built from. */
  datasetId: string;
  dataDir: string;
  /** Grid-aligned values; NaN where the series has no value yet. */
  series: Map<string, Float64Array>;
  /** Funding and other event series, restricted to [startMs, endMs]. */
  events: Map<string, EventSeries>;
  meta: Map<string, SeriesMeta>;
  /** Data-quality notes of the load (src/data/quality.ts), one line each; the run reports them. */
  notes?: string[];
}

export interface LoadRequest {
  dataDir: string;
  startMs: number;
  endMs: number;
  /** Series that must cover [startMs, endMs]; a missing file or short coverage throws DataError. */
  required: string[];
  /** Series loaded when their file exists, whatever their coverage (the caller applies its own rule). */
  optional?: string[];
  /** Directory for the parsed cache; defaults to `<cwd>/.basis/cache`. */
  cacheDir?: string;
  /**
   * Grid step, ms: a whole number of minutes dividing a day (5 min = 300 000). Default 1 h. `startMs` and
   * `endMs` must be multiples of it.
   */
  stepMs?: number;
  /** Data-quality rules (duplicates, missing funding); default: conflicts and missing funding fail. */
  policy?: DataPolicy;
}
