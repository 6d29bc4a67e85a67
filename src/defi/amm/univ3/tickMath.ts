/**
 * Uniswap V3 TickMath: sqrt(1.0001^tick)·2^96 as the Q64.96 the pool stores, and its inverse. The forward map
 * uses the contract's bit decomposition (the same Q128 factors, so the result is identical); the inverse is
 * defined by the contract's postcondition — the greatest tick whose ratio is ≤ the price — found from a float
 * estimate and corrected with the forward map, which gives the same tick as the contract's log2 routine.
 */
import { MAX_UINT256 } from '../math.js';

export const MIN_TICK = -887_272;
export const MAX_TICK = 887_272;
export const MIN_SQRT_RATIO = 4_295_128_739n;
export const MAX_SQRT_RATIO = 1_461_446_703_485_210_103_287_273_052_203_988_822_378_723_970_342n;

/** The Q128 factors sqrt(1.0001)^-(2^i) of the contract, i = 1..19 (bit 0 is the initial ratio). */
const FACTORS: readonly bigint[] = [
  0xfff97272373d413259a46990580e213an,
  0xfff2e50f5f656932ef12357cf3c7fdccn,
  0xffe5caca7e10e4e61c3624eaa0941cd0n,
  0xffcb9843d60f6159c9db58835c926644n,
  0xff973b41fa98c081472e6896dfb254c0n,
  0xff2ea16466c96a3843ec78b326b52861n,
  0xfe5dee046a99a2a811c461f1969c3053n,
  0xfcbe86c7900a88aedcffc83b479aa3a4n,
  0xf987a7253ac413176f2b074cf7815e54n,
  0xf3392b0822b70005940c7a398e4b70f3n,
  0xe7159475a2c29b7443b29c7fa6e889d9n,
  0xd097f3bdfd2022b8845ad8f792aa5825n,
  0xa9f746462d870fdf8a65dc1f90e061e5n,
  0x70d869a156d2a1b890bb3df62baf32f7n,
  0x31be135f97d08fd981231505542fcfa6n,
  0x9aa508b5b7a84e1c677de54f3e99bc9n,
  0x5d6af8dedb81196699c329225ee604n,
  0x2216e584f5fa1ea926041bedfe98n,
  0x48a170391f7dc42444e8fa2n,
];
const BIT0 = 0xfffcb933bd6fad37aa2d162d1a594001n;
const ONE_Q128 = 1n << 128n;
const LOW32 = (1n << 32n) - 1n;

const cache = new Map<number, bigint>();

/** sqrtPriceX96 at `tick` (TickMath.getSqrtRatioAtTick). Throws outside [MIN_TICK, MAX_TICK]. */
export function getSqrtRatioAtTick(tick: number): bigint {
  const hit = cache.get(tick);
  if (hit !== undefined) return hit;
  if (!Number.isInteger(tick) || tick < MIN_TICK || tick > MAX_TICK)
    throw new Error(`getSqrtRatioAtTick: tick ${tick} outside [${MIN_TICK}, ${MAX_TICK}]`);
  const abs = Math.abs(tick);
  let ratio = abs & 1 ? BIT0 : ONE_Q128;
  for (let i = 0; i < FACTORS.length; i++) {
    if (abs & (2 << i)) ratio = (ratio * FACTORS[i]) >> 128n;
  }
  if (tick > 0) ratio = MAX_UINT256 / ratio;
  const out = (ratio >> 32n) + ((ratio & LOW32) === 0n ? 0n : 1n);
  if (cache.size > 200_000) cache.clear();
  cache.set(tick, out);
  return out;
}

const LOG_SQRT_10001 = Math.log(Math.sqrt(1.0001));
const TWO96 = 2 ** 96;

/** Greatest tick with getSqrtRatioAtTick(tick) ≤ sqrtPriceX96 (TickMath.getTickAtSqrtRatio). */
export function getTickAtSqrtRatio(sqrtPriceX96: bigint): number {
  if (sqrtPriceX96 < MIN_SQRT_RATIO || sqrtPriceX96 >= MAX_SQRT_RATIO)
    throw new Error(
      `getTickAtSqrtRatio: sqrtPriceX96 ${sqrtPriceX96} outside [MIN_SQRT_RATIO, MAX_SQRT_RATIO)`,
    );
  let t = Math.floor(Math.log(Number(sqrtPriceX96) / TWO96) / LOG_SQRT_10001);
  t = Math.min(MAX_TICK, Math.max(MIN_TICK, t));
  while (t > MIN_TICK && getSqrtRatioAtTick(t) > sqrtPriceX96) t--;
  while (t < MAX_TICK && getSqrtRatioAtTick(t + 1) <= sqrtPriceX96) t++;
  return t;
}
