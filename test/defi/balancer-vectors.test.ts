/**
 * The Balancer V2 math against swap results of the real bytecode (Vault 20210418 with WeightedPool v2
 * 20220908 and StablePool v2 20220609 from `@balancer-labs/v2-deployments@3.2.0`, queried with
 * Vault.queryBatchSwap on anvil by scripts/defi-balancer-vectors.ts).
 * - weighted: 12 pools of 2–4 tokens (18/6/8 decimals; 50/50, 80/20 and random weights; fees 1e-6 to 10 %),
 *   2,400 given-in / given-out swaps up to ~40 % of a balance, including the Vault's 30 % cap refusals;
 * - stable: 12 pools of 2–5 tokens, A from 1 to 5,000, balanced and skewed balances, 2,400 swaps up to ~90 %
 *   of a balance.
 * Every result is equal to the wei, and every swap the Vault refuses the library refuses.
 *
 * The stable vectors also cross-check the Curve port (no Curve bytecode is available offline): Curve's A
 * (× A_PRECISION 100) and Balancer's amplification (× 1000) are the same A·n^(n−1), so on the same 18-decimal
 * balances Curve's get_D must give the StableSwap invariant the Balancer bytecode computes, and get_y the same
 * balance up to the solvers' different rounding.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  curveD,
  curveY,
  mulDown,
  ONE,
  stableBalanceGivenInvariant,
  stableInvariant,
  stableSwapGivenIn,
  stableSwapGivenOut,
  weightedSwapGivenIn,
  weightedSwapGivenOut,
} from '../../src/defi/amm/index.js';

interface Swap {
  pool: number;
  i: number;
  j: number;
  givenOut: boolean;
  amount: string;
  result?: string;
  error?: string;
}

function vectors<P>(name: string): { pools: P[]; swaps: Swap[] } {
  return JSON.parse(readFileSync(new URL(`./vectors/${name}`, import.meta.url), 'utf8')) as {
    pools: P[];
    swaps: Swap[];
  };
}

/** Compares every swap; a library error counts as the Vault's when the Vault refused too (code by message). */
function compare(swaps: Swap[], run: (s: Swap) => bigint, code: (message: string) => string) {
  let equal = 0;
  let refused = 0;
  const bad: unknown[] = [];
  for (const s of swaps) {
    let got: bigint | string;
    try {
      got = run(s);
    } catch (err) {
      got = code((err as Error).message);
    }
    if (s.error !== undefined) {
      if (got === s.error) refused++;
      else bad.push({ ...s, got });
    } else if (typeof got === 'bigint' && got === BigInt(s.result!)) equal++;
    else bad.push({ ...s, got });
  }
  return { equal, refused, bad };
}

describe('Balancer V2 = the Vault', () => {
  it('weighted: equals every queryBatchSwap result and refuses what it refuses', () => {
    const v = vectors<{ balances: string[]; weights: string[]; decimals: number[]; swapFee: string }>(
      'balancer-weighted.json',
    );
    const pools = v.pools.map((p) => ({
      balances: p.balances.map(BigInt),
      weights: p.weights.map(BigInt),
      decimals: p.decimals,
      swapFee: BigInt(p.swapFee),
    }));
    const r = compare(
      v.swaps,
      (s) =>
        (s.givenOut ? weightedSwapGivenOut : weightedSwapGivenIn)(pools[s.pool], s.i, s.j, BigInt(s.amount)),
      (m) => (/MAX_IN_RATIO/.test(m) ? 'BAL#304' : /MAX_OUT_RATIO/.test(m) ? 'BAL#305' : m),
    );
    console.log(
      `balancer weighted: ${r.equal} swaps equal to the wei, ${r.refused} refused by both, ${r.bad.length} mismatches`,
    );
    expect(r.bad.slice(0, 3)).toEqual([]);
    expect(r.refused).toBeGreaterThan(0);
    expect(r.equal + r.refused).toBe(2400);
  });

  it('stable: equals every queryBatchSwap result and refuses what it refuses', () => {
    const v = vectors<{ balances: string[]; decimals: number[]; amp: string; swapFee: string }>(
      'balancer-stable.json',
    );
    const pools = v.pools.map((p) => ({
      balances: p.balances.map(BigInt),
      decimals: p.decimals,
      amp: BigInt(p.amp),
      swapFee: BigInt(p.swapFee),
    }));
    const r = compare(
      v.swaps,
      (s) => (s.givenOut ? stableSwapGivenOut : stableSwapGivenIn)(pools[s.pool], s.i, s.j, BigInt(s.amount)),
      (m) => (/BAL#001/.test(m) ? 'BAL#001' : m),
    );
    console.log(
      `balancer stable: ${r.equal} swaps equal to the wei, ${r.refused} refused by both, ${r.bad.length} mismatches`,
    );
    expect(r.bad.slice(0, 3)).toEqual([]);
    expect(r.equal + r.refused).toBe(2400);
  });

  it('Curve get_D equals the stable invariant of the bytecode-validated StableMath; get_y agrees within 1e-15', () => {
    const v = vectors<{ balances: string[]; decimals: number[]; amp: string }>('balancer-stable.json');
    let worstY = 0;
    for (const p of v.pools) {
      const xp = p.balances.map((b, k) => mulDown(BigInt(b), 10n ** BigInt(18 - p.decimals[k]) * ONE));
      const ampB = BigInt(p.amp);
      const ampC = ampB / 10n;
      const d = stableInvariant(ampB, xp, false);
      expect(curveD(xp, ampC)).toBe(d);
      for (const frac of [100_000n, 1000n, 10n, 2n]) {
        const x = xp[0] + xp[0] / frac;
        const yC = curveY(0, xp.length - 1, x, xp, ampC);
        const after = [...xp];
        after[0] = x;
        const yB = stableBalanceGivenInvariant(ampB, after, d, xp.length - 1);
        const rel = Math.abs(Number(yC - yB)) / Number(xp[xp.length - 1] - yC);
        if (rel > worstY) worstY = rel;
      }
    }
    console.log(
      `curve vs balancer stable: get_D equal on ${v.pools.length} pools; worst get_y relative difference ${worstY}`,
    );
    expect(worstY).toBeLessThan(1e-15);
  });
});
