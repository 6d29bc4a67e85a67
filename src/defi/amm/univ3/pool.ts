/**
 * The Uniswap V3 pool's swap loop (UniswapV3Pool.swap) over a snapshot of its state: steps end at the next
 * initialized tick *within one bitmap word* (TickBitmap.nextInitializedTickWithinOneWord), so the per-step
 * rounding — and therefore the result — is the contract's to the wei; crossing an initialized tick adds its
 * liquidityNet (negated going down). Exact input: amountSpecified > 0; exact output: < 0.
 */
import { MAX_UINT128 } from '../math.js';
import { computeSwapStep } from './swapMath.js';
import {
  getSqrtRatioAtTick,
  getTickAtSqrtRatio,
  MAX_SQRT_RATIO,
  MAX_TICK,
  MIN_SQRT_RATIO,
  MIN_TICK,
} from './tickMath.js';

export const FEE_TIERS = { 100: 1, 500: 10, 3000: 60, 10_000: 200 } as const;

export interface V3Tick {
  /** Tick index (a multiple of the pool's spacing). */
  index: number;
  liquidityNet: bigint;
}

export interface V3PoolState {
  sqrtPriceX96: bigint;
  tick: number;
  liquidity: bigint;
  /** Fee in hundredths of a bip (3000 = 0.3 %). */
  fee: number;
  tickSpacing: number;
  /** Every initialized tick (liquidityGross > 0), ascending by index. */
  ticks: readonly V3Tick[];
  /**
   * Bitmap words whose ticks `ticks` holds, when only a window was read; a swap that needs a word outside
   * fails instead of guessing. Absent: every word.
   */
  loadedWords?: { lo: number; hi: number };
}

export interface V3SwapResult {
  /** Pool's balance changes: positive = paid into the pool, negative = paid out. */
  amount0: bigint;
  amount1: bigint;
  sqrtPriceX96: bigint;
  tick: number;
  liquidity: bigint;
  /** Initialized ticks crossed. */
  crossed: number;
  /** Steps of the loop (tick ranges touched, including word boundaries). */
  steps: number;
}

