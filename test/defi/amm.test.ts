import { describe, expect, it } from 'vitest';
import {
  calcInGivenOut,
  calcOutGivenIn,
  curveA,
  curveD,
  curveGetDy,
  curveXp,
  curveY,
  getAmount0Delta,
  getAmount1Delta,
  getSqrtRatioAtTick,
  getTickAtSqrtRatio,
  logExpPow,
  MAX_SQRT_RATIO,
  MAX_TICK,
  MIN_SQRT_RATIO,
  MIN_TICK,
  mulDown,
  nextInitializedTickWithinOneWord,
  ONE,
  quoteExactInputV3,
  quoteExactOutputV3,
  v2AmountIn,
  v2AmountOut,
  weightedSwapGivenIn,
  type CurvePoolState,
  type V3PoolState,
} from '../../src/defi/amm/index.js';

const Q96 = 1n << 96n;

describe('Uniswap V2', () => {
  it('matches the reference vector and the pair K check', () => {
    // mechanics.md §5.1: 1e18 in, reserves (1000e18, 2,000,000e6) → 1,992,013,962
    expect(v2AmountOut(10n ** 18n, 1000n * 10n ** 18n, 2_000_000n * 10n ** 6n)).toBe(1_992_013_962n);
    const [rIn, rOut] = [123_456_789_000n, 987_654_321_000_000n];
    for (const i of [1n, 1000n, 10n ** 9n, 10n ** 12n, 10n ** 15n]) {
      const o = v2AmountOut(i, rIn, rOut);
      const k = (out: bigint) => (rIn * 1000n + 997n * i) * (rOut - out) * 1000n >= rIn * rOut * 1_000_000n;
      expect(k(o)).toBe(true);
      expect(k(o + 1n)).toBe(false);
      const back = v2AmountIn(o > 0n ? o : 1n, rIn, rOut);
      expect(v2AmountOut(back, rIn, rOut)).toBeGreaterThanOrEqual(o > 0n ? o : 1n);
    }
    expect(() => v2AmountIn(rOut, rIn, rOut)).toThrow(/drains the pool/);
  });
});

describe('Uniswap V3 TickMath', () => {
  it('has the contract bounds and known ratios', () => {
    expect(getSqrtRatioAtTick(MIN_TICK)).toBe(MIN_SQRT_RATIO);
    expect(getSqrtRatioAtTick(MAX_TICK)).toBe(MAX_SQRT_RATIO);
    expect(getSqrtRatioAtTick(0)).toBe(Q96);
    expect(getSqrtRatioAtTick(MIN_TICK + 1)).toBe(4_295_343_490n);
    expect(getSqrtRatioAtTick(MAX_TICK - 1)).toBe(
      1_461_373_636_630_004_318_706_518_188_784_493_106_690_254_656_249n,
    );
    expect(getTickAtSqrtRatio(MIN_SQRT_RATIO)).toBe(MIN_TICK);
    expect(getTickAtSqrtRatio(MAX_SQRT_RATIO - 1n)).toBe(MAX_TICK - 1);
    expect(() => getSqrtRatioAtTick(MAX_TICK + 1)).toThrow(/outside/);
    expect(() => getTickAtSqrtRatio(MAX_SQRT_RATIO)).toThrow(/outside/);
  });

  it('is sqrt(1.0001^t)·2^96 and inverts exactly around every probed tick', () => {
    for (let t = -880_000; t <= 880_000; t += 7_919) {
      const r = getSqrtRatioAtTick(t);
      const f = Math.sqrt(1.0001 ** t) * 2 ** 96;
      expect(Math.abs(Number(r) / f - 1)).toBeLessThan(1e-9);
      expect(getTickAtSqrtRatio(r)).toBe(t);
      expect(getTickAtSqrtRatio(r - 1n)).toBe(t - 1);
      expect(getTickAtSqrtRatio(r + 1n)).toBe(t);
    }
  });
});

describe('Uniswap V3 swap', () => {
  it('finds the next initialized tick within one bitmap word', () => {
    const ticks = [-1200, -60, 120, 15_360 * 2].map((index) => ({ index, liquidityNet: 1n }));
    // spacing 60: word = 256 × 60 = 15,360 ticks
    // tick 0 is the first of its word: lte stops at the word start, -60 is in the word below
    expect(nextInitializedTickWithinOneWord(ticks, 0, 60, true)).toMatchObject({
      next: 0,
      initialized: false,
    });
    expect(nextInitializedTickWithinOneWord(ticks, -1, 60, true)).toMatchObject({
      next: -60,
      initialized: true,
    });
    expect(nextInitializedTickWithinOneWord(ticks, 0, 60, false)).toMatchObject({
      next: 120,
      initialized: true,
    });
    expect(nextInitializedTickWithinOneWord(ticks, 120, 60, false)).toMatchObject({
      next: 15_300,
      initialized: false,
    });
    expect(nextInitializedTickWithinOneWord(ticks, -61, 60, true)).toMatchObject({
      next: -1200,
      initialized: true,
    });
    expect(nextInitializedTickWithinOneWord(ticks, -1201, 60, true)).toMatchObject({
      next: -15_360,
      initialized: false,
    });
  });

  it('equals the constant-liquidity closed form inside one range and crosses ticks', () => {
    const L = 10n ** 24n;
    const pool: V3PoolState = {
      sqrtPriceX96: Q96,
      tick: 0,
      liquidity: L,
      fee: 3000,
      tickSpacing: 60,
      ticks: [
        { index: -600, liquidityNet: L },
        { index: 600, liquidityNet: -L },
      ],
    };
    const q = quoteExactInputV3(pool, true, 10n ** 18n);
    const lessFee = (10n ** 18n * 997_000n) / 1_000_000n;
    // √P' = L·√P / (L + x·√P / 2^96), rounded up; out = L·(√P − √P')/2^96, rounded down
    const num = L << 96n;
    const next = (num * Q96 + (num + lessFee * Q96) - 1n) / (num + lessFee * Q96);
    expect(q.amountOut).toBe(getAmount1Delta(next, Q96, L, false));
    expect(q.crossed).toBe(0);
    // a swap larger than the range: leaves the range, then no liquidity below
    const all = quoteExactInputV3(pool, true, 10n ** 30n);
    expect(all.crossed).toBe(1);
    expect(all.amountOut).toBe(getAmount1Delta(getSqrtRatioAtTick(-600), Q96, L, false));
    // exact out round trip: buying q.amountOut costs at most the input
    const back = quoteExactOutputV3(pool, true, q.amountOut);
    expect(back.amountIn).toBeLessThanOrEqual(10n ** 18n);
    expect(back.amountIn).toBeGreaterThan(10n ** 18n - 10n);
    expect(() => quoteExactOutputV3(pool, true, 10n ** 30n)).toThrow(/can pay only/);
    expect(getAmount0Delta(getSqrtRatioAtTick(-600), Q96, L, true)).toBeGreaterThan(0n);
  });
});

