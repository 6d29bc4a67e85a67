import { describe, expect, it } from 'vitest';
import type { Address } from 'viem';
import { getSqrtRatioAtTick, type V3PoolState } from '../../src/defi/amm/index.js';
import {
  exactPathProfit,
  findCycles,
  legOf,
  optimizePath,
  scanSpatial,
  sizeCycle,
  spatialArb,
  v2PairOptimum,
  validateOpportunity,
} from '../../src/defi/arb/index.js';
import { PoolGraph, type PoolSnapshot, type V2PairSnapshot } from '../../src/defi/pools/index.js';

const A = '0x000000000000000000000000000000000000000A' as Address;
const B = '0x000000000000000000000000000000000000000b' as Address;
const C = '0x000000000000000000000000000000000000000C' as Address;
let n = 0;
const addr = () => `0x${(++n).toString(16).padStart(40, '1')}` as Address;

function v2(t0: Address, t1: Address, r0: bigint, r1: bigint): V2PairSnapshot {
  return {
    kind: 'uniswap_v2',
    address: addr(),
    token0: t0,
    token1: t1,
    reserve0: r0,
    reserve1: r1,
    feeBps: 30n,
  };
}

/** A V3 pool at tick `at` with `k` stacked positions of liquidity L each, every `step` ticks out. */
function v3(
  t0: Address,
  t1: Address,
  at: number,
  L: bigint,
  k: number,
  step: number,
  fee = 3000,
): PoolSnapshot {
  const ticks = new Map<number, bigint>();
  let liquidity = 0n;
  for (let i = 1; i <= k; i++) {
    const lo = Math.floor(at / 60) * 60 - i * step;
    const hi = Math.floor(at / 60) * 60 + i * step;
    ticks.set(lo, (ticks.get(lo) ?? 0n) + L);
    ticks.set(hi, (ticks.get(hi) ?? 0n) - L);
    liquidity += L;
  }
  const state: V3PoolState = {
    sqrtPriceX96: getSqrtRatioAtTick(at) + 12_345n,
    tick: at,
    liquidity,
    fee,
    tickSpacing: 60,
    ticks: [...ticks.entries()]
      .sort((x, y) => x[0] - y[0])
      .map(([index, liquidityNet]) => ({ index, liquidityNet })),
  };
  return { kind: 'uniswap_v3', address: addr(), token0: t0, token1: t1, state };
}

/** The optimum beats every probe on a grid over [0, 3·y*] and the ±1 % sizes (an independent check). */
function expectOptimal(legs: ReturnType<typeof legOf>[], y: bigint, profit: bigint): void {
  for (const f of [99n, 101n]) expect(exactPathProfit(legs, (y * f) / 100n)).toBeLessThanOrEqual(profit);
  for (let k = 1n; k <= 300n; k++)
    expect(exactPathProfit(legs, (y * 3n * k) / 300n)).toBeLessThanOrEqual(profit);
}

