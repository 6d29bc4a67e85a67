/**
 * The Balancer V2 weighted math against swap results of the real bytecode (Vault 20210418 + WeightedPool v2
 * 20220908 from `@balancer-labs/v2-deployments@3.2.0`, queried with Vault.queryBatchSwap on anvil by
 * scripts/defi-balancer-vectors.ts): 12 pools of 2–4 tokens (18/6/8 decimals; 50/50, 80/20 and random
 * weights; fees 1e-6 to 10 %), 2,400 given-in / given-out swaps up to ~40 % of a balance. Every result is
 * equal to the wei, and every swap the Vault refuses for the 30 % caps (BAL#304 / BAL#305) the library refuses.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  weightedSwapGivenIn,
  weightedSwapGivenOut,
  type WeightedPoolState,
} from '../../src/defi/amm/index.js';

interface Vectors {
  pools: { balances: string[]; weights: string[]; decimals: number[]; swapFee: string }[];
  swaps: {
    pool: number;
    i: number;
    j: number;
    givenOut: boolean;
    amount: string;
    result?: string;
    error?: string;
  }[];
}

const v = JSON.parse(
  readFileSync(new URL('./vectors/balancer-weighted.json', import.meta.url), 'utf8'),
) as Vectors;

describe('Balancer V2 weighted = the Vault', () => {
  it('equals every queryBatchSwap result and refuses what it refuses', () => {
    const pools: WeightedPoolState[] = v.pools.map((p) => ({
      balances: p.balances.map(BigInt),
      weights: p.weights.map(BigInt),
      decimals: p.decimals,
      swapFee: BigInt(p.swapFee),
    }));
    let equal = 0;
    let refused = 0;
    const bad: unknown[] = [];
    for (const s of v.swaps) {
      let got: bigint | string;
      try {
        got = (s.givenOut ? weightedSwapGivenOut : weightedSwapGivenIn)(
          pools[s.pool],
          s.i,
          s.j,
          BigInt(s.amount),
        );
      } catch (err) {
        got = /MAX_IN_RATIO/.test((err as Error).message)
          ? 'BAL#304'
          : /MAX_OUT_RATIO/.test((err as Error).message)
            ? 'BAL#305'
            : (err as Error).message;
      }
      if (s.error !== undefined) {
        if (got === s.error) refused++;
        else bad.push({ ...s, got });
      } else if (typeof got === 'bigint' && got === BigInt(s.result!)) equal++;
      else bad.push({ ...s, got });
    }
    console.log(
      `balancer weighted: ${equal} swaps equal to the wei, ${refused} refused by both, ${bad.length} mismatches`,
    );
    expect(bad.slice(0, 3)).toEqual([]);
    expect(equal + refused).toBe(v.swaps.length);
    expect(v.swaps.length).toBe(2400);
  });
});
