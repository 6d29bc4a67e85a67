/**
 * The dataset manifest: which file, columns, timestamp format, native interval, unit and fill rule stand
 * behind every series id of types.ts. Paths are relative to the dataset root (BASIS_DATA_DIR).
 *
 * Ids resolve by pattern, so a user who drops `cex/okx/SOLUSDT_perp_1h.csv` into a dataset can load
 * `cex.okx.SOLUSDT.perp.price` without code changes. `listSeriesIds()` lists the ids of the standard
 * layout (files that exist in the reference dataset).
 */
import { DataError } from '../domain/errors.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './timestamps.js';
import type { FillKind } from './types.js';

export type { FillKind };

/** The timestamp format the reference dataset uses; the parser accepts all of them in every file. */
export type TimestampFormat = 'iso' | 'iso_space_offset' | 'unix_seconds';

export interface SeriesSpec {
  id: string;
  /** Path relative to the dataset root. */
  file: string;
  timestampColumn: string;
  timestampFormat: TimestampFormat;
  /** Native spacing of rows (5 m, 1 h, 8 h for funding, 1 d for Aave). */
  intervalMs: number;
  unit: string;
  fill: FillKind;
  /** Columns this series reads: candle [open, close]; Aave index [index, rate]; otherwise [value]. */
  columns: readonly string[];
  /** Every column the manifest reads from `file` (the parse and cache unit). */
  fileColumns: readonly string[];
}

export const VENUES = ['binance', 'bybit', 'okx'] as const;
export const CEX_SYMBOLS = ['BTCUSDT', 'ETHUSDT'] as const;
export const AAVE_ASSETS = ['USDT', 'WETH', 'weETH', 'wstETH'] as const;
export const ORACLE_USD_ASSETS = ['WETH', 'weETH', 'wstETH', 'USDT'] as const;
export const LSTS = ['weETH', 'wstETH'] as const;
export const DEX_PAIRS = ['WETHUSDT', 'EIGENWETH', 'ETHFIWETH'] as const;

/** Oracle USD series published as daily rows stamped in unix seconds instead of hourly rows. */
const DAILY_USD_ORACLES: ReadonlySet<string> = new Set(['USDT']);

const FUNDING_INTERVAL_MS = 8 * HOUR_MS;
const QUOTES = ['USDT', 'USDC', 'FDUSD', 'BUSD', 'USD', 'WETH', 'ETH', 'BTC'];

const CANDLE_COLUMNS = ['open', 'close'] as const;
const PERP_COLUMNS = ['open', 'high', 'low', 'close'] as const;
const AAVE_COLUMNS = [
  'liquidityIndex',
  'currentLiquidityRate',
  'variableBorrowIndex',
  'currentVariableBorrowRate',
];
const GAS_COLUMNS = ['gas_price_gwei', 'base_fee_gwei'];
const PEG_COLUMNS = ['market_rate', 'protocol_rate'];

const SYMBOL_RE = /^[A-Z0-9]{2,24}$/;
const ASSET_RE = /^[A-Za-z0-9]{2,24}$/;

function splitPair(pair: string): [string, string] | null {
  for (const q of QUOTES) {
    if (pair.length > q.length && pair.endsWith(q)) return [pair.slice(0, -q.length), q];
  }
  return null;
}

