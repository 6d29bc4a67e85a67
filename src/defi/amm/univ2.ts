/**
 * Uniswap V2 constant product with the 0.3 % fee, as UniswapV2Library.getAmountOut / getAmountIn
 * (v2-periphery) and the pair's K check (v2-core `UniswapV2Pair.swap`): the pair accepts an output `o` for
 * input `i` iff (R_in + i)·1000 − 3·i) · (R_out − o)·1000 ≥ R_in·R_out·1000², and getAmountOut is the largest
 * such `o`. `feeBps` generalises the 30 bps of the original pair (forks use other fees: 25 for Pancake).
 */

/** The pair stores reserves as uint112: a swap that would push a balance above reverts ('UniswapV2: OVERFLOW'). */
export const V2_MAX_RESERVE = (1n << 112n) - 1n;

function checkBalance(reserveIn: bigint, amountIn: bigint, what: string): void {
  if (reserveIn + amountIn > V2_MAX_RESERVE)
    throw new Error(`${what}: the pair's balance would exceed uint112 (UniswapV2: OVERFLOW)`);
}

/** Largest output the pair pays for `amountIn` (floor). Throws on zero input or empty reserves. */
export function v2AmountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint, feeBps = 30n): bigint {
  if (amountIn <= 0n) throw new Error('v2AmountOut: amountIn must be positive');
  if (reserveIn <= 0n || reserveOut <= 0n) throw new Error('v2AmountOut: pool has no liquidity');
  checkBalance(reserveIn, amountIn, 'v2AmountOut');
  const inWithFee = amountIn * (10_000n - feeBps);
  return (inWithFee * reserveOut) / (reserveIn * 10_000n + inWithFee);
}

/** Smallest input that buys `amountOut` (getAmountIn: floor + 1). Throws when amountOut ≥ reserveOut. */
export function v2AmountIn(amountOut: bigint, reserveIn: bigint, reserveOut: bigint, feeBps = 30n): bigint {
  if (amountOut <= 0n) throw new Error('v2AmountIn: amountOut must be positive');
  if (reserveIn <= 0n || reserveOut <= 0n) throw new Error('v2AmountIn: pool has no liquidity');
  if (amountOut >= reserveOut) throw new Error('v2AmountIn: amountOut drains the pool');
  const amountIn = (reserveIn * amountOut * 10_000n) / ((reserveOut - amountOut) * (10_000n - feeBps)) + 1n;
  checkBalance(reserveIn, amountIn, 'v2AmountIn');
  return amountIn;
}