describe('arbitrage sizing', () => {
  it('two V2 pairs: the walk equals the bigint closed form, and the settled size is the integer optimum', () => {
    const p = v2(A, B, 1000n * 10n ** 18n, 3_000_000n * 10n ** 6n);
    const q = v2(A, B, 1000n * 10n ** 18n, 3_090_000n * 10n ** 6n);
    // buy A with B in p (cheap A), sell A for B in q
    const legs = [legOf(p, B), legOf(q, A)];
    const o = optimizePath(legs);
    const closed = v2PairOptimum(p.reserve1, p.reserve0, q.reserve0, q.reserve1);
    expect(Math.abs(o.amountIn / Number(closed) - 1)).toBeLessThan(1e-9);
    expect(o.boundaries).toBe(0);
    const best = spatialArb(p, q, B)!;
    expect(best.amountIn - closed <= 3n && closed - best.amountIn <= 3n).toBe(true);
    for (const d of [-1n, 1n])
      expect(exactPathProfit(legs, best.amountIn + d)).toBeLessThanOrEqual(best.profit);
    expectOptimal(legs, best.amountIn, best.profit);
    // the same pools without the gap: nothing
    expect(spatialArb(p, v2(A, B, 1000n * 10n ** 18n, 3_000_000n * 10n ** 6n), B)).toBeNull();
  });

  it('V3 across many initialized ticks against a V2 pair: exact optimum, several boundaries walked', () => {
    // V3 at tick -200000 (1 A ≈ 2.06e-9 B raw), 40 nested ranges; the V2 pair priced 3 % higher in B
    const p = v3(A, B, -200_000, 10n ** 17n, 40, 60);
    const sp = Number(getSqrtRatioAtTick(-200_000)) / 2 ** 96;
    const price = sp * sp * 1.03;
    const q = v2(A, B, 10n ** 25n, BigInt(Math.round(1e25 * price)));
    const best = spatialArb(p, q, B)!;
    expect(best).not.toBeNull();
    expect(best.boundaries).toBeGreaterThan(3);
    expectOptimal(best.legs, best.amountIn, best.profit);
    const g = new PoolGraph([p, q]);
    expect(scanSpatial(g).find((x) => x.token === B)?.profit).toBe(best.profit);
  });

  it('two V3 pools of different fee tiers, both over many ticks: exact optimum', () => {
    const p = v3(A, B, 20_000, 10n ** 20n, 30, 60, 500);
    const q = v3(A, B, 20_400, 3n * 10n ** 19n, 25, 120, 3000);
    const best = spatialArb(p, q, B) ?? spatialArb(p, q, A);
    expect(best).not.toBeNull();
    expect(best!.boundaries).toBeGreaterThan(1);
    expectOptimal(best!.legs, best!.amountIn, best!.profit);
  });

  it('Bellman-Ford finds the mispriced triangle and sizes it exactly', () => {
    // A→B→C→A with 2 % more C per A in the third pair than the first two imply
    const ab = v2(A, B, 10n ** 24n, 2n * 10n ** 24n);
    const bc = v2(B, C, 10n ** 24n, 3n * 10n ** 24n);
    const ca = v2(A, C, 10n ** 24n, 612n * 10n ** 22n);
    const cycles = findCycles(new PoolGraph([ab, bc, ca]));
    expect(cycles.length).toBeGreaterThan(0);
    const c = cycles[0];
    expect(c.pools).toHaveLength(3);
    expect(c.rate).toBeGreaterThan(1);
    const o = sizeCycle(c)!;
    expect(o.profit).toBeGreaterThan(0n);
    expectOptimal(o.legs, o.amountIn, o.profit);
    // the same triangle with its B→C leg on a V3 pool (price 3, many ticks): still found and sized exactly
    const bcV3 = v3(B, C, Math.round(Math.log(3) / Math.log(1.0001)), 10n ** 23n, 40, 60);
    const c3 = findCycles(new PoolGraph([ab, bcV3, ca]))[0];
    expect(c3.pools.map((p) => p.kind).sort()).toEqual(['uniswap_v2', 'uniswap_v2', 'uniswap_v3']);
    const o3 = sizeCycle(c3)!;
    expect(o3.profit).toBeGreaterThan(0n);
    expectOptimal(o3.legs, o3.amountIn, o3.profit);
    // no cycle when every price agrees
    expect(findCycles(new PoolGraph([ab, bc, v2(A, C, 10n ** 24n, 6n * 10n ** 24n)]))).toEqual([]);
  });

  it('validation: gas, flash premium, slippage bound and minimum profit', () => {
    const p = v2(A, B, 1000n * 10n ** 18n, 3_000_000n * 10n ** 6n);
    const q = v2(A, B, 1000n * 10n ** 18n, 3_090_000n * 10n ** 6n);
    const o = spatialArb(p, q, B)!;
    const v = validateOpportunity(o, {
      gasUnits: 250_000n,
      gasPriceWei: 20n * 10n ** 9n,
      ethInToken: 3000n * 10n ** 6n,
      flashPremiumBps: 5n,
      slippageBps: 10n,
      minProfit: 10n ** 6n,
    });
    // gas: 250k × 20 gwei = 0.005 ETH = 15 USDT (6 dec)
    expect(v.gasCost).toBe(15_000_000n);
    expect(v.flashPremium).toBe((o.amountIn * 5n + 9_999n) / 10_000n);
    expect(v.netProfit).toBe(o.profit - v.gasCost - v.flashPremium);
    expect(v.ok).toBe(v.netProfit >= 10n ** 6n && v.worstNetProfit >= 0n);
    const tooDear = validateOpportunity(o, {
      gasUnits: 10n ** 9n,
      gasPriceWei: 10n ** 12n,
      ethInToken: 3000n * 10n ** 6n,
    });
    expect(tooDear.ok).toBe(false);
    expect(tooDear.reasons[0]).toMatch(/^net profit -\d+ below the minimum 0$/);
  });
});
