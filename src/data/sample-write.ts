/**
 * File writers of the synthetic sample: turn the seeded paths (sample-paths.ts) into the real dataset's
 * files, headers and timestamp formats. Row order and random draws are fixed, so output is byte-stable.
 */
import { AAVE_SAMPLE_ASSETS, FUNDING_STEP_MS, LST_SAMPLE, lstRate, round } from './sample-paths.js';
import type { Rng, SamplePaths } from './sample-paths.js';
import { DAY_MS, HOUR_MS, formatDateUtc, formatIsoSecondUtc, formatSpaceOffsetUtc } from './timestamps.js';

export const SAMPLE_GENERATOR = 'basis-sample';
/** OKX funding starts here in the sample, as in the real data (so coverage rules get exercised). */
export const SAMPLE_OKX_FUNDING_START_MS = Date.UTC(2024, 4, 1);

interface Bars {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}

/** A line buffer that keeps few large strings alive instead of one per row (less GC). */
export class Lines {
  private readonly parts: string[] = [];
  private cur = '';
  constructor(...first: string[]) {
    this.push(...first);
  }
  push(...lines: string[]): void {
    for (const l of lines) {
      this.cur += `${l}\n`;
      if (this.cur.length > 1 << 16) {
        this.parts.push(this.cur);
        this.cur = '';
      }
    }
  }
  text(): string {
    return this.parts.join('') + this.cur;
  }
}

const SYMBOLS = ['BTCUSDT', 'ETHUSDT'] as const;
type CexSymbol = (typeof SYMBOLS)[number];

/**
 * Bars from a path of points (bar k spans points k .. k + 1 × `per`), scaled per bar by `scale(k, atEnd)`,
 * with wicks drawn from `rng`.
 */
function barsFrom(
  path: Float64Array,
  per: number,
  count: number,
  scale: (k: number, end: boolean) => number,
  rng: Rng,
  wick: number,
): Bars {
  const b: Bars = {
    open: new Float64Array(count),
    high: new Float64Array(count),
    low: new Float64Array(count),
    close: new Float64Array(count),
  };
  for (let k = 0; k < count; k++) {
    const o = round(path[k * per] * scale(k, false), 2);
    const c = round(path[(k + 1) * per] * scale(k, true), 2);
    let hi = Math.max(o, c);
    let lo = Math.min(o, c);
    for (let j = k * per + 1; j < (k + 1) * per; j++) {
      const p = path[j] * scale(k, false);
      if (p > hi) hi = p;
      if (p < lo) lo = p;
    }
    b.open[k] = o;
    b.close[k] = c;
    b.high[k] = Math.max(o, c, round(hi * (1 + wick * Math.abs(rng.normal())), 2));
    b.low[k] = Math.min(o, c, round(lo * (1 - wick * Math.abs(rng.normal())), 2));
  }
  return b;
}

function volume(rng: Rng, median: number): number {
  return round(median * Math.exp(0.5 * rng.normal()), 5);
}

export type Write = (rel: string, lines: Lines) => void;

