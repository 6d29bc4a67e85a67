/**
 * The liquidity model of a pool known only by its price: a Uniswap V3 pool (WETH token0, 18 decimals;
 * USDT token1, 6 decimals, as the mainnet WETH/USDT pools) holding one position of constant liquidity L
 * over a band of ±`bandPct` % around the recorded price (ticks rounded outward to the tick spacing), with
 * L set so the position's value at that price is `tvlUsd`. Outside the band the pool has no liquidity:
 * a swap stops at the band's edge. Every fill is the exact V3 swap (src/defi/amm, wei for wei) of that
 * state, so quotes, the sizing and the simulated venue agree to the base unit. The state is rebuilt at
 * each recorded price (the market re-centres the pool between hours).
 */
import {
  getSqrtRatioAtTick,
  getTickAtSqrtRatio,
  quoteExactInputV3,
  quoteExactOutputV3,
  type V3PoolState,
} from './amm/index.js';

export interface BandModel {
  /** Value of the in-band liquidity at the recorded price, USD (= USDT). */
  tvlUsd: number;
  /** Half-width of the band, percent of the price. */
  bandPct: number;
  /** Pool fee, hundredths of a bip (3000 = 0.3 %). */
  feePips: number;
  /** Tick spacing of the fee tier (60 for 0.3 %). */
  tickSpacing: number;
}

const Q96 = 2 ** 96;
/** Raw price (USDT base units per WETH wei) per USDT/WETH. */
const RAW = 1e-12;
const LOG_TICK = Math.log(1.0001);

export interface BandPool {
  state: V3PoolState;
  /** Virtual reserves of the band (WETH, USDT token units) at the price, and the band's real reserves. */
  xVirtual: number;
  yVirtual: number;
  /** WETH the pool can pay (buy capacity) and WETH it can take (sell capacity), token units. */
  wethOut: number;
  wethIn: number;
  gamma: number;
  liquidity: bigint;
}

/** The model's pool at a price `price` (USDT per WETH). */
export function bandPool(price: number, m: BandModel): BandPool {
  if (!(price > 0)) throw new Error(`band pool: price must be > 0, was ${price}`);
  if (!(m.tvlUsd > 0) || !(m.bandPct > 0) || m.bandPct >= 100)
    throw new Error(`band pool: tvlUsd must be > 0 and bandPct in (0, 100), were ${m.tvlUsd}, ${m.bandPct}`);
  const p = price * RAW;
  const sqrtPriceX96 = BigInt(Math.round(Math.sqrt(p) * Q96));
  const s = m.tickSpacing;
  const lo = Math.floor(Math.log(p * (1 - m.bandPct / 100)) / LOG_TICK / s) * s;
  const hi = Math.ceil(Math.log(p * (1 + m.bandPct / 100)) / LOG_TICK / s) * s;
  const sa = Number(getSqrtRatioAtTick(lo)) / Q96;
  const sb = Number(getSqrtRatioAtTick(hi)) / Q96;
  const sp = Number(sqrtPriceX96) / Q96;
  // value (USDT base units) per unit of L: x·p + y with x = 1/√p − 1/√pb, y = √p − √pa
  const perL = 2 * sp - (sp * sp) / sb - sa;
  const liquidity = BigInt(Math.floor((m.tvlUsd * 1e6) / perL));
  const L = Number(liquidity);
  const tick = getTickAtSqrtRatio(sqrtPriceX96);
  const state: V3PoolState = {
    sqrtPriceX96,
    tick: tick < lo ? lo : tick >= hi ? hi - 1 : tick,
    liquidity,
    fee: m.feePips,
    tickSpacing: s,
    ticks: [
      { index: lo, liquidityNet: liquidity },
      { index: hi, liquidityNet: -liquidity },
    ],
  };
  return {
    state,
    xVirtual: L / sp / 1e18,
    yVirtual: (L * sp) / 1e6,
    wethOut: (L * (1 / sp - 1 / sb)) / 1e18,
    wethIn: (L * (1 / sa - 1 / sp)) / 1e18,
    gamma: 1 - m.feePips / 1e6,
    liquidity,
  };
}

export const toWei = (weth: number): bigint => BigInt(Math.floor(weth * 1e18));
export const toUsdtRaw = (usdt: number): bigint => BigInt(Math.floor(usdt * 1e6));

/** USDT base units that buy exactly `wethWei` from the pool (exact output). */
export function usdtToBuy(pool: BandPool, wethWei: bigint): bigint {
  return quoteExactOutputV3(pool.state, false, wethWei).amountIn;
}

/** WETH wei out for `usdtRaw` paid in (exact input). */
export function wethForUsdt(pool: BandPool, usdtRaw: bigint): bigint {
  return quoteExactInputV3(pool.state, false, usdtRaw).amountOut;
}

/** USDT base units out for `wethWei` sold (exact input; stops at the band's edge, taking less). */
export function usdtForWeth(pool: BandPool, wethWei: bigint): { usdtOut: bigint; wethIn: bigint } {
  const q = quoteExactInputV3(pool.state, true, wethWei);
  return { usdtOut: q.amountOut, wethIn: q.amountIn };
}

/** The float curves of one band (virtual constant product, fee on the input): USDT in to buy q WETH. */
export function buyCost(pool: BandPool, q: number): number {
  return (pool.yVirtual * q) / (pool.xVirtual - q) / pool.gamma;
}

/** USDT out for q WETH sold into the band. */
export function sellProceeds(pool: BandPool, q: number): number {
  const g = pool.gamma * q;
  return (pool.yVirtual * g) / (pool.xVirtual + g);
}

export interface RoundTrip {
  /** WETH bought now (token units) and the model's expected round-trip profit at that size, USDT. */
  size: number;
  profit: number;
  /** The size ran into a bound (band capacity or `maxSize`) rather than an interior optimum. */
  capped: boolean;
}

/**
 * The size q maximising profit(q) = sellProceeds(exit, q) − buyCost(entry, q) − c·q − fixed: buy q WETH on
 * the pool now, sell it back into the pool at the expected exit price, pay `c` per WETH on the CEX leg. The
 * profit is concave (one band each side: profit″ < 0), so its maximum is where profit′ = 0, found by
 * bisection on the analytic derivative to float precision (a first-order condition, not a ladder of trial
 * sizes), else at the bound.
 */
export function optimalRoundTrip(
  entry: BandPool,
  exit: BandPool,
  c: number,
  fixed: number,
  maxSize: number,
): RoundTrip {
  const bound = Math.min(maxSize, entry.wethOut * (1 - 1e-9), exit.wethIn * (1 - 1e-9));
  const d = (q: number) => {
    const g = exit.gamma;
    const sell = (g * exit.yVirtual * exit.xVirtual) / (exit.xVirtual + g * q) ** 2;
    const buy = (entry.yVirtual * entry.xVirtual) / (entry.gamma * (entry.xVirtual - q) ** 2);
    return sell - buy - c;
  };
  const profit = (q: number) => sellProceeds(exit, q) - buyCost(entry, q) - c * q - fixed;
  if (!(bound > 0) || d(0) <= 0) return { size: 0, profit: -fixed, capped: false };
  if (d(bound) >= 0) return { size: bound, profit: profit(bound), capped: true };
  let a = 0;
  let b = bound;
  for (let i = 0; i < 200 && b - a > 1e-15 * b; i++) {
    const mid = (a + b) / 2;
    if (d(mid) > 0) a = mid;
    else b = mid;
  }
  const q = (a + b) / 2;
  return { size: q, profit: profit(q), capped: false };
}
