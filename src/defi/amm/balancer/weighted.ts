/**
 * Balancer V2 weighted pool math (WeightedMath._calcOutGivenIn / _calcInGivenOut) and the pool's swap
 * wrapper (BaseMinimalSwapInfoPool.onSwap): given-in subtracts the swap fee from the input first
 * (mulUp(amount, fee)), upscales by the token's scaling factor, and downscales the output rounding down;
 * given-out upscales the output, computes the input, downscales it rounding up and adds the fee
 * (divUp(amount, 1 − fee)). Inputs are capped at 30 % of the balance in, outputs at 30 % of the balance out.
 */
import { complement, divDown, divUp, mulDown, mulUp, ONE, powUp } from './fixedPoint.js';

export const MAX_IN_RATIO = 3n * 10n ** 17n;
export const MAX_OUT_RATIO = 3n * 10n ** 17n;

/** Upscaled (18-decimal) math: amount out for amount in, all FixedPoint. */
export function calcOutGivenIn(
  balanceIn: bigint,
  weightIn: bigint,
  balanceOut: bigint,
  weightOut: bigint,
  amountIn: bigint,
): bigint {
  if (amountIn > mulDown(balanceIn, MAX_IN_RATIO))
    throw new Error('balancer calcOutGivenIn: amount in exceeds 30 % of the balance (MAX_IN_RATIO)');
  const base = divUp(balanceIn, balanceIn + amountIn);
  const exponent = divDown(weightIn, weightOut);
  const power = powUp(base, exponent);
  return mulDown(balanceOut, complement(power));
}

export function calcInGivenOut(
  balanceIn: bigint,
  weightIn: bigint,
  balanceOut: bigint,
  weightOut: bigint,
  amountOut: bigint,
): bigint {
  if (amountOut > mulDown(balanceOut, MAX_OUT_RATIO))
    throw new Error('balancer calcInGivenOut: amount out exceeds 30 % of the balance (MAX_OUT_RATIO)');
  const base = divUp(balanceOut, balanceOut - amountOut);
  const exponent = divUp(weightOut, weightIn);
  const power = powUp(base, exponent);
  return mulUp(balanceIn, power - ONE);
}

export interface WeightedPoolState {
  /** Raw balances (token units) as the Vault reports them. */
  balances: readonly bigint[];
  /** Normalized weights, 18 decimals, summing to 1e18. */
  weights: readonly bigint[];
  decimals: readonly number[];
  /** Swap fee percentage, 18 decimals (3e15 = 0.3 %). */
  swapFee: bigint;
}

const scaling = (decimals: number): bigint => 10n ** BigInt(18 - decimals) * ONE;

/** What the pool pays for `amountIn` raw units of token i, in raw units of token j. */
export function weightedSwapGivenIn(p: WeightedPoolState, i: number, j: number, amountIn: bigint): bigint {
  const si = scaling(p.decimals[i]);
  const sj = scaling(p.decimals[j]);
  const afterFee = amountIn - mulUp(amountIn, p.swapFee);
  const out = calcOutGivenIn(
    mulDown(p.balances[i], si),
    p.weights[i],
    mulDown(p.balances[j], sj),
    p.weights[j],
    mulDown(afterFee, si),
  );
  return divDown(out, sj);
}

/** What the pool charges (raw units of token i) to pay `amountOut` raw units of token j. */
export function weightedSwapGivenOut(p: WeightedPoolState, i: number, j: number, amountOut: bigint): bigint {
  const si = scaling(p.decimals[i]);
  const sj = scaling(p.decimals[j]);
  const inUp = calcInGivenOut(
    mulDown(p.balances[i], si),
    p.weights[i],
    mulDown(p.balances[j], sj),
    p.weights[j],
    mulDown(amountOut, sj),
  );
  const raw = divUp(inUp, si);
  return divUp(raw, complement(p.swapFee));
}
