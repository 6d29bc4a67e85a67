/**
 * A graph of tokens and pools: every pool is an edge between its two tokens, quoted exactly with the AMM
 * library in either direction. Pools are kept as snapshots; `applyLog` moves one forward from its own swap
 * logs (V2 `Sync`, V3 `Swap`, which carry the whole new price state; liquidity changes need a new read).
 */
import { decodeEventLog, getAddress, type Address, type Log } from 'viem';
import { quoteExactInputV3, quoteExactOutputV3, v2AmountIn, v2AmountOut } from '../amm/index.js';
import { V2_PAIR_ABI, V3_POOL_ABI } from './abis.js';
import type { PoolSnapshot } from './reader.js';

export interface PoolQuote {
  amountIn: bigint;
  amountOut: bigint;
  tokenOut: Address;
}

function sides(pool: PoolSnapshot, tokenIn: Address): { zeroForOne: boolean; tokenOut: Address } {
  const t = tokenIn.toLowerCase();
  if (t === pool.token0.toLowerCase()) return { zeroForOne: true, tokenOut: pool.token1 };
  if (t === pool.token1.toLowerCase()) return { zeroForOne: false, tokenOut: pool.token0 };
  throw new Error(`token ${tokenIn} is not in pool ${pool.address} (${pool.token0} / ${pool.token1})`);
}

/** Exact quote of `amount` through one pool: an input (default) or, with `exactOut`, the output wanted. */
export function quotePool(
  pool: PoolSnapshot,
  tokenIn: Address,
  amount: bigint,
  opts: { exactOut?: boolean } = {},
): PoolQuote {
  const { zeroForOne, tokenOut } = sides(pool, tokenIn);
  if (pool.kind === 'uniswap_v2') {
    const [rIn, rOut] = zeroForOne ? [pool.reserve0, pool.reserve1] : [pool.reserve1, pool.reserve0];
    return opts.exactOut
      ? { amountIn: v2AmountIn(amount, rIn, rOut, pool.feeBps), amountOut: amount, tokenOut }
      : { amountIn: amount, amountOut: v2AmountOut(amount, rIn, rOut, pool.feeBps), tokenOut };
  }
  const q = opts.exactOut
    ? quoteExactOutputV3(pool.state, zeroForOne, amount)
    : quoteExactInputV3(pool.state, zeroForOne, amount);
  return { amountIn: q.amountIn, amountOut: q.amountOut, tokenOut };
}

/** Raw mid price: token1 per token0 in base units, as a float (for graph search, not for amounts). */
export function midPrice(pool: PoolSnapshot): number {
  if (pool.kind === 'uniswap_v2') return Number(pool.reserve1) / Number(pool.reserve0);
  const s = Number(pool.state.sqrtPriceX96) / 2 ** 96;
  return s * s;
}

/** Marginal output per unit input at zero size, fee included, from tokenIn. */
export function marginalRate(pool: PoolSnapshot, tokenIn: Address): number {
  const { zeroForOne } = sides(pool, tokenIn);
  const fee = pool.kind === 'uniswap_v2' ? Number(pool.feeBps) / 1e4 : pool.state.fee / 1e6;
  const p = midPrice(pool);
  return (zeroForOne ? p : 1 / p) * (1 - fee);
}

export class PoolGraph {
  private readonly pools = new Map<Address, PoolSnapshot>();
  private readonly byToken = new Map<Address, Set<Address>>();

  constructor(pools: readonly PoolSnapshot[] = []) {
    for (const p of pools) this.add(p);
  }

  /** Adds (or replaces) a pool; addresses are checksummed so lookups by any spelling agree. */
  add(snapshot: PoolSnapshot): void {
    const pool = {
      ...snapshot,
      address: getAddress(snapshot.address),
      token0: getAddress(snapshot.token0),
      token1: getAddress(snapshot.token1),
    };
    this.pools.set(pool.address, pool);
    for (const t of [pool.token0, pool.token1]) {
      let s = this.byToken.get(t);
      if (!s) this.byToken.set(t, (s = new Set()));
      s.add(pool.address);
    }
  }

  get(address: Address): PoolSnapshot | undefined {
    return this.pools.get(getAddress(address));
  }

  get size(): number {
    return this.pools.size;
  }

  tokens(): Address[] {
    return [...this.byToken.keys()];
  }

  all(): PoolSnapshot[] {
    return [...this.pools.values()];
  }

  /** Pools holding `token`. */
  poolsOf(token: Address): PoolSnapshot[] {
    return [...(this.byToken.get(getAddress(token)) ?? [])].map((a) => this.pools.get(a)!);
  }

  /** Pools trading exactly the pair (a, b), in any order. */
  between(a: Address, b: Address): PoolSnapshot[] {
    const B = getAddress(b);
    return this.poolsOf(a).filter((p) => p.token0 === B || p.token1 === B);
  }

  /**
   * Applies a V2 `Sync` or V3 `Swap` log of a known pool; returns whether it changed a snapshot. Other logs
   * (and logs of unknown pools) are ignored.
   */
  applyLog(log: Pick<Log, 'address' | 'data' | 'topics'>): boolean {
    const pool = this.pools.get(getAddress(log.address));
    if (!pool) return false;
    try {
      if (pool.kind === 'uniswap_v2') {
        const e = decodeEventLog({ abi: V2_PAIR_ABI, data: log.data, topics: log.topics as never });
        if (e.eventName !== 'Sync') return false;
        this.pools.set(pool.address, { ...pool, reserve0: e.args.reserve0, reserve1: e.args.reserve1 });
        return true;
      }
      const e = decodeEventLog({ abi: V3_POOL_ABI, data: log.data, topics: log.topics as never });
      if (e.eventName !== 'Swap') return false;
      this.pools.set(pool.address, {
        ...pool,
        state: {
          ...pool.state,
          sqrtPriceX96: e.args.sqrtPriceX96,
          liquidity: e.args.liquidity,
          tick: e.args.tick,
        },
      });
      return true;
    } catch {
      return false;
    }
  }
}
