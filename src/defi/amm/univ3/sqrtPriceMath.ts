/**
 * Uniswap V3 SqrtPriceMath: the next price after adding or removing an amount of one token, and the token
 * amounts between two prices, with the contract's rounding (prices move conservatively, inputs round up,
 * outputs down) and its overflow paths.
 */
import { divRoundingUp, MAX_UINT160, MAX_UINT256, mulDiv, mulDivRoundingUp, Q96 } from '../math.js';

function toUint160(x: bigint, what: string): bigint {
  if (x > MAX_UINT160 || x < 0n) throw new Error(`${what}: price does not fit uint160`);
  return x;
}

/** Price after adding (`add`) or removing `amount` of token0, rounded up. */
export function nextSqrtPriceFromAmount0RoundingUp(
  sqrtPX96: bigint,
  liquidity: bigint,
  amount: bigint,
  add: boolean,
): bigint {
  if (amount === 0n) return sqrtPX96;
  const numerator1 = liquidity << 96n;
  const product = amount * sqrtPX96;
  if (add) {
    if (product <= MAX_UINT256) {
      const denominator = numerator1 + product;
      if (denominator <= MAX_UINT256) return mulDivRoundingUp(numerator1, sqrtPX96, denominator);
    }
    const d = numerator1 / sqrtPX96 + amount;
    if (d > MAX_UINT256) throw new Error('nextSqrtPriceFromAmount0: overflow');
    return divRoundingUp(numerator1, d);
  }
  if (product > MAX_UINT256 || numerator1 <= product)
    throw new Error('nextSqrtPriceFromAmount0: output exceeds the liquidity');
  return toUint160(mulDivRoundingUp(numerator1, sqrtPX96, numerator1 - product), 'nextSqrtPriceFromAmount0');
}

/** Price after adding (`add`) or removing `amount` of token1, rounded down. */
export function nextSqrtPriceFromAmount1RoundingDown(
  sqrtPX96: bigint,
  liquidity: bigint,
  amount: bigint,
  add: boolean,
): bigint {
  if (add) {
    const quotient = amount <= MAX_UINT160 ? (amount << 96n) / liquidity : mulDiv(amount, Q96, liquidity);
    return toUint160(sqrtPX96 + quotient, 'nextSqrtPriceFromAmount1');
  }
  const quotient =
    amount <= MAX_UINT160
      ? divRoundingUp(amount << 96n, liquidity)
      : mulDivRoundingUp(amount, Q96, liquidity);
  if (sqrtPX96 <= quotient) throw new Error('nextSqrtPriceFromAmount1: output exceeds the liquidity');
  return sqrtPX96 - quotient;
}

export function nextSqrtPriceFromInput(
  sqrtPX96: bigint,
  liquidity: bigint,
  amountIn: bigint,
  zeroForOne: boolean,
): bigint {
  if (sqrtPX96 <= 0n || liquidity <= 0n) throw new Error('nextSqrtPriceFromInput: zero price or liquidity');
  return zeroForOne
    ? nextSqrtPriceFromAmount0RoundingUp(sqrtPX96, liquidity, amountIn, true)
    : nextSqrtPriceFromAmount1RoundingDown(sqrtPX96, liquidity, amountIn, true);
}

export function nextSqrtPriceFromOutput(
  sqrtPX96: bigint,
  liquidity: bigint,
  amountOut: bigint,
  zeroForOne: boolean,
): bigint {
  if (sqrtPX96 <= 0n || liquidity <= 0n) throw new Error('nextSqrtPriceFromOutput: zero price or liquidity');
  return zeroForOne
    ? nextSqrtPriceFromAmount1RoundingDown(sqrtPX96, liquidity, amountOut, false)
    : nextSqrtPriceFromAmount0RoundingUp(sqrtPX96, liquidity, amountOut, false);
}

/** Token0 between two prices: L·2^96·(√b − √a)/(√a·√b). */
export function getAmount0Delta(sqrtA: bigint, sqrtB: bigint, liquidity: bigint, roundUp: boolean): bigint {
  if (sqrtA > sqrtB) [sqrtA, sqrtB] = [sqrtB, sqrtA];
  if (sqrtA <= 0n) throw new Error('getAmount0Delta: zero price');
  const numerator1 = liquidity << 96n;
  const numerator2 = sqrtB - sqrtA;
  return roundUp
    ? divRoundingUp(mulDivRoundingUp(numerator1, numerator2, sqrtB), sqrtA)
    : mulDiv(numerator1, numerator2, sqrtB) / sqrtA;
}

/** Token1 between two prices: L·(√b − √a)/2^96. */
export function getAmount1Delta(sqrtA: bigint, sqrtB: bigint, liquidity: bigint, roundUp: boolean): bigint {
  if (sqrtA > sqrtB) [sqrtA, sqrtB] = [sqrtB, sqrtA];
  return roundUp ? mulDivRoundingUp(liquidity, sqrtB - sqrtA, Q96) : mulDiv(liquidity, sqrtB - sqrtA, Q96);
}
