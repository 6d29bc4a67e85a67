/**
 * Uniswap V3 SwapMath.computeSwapStep: one step of a swap within a range of constant liquidity, from the
 * current price toward a target, for an exact input (amountRemaining > 0) or exact output (< 0).
 */
import { mulDiv, mulDivRoundingUp } from '../math.js';
import {
  getAmount0Delta,
  getAmount1Delta,
  nextSqrtPriceFromInput,
  nextSqrtPriceFromOutput,
} from './sqrtPriceMath.js';

export interface SwapStep {
  sqrtRatioNextX96: bigint;
  amountIn: bigint;
  amountOut: bigint;
  feeAmount: bigint;
}

const PIPS = 1_000_000n;

export function computeSwapStep(
  sqrtRatioCurrentX96: bigint,
  sqrtRatioTargetX96: bigint,
  liquidity: bigint,
  amountRemaining: bigint,
  feePips: bigint,
): SwapStep {
  const zeroForOne = sqrtRatioCurrentX96 >= sqrtRatioTargetX96;
  const exactIn = amountRemaining >= 0n;
  let next: bigint;
  let amountIn = 0n;
  let amountOut = 0n;
  if (exactIn) {
    const lessFee = mulDiv(amountRemaining, PIPS - feePips, PIPS);
    amountIn = zeroForOne
      ? getAmount0Delta(sqrtRatioTargetX96, sqrtRatioCurrentX96, liquidity, true)
      : getAmount1Delta(sqrtRatioCurrentX96, sqrtRatioTargetX96, liquidity, true);
    next =
      lessFee >= amountIn
        ? sqrtRatioTargetX96
        : nextSqrtPriceFromInput(sqrtRatioCurrentX96, liquidity, lessFee, zeroForOne);
  } else {
    amountOut = zeroForOne
      ? getAmount1Delta(sqrtRatioTargetX96, sqrtRatioCurrentX96, liquidity, false)
      : getAmount0Delta(sqrtRatioCurrentX96, sqrtRatioTargetX96, liquidity, false);
    next =
      -amountRemaining >= amountOut
        ? sqrtRatioTargetX96
        : nextSqrtPriceFromOutput(sqrtRatioCurrentX96, liquidity, -amountRemaining, zeroForOne);
  }
  const max = sqrtRatioTargetX96 === next;
  if (zeroForOne) {
    if (!(max && exactIn)) amountIn = getAmount0Delta(next, sqrtRatioCurrentX96, liquidity, true);
    if (!(max && !exactIn)) amountOut = getAmount1Delta(next, sqrtRatioCurrentX96, liquidity, false);
  } else {
    if (!(max && exactIn)) amountIn = getAmount1Delta(sqrtRatioCurrentX96, next, liquidity, true);
    if (!(max && !exactIn)) amountOut = getAmount0Delta(sqrtRatioCurrentX96, next, liquidity, false);
  }
  if (!exactIn && amountOut > -amountRemaining) amountOut = -amountRemaining;
  const feeAmount =
    exactIn && next !== sqrtRatioTargetX96
      ? amountRemaining - amountIn
      : mulDivRoundingUp(amountIn, feePips, PIPS - feePips);
  return { sqrtRatioNextX96: next, amountIn, amountOut, feeAmount };
}
