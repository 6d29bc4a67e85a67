/**
 * Balancer V2 StableMath (the StableSwap invariant with amplification A·n^(n−1) × 1000 precision) and the
 * stable pool's swap wrapper (BaseGeneralPool.onSwap: fee off a given-in amount first, balances and amounts
 * upscaled to 18 decimals, output rounded down / input rounded up, fee added to a given-out input).
 * `rounding: 'down'` (default) is the StableMath of StablePool v2 (20220609) and ComposableStablePool: the
 * invariant rounded down (validated against the bytecode, test/defi/balancer-vectors.test.ts);
 * `'directional'` is the older StableMath of StablePool v1 (Math.div(…, roundUp) inside; not validated on chain).
 */
import { complement, divDown, divUp as fpDivUp, mulDown, mulUp, ONE } from './fixedPoint.js';

const AMP_PRECISION = 1000n;

const divUp = (a: bigint, b: bigint): bigint => {
  if (b === 0n) throw new Error('StableMath: division by zero');
  return a === 0n ? 0n : 1n + (a - 1n) / b;
};
const div = (a: bigint, b: bigint, up: boolean): bigint => (up ? divUp(a, b) : a / b);

export type StableRounding = 'directional' | 'down';

/** _calculateInvariant: D by Newton's method (|ΔD| ≤ 1, 255 rounds). */
export function stableInvariant(
  amp: bigint,
  balances: readonly bigint[],
  roundUp: boolean,
  rounding: StableRounding = 'down',
): bigint {
  const n = BigInt(balances.length);
  let sum = 0n;
  for (const b of balances) sum += b;
  if (sum === 0n) return 0n;
  let inv = sum;
  const ampTimesTotal = amp * n;
  for (let k = 0; k < 255; k++) {
    const prev = inv;
    if (rounding === 'directional') {
      let pD = balances[0] * n;
      for (let j = 1; j < balances.length; j++) pD = div(pD * balances[j] * n, inv, roundUp);
      inv = div(
        n * inv * inv + div(ampTimesTotal * sum * pD, AMP_PRECISION, roundUp),
        (n + 1n) * inv + div((ampTimesTotal - AMP_PRECISION) * pD, AMP_PRECISION, !roundUp),
        roundUp,
      );
    } else {
      let dP = inv;
      for (const b of balances) dP = (dP * inv) / (b * n);
      inv =
        (((ampTimesTotal * sum) / AMP_PRECISION + dP * n) * inv) /
        (((ampTimesTotal - AMP_PRECISION) * inv) / AMP_PRECISION + (n + 1n) * dP);
    }
    if (inv > prev ? inv - prev <= 1n : prev - inv <= 1n) return inv;
  }
  throw new Error('StableMath: invariant did not converge (BAL#321)');
}

/** _getTokenBalanceGivenInvariantAndAllOtherBalances (rounds up). */
export function stableBalanceGivenInvariant(
  amp: bigint,
  balances: readonly bigint[],
  invariant: bigint,
  index: number,
): bigint {
  const n = BigInt(balances.length);
  const ampTimesTotal = amp * n;
  let sum = balances[0];
  let pD = balances[0] * n;
  for (let j = 1; j < balances.length; j++) {
    pD = (pD * balances[j] * n) / invariant;
    sum += balances[j];
  }
  sum -= balances[index];
  const inv2 = invariant * invariant;
  const c = divUp(inv2, ampTimesTotal * pD) * AMP_PRECISION * balances[index];
  const b = sum + (invariant / ampTimesTotal) * AMP_PRECISION;
  let y = divUp(inv2 + c, invariant + b);
  for (let k = 0; k < 255; k++) {
    const prev = y;
    const d = y * 2n + b - invariant;
    if (d <= 0n) throw new Error('StableMath: balance iteration underflow');
    y = divUp(y * y + c, d);
    if (y > prev ? y - prev <= 1n : prev - y <= 1n) return y;
  }
  throw new Error('StableMath: balance did not converge (BAL#322)');
}

/** Upscaled amounts: out for in. */
export function stableCalcOutGivenIn(
  amp: bigint,
  balances: readonly bigint[],
  i: number,
  j: number,
  amountIn: bigint,
  rounding: StableRounding = 'down',
): bigint {
  const inv = stableInvariant(amp, balances, true, rounding);
  const after = [...balances];
  after[i] += amountIn;
  const y = stableBalanceGivenInvariant(amp, after, inv, j);
  const out = balances[j] - y - 1n;
  if (out < 0n) throw new Error('StableMath: output underflow (BAL#001)');
  return out;
}

export function stableCalcInGivenOut(
  amp: bigint,
  balances: readonly bigint[],
  i: number,
  j: number,
  amountOut: bigint,
  rounding: StableRounding = 'down',
): bigint {
  const inv = stableInvariant(amp, balances, true, rounding);
  const after = [...balances];
  if (amountOut > after[j]) throw new Error('StableMath: amount out exceeds the balance (BAL#001)');
  after[j] -= amountOut;
  const x = stableBalanceGivenInvariant(amp, after, inv, i);
  return x - balances[i] + 1n;
}

export interface StablePoolState {
  balances: readonly bigint[];
  decimals: readonly number[];
  /** Amplification × 1000 (getAmplificationParameter's value). */
  amp: bigint;
  swapFee: bigint;
  rounding?: StableRounding;
}

const scaling = (decimals: number): bigint => 10n ** BigInt(18 - decimals) * ONE;

export function stableSwapGivenIn(p: StablePoolState, i: number, j: number, amountIn: bigint): bigint {
  const up = p.balances.map((b, k) => mulDown(b, scaling(p.decimals[k])));
  const afterFee = amountIn - mulUp(amountIn, p.swapFee);
  const out = stableCalcOutGivenIn(p.amp, up, i, j, mulDown(afterFee, scaling(p.decimals[i])), p.rounding);
  return divDown(out, scaling(p.decimals[j]));
}

export function stableSwapGivenOut(p: StablePoolState, i: number, j: number, amountOut: bigint): bigint {
  const up = p.balances.map((b, k) => mulDown(b, scaling(p.decimals[k])));
  const inUp = stableCalcInGivenOut(p.amp, up, i, j, mulDown(amountOut, scaling(p.decimals[j])), p.rounding);
  return fpDivUp(fpDivUp(inUp, scaling(p.decimals[i])), complement(p.swapFee));
}
