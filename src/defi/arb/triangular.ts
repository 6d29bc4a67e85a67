/**
 * Cycles whose marginal rates multiply above 1 — negative cycles of the graph weighted by −log(rate) — by
 * Bellman-Ford from a virtual source (every token at distance 0), then each cycle sized exactly as a path.
 */
import type { Address } from 'viem';
import { marginalRate, type PoolGraph } from '../pools/graph.js';
import type { PoolSnapshot } from '../pools/reader.js';
import { legOf } from './curve.js';
import { sizePath, type Opportunity } from './spatial.js';

interface Edge {
  from: number;
  to: number;
  w: number;
  pool: PoolSnapshot;
}

export interface Cycle {
  tokens: Address[];
  pools: PoolSnapshot[];
  /** Product of the marginal rates (fees included) around the cycle; > 1 is an opportunity. */
  rate: number;
}

/** Negative cycles of −log(rate), each reported once (rotation-normalised), at most `maxCycles`. */
export function findCycles(graph: PoolGraph, maxCycles = 20): Cycle[] {
  const tokens = graph.tokens();
  const index = new Map(tokens.map((t, i) => [t, i]));
  const edges: Edge[] = [];
  for (const p of graph.all()) {
    for (const [a, b] of [
      [p.token0, p.token1],
      [p.token1, p.token0],
    ] as const) {
      const r = marginalRate(p, a);
      if (r > 0 && Number.isFinite(r))
        edges.push({ from: index.get(a)!, to: index.get(b)!, w: -Math.log(r), pool: p });
    }
  }
  const n = tokens.length;
  const dist = new Float64Array(n);
  const pred: (Edge | null)[] = new Array(n).fill(null);
  let relaxed: number[] = [];
  for (let round = 0; round < n; round++) {
    relaxed = [];
    for (const e of edges) {
      if (dist[e.from] + e.w < dist[e.to] - 1e-15) {
        dist[e.to] = dist[e.from] + e.w;
        pred[e.to] = e;
        relaxed.push(e.to);
      }
    }
    if (relaxed.length === 0) return [];
  }
  const cycles: Cycle[] = [];
  const seen = new Set<string>();
  for (const start of relaxed) {
    // walk back n steps to land inside the cycle, then collect it
    let v = start;
    for (let k = 0; k < n; k++) v = pred[v]!.from;
    const path: Edge[] = [];
    let u = v;
    do {
      const e = pred[u]!;
      path.push(e);
      u = e.from;
    } while (u !== v && path.length <= n);
    if (u !== v) continue;
    path.reverse();
    const key = [...path.map((e) => e.pool.address)].sort().join();
    if (seen.has(key)) continue;
    seen.add(key);
    const rate = Math.exp(-path.reduce((s, e) => s + e.w, 0));
    if (rate <= 1) continue;
    cycles.push({ tokens: path.map((e) => tokens[e.from]), pools: path.map((e) => e.pool), rate });
    if (cycles.length >= maxCycles) break;
  }
  return cycles;
}

/** A cycle sized exactly: the input of its first token that maximises the exact profit. */
export function sizeCycle(c: Cycle): Opportunity | null {
  return sizePath(c.pools.map((p, k) => legOf(p, c.tokens[k])));
}
