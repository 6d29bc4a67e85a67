/**
 * Spatial arbitrage between pools of one pair: for every ordered couple (buy X with Y in A, sell X for Y in B)
 * whose marginal rates multiply above 1, the exact optimal size (./optimize.ts), settled with exact quotes.
 */
import type { Address } from 'viem';
import type { PoolGraph } from '../pools/graph.js';
import { marginalRate } from '../pools/graph.js';
import type { PoolSnapshot } from '../pools/reader.js';
import { legOf, type Leg } from './curve.js';
import { optimizePath, settleExact } from './optimize.js';

export interface Opportunity {
  /** Token the path starts and ends with (the profit is in it). */
  token: Address;
  legs: Leg[];
  amountIn: bigint;
  amountOut: bigint;
  /** amountOut − amountIn, exact. */
  profit: bigint;
  /** Piece boundaries (V3 initialized ticks) the optimizer walked past. */
  boundaries: number;
  capped: boolean;
}

/** Sizes a path of legs: continuous optimum, then the exact integer settlement. Null when unprofitable. */
export function sizePath(legs: Leg[]): Opportunity | null {
  const o = optimizePath(legs);
  if (!(o.amountIn > 0) || !(o.profit > 0)) return null;
  const s = settleExact(legs, o.amountIn);
  if (s.profit <= 0n) return null;
  return {
    token: legs[0].tokenIn,
    legs,
    amountIn: s.amountIn,
    amountOut: s.amountIn + s.profit,
    profit: s.profit,
    boundaries: o.boundaries,
    capped: o.capped,
  };
}

/** Best two-pool arbitrage between `a` and `b` starting from `token` (either direction of the price gap). */
export function spatialArb(a: PoolSnapshot, b: PoolSnapshot, token: Address): Opportunity | null {
  const other = token.toLowerCase() === a.token0.toLowerCase() ? a.token1 : a.token0;
  let best: Opportunity | null = null;
  for (const [buy, sell] of [
    [a, b],
    [b, a],
  ] as const) {
    if (marginalRate(buy, token) * marginalRate(sell, other) <= 1) continue;
    const o = sizePath([legOf(buy, token), legOf(sell, other)]);
    if (o && (!best || o.profit > best.profit)) best = o;
  }
  return best;
}

/**
 * Every profitable two-pool arbitrage in the graph: per couple of pools, the best cycle starting from each of
 * the two tokens (profits in different tokens are not comparable, so both are listed), largest first.
 */
export function scanSpatial(graph: PoolGraph): Opportunity[] {
  const out: Opportunity[] = [];
  const seen = new Set<string>();
  for (const p of graph.all()) {
    for (const q of graph.between(p.token0, p.token1)) {
      if (q.address === p.address) continue;
      const key = [p.address, q.address].sort().join();
      if (seen.has(key)) continue;
      seen.add(key);
      for (const t of [p.token0, p.token1]) {
        const o = spatialArb(p, q, t);
        if (o) out.push(o);
      }
    }
  }
  return out.sort((x, y) => (y.profit > x.profit ? 1 : y.profit < x.profit ? -1 : 0));
}
