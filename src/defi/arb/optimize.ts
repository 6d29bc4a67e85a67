/**
 * Optimal input for a path of pools (two pools of one pair for a spatial arbitrage, a cycle for a triangular
 * one): maximise out(path)(y) − y. Each leg is piecewise constant-product (./curve.ts); a constant product
 * with fee is the Möbius map u ↦ p·u / (q + r·u), and Möbius maps compose, so within the current pieces of all
 * legs the path is one map M and the optimum is closed form: M'(u) = 1 ⇔ u* = (√(p·q) − q) / r. The profit is
 * concave (composition of concave increasing curves minus y), so walking forward piece boundary by piece
 * boundary — to the first boundary any leg hits — until u* falls inside the current pieces reaches the exact
 * optimum; no ladder of trial sizes. Uniswap V2 pairs have one piece each: the first step is the answer (the
 * textbook closed form for two pairs, also given exactly in bigint by `v2PairOptimum`).
 */
import { isqrt } from '../amm/index.js';
import { quotePool } from '../pools/graph.js';
import { capacity, outAt, stateAt, type Leg } from './curve.js';

interface Mobius {
  p: number;
  q: number;
  r: number;
}

/** g∘f for f = p1 u/(q1 + r1 u), g = p2 x/(q2 + r2 x). */
function compose(f: Mobius, g: Mobius): Mobius {
  return { p: g.p * f.p, q: g.q * f.q, r: g.q * f.r + g.r * f.p };
}

/** The u with f(u) = v (Infinity when f never reaches v). */
function inverse(f: Mobius, v: number): number {
  const d = f.p - f.r * v;
  return d <= 0 ? Infinity : (f.q * v) / d;
}

export interface PathOptimum {
  /** Optimal input of the first leg (base units, float) and the path's output for it. */
  amountIn: number;
  amountOut: number;
  profit: number;
  /** Piece boundaries walked past before the optimum. */
  boundaries: number;
  /** The optimum is at the path's capacity (a leg ran out of liquidity), not interior. */
  capped: boolean;
}

function pathOut(legs: readonly Leg[], y: number): number[] {
  const t = [y];
  for (let k = 0; k < legs.length - 1; k++) t.push(outAt(legs[k], t[k]));
  return t;
}

/** Exact optimum of the path's profit on its continuous curves; amountIn = 0 when no size is profitable. */
export function optimizePath(legs: readonly Leg[], maxBoundaries = 10_000): PathOptimum {
  if (legs.some((l) => l.pieces.length === 0))
    return { amountIn: 0, amountOut: 0, profit: 0, boundaries: 0, capped: false };
  let y = 0;
  let walked = 0;
  for (; walked <= maxBoundaries; walked++) {
    const t = pathOut(legs, y);
    let m: Mobius | null = null;
    let uMax = Infinity;
    for (let k = 0; k < legs.length; k++) {
      const s = stateAt(legs[k], t[k]);
      const f = { p: s.gamma * s.rOut, q: s.rIn, r: s.gamma };
      // room of leg k in units of the first leg's extra input
      const room = m === null ? s.room : inverse(m, s.room);
      if (room < uMax) uMax = room;
      m = m === null ? f : compose(m, f);
    }
    const M = m!;
    const u = M.p > M.q ? (Math.sqrt(M.p * M.q) - M.q) / M.r : 0;
    if (u <= uMax || !Number.isFinite(uMax)) {
      const yy = y + Math.max(0, u);
      const out = outAt(legs[legs.length - 1], pathOut(legs, yy)[legs.length - 1]);
      return { amountIn: yy, amountOut: out, profit: out - yy, boundaries: walked, capped: false };
    }
    y += uMax;
    // a leg at its last piece's end has no more liquidity: the optimum is at the path's capacity
    const tt = pathOut(legs, y);
    if (legs.some((l, k) => tt[k] >= capacity(l) * (1 - 1e-15))) {
      const out = outAt(legs[legs.length - 1], tt[legs.length - 1]);
      return { amountIn: y, amountOut: out, profit: out - y, boundaries: walked + 1, capped: true };
    }
    // step just past the boundary so the next round sees the next piece
    y = y * (1 + 1e-15) + 1e-9;
  }
  throw new Error(`optimizePath: more than ${maxBoundaries} piece boundaries`);
}

/** Exact output of the path for an integer input: the legs' exact quotes in sequence. */
export function exactPathOut(legs: readonly Leg[], amountIn: bigint): bigint {
  let x = amountIn;
  for (const l of legs) {
    if (x <= 0n) return 0n;
    x = quotePool(l.pool, l.tokenIn, x).amountOut;
  }
  return x;
}

/** Exact profit (output − input) of the path for an integer input; −input when a leg cannot quote. */
export function exactPathProfit(legs: readonly Leg[], amountIn: bigint): bigint {
  try {
    return exactPathOut(legs, amountIn) - amountIn;
  } catch {
    return -amountIn;
  }
}

/**
 * Two Uniswap V2 pairs (buy in A, sell in B), exact in bigint: y* = (√(nA·nB·aIn·aOut·bIn·bOut) − 10⁴·aIn·bIn)·10⁴
 * / (nA·(10⁴·bIn + nB·aOut)) with n = 10⁴ − fee bps; a: reserves of A (in, out), b: of B (in = A's out token).
 * Returns 0 when no size is profitable.
 */
export function v2PairOptimum(
  aIn: bigint,
  aOut: bigint,
  bIn: bigint,
  bOut: bigint,
  feeBpsA = 30n,
  feeBpsB = 30n,
): bigint {
  const nA = 10_000n - feeBpsA;
  const nB = 10_000n - feeBpsB;
  const root = isqrt(nA * nB * aIn * aOut * bIn * bOut);
  const d = 10_000n * aIn * bIn;
  if (root <= d) return 0n;
  return ((root - d) * 10_000n) / (nA * (10_000n * bIn + nB * aOut));
}

/**
 * Settles a float optimum to the best integer input: the exact profit at ⌊y*⌋ and its neighbours within
 * `spread` wei (exact quotes round, so the integer optimum can sit a few wei away).
 */
export function settleExact(
  legs: readonly Leg[],
  y: number,
  spread = 2n,
): { amountIn: bigint; profit: bigint } {
  const c = BigInt(Math.floor(y));
  let best = { amountIn: 0n, profit: 0n };
  for (let d = -spread; d <= spread; d++) {
    const a = c + d;
    if (a <= 0n) continue;
    const p = exactPathProfit(legs, a);
    if (p > best.profit) best = { amountIn: a, profit: p };
  }
  return best;
}