/** Binance 5-minute spot; hourly bybit spot; perps of every venue; funding of every venue. */
export function writeCex(p: SamplePaths, rng: Rng, startMs: number, write: Write): void {
  const H = p.hours;
  const hourTs = (h: number) => startMs + h * HOUR_MS;
  const spot: Record<CexSymbol, Float64Array> = { BTCUSDT: p.btc, ETHUSDT: p.eth };
  const baseVol: Record<CexSymbol, number> = { BTCUSDT: 150, ETHUSDT: 1500 };

  // Binance spot, 5-minute candles
  for (const s of SYMBOLS) {
    const b = barsFrom(spot[s], 1, p.fiveMinBars, () => 1, rng, 1e-4);
    const lines = new Lines('timestamp,open,high,low,close,volume');
    for (let k = 0; k < p.fiveMinBars; k++) {
      const t = formatIsoSecondUtc(startMs + k * 300_000);
      lines.push(`${t},${b.open[k]},${b.high[k]},${b.low[k]},${b.close[k]},${volume(rng, baseVol[s])}`);
    }
    write(`cex/binance/${s}_spot_5m.csv`, lines);
  }

  // Hourly candles per venue: spot (bybit) and perp (all), perp = venue spot × (1 + basis)
  for (const venue of ['binance', 'bybit', 'okx'] as const) {
    for (const s of SYMBOLS) {
      const noise = venue === 'binance' ? null : p.venueNoise[venue];
      const basis = p.basis[venue][s];
      const q = (h: number) => (noise ? noise[h] : 1);
      const v = baseVol[s] * 12;
      if (venue === 'bybit') {
        const b = barsFrom(spot[s], 12, H, (h, end) => q(end ? h + 1 : h), rng, 2e-4);
        const lines = new Lines('timestamp,open,high,low,close,volume,source,symbol,data_type,turnover');
        for (let h = 0; h < H; h++) {
          const vol = volume(rng, v / 8);
          const row = `${formatIsoSecondUtc(hourTs(h))},${b.open[h]},${b.high[h]},${b.low[h]},${b.close[h]},${vol},bybit,${s},spot,${round(vol * b.close[h], 4)}`;
          lines.push(row);
          if (h % 997 === 500) lines.push(row); // bybit repeats a few rows, like the real files
        }
        write(`cex/bybit/${s}_spot_1h.csv`, lines);
      }
      const b = barsFrom(
        spot[s],
        12,
        H,
        (h, end) => q(end ? h + 1 : h) * (1 + basis[end ? h + 1 : h]),
        rng,
        2e-4,
      );
      const header: Record<typeof venue, string> = {
        binance: 'timestamp,open,high,low,close,volume,quote_volume,trades_count,source,symbol,data_type',
        bybit: 'timestamp,open,high,low,close,volume,source,symbol,data_type,turnover',
        okx:
          s === 'BTCUSDT'
            ? 'timestamp,open,high,low,close,volume'
            : 'timestamp,open,high,low,close,volume,source,symbol,data_type',
      };
      const lines = new Lines(header[venue]);
      for (let h = 0; h < H; h++) {
        const vol = volume(rng, v * 2);
        const ohlc = `${formatIsoSecondUtc(hourTs(h))},${b.open[h]},${b.high[h]},${b.low[h]},${b.close[h]},${vol}`;
        if (venue === 'binance') {
          lines.push(
            `${ohlc},${round(vol * b.close[h], 5)},${Math.round(vol * 10)},binance_futures,${s},futures`,
          );
        } else if (venue === 'bybit') {
          const row = `${ohlc},bybit,${s},futures,${round(vol * b.close[h], 4)}`;
          lines.push(row);
          if (h % 997 === 500) lines.push(row);
        } else {
          lines.push(s === 'BTCUSDT' ? ohlc : `${ohlc},okx,${s},futures`);
        }
      }
      write(`cex/${venue}/${s}_perp_1h.csv`, lines);

      // funding every 8 h; OKX from 2024-05-01 with a few stale duplicates (the last row wins)
      const source = venue === 'binance' ? 'binance_futures' : venue;
      const f = p.funding[venue][s];
      const fl = new Lines('funding_timestamp,funding_rate,symbol,source');
      for (let k = 0; k < f.length; k++) {
        const t = p.fundingStartMs + k * FUNDING_STEP_MS;
        if (venue === 'okx' && t < SAMPLE_OKX_FUNDING_START_MS) continue;
        const ts = formatIsoSecondUtc(t);
        if (venue === 'okx' && k % 40 === 7) fl.push(`${ts},0.0001,${s},${source}`);
        fl.push(`${ts},${round(f[k], 10)},${s},${source}`);
      }
      write(`cex/${venue}/${s}_funding.csv`, fl);
    }
  }
}

function ethAtHourIndex(p: SamplePaths, h: number): number {
  return p.eth[Math.min(h * 12, p.eth.length - 1)];
}

function ethAt(p: SamplePaths, startMs: number, t: number): number {
  const j = Math.round((t - startMs) / 300_000);
  return p.eth[Math.max(0, Math.min(j, p.eth.length - 1))];
}

function lstOnDay(p: SamplePaths, l: (typeof LST_SAMPLE)[number], t: number): number {
  const d = Math.floor((t - p.dayStartMs) / DAY_MS);
  return lstRate(l.rate0, l.growth, d);
}

