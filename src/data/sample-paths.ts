/**
 * Seeded market dynamics for the synthetic sample dataset: a mulberry32 PRNG with Box–Muller normals,
 * correlated GBM spot paths on a 5-minute clock, mean-reverting perp basis and funding, Aave rates and
 * indexes, LST exchange rates, gas, DEX prices and LST pegs. Pure functions of (seed, window): the same
 * inputs give the same numbers in the same order.
 */
import { SECONDS_PER_YEAR } from './align.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './timestamps.js';

export const FIVE_MIN_MS = 5 * MINUTE_MS;
export const FUNDING_STEP_MS = 8 * HOUR_MS;
const YEAR_MS = 365 * DAY_MS;

/** mulberry32 with Box–Muller normals. */
export class Rng {
  private state: number;
  private spare = NaN;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Standard normal. */
  normal(): number {
    if (this.spare === this.spare) {
      const s = this.spare;
      this.spare = NaN;
      return s;
    }
    let u = this.next();
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

export interface AaveAssetParams {
  symbol: string;
  address: string;
  supplyApr: number;
  borrowApr: number;
  liquidityIndex0: number;
  borrowIndex0: number;
  supplyTokens0: number;
  utilisation: number;
}

export const AAVE_SAMPLE_ASSETS: readonly AaveAssetParams[] = [
  {
    symbol: 'USDT',
    address: '0xdAC17F958D2ee523a2206206994597C13D831ec7',
    supplyApr: 0.06,
    borrowApr: 0.075,
    liquidityIndex0: 1.0361969326,
    borrowIndex0: 1.0494393005,
    supplyTokens0: 436_000_000,
    utilisation: 0.85,
  },
  {
    symbol: 'WETH',
    address: '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2',
    supplyApr: 0.018,
    borrowApr: 0.027,
    liquidityIndex0: 1.0180859235,
    borrowIndex0: 1.0328689505,
    supplyTokens0: 500_000,
    utilisation: 0.77,
  },
  {
    symbol: 'weETH',
    address: '0xCd5fE23C85820F7B72D0926FC9b05b43E359b7ee',
    supplyApr: 0.0011,
    borrowApr: 0.02,
    liquidityIndex0: 1.0000404383,
    borrowIndex0: 1.000788339,
    supplyTokens0: 130_000,
    utilisation: 0.1,
  },
  {
    symbol: 'wstETH',
    address: '0x7f39C581F595B53c5cb19bD0b3f8dA6c935E2Ca0',
    supplyApr: 0.0005,
    borrowApr: 0.004,
    liquidityIndex0: 1.0005409592,
    borrowIndex0: 1.0049308032,
    supplyTokens0: 985_000,
    utilisation: 0.06,
  },
];

/** LST exchange rates in ETH: start value and yearly growth (weETH ~2.76 %, wstETH ~3.0 %). */
export const LST_SAMPLE = [
  { symbol: 'weETH', rate0: 1.0381626526, growth: 0.0276, dex: 'curve' },
  { symbol: 'wstETH', rate0: 1.166305337, growth: 0.03, dex: 'uniswap' },
] as const;

export interface SamplePaths {
  /** 5-minute price points: index j is the price at start + j × 5 min (one more than the bars). */
  btc: Float64Array;
  eth: Float64Array;
  fiveMinBars: number;
  hours: number;
  /** Perp basis per venue at each hour boundary (hours + 1 points). */
  basis: Record<string, { BTCUSDT: Float64Array; ETHUSDT: Float64Array }>;
  /** Funding per venue and symbol at each 8-hour event from `fundingStartMs`. */
  fundingStartMs: number;
  funding: Record<string, { BTCUSDT: Float64Array; ETHUSDT: Float64Array }>;
  /** Daily snapshots from `dayStartMs`: Aave rates and indexes per asset. */
  dayStartMs: number;
  days: number;
  aave: Record<string, { supply: Float64Array; borrow: Float64Array; liq: Float64Array; debt: Float64Array }>;
  gas: Float64Array;
  /** Hourly multiplicative noise for venue quotes and the DEX (hours + 1 points). */
  venueNoise: Record<string, Float64Array>;
  eigen: Float64Array;
  ethfi: Float64Array;
  pegPremium: Record<string, Float64Array>;
  usdtOracle: Float64Array;
}

const VENUE_NAMES = ['binance', 'bybit', 'okx'] as const;

/** Ornstein–Uhlenbeck steps x ← x + θ(μ − x) + σ·z, starting at μ. */
function ou(
  n: number,
  mu: number,
  theta: number,
  sigma: number,
  shocks: (i: number) => number,
): Float64Array {
  const out = new Float64Array(n);
  let x = mu;
  for (let i = 0; i < n; i++) {
    out[i] = x;
    x += theta * (mu - x) + sigma * shocks(i);
  }
  return out;
}

/** Correlated OU series for the three venues: shock = √ρ·common + √(1−ρ)·own. */
function venueOu(
  rng: Rng,
  n: number,
  mu: number,
  theta: number,
  sigma: number,
  rho: number,
): Record<(typeof VENUE_NAMES)[number], Float64Array> {
  const common = new Float64Array(n);
  for (let i = 0; i < n; i++) common[i] = rng.normal();
  const a = Math.sqrt(rho);
  const b = Math.sqrt(1 - rho);
  const mk = () => {
    const own = new Float64Array(n);
    for (let i = 0; i < n; i++) own[i] = rng.normal();
    return ou(n, mu, theta, sigma, (i) => a * common[i] + b * own[i]);
  };
  return { binance: mk(), bybit: mk(), okx: mk() };
}

export function generatePaths(seed: number, startMs: number, endMs: number): SamplePaths {
  const rng = new Rng(seed);
  const hours = (endMs - startMs) / HOUR_MS + 1;
  const fiveMinBars = hours * 12;

  // BTC and ETH: correlated GBM (vol 55 % / 65 %, corr 0.8) on the 5-minute clock, no drift
  const dt = FIVE_MIN_MS / YEAR_MS;
  const btc = new Float64Array(fiveMinBars + 1);
  const eth = new Float64Array(fiveMinBars + 1);
  btc[0] = 42_000;
  eth[0] = 2_300;
  const [vb, ve, rho] = [0.55, 0.65, 0.8];
  const rhoC = Math.sqrt(1 - rho * rho);
  for (let j = 1; j <= fiveMinBars; j++) {
    const z1 = rng.normal();
    const z2 = rho * z1 + rhoC * rng.normal();
    btc[j] = btc[j - 1] * Math.exp(-0.5 * vb * vb * dt + vb * Math.sqrt(dt) * z1);
    eth[j] = eth[j - 1] * Math.exp(-0.5 * ve * ve * dt + ve * Math.sqrt(dt) * z2);
  }

  // perp basis: mean-reverting around +3 bp, hourly, venues correlated
  const basisBtc = venueOu(rng, hours + 1, 3e-4, 0.1, 1.5e-4, 0.6);
  const basisEth = venueOu(rng, hours + 1, 3.5e-4, 0.1, 1.8e-4, 0.6);
  const basis: SamplePaths['basis'] = {};
  for (const v of VENUE_NAMES) basis[v] = { BTCUSDT: basisBtc[v], ETHUSDT: basisEth[v] };

  // funding: OU per 8 h event around 1e-4; stationary sd ≈ 9.65e-5 so P(rate < 0) ≈ 15 %
  const fundingStartMs = Math.ceil(startMs / FUNDING_STEP_MS) * FUNDING_STEP_MS;
  const nFunding = Math.max(0, Math.floor((endMs - fundingStartMs) / FUNDING_STEP_MS) + 1);
  const theta = 0.3;
  const sigma = 9.65e-5 * Math.sqrt(2 * theta - theta * theta);
  const fBtc = venueOu(rng, nFunding, 1e-4, theta, sigma, 0.7);
  const fEth = venueOu(rng, nFunding, 1e-4, theta, sigma, 0.7);
  const funding: SamplePaths['funding'] = {};
  for (const v of VENUE_NAMES) funding[v] = { BTCUSDT: fBtc[v], ETHUSDT: fEth[v] };

  // Aave: daily snapshots covering the window; log-rates mean-revert, indexes accrue exactly as the loader does
  const dayStartMs = Math.floor(startMs / DAY_MS) * DAY_MS;
  const days = Math.ceil(endMs / DAY_MS) - dayStartMs / DAY_MS + 1;
  const aave: SamplePaths['aave'] = {};
  for (const a of AAVE_SAMPLE_ASSETS) {
    const logS = ou(days, 0, 0.08, 0.07, () => rng.normal());
    const supply = new Float64Array(days);
    const borrow = new Float64Array(days);
    const liq = new Float64Array(days);
    const debt = new Float64Array(days);
    for (let k = 0; k < days; k++) {
      supply[k] = round(a.supplyApr * Math.exp(logS[k]), 12);
      borrow[k] = round(a.borrowApr * Math.exp(logS[k] * 0.8), 12);
      if (k === 0) {
        liq[k] = a.liquidityIndex0;
        debt[k] = a.borrowIndex0;
      } else {
        const s = 86_400;
        liq[k] = liq[k - 1] * (1 + (supply[k - 1] * s) / SECONDS_PER_YEAR);
        debt[k] = debt[k - 1] * Math.exp(s * Math.log1p(borrow[k - 1] / SECONDS_PER_YEAR));
      }
    }
    aave[a.symbol] = { supply, borrow, liq, debt };
  }

  // gas: log-OU around ln 10 gwei, plus rare spikes
  const gasLog = ou(hours, Math.log(10), 0.08, 0.17, () => rng.normal());
  const gas = new Float64Array(hours);
  for (let h = 0; h < hours; h++) {
    const spike = rng.next() < 0.01 ? Math.exp(1 + 2 * rng.next()) : 1;
    gas[h] = Math.max(0.05, Math.exp(gasLog[h]) * spike);
  }

  const venueNoise: Record<string, Float64Array> = {};
  for (const k of ['bybit', 'okx', 'dex']) {
    const a = new Float64Array(hours + 1);
    for (let h = 0; h <= hours; h++) a[h] = 1 + 2e-4 * rng.normal();
    venueNoise[k] = a;
  }

  const gbmHourly = (p0: number, vol: number) => {
    const a = new Float64Array(hours + 1);
    const dth = HOUR_MS / YEAR_MS;
    a[0] = p0;
    for (let h = 1; h <= hours; h++)
      a[h] = a[h - 1] * Math.exp(-0.5 * vol * vol * dth + vol * Math.sqrt(dth) * rng.normal());
    return a;
  };
  const eigen = gbmHourly(0.00148, 1.0);
  const ethfi = gbmHourly(0.00179, 0.9);

  const pegPremium: Record<string, Float64Array> = {};
  for (const l of LST_SAMPLE) pegPremium[l.symbol] = ou(hours, -5e-4, 0.05, 1.5e-4, () => rng.normal());

  const usdtOracle = new Float64Array(days);
  for (let k = 0; k < days; k++) usdtOracle[k] = round(1 + 3e-4 * rng.normal(), 8);

  return {
    btc,
    eth,
    fiveMinBars,
    hours,
    basis,
    fundingStartMs,
    funding,
    dayStartMs,
    days,
    aave,
    gas,
    venueNoise,
    eigen,
    ethfi,
    pegPremium,
    usdtOracle,
  };
}

/** LST exchange rate in ETH on day index d (constant within the day, compounding daily). */
export function lstRate(rate0: number, growth: number, d: number): number {
  return rate0 * Math.pow(1 + growth / 365, d);
}

/** Rounds to `digits` decimals (helps keep the files small and readable). */
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
