/**
 * A pool seen from one side as a piecewise curve of cumulative input → output. Inside each piece the pool is a
 * constant product of *virtual* reserves with the fee on the input — Uniswap V2 is one piece; a Uniswap V3
 * pool has one piece per range of constant liquidity between initialized ticks (virtual reserves L/√P and
 * L·√P) — so out(u) = rOut·γu / (rIn + γu) exactly (in real numbers) within a piece. The optimizers use these
 * curves (float64, relative precision ~1e-16) to locate optima; amounts are then settled with the exact
 * bigint quotes.
 */
import type { Address } from 'viem';
import { getSqrtRatioAtTick, MAX_TICK, MIN_TICK } from '../amm/index.js';
import type { PoolSnapshot } from '../pools/reader.js';

export interface Piece {
  /** Cumulative input (gross, with fee) at the piece's start. */
  start: number;
  /** Cumulative output at the start. */
  outStart: number;
  /** Virtual reserves at the start and the fee factor 1 − fee. */
  rIn: number;
  rOut: number;
  gamma: number;
  /** Cumulative input at the end (Infinity for a V2 pair). */
  end: number;
}

export interface Leg {
  pool: PoolSnapshot;
  tokenIn: Address;
  tokenOut: Address;
  zeroForOne: boolean;
  pieces: Piece[];
}

const Q96 = 2 ** 96;

/** The curve of `pool` paid in `tokenIn`. V3: at most `maxTicks` initialized ticks are walked. */
export function legOf(pool: PoolSnapshot, tokenIn: Address, maxTicks = 500): Leg {
  const zeroForOne = tokenIn.toLowerCase() === pool.token0.toLowerCase();
  if (!zeroForOne && tokenIn.toLowerCase() !== pool.token1.toLowerCase())
    throw new Error(`token ${tokenIn} is not in pool ${pool.address}`);
  const tokenOut = zeroForOne ? pool.token1 : pool.token0;
  const base = { pool, tokenIn: zeroForOne ? pool.token0 : pool.token1, tokenOut, zeroForOne };
  if (pool.kind === 'uniswap_v2') {
    const [rIn, rOut] = zeroForOne ? [pool.reserve0, pool.reserve1] : [pool.reserve1, pool.reserve0];
    const gamma = 1 - Number(pool.feeBps) / 1e4;
    return {
      ...base,
      pieces: [{ start: 0, outStart: 0, rIn: Number(rIn), rOut: Number(rOut), gamma, end: Infinity }],
    };
  }
  const s = pool.state;
  const gamma = 1 - s.fee / 1e6;
  const ticks = s.ticks;
  let sp = Number(s.sqrtPriceX96) / Q96;
  let L = Number(s.liquidity);
  const pieces: Piece[] = [];
  let start = 0;
  let outStart = 0;
  // initialized ticks in the swap's direction: below the current tick going down (≤ tick), above going up
  let i = zeroForOne ? lastAtOrBelow(ticks, s.tick) : lastAtOrBelow(ticks, s.tick) + 1;
  for (let n = 0; n <= maxTicks; n++) {
    const has = zeroForOne ? i >= 0 : i < ticks.length;
    const boundTick = has ? ticks[i].index : zeroForOne ? MIN_TICK : MAX_TICK;
    const sb = Number(getSqrtRatioAtTick(boundTick)) / Q96;
    if (L > 0) {
      const [rIn, rOut] = zeroForOne ? [L / sp, L * sp] : [L * sp, L / sp];
      const dIn = zeroForOne ? L * (1 / sb - 1 / sp) : L * (sb - sp);
      const dOut = zeroForOne ? L * (sp - sb) : L * (1 / sp - 1 / sb);
      const end = start + dIn / gamma;
      if (end > start) pieces.push({ start, outStart, rIn, rOut, gamma, end });
      start = end;
      outStart += dOut;
    }
    if (!has) break;
    sp = sb;
    const net = Number(ticks[i].liquidityNet);
    L = zeroForOne ? L - net : L + net;
    if (L < 0) L = 0;
    i += zeroForOne ? -1 : 1;
  }
  return { ...base, pieces };
}

function lastAtOrBelow(ticks: readonly { index: number }[], t: number): number {
  let lo = 0;
  let hi = ticks.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const m = (lo + hi) >> 1;
    if (ticks[m].index <= t) {
      ans = m;
      lo = m + 1;
    } else hi = m - 1;
  }
  return ans;
}

export function pieceAt(leg: Leg, t: number): number {
  const p = leg.pieces;
  let lo = 0;
  let hi = p.length - 1;
  while (lo < hi) {
    const m = (lo + hi + 1) >> 1;
    if (p[m].start <= t) lo = m;
    else hi = m - 1;
  }
  return lo;
}

/** The most the leg can take (its last piece's end). */
export function capacity(leg: Leg): number {
  return leg.pieces.length ? leg.pieces[leg.pieces.length - 1].end : 0;
}

/** Output for cumulative input t (clamped at the capacity). */
export function outAt(leg: Leg, t: number): number {
  if (!leg.pieces.length) return 0;
  const k = pieceAt(leg, t);
  const p = leg.pieces[k];
  const u = Math.min(t, p.end) - p.start;
  return p.outStart + (p.rOut * p.gamma * u) / (p.rIn + p.gamma * u);
}

/** Virtual state at cumulative input t: reserves after the input so far, and what is left of the piece. */
export function stateAt(
  leg: Leg,
  t: number,
): { rIn: number; rOut: number; gamma: number; room: number; piece: number } {
  const k = pieceAt(leg, t);
  const p = leg.pieces[k];
  const u = t - p.start;
  const rIn = p.rIn + p.gamma * u;
  return { rIn, rOut: (p.rIn * p.rOut) / rIn, gamma: p.gamma, room: p.end - t, piece: k };
}