export function writeAave(p: SamplePaths, startMs: number, write: Write): void {
  for (const a of AAVE_SAMPLE_ASSETS) {
    const r = p.aave[a.symbol];
    const lines = new Lines(
      'targetDate,timestamp,blockNumber,reserve,symbol,liquidityIndex,currentLiquidityRate,variableBorrowIndex,' +
        'currentVariableBorrowRate,currentStableBorrowRate,totalAToken,totalStableDebt,totalVariableDebt,price,date',
    );
    for (let k = 0; k < p.days; k++) {
      const t = p.dayStartMs + k * DAY_MS;
      const supplyTokens = round(a.supplyTokens0 * (1 + 0.1 * Math.sin(k / 40)), 6);
      const lst = LST_SAMPLE.find((l) => l.symbol === a.symbol);
      const eth = ethAt(p, startMs, t);
      const price = a.symbol === 'USDT' ? p.usdtOracle[k] : round(eth * (lst ? lstOnDay(p, lst, t) : 1), 8);
      lines.push(
        [
          `${formatDateUtc(t)}T00:00:00Z`,
          t / 1000,
          18_908_894 + Math.round(((t - Date.UTC(2024, 0, 1)) / DAY_MS) * 7150),
          a.address,
          a.symbol,
          r.liq[k],
          r.supply[k],
          r.debt[k],
          r.borrow[k],
          round(r.borrow[k] + 0.05, 12),
          supplyTokens,
          '0.0',
          round(supplyTokens * a.utilisation, 6),
          price,
          formatDateUtc(t),
        ].join(','),
      );
    }
    write(`aave_v3/reserves/${a.symbol}_daily.csv`, lines);
  }
}

export function writeOracles(p: SamplePaths, startMs: number, endMs: number, write: Write): void {
  const processed = `# Processed: ${new Date(endMs).toISOString()} (SYNTHETIC)`;
  const hourly = (
    asset: string,
    header: string,
    value: (t: number) => number,
    quote: string,
    pair?: string,
  ) => {
    const lines = new Lines(
      `# Source: ${SAMPLE_GENERATOR} (SYNTHETIC)`,
      pair ? `# Asset_pair: ${pair}` : `# Asset: ${asset}`,
      `# Quote_currency: ${quote}`,
      processed,
      `# Records: ${p.hours}`,
      header,
    );
    for (let h = 0; h < p.hours; h++) {
      const t = startMs + h * HOUR_MS;
      lines.push(`${formatSpaceOffsetUtc(t)},${value(t)},${asset},${SAMPLE_GENERATOR},${quote}`);
    }
    return lines;
  };
  const usdHeader = 'timestamp,oracle_price_usd,asset,source,quote_currency';
  write(
    'aave_v3/oracle/WETH_USD_1h.csv',
    hourly('WETH', usdHeader, (t) => round(ethAt(p, startMs, t), 8), 'USD'),
  );
  for (const l of LST_SAMPLE) {
    const rate = (t: number) => lstOnDay(p, l, t);
    write(
      `aave_v3/oracle/${l.symbol}_USD_1h.csv`,
      hourly(l.symbol, usdHeader, (t) => round(ethAt(p, startMs, t) * rate(t), 8), 'USD'),
    );
    write(
      `aave_v3/oracle/${l.symbol}_ETH_1h.csv`,
      hourly(
        l.symbol,
        'timestamp,oracle_price_eth,asset,source,quote_currency',
        rate,
        'ETH',
        `${l.symbol}_ETH`,
      ),
    );
  }
  const usdt = new Lines(
    `# Source: ${SAMPLE_GENERATOR} (SYNTHETIC)`,
    '# Asset: USDT',
    '# Quote_currency: USD',
    processed,
  );
  usdt.push(`# Records: ${p.days}`, usdHeader);
  for (let k = 0; k < p.days; k++) {
    usdt.push(`${(p.dayStartMs + k * DAY_MS) / 1000},${p.usdtOracle[k]},USDT,${SAMPLE_GENERATOR},USD`);
  }
  write('aave_v3/oracle/USDT_USD_daily.csv', usdt);
}

