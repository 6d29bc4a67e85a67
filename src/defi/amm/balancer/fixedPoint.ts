/**
 * Balancer V2 FixedPoint (18 decimals) and LogExpMath.pow: the rounding primitives of the weighted and stable
 * math, with the contract's fast paths for exponents 1, 2 and 4 and its 1e-14 relative pow error bound.
 * Signed divisions truncate toward zero in both Solidity and bigint, so the port is exact.
 */

export const ONE = 10n ** 18n;
const TWO = 2n * ONE;
const FOUR = 4n * ONE;
const MAX_POW_RELATIVE_ERROR = 10_000n;

export const mulDown = (a: bigint, b: bigint): bigint => (a * b) / ONE;
export const mulUp = (a: bigint, b: bigint): bigint => {
  const p = a * b;
  return p === 0n ? 0n : (p - 1n) / ONE + 1n;
};
export const divDown = (a: bigint, b: bigint): bigint => {
  if (b === 0n) throw new Error('FixedPoint: division by zero');
  return (a * ONE) / b;
};
export const divUp = (a: bigint, b: bigint): bigint => {
  if (b === 0n) throw new Error('FixedPoint: division by zero');
  return a === 0n ? 0n : (a * ONE - 1n) / b + 1n;
};
export const complement = (x: bigint): bigint => (x < ONE ? ONE - x : 0n);

export function powDown(x: bigint, y: bigint): bigint {
  if (y === ONE) return x;
  if (y === TWO) return mulDown(x, x);
  if (y === FOUR) {
    const sq = mulDown(x, x);
    return mulDown(sq, sq);
  }
  const raw = logExpPow(x, y);
  const maxError = mulUp(raw, MAX_POW_RELATIVE_ERROR) + 1n;
  return raw < maxError ? 0n : raw - maxError;
}

export function powUp(x: bigint, y: bigint): bigint {
  if (y === ONE) return x;
  if (y === TWO) return mulUp(x, x);
  if (y === FOUR) {
    const sq = mulUp(x, x);
    return mulUp(sq, sq);
  }
  const raw = logExpPow(x, y);
  return raw + mulUp(raw, MAX_POW_RELATIVE_ERROR) + 1n;
}

// ---- LogExpMath ----
const ONE_18 = ONE;
const ONE_20 = 10n ** 20n;
const ONE_36 = 10n ** 36n;
const MAX_NATURAL_EXPONENT = 130n * ONE_18;
const MIN_NATURAL_EXPONENT = -41n * ONE_18;
const LN_36_LOWER = ONE_18 - 10n ** 17n;
const LN_36_UPPER = ONE_18 + 10n ** 17n;
const MILD_EXPONENT_BOUND = (1n << 254n) / ONE_20;

// x_n = 2^(7−n) and a_n = e^(x_n); x0, x1, a0, a1 with 18 decimals / none, the rest with 20 decimals
const X0 = 128_000_000_000_000_000_000n;
const A0 = 38_877_084_059_945_950_922_200_000_000_000_000_000_000_000_000_000_000_000n;
const X1 = 64_000_000_000_000_000_000n;
const A1 = 6_235_149_080_811_616_882_910_000_000n;
const XS: readonly bigint[] = [
  3_200_000_000_000_000_000_000n,
  1_600_000_000_000_000_000_000n,
  800_000_000_000_000_000_000n,
  400_000_000_000_000_000_000n,
  200_000_000_000_000_000_000n,
  100_000_000_000_000_000_000n,
  50_000_000_000_000_000_000n,
  25_000_000_000_000_000_000n,
  12_500_000_000_000_000_000n,
  6_250_000_000_000_000_000n,
];
const AS: readonly bigint[] = [
  7_896_296_018_268_069_516_100_000_000_000_000n,
  888_611_052_050_787_263_676_000_000n,
  298_095_798_704_172_827_474_000n,
  5_459_815_003_314_423_907_810n,
  738_905_609_893_065_022_723n,
  271_828_182_845_904_523_536n,
  164_872_127_070_012_814_685n,
  128_402_541_668_774_148_407n,
  113_314_845_306_682_631_683n,
  106_449_445_891_785_942_956n,
];

/** LogExpMath.pow(x, y), 18-decimal base and exponent. */
export function logExpPow(x: bigint, y: bigint): bigint {
  if (y === 0n) return ONE_18;
  if (x === 0n) return 0n;
  if (x >> 255n !== 0n) throw new Error('LogExpMath.pow: base out of bounds');
  if (y >= MILD_EXPONENT_BOUND) throw new Error('LogExpMath.pow: exponent out of bounds');
  let logxTimesY: bigint;
  if (LN_36_LOWER < x && x < LN_36_UPPER) {
    const l36 = ln36(x);
    logxTimesY = (l36 / ONE_18) * y + ((l36 % ONE_18) * y) / ONE_18;
  } else {
    logxTimesY = ln(x) * y;
  }
  logxTimesY /= ONE_18;
  if (logxTimesY < MIN_NATURAL_EXPONENT || logxTimesY > MAX_NATURAL_EXPONENT)
    throw new Error('LogExpMath.pow: product out of bounds');
  return exp(logxTimesY);
}

export function exp(x: bigint): bigint {
  if (x < MIN_NATURAL_EXPONENT || x > MAX_NATURAL_EXPONENT)
    throw new Error('LogExpMath.exp: invalid exponent');
  if (x < 0n) return (ONE_18 * ONE_18) / exp(-x);
  let firstAN: bigint;
  if (x >= X0) {
    x -= X0;
    firstAN = A0;
  } else if (x >= X1) {
    x -= X1;
    firstAN = A1;
  } else firstAN = 1n;
  x *= 100n;
  let product = ONE_20;
  for (let i = 0; i < 8; i++) {
    if (x >= XS[i]) {
      x -= XS[i];
      product = (product * AS[i]) / ONE_20;
    }
  }
  let sum = ONE_20;
  let term = x;
  sum += term;
  for (let n = 2n; n <= 12n; n++) {
    term = (term * x) / ONE_20 / n;
    sum += term;
  }
  return (((product * sum) / ONE_20) * firstAN) / 100n;
}

function ln(a: bigint): bigint {
  if (a < ONE_18) return -ln((ONE_18 * ONE_18) / a);
  let sum = 0n;
  if (a >= A0 * ONE_18) {
    a /= A0;
    sum += X0;
  }
  if (a >= A1 * ONE_18) {
    a /= A1;
    sum += X1;
  }
  sum *= 100n;
  a *= 100n;
  for (let i = 0; i < 10; i++) {
    if (a >= AS[i]) {
      a = (a * ONE_20) / AS[i];
      sum += XS[i];
    }
  }
  const z = ((a - ONE_20) * ONE_20) / (a + ONE_20);
  const z2 = (z * z) / ONE_20;
  let num = z;
  let series = num;
  for (let d = 3n; d <= 11n; d += 2n) {
    num = (num * z2) / ONE_20;
    series += num / d;
  }
  series *= 2n;
  return (sum + series) / 100n;
}

function ln36(x: bigint): bigint {
  x *= ONE_18;
  const z = ((x - ONE_36) * ONE_36) / (x + ONE_36);
  const z2 = (z * z) / ONE_36;
  let num = z;
  let series = num;
  for (let d = 3n; d <= 15n; d += 2n) {
    num = (num * z2) / ONE_36;
    series += num / d;
  }
  return series * 2n;
}