function cexSeries(id: string, venue: string, symbol: string, rest: string[]): SeriesSpec | null {
  if (!(VENUES as readonly string[]).includes(venue) || !SYMBOL_RE.test(symbol)) return null;
  const quote = splitPair(symbol)?.[1] ?? 'quote currency';
  const base = { id, timestampColumn: 'timestamp', timestampFormat: 'iso' as const };
  const key = rest.join('.');
  if (key === 'spot.price' || key === 'spot.high' || key === 'spot.low') {
    // Binance: the complete 5-minute file (the 1 h spot file has gaps and does not exist for ETH)
    const five = venue === 'binance';
    const what = rest[1];
    return {
      ...base,
      file: `cex/${venue}/${symbol}_spot_${five ? '5m' : '1h'}.csv`,
      intervalMs: five ? 5 * MINUTE_MS : HOUR_MS,
      unit: quote,
      fill: what === 'price' ? 'candle' : what === 'high' ? 'bar_high' : 'bar_low',
      columns: what === 'price' ? CANDLE_COLUMNS : [what],
      fileColumns: PERP_COLUMNS,
    };
  }
  if (key === 'perp_5m.price' || key === 'perp_5m.high' || key === 'perp_5m.low') {
    // The perp's 5-minute candles (Binance has them with a 230-day hole in 2024: see docs/data.md)
    const what = rest[1];
    return {
      ...base,
      file: `cex/${venue}/${symbol}_perp_5m.csv`,
      intervalMs: 5 * MINUTE_MS,
      unit: quote,
      fill: what === 'price' ? 'candle' : what === 'high' ? 'bar_high' : 'bar_low',
      columns: what === 'price' ? CANDLE_COLUMNS : [what],
      fileColumns: PERP_COLUMNS,
    };
  }
  if (key === 'perp.price' || key === 'perp.high' || key === 'perp.low') {
    const what = rest[1];
    return {
      ...base,
      file: `cex/${venue}/${symbol}_perp_1h.csv`,
      intervalMs: HOUR_MS,
      unit: quote,
      fill: what === 'price' ? 'candle' : what === 'high' ? 'bar_high' : 'bar_low',
      columns: what === 'price' ? CANDLE_COLUMNS : [what],
      fileColumns: PERP_COLUMNS,
    };
  }
  if (key === 'funding') {
    return {
      ...base,
      file: `cex/${venue}/${symbol}_funding.csv`,
      timestampColumn: 'funding_timestamp',
      intervalMs: FUNDING_INTERVAL_MS,
      unit: 'decimal rate per funding period',
      fill: 'event',
      columns: ['funding_rate'],
      fileColumns: ['funding_rate'],
    };
  }
  return null;
}

function aaveSeries(id: string, asset: string, field: string): SeriesSpec | null {
  const cols: Record<string, [FillKind, string[], string]> = {
    liquidityIndex: ['aave_liquidity_index', ['liquidityIndex'], 'index (ray / 1e27)'],
    variableBorrowIndex: ['aave_borrow_index', ['variableBorrowIndex'], 'index (ray / 1e27)'],
    liquidityRate: ['aave_rate', ['currentLiquidityRate'], 'APR decimal'],
    borrowRate: ['aave_rate', ['currentVariableBorrowRate'], 'APR decimal'],
  };
  const c = Object.hasOwn(cols, field) ? cols[field] : undefined;
  if (!c) return null;
  return {
    id,
    file: `aave_v3/reserves/${asset}_daily.csv`,
    timestampColumn: 'timestamp',
    timestampFormat: 'unix_seconds',
    intervalMs: DAY_MS,
    unit: c[2],
    fill: c[0],
    columns: c[1],
    fileColumns: AAVE_COLUMNS,
  };
}

function oracleSeries(id: string, asset: string, quote: string): SeriesSpec | null {
  if (quote === 'usd' && DAILY_USD_ORACLES.has(asset)) {
    return {
      id,
      file: `aave_v3/oracle/${asset}_USD_daily.csv`,
      timestampColumn: 'timestamp',
      timestampFormat: 'unix_seconds',
      intervalMs: DAY_MS,
      unit: 'USD',
      fill: 'level',
      columns: ['oracle_price_usd'],
      fileColumns: ['oracle_price_usd'],
    };
  }
  if (quote !== 'usd' && quote !== 'eth') return null;
  const column = quote === 'usd' ? 'oracle_price_usd' : 'oracle_price_eth';
  return {
    id,
    file: `aave_v3/oracle/${asset}_${quote.toUpperCase()}_1h.csv`,
    timestampColumn: 'timestamp',
    timestampFormat: 'iso_space_offset',
    intervalMs: HOUR_MS,
    unit: quote.toUpperCase(),
    fill: 'level',
    columns: [column],
    fileColumns: [column],
  };
}