export function writeGasDexPeg(p: SamplePaths, rng: Rng, startMs: number, write: Write): void {
  const gas = new Lines(
    'timestamp,chain,block_number,block_timestamp,gas_price_gwei,gas_price_avg_gwei,gas_price_median_gwei,' +
      'base_fee_gwei,priority_fee_p25_gwei,priority_fee_p50_gwei,priority_fee_p75_gwei,source,note',
  );
  for (let h = 0; h < p.hours; h++) {
    const t = startMs + h * HOUR_MS;
    const g = round(p.gas[h], 2);
    const p50 = round(Math.min(g * 0.5, 0.05 + 0.5 * Math.abs(rng.normal())), 2);
    const base = round(Math.max(0.01, g - p50), 2);
    const block = 18_908_889 + Math.round((t - Date.UTC(2024, 0, 1)) / 12_000);
    gas.push(
      `${formatIsoSecondUtc(t)},ethereum,${block},${t / 1000 - 61},${g},${g},${round(g * 0.9, 2)},${base},` +
        `${round(p50 / 2, 2)},${p50},${round(p50 * 3, 2)},${SAMPLE_GENERATOR},SYNTHETIC sample data`,
    );
  }
  write('gas/ethereum_gas_1h.csv', gas);

  const dexHeader =
    'timestamp,date_utc,open,high,low,close,volume,pool_address,dex,fee_tier,base_token,quote_token,source';
  const pairs = [
    {
      pair: 'WETHUSDT',
      base: 'WETH',
      quote: 'USDT',
      digits: 8,
      at: (h: number) => ethAtHourIndex(p, h) * p.venueNoise.dex[h],
    },
    { pair: 'EIGENWETH', base: 'EIGEN', quote: 'WETH', digits: 14, at: (h: number) => p.eigen[h] },
    { pair: 'ETHFIWETH', base: 'ETHFI', quote: 'WETH', digits: 14, at: (h: number) => p.ethfi[h] },
  ];
  for (const d of pairs) {
    const lines = new Lines(dexHeader);
    for (let h = 0; h < p.hours; h++) {
      const t = startMs + h * HOUR_MS;
      const o = round(d.at(h), d.digits);
      const c = round(d.at(h + 1), d.digits);
      const hi = round(Math.max(o, c) * (1 + 1e-3 * Math.abs(rng.normal())), d.digits);
      const lo = round(Math.min(o, c) * (1 - 1e-3 * Math.abs(rng.normal())), d.digits);
      lines.push(
        `${t / 1000},${formatIsoSecondUtc(t).slice(0, 19)}+00:00Z,${o},${hi},${lo},${c},${volume(rng, 1e5)},` +
          `0x${'0'.repeat(38)}${d.pair.length.toString(16).padStart(2, '0')},Uniswap v3,0.3%,${d.base},${d.quote},${SAMPLE_GENERATOR}`,
      );
    }
    write(`dex/uniswap_v3/${d.pair}_1h.csv`, lines);
  }

  const pegHeader =
    'timestamp,protocol_rate,asset,source,quote_currency,date_oracle,date_market,market_rate,dex,' +
    'market_rate_median_24h,peg_premium_percent,base_asset,processed_date,direct_gas_cost_usd,dex_gas_cost_usd,' +
    'dex_execution_cost_bps,dex_execution_cost_usd,total_direct_cost_usd,total_dex_cost_usd,cost_difference_usd,' +
    'optimal_route_by_cost,net_dex_benefit_usd,optimal_route_with_costs,peg_status';
  for (const l of LST_SAMPLE) {
    const lines = new Lines(pegHeader);
    const prem = p.pegPremium[l.symbol];
    for (let h = 0; h < p.hours; h++) {
      const t = startMs + h * HOUR_MS;
      const protocol = lstOnDay(p, l, t);
      const market = round(protocol * (1 + prem[h]), 14);
      const pct = (market / protocol - 1) * 100;
      const date = formatDateUtc(t);
      const status = pct < -0.5 ? 'discount' : pct > 0.5 ? 'premium' : 'at_peg';
      lines.push(
        `${formatSpaceOffsetUtc(t)},${protocol},${l.symbol},${SAMPLE_GENERATOR},ETH,${date},${date},${market},${l.dex},` +
          `${market},${pct},ETH,${date}T00:00:00,20.0,20.0,20.0,20.0,20.0,40.0,20.0,direct_staking,` +
          `${round(-20 - pct * 10, 6)},direct_staking,${status}`,
      );
    }
    write(`staking/peg/${l.symbol}_peg_1h.csv`, lines);
  }
}
