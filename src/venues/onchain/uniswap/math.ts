/**
 * Uniswap V3 swap output inside the current tick range (constant liquidity), in floating point: the
 * synchronous quote of the DEX view. Exact while the swap crosses no initialised tick (mechanics.md §5.2:
 * token0 in → √P' = L·√P / (L + Δx·√P), out = L (√P − √P'); token1 in → √P' = √P + Δy / L,
 * out = L (√P' − √P) / (√P √P')); the executed swap is quoted exactly by QuoterV2.
 */
const Q96 = 2 ** 96;

export interface PoolState {
  sqrtPriceX96: bigint;
  liquidity: bigint;
  /** Fee in hundredths of a basis point (3000 = 0.3 %). */
  fee: number;
}

/** Raw units of the output token for `amountInRaw` raw units in; NaN without liquidity. */
export function swapOutInRange(pool: PoolState, amountInRaw: number, zeroForOne: boolean): number {
  const L = Number(pool.liquidity);
  const sp = Number(pool.sqrtPriceX96) / Q96;
  if (!(L > 0) || !(sp > 0) || !(amountInRaw >= 0)) return NaN;
  const dx = amountInRaw * (1 - pool.fee / 1e6);
  if (zeroForOne) {
    const next = (L * sp) / (L + dx * sp);
    return L * (sp - next);
  }
  const next = sp + dx / L;
  return (L * (next - sp)) / (sp * next);
}
