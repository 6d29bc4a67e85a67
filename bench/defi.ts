/**
 * `npm run bench`, DeFi part (also `node dist/bench/defi.js` alone): one core, exact bigint math.
 * - Uniswap V2 getAmountOut quotes/s (random sizes, one pair);
 * - Uniswap V3 exact-input quotes/s for swaps that cross 10 initialized ticks (a tick every 60, 0.3 % tier);
 * - opportunity scans/s over a graph of 100 pools (60 V2 pairs, 40 V3 pools with 40 ticks each, 20 tokens):
 *   one scan = Bellman-Ford cycle search on −log rates + every same-pair couple checked, and every
 *   opportunity found sized exactly.
 * Targets (issue 15): ≥ 100k V2 quotes/s and ≥ 20k V3 10-tick quotes/s.
 */
import { pathToFileURL } from 'node:url';
import type { Address } from 'viem';
import {
  getSqrtRatioAtTick,
  quoteExactInputV3,
  v2AmountOut,
  type V3PoolState,
} from '../src/defi/amm/index.js';
import { findCycles, scanSpatial, sizeCycle } from '../src/defi/arb/index.js';
import { PoolGraph, type PoolSnapshot } from '../src/defi/pools/index.js';

function rate(label: string, n: number, fn: (i: number) => void, target?: number): number {
  for (let i = 0; i < Math.min(n, 2000); i++) fn(i); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  const s = (performance.now() - t0) / 1000;
  const r = n / s;
  process.stdout.write(
    `${label.padEnd(44)} ${Math.round(r).toLocaleString('en-US').padStart(12)}/s${target ? `  (target ≥ ${target.toLocaleString('en-US')}: ${r >= target ? 'ok' : 'MISSED'})` : ''}\n`,
  );
  return r;
}

function v3Pool(ticks: number, L: bigint): V3PoolState {
  const list = [];
  for (let k = 1; k <= ticks; k++) {
    list.push({ index: -60 * k, liquidityNet: L / 100n });
    list.push({ index: 60 * k, liquidityNet: -L / 100n });
  }
  list.sort((a, b) => a.index - b.index);
  return {
    sqrtPriceX96: getSqrtRatioAtTick(0) + 1n,
    tick: 0,
    liquidity: L,
    fee: 3000,
    tickSpacing: 60,
    ticks: list,
  };
}

const addr = (i: number) => `0x${i.toString(16).padStart(40, '0')}` as Address;

function graph100(): PoolGraph {
  let seed = 42;
  const r = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const tokens = Array.from({ length: 20 }, (_, i) => addr(0x1000 + i));
  const pools: PoolSnapshot[] = [];
  for (let k = 0; k < 100; k++) {
    const a = Math.floor(r() * 20);
    const b = (a + 1 + Math.floor(r() * 19)) % 20;
    const [t0, t1] = a < b ? [tokens[a], tokens[b]] : [tokens[b], tokens[a]];
    // fair price of token i in a common unit: 1.1^i; each pool off by up to ±0.5 %
    const fair = 1.1 ** ((a < b ? b : a) - (a < b ? a : b)) * (1 + (r() - 0.5) * 0.01);
    if (k < 60) {
      const r0 = 10n ** 24n;
      pools.push({
        kind: 'uniswap_v2',
        address: addr(k + 1),
        token0: t0,
        token1: t1,
        reserve0: r0,
        reserve1: BigInt(Math.round(1e24 * fair)),
        feeBps: 30n,
      });
    } else {
      const tick = Math.round(Math.log(fair) / Math.log(1.0001));
      const state = v3Pool(20, 10n ** 24n);
      const shift = Math.floor(tick / 60) * 60;
      pools.push({
        kind: 'uniswap_v3',
        address: addr(k + 1),
        token0: t0,
        token1: t1,
        state: {
          ...state,
          tick,
          sqrtPriceX96: getSqrtRatioAtTick(tick),
          ticks: state.ticks.map((t) => ({ ...t, index: t.index + shift })),
        },
      });
    }
  }
  return new PoolGraph(pools);
}

export function benchDefi(): void {
  process.stdout.write('\nDeFi math (one core, exact bigint)\n');
  const sizes = Array.from({ length: 1024 }, (_, i) => 10n ** BigInt(6 + (i % 18)) + BigInt(i));
  const rIn = 123_456_789n * 10n ** 18n;
  const rOut = 987_654_321n * 10n ** 6n;
  rate('uniswap v2 getAmountOut', 1_000_000, (i) => void v2AmountOut(sizes[i & 1023], rIn, rOut), 100_000);
  // 10 initialized ticks crossed: liquidity 1e21 with 1 % stepping out every 60 ticks
  const pool = v3Pool(30, 10n ** 21n);
  const amount = 10n ** 21n / 330n; // calibrated below to cross 10 initialized ticks
  let size = amount;
  for (let k = 0; k < 60; k++) {
    const q = quoteExactInputV3(pool, true, size);
    if (q.crossed === 10) break;
    size = q.crossed < 10 ? (size * 11n) / 10n : (size * 10n) / 11n;
  }
  const crossed = quoteExactInputV3(pool, true, size).crossed;
  rate(
    `uniswap v3 exact-in, ${crossed} initialized ticks crossed`,
    50_000,
    () => void quoteExactInputV3(pool, true, size),
    20_000,
  );
  rate(
    'uniswap v3 exact-in, within one tick range',
    200_000,
    (i) => void quoteExactInputV3(pool, i % 2 === 0, 10n ** 15n),
  );
  const g = graph100();
  let found = 0;
  rate('opportunity scans over 100 pools (20 tokens)', 200, () => {
    const spatial = scanSpatial(g);
    const cycles = findCycles(g, 5);
    found = spatial.length + cycles.map(sizeCycle).filter(Boolean).length;
  });
  process.stdout.write(`  (each scan finds and sizes ${found} opportunities)\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) benchDefi();
