/**
 * Curve StableSwap (the `SwapTemplateBase.vy` plain pool): the invariant D by Newton's method, the balance y
 * that keeps D when another balance changes, get_dy with the fee, for N coins, and A ramping linearly between
 * (initial_A, initial_A_time) and (future_A, future_A_time). Amounts are in the coins' own units; `rates` are
 * the pool's RATES (10^(36 − decimals)), balances are brought to 18 decimals as `rate · balance / 1e18`.
 * A values are stored as the contract stores them: multiplied by `aPrecision` (100 in the template; 1 in the
 * oldest pools such as 3pool, which have no A_PRECISION).
 */

export const CURVE_PRECISION = 10n ** 18n;
export const CURVE_FEE_DENOMINATOR = 10n ** 10n;

export interface CurveRamp {
  initialA: bigint;
  initialATime: bigint;
  futureA: bigint;
  futureATime: bigint;
}

export interface CurvePoolState extends CurveRamp {
  balances: readonly bigint[];
  /** RATES[i] = 10^(36 − decimals_i). */
  rates: readonly bigint[];
  /** Swap fee over 1e10 (4e6 = 0.04 %). */
  fee: bigint;
  /** A_PRECISION of the pool (100; 1 for pools without it). */
  aPrecision: bigint;
}

/** The pool's _A() at `timestamp` (seconds): the ramped amplification × A_PRECISION. */
export function curveA(r: CurveRamp, timestamp: bigint): bigint {
  const { initialA: a0, initialATime: t0, futureA: a1, futureATime: t1 } = r;
  if (timestamp >= t1) return a1;
  if (a1 > a0) return a0 + ((a1 - a0) * (timestamp - t0)) / (t1 - t0);
  return a0 - ((a0 - a1) * (timestamp - t0)) / (t1 - t0);
}

export function curveXp(balances: readonly bigint[], rates: readonly bigint[]): bigint[] {
  return balances.map((b, i) => (rates[i] * b) / CURVE_PRECISION);
}

/** get_D(xp, amp): the invariant, |ΔD| ≤ 1 convergence in at most 255 rounds, as the contract. */
export function curveD(xp: readonly bigint[], amp: bigint, aPrecision = 100n): bigint {
  const n = BigInt(xp.length);
  let s = 0n;
  for (const x of xp) s += x;
  if (s === 0n) return 0n;
  let d = s;
  const ann = amp * n;
  for (let k = 0; k < 255; k++) {
    let dP = d;
    for (const x of xp) {
      if (x === 0n) throw new Error('curve get_D: a balance is zero');
      dP = (dP * d) / (x * n);
    }
    const prev = d;
    d = (((ann * s) / aPrecision + dP * n) * d) / (((ann - aPrecision) * d) / aPrecision + (n + 1n) * dP);
    if (d > prev ? d - prev <= 1n : prev - d <= 1n) return d;
  }
  throw new Error('curve get_D: did not converge in 255 rounds');
}

/** get_y(i, j, x, xp): balance j that keeps D when balance i becomes x (all in 18-decimal xp units). */
export function curveY(
  i: number,
  j: number,
  x: bigint,
  xp: readonly bigint[],
  amp: bigint,
  aPrecision = 100n,
): bigint {
  const nCoins = xp.length;
  if (i === j || i < 0 || j < 0 || i >= nCoins || j >= nCoins)
    throw new Error(`curve get_y: bad coin indexes i=${i} j=${j} for ${nCoins} coins`);
  const n = BigInt(nCoins);
  const d = curveD(xp, amp, aPrecision);
  const ann = amp * n;
  let c = d;
  let s = 0n;
  for (let k = 0; k < nCoins; k++) {
    let xk: bigint;
    if (k === i) xk = x;
    else if (k !== j) xk = xp[k];
    else continue;
    s += xk;
    c = (c * d) / (xk * n);
  }
  c = (c * d * aPrecision) / (ann * n);
  const b = s + (d * aPrecision) / ann;
  let y = d;
  for (let k = 0; k < 255; k++) {
    const prev = y;
    y = (y * y + c) / (2n * y + b - d);
    if (y > prev ? y - prev <= 1n : prev - y <= 1n) return y;
  }
  throw new Error('curve get_y: did not converge in 255 rounds');
}

/** get_dy(i, j, dx) at `timestamp`: what `exchange` pays for dx of coin i, in coin j's units, after the fee. */
export function curveGetDy(
  pool: CurvePoolState,
  i: number,
  j: number,
  dx: bigint,
  timestamp: bigint,
): bigint {
  const xp = curveXp(pool.balances, pool.rates);
  const amp = curveA(pool, timestamp);
  const x = xp[i] + (dx * pool.rates[i]) / CURVE_PRECISION;
  const y = curveY(i, j, x, xp, amp, pool.aPrecision);
  const dy = xp[j] - y - 1n;
  if (dy < 0n) throw new Error('curve get_dy: the output underflows (pool too unbalanced for this input)');
  const fee = (pool.fee * dy) / CURVE_FEE_DENOMINATOR;
  return ((dy - fee) * CURVE_PRECISION) / pool.rates[j];
}
