/**
 * Integer helpers shared by the AMM ports: EVM word bounds and the rounding divisions the contracts use. Every
 * function works on non-negative bigints and throws, naming the operation, where the contract would revert.
 */

export const MAX_UINT256 = (1n << 256n) - 1n;
export const MAX_UINT160 = (1n << 160n) - 1n;
export const MAX_UINT128 = (1n << 128n) - 1n;
export const Q96 = 1n << 96n;
export const Q128 = 1n << 128n;

/** ⌊a·b / d⌋ as Uniswap's FullMath.mulDiv: reverts when d = 0 or the result does not fit 256 bits. */
export function mulDiv(a: bigint, b: bigint, d: bigint): bigint {
  if (d === 0n) throw new Error('mulDiv: division by zero');
  const r = (a * b) / d;
  if (r > MAX_UINT256) throw new Error('mulDiv: result overflows uint256');
  return r;
}

/** ⌈a·b / d⌉ as FullMath.mulDivRoundingUp. */
export function mulDivRoundingUp(a: bigint, b: bigint, d: bigint): bigint {
  if (d === 0n) throw new Error('mulDivRoundingUp: division by zero');
  const p = a * b;
  let r = p / d;
  if (p % d > 0n) r += 1n;
  if (r > MAX_UINT256) throw new Error('mulDivRoundingUp: result overflows uint256');
  return r;
}

/** ⌈a / d⌉ (UnsafeMath.divRoundingUp; d > 0). */
export function divRoundingUp(a: bigint, d: bigint): bigint {
  const q = a / d;
  return a % d > 0n ? q + 1n : q;
}

/** Integer square root (floor), Newton's method. */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new Error('isqrt of a negative number');
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  if (x === 0n) x = 1n;
  // Newton from a float estimate converges in a few steps; finish with exact floor corrections
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  while (x * x > n) x -= 1n;
  while ((x + 1n) * (x + 1n) <= n) x += 1n;
  return x;
}