/** Index of the greatest tick ≤ t in `ticks` (−1 when none). */
function floorIndex(ticks: readonly V3Tick[], t: number): number {
  let lo = 0;
  let hi = ticks.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ticks[mid].index <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/**
 * TickBitmap.nextInitializedTickWithinOneWord on the sorted tick list: `lte` searches at or below the
 * current tick, else strictly above, never beyond the current 256-tick word. Returns the tick, whether it is
 * initialized, and its position in `ticks` when it is.
 */
export function nextInitializedTickWithinOneWord(
  ticks: readonly V3Tick[],
  tick: number,
  tickSpacing: number,
  lte: boolean,
): { next: number; initialized: boolean; at: number } {
  const compressed = Math.floor(tick / tickSpacing);
  if (lte) {
    const wordStart = (compressed >> 8) << 8;
    const i = floorIndex(ticks, compressed * tickSpacing);
    if (i >= 0 && ticks[i].index >= wordStart * tickSpacing)
      return { next: ticks[i].index, initialized: true, at: i };
    return { next: wordStart * tickSpacing, initialized: false, at: -1 };
  }
  const c1 = compressed + 1;
  const wordEnd = ((c1 >> 8) << 8) + 255;
  const i = floorIndex(ticks, c1 * tickSpacing - 1) + 1;
  if (i < ticks.length && ticks[i].index <= wordEnd * tickSpacing)
    return { next: ticks[i].index, initialized: true, at: i };
  return { next: wordEnd * tickSpacing, initialized: false, at: -1 };
}

function addDelta(x: bigint, y: bigint): bigint {
  const z = x + y;
  if (z < 0n) throw new Error('V3 swap: liquidity underflow crossing a tick (LS): inconsistent tick data');
  if (z > MAX_UINT128) throw new Error('V3 swap: liquidity overflow crossing a tick (LA)');
  return z;
}

/**
 * UniswapV3Pool.swap without transfers: the amounts and the state after. `sqrtPriceLimitX96` must be strictly
 * beyond the current price in the swap's direction and inside (MIN_SQRT_RATIO, MAX_SQRT_RATIO), as the pool
 * requires ('SPL').
 */
export function swapV3(
  pool: V3PoolState,
  zeroForOne: boolean,
  amountSpecified: bigint,
  sqrtPriceLimitX96: bigint,
): V3SwapResult {
  if (amountSpecified === 0n) throw new Error('V3 swap: amountSpecified is zero (AS)');
  const ok = zeroForOne
    ? sqrtPriceLimitX96 < pool.sqrtPriceX96 && sqrtPriceLimitX96 > MIN_SQRT_RATIO
    : sqrtPriceLimitX96 > pool.sqrtPriceX96 && sqrtPriceLimitX96 < MAX_SQRT_RATIO;
  if (!ok) throw new Error(`V3 swap: price limit ${sqrtPriceLimitX96} is not beyond the pool price (SPL)`);
  const exactInput = amountSpecified > 0n;
  const fee = BigInt(pool.fee);
  let remaining = amountSpecified;
  let calculated = 0n;
  let sqrtPrice = pool.sqrtPriceX96;
  let tick = pool.tick;
  let liquidity = pool.liquidity;
  let crossed = 0;
  let steps = 0;
  while (remaining !== 0n && sqrtPrice !== sqrtPriceLimitX96) {
    steps++;
    const start = sqrtPrice;
    if (pool.loadedWords) {
      const c = Math.floor(tick / pool.tickSpacing);
      const w = (zeroForOne ? c : c + 1) >> 8;
      if (w < pool.loadedWords.lo || w > pool.loadedWords.hi)
        throw new Error(
          `V3 swap: reaches tick-bitmap word ${w}, outside the loaded words ${pool.loadedWords.lo}..${pool.loadedWords.hi}`,
        );
    }
    const found = nextInitializedTickWithinOneWord(pool.ticks, tick, pool.tickSpacing, zeroForOne);
    let next = found.next;
    if (next < MIN_TICK) next = MIN_TICK;
    else if (next > MAX_TICK) next = MAX_TICK;
    const sqrtNext = getSqrtRatioAtTick(next);
    const target = (zeroForOne ? sqrtNext < sqrtPriceLimitX96 : sqrtNext > sqrtPriceLimitX96)
      ? sqrtPriceLimitX96
      : sqrtNext;
    const step = computeSwapStep(sqrtPrice, target, liquidity, remaining, fee);
    sqrtPrice = step.sqrtRatioNextX96;
    if (exactInput) {
      remaining -= step.amountIn + step.feeAmount;
      calculated -= step.amountOut;
    } else {
      remaining += step.amountOut;
      calculated += step.amountIn + step.feeAmount;
    }
    if (sqrtPrice === sqrtNext) {
      if (found.initialized) {
        const net = pool.ticks[found.at].liquidityNet;
        liquidity = addDelta(liquidity, zeroForOne ? -net : net);
        crossed++;
      }
      tick = zeroForOne ? next - 1 : next;
    } else if (sqrtPrice !== start) {
      tick = getTickAtSqrtRatio(sqrtPrice);
    }
  }
  const [amount0, amount1] =
    zeroForOne === exactInput
      ? [amountSpecified - remaining, calculated]
      : [calculated, amountSpecified - remaining];
  return { amount0, amount1, sqrtPriceX96: sqrtPrice, tick, liquidity, crossed, steps };
}

function defaultLimit(zeroForOne: boolean): bigint {
  return zeroForOne ? MIN_SQRT_RATIO + 1n : MAX_SQRT_RATIO - 1n;
}

export interface V3Quote {
  amountIn: bigint;
  amountOut: bigint;
  sqrtPriceX96After: bigint;
  crossed: number;
  steps: number;
}

/**
 * QuoterV2.quoteExactInputSingle: the output for `amountIn` of token0 (`zeroForOne`) or token1; with a limit
 * the swap stops there and `amountIn` is what was actually taken.
 */
export function quoteExactInputV3(
  pool: V3PoolState,
  zeroForOne: boolean,
  amountIn: bigint,
  sqrtPriceLimitX96 = 0n,
): V3Quote {
  if (amountIn <= 0n) throw new Error('V3 quote: amountIn must be positive');
  const r = swapV3(pool, zeroForOne, amountIn, sqrtPriceLimitX96 || defaultLimit(zeroForOne));
  return {
    amountIn: zeroForOne ? r.amount0 : r.amount1,
    amountOut: -(zeroForOne ? r.amount1 : r.amount0),
    sqrtPriceX96After: r.sqrtPriceX96,
    crossed: r.crossed,
    steps: r.steps,
  };
}

/**
 * QuoterV2.quoteExactOutputSingle: the input that buys `amountOut`. Without a limit the pool must be able to
 * pay all of it (the quoter's own check); otherwise an error says how much it can pay.
 */
export function quoteExactOutputV3(
  pool: V3PoolState,
  zeroForOne: boolean,
  amountOut: bigint,
  sqrtPriceLimitX96 = 0n,
): V3Quote {
  if (amountOut <= 0n) throw new Error('V3 quote: amountOut must be positive');
  const r = swapV3(pool, zeroForOne, -amountOut, sqrtPriceLimitX96 || defaultLimit(zeroForOne));
  const out = -(zeroForOne ? r.amount1 : r.amount0);
  if (sqrtPriceLimitX96 === 0n && out !== amountOut)
    throw new Error(`V3 quote: the pool can pay only ${out} of the ${amountOut} asked`);
  return {
    amountIn: zeroForOne ? r.amount0 : r.amount1,
    amountOut: out,
    sqrtPriceX96After: r.sqrtPriceX96,
    crossed: r.crossed,
    steps: r.steps,
  };
}