/** Resolves a series id to its spec; null when the id matches no pattern. */
export function findSeriesSpec(id: string): SeriesSpec | null {
  const parts = id.split('.');
  const [family] = parts;
  if (family === 'cex' && parts.length >= 4) return cexSeries(id, parts[1], parts[2], parts.slice(3));
  if (family === 'aave' && parts.length === 3 && ASSET_RE.test(parts[1]))
    return aaveSeries(id, parts[1], parts[2]);
  if (family === 'oracle' && parts.length === 3 && ASSET_RE.test(parts[1])) {
    return oracleSeries(id, parts[1], parts[2]);
  }
  if (family === 'gas' && parts.length === 2 && (parts[1] === 'price_gwei' || parts[1] === 'base_fee_gwei')) {
    const column = parts[1] === 'price_gwei' ? 'gas_price_gwei' : 'base_fee_gwei';
    return {
      id,
      file: 'gas/ethereum_gas_1h.csv',
      timestampColumn: 'timestamp',
      timestampFormat: 'iso',
      intervalMs: HOUR_MS,
      unit: 'gwei',
      fill: 'level',
      columns: [column],
      fileColumns: GAS_COLUMNS,
    };
  }
  if (family === 'dex' && parts.length === 3 && parts[2] === 'price' && ASSET_RE.test(parts[1])) {
    const pair = splitPair(parts[1]);
    // Uniswap bars: open at t, else the last close (the candle rule), stamped in unix seconds
    return {
      id,
      file: `dex/uniswap_v3/${parts[1]}_1h.csv`,
      timestampColumn: 'timestamp',
      timestampFormat: 'unix_seconds',
      intervalMs: HOUR_MS,
      unit: pair ? `${pair[1]} per ${pair[0]}` : 'quote per base',
      fill: 'candle',
      columns: CANDLE_COLUMNS,
      fileColumns: CANDLE_COLUMNS,
    };
  }
  if (family === 'peg' && parts.length === 3 && ASSET_RE.test(parts[1]) && PEG_COLUMNS.includes(parts[2])) {
    return {
      id,
      file: `staking/peg/${parts[1]}_peg_1h.csv`,
      timestampColumn: 'timestamp',
      timestampFormat: 'iso_space_offset',
      intervalMs: HOUR_MS,
      unit: `ETH per ${parts[1]}`,
      fill: 'level',
      columns: [parts[2]],
      fileColumns: PEG_COLUMNS,
    };
  }
  return null;
}

/** Resolves a series id to its spec or throws DataError naming it. */
export function getSeriesSpec(id: string): SeriesSpec {
  const spec = findSeriesSpec(id);
  if (!spec) {
    throw new DataError(
      `unknown series id "${id}" (expected e.g. cex.binance.BTCUSDT.spot.price, aave.USDT.liquidityIndex, ` +
        `oracle.WETH.usd, gas.price_gwei, dex.WETHUSDT.price, peg.weETH.market_rate; see docs/data.md)`,
      id,
    );
  }
  return spec;
}

/**
 * Every series id of the standard dataset layout (those whose file exists in the reference dataset and
 * covers it without long holes). `cex.binance.{SYMBOL}.perp_5m.*` resolve but are not listed: their files
 * have a 230-day hole, so they are only ever loaded as optional series (see src/data/perp-marks.ts).
 */
export function listSeriesIds(): string[] {
  const ids: string[] = [];
  for (const venue of VENUES) {
    for (const symbol of CEX_SYMBOLS) {
      if (venue !== 'okx')
        for (const p of ['price', 'high', 'low']) ids.push(`cex.${venue}.${symbol}.spot.${p}`);
      for (const p of ['price', 'high', 'low']) ids.push(`cex.${venue}.${symbol}.perp.${p}`);
      ids.push(`cex.${venue}.${symbol}.funding`);
    }
  }
  for (const a of AAVE_ASSETS) {
    for (const f of ['liquidityIndex', 'variableBorrowIndex', 'liquidityRate', 'borrowRate'])
      ids.push(`aave.${a}.${f}`);
  }
  for (const a of ORACLE_USD_ASSETS) ids.push(`oracle.${a}.usd`);
  for (const l of LSTS) ids.push(`oracle.${l}.eth`);
  ids.push('gas.price_gwei', 'gas.base_fee_gwei');
  for (const p of DEX_PAIRS) ids.push(`dex.${p}.price`);
  for (const l of LSTS) ids.push(`peg.${l}.market_rate`, `peg.${l}.protocol_rate`);
  return ids;
}

/** The standard-layout series read from `file` (a path relative to the dataset root). */
export function seriesForFile(file: string): string[] {
  return listSeriesIds().filter((id) => findSeriesSpec(id)?.file === file);
}

/** The distinct files behind `ids`, in first-use order (unknown ids throw DataError). */
export function filesForSeries(ids: readonly string[]): string[] {
  return [...new Set(ids.map((id) => getSeriesSpec(id).file))];
}