describe('Curve StableSwap', () => {
  const base: CurvePoolState = {
    balances: [1_000_000n * 10n ** 18n, 1_000_000n * 10n ** 6n, 1_000_000n * 10n ** 6n],
    rates: [10n ** 18n, 10n ** 30n, 10n ** 30n],
    fee: 4_000_000n,
    aPrecision: 100n,
    initialA: 100n * 100n,
    initialATime: 0n,
    futureA: 100n * 100n,
    futureATime: 0n,
  };
  it('D of a balanced pool is its sum; get_y keeps D; get_dy pays par minus the fee for a small trade', () => {
    const xp = curveXp(base.balances, base.rates);
    const amp = curveA(base, 1n);
    expect(curveD(xp, amp)).toBe(3_000_000n * 10n ** 18n);
    const x = xp[0] + 1000n * 10n ** 18n;
    const y = curveY(0, 1, x, xp, amp);
    const after = [x, y, xp[2]];
    const d0 = curveD(xp, amp);
    const d1 = curveD(after, amp);
    expect(d1 >= d0 - 2n && d1 <= d0 + 2n).toBe(true);
    const dy = curveGetDy(base, 0, 1, 1000n * 10n ** 18n, 1n);
    // 1000 DAI → ≈ 999.6 USDC (0.04 % fee), within a few units of 1e-6 of par at A = 100 in a balanced pool
    expect(Number(dy) / 1e6).toBeGreaterThan(999.59);
    expect(Number(dy) / 1e6).toBeLessThan(999.6);
  });
  it('ramps A linearly by timestamp, up and down', () => {
    const up = { initialA: 10_000n, initialATime: 1000n, futureA: 20_000n, futureATime: 2000n };
    expect(curveA(up, 1000n)).toBe(10_000n);
    expect(curveA(up, 1500n)).toBe(15_000n);
    expect(curveA(up, 1999n)).toBe(19_990n);
    expect(curveA(up, 5000n)).toBe(20_000n);
    const down = { initialA: 20_000n, initialATime: 0n, futureA: 10_000n, futureATime: 3n };
    expect(curveA(down, 1n)).toBe(16_667n);
  });
});

describe('Balancer V2 weighted', () => {
  it('pow is within its stated 1e-14 relative error of the real power', () => {
    for (const [x, y] of [
      [0.5, 0.25],
      [1.05, 3.7],
      [2.5, 0.333],
      [0.95, 1.5],
      [1234.5, 0.5],
    ]) {
      const got =
        Number(
          logExpPow(BigInt(Math.round(x * 1e6)) * 10n ** 12n, BigInt(Math.round(y * 1e6)) * 10n ** 12n),
        ) / 1e18;
      expect(Math.abs(got / x ** y - 1)).toBeLessThan(1e-13);
    }
  });
  it('a 50/50 pool is the constant product with rounding against the trader', () => {
    const [bIn, bOut, a] = [1000n * ONE, 2000n * ONE, 10n * ONE];
    // weights equal → exponent 1 → powUp fast path: out = bOut · (1 − divUp(bIn, bIn + a))
    const ratio = (bIn * ONE - 1n) / (bIn + a) + 1n;
    expect(calcOutGivenIn(bIn, ONE / 2n, bOut, ONE / 2n, a)).toBe(mulDown(bOut, ONE - ratio));
    expect(() => calcOutGivenIn(bIn, ONE / 2n, bOut, ONE / 2n, 301n * ONE)).toThrow(/30 %/);
    const back = calcInGivenOut(bIn, ONE / 2n, bOut, ONE / 2n, 19n * ONE);
    expect(Number(back) / 1e18).toBeCloseTo((1000 * 2000) / (2000 - 19) - 1000, 9);
  });
  it('an 80/20 pool with fee and 6-decimal token follows the float formula', () => {
    const pool = {
      balances: [500n * 10n ** 18n, 2_000_000n * 10n ** 6n],
      weights: [8n * 10n ** 17n, 2n * 10n ** 17n],
      decimals: [18, 6],
      swapFee: 3n * 10n ** 15n,
    };
    const out = weightedSwapGivenIn(pool, 0, 1, 10n ** 18n);
    const f = 2_000_000 * (1 - (500 / (500 + 0.997)) ** 4);
    expect(Math.abs(Number(out) / 1e6 - f)).toBeLessThan(1e-5);
  });
});
