/**
 * The AMM library against the real bytecode on the devnet, wei for wei:
 * - Uniswap V2 (`@uniswap/v2-core` pairs): for random reserves and sizes up to 10× the input reserve (output
 *   nearly the whole other reserve), the pair accepts the library's getAmountOut and refuses one wei more; for
 *   exact output it accepts getAmountIn and refuses one wei less (V2SwapProbe, eth_call, nothing mined).
 * - Uniswap V3 (v3-core pools, every fee tier, many positions over many ticks read back through the tick
 *   bitmap): the library's exact-in and exact-out quotes, with and without a price limit, equal QuoterV2's
 *   amount and price after (V3QuoteBatch, eth_call), including sizes that exhaust the liquidity.
 * 2,000 swaps per protocol by default (about 3 s); DEFI_EQUALITY_SWAPS=N changes the count.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Address } from 'viem';
import {
  FEE_TIERS,
  getSqrtRatioAtTick,
  MAX_SQRT_RATIO,
  MIN_SQRT_RATIO,
  quoteExactInputV3,
  quoteExactOutputV3,
  v2AmountIn,
  v2AmountOut,
  V2_MAX_RESERVE,
} from '../../src/defi/amm/index.js';
import { PoolReader, type V3PoolSnapshot } from '../../src/defi/pools/index.js';
import { builtContract } from '../../src/devnet/artifacts.js';
import { startDevnet, type Devnet } from '../../src/devnet/devnet.js';
import { DEVNET } from '../onchain/fixture.js';
import { deployTokens, logUniform, randomPositions, rng, v2Pair, v3Pool, ERC20_MINT } from './devnetPools.js';

const SWAPS = Number(process.env.DEFI_EQUALITY_SWAPS ?? 2000);

let devnet: Devnet;
let tokens: Address[];
let reader: PoolReader;

beforeAll(async () => {
  if (!DEVNET) return;
  devnet = await startDevnet();
  await devnet.rpc('evm_setBlockGasLimit', ['0x3b9aca00']);
  tokens = await deployTokens(devnet, 5);
  reader = new PoolReader(devnet.pub, { multicall: devnet.deployment.uniswapV2.multicall });
});

afterAll(async () => {
  await devnet?.stop();
});

async function ethCall<T>(
  to: Address,
  abi: readonly unknown[],
  functionName: string,
  args: unknown[],
): Promise<T> {
  const { result } = await devnet.pub.simulateContract({
    address: to,
    abi: abi as never,
    functionName: functionName as never,
    args: args as never,
    account: devnet.deployment.admin,
    gas: 900_000_000n,
  });
  return result as T;
}

describe.skipIf(!DEVNET)('AMM library = devnet bytecode', () => {
  test(`Uniswap V2: ${SWAPS} random swaps, exact in and exact out, accepted at the quote and refused one wei past`, async () => {
    const r = rng(15);
    const s = devnet.admin;
    const probeC = builtContract('V2SwapProbe');
    const probe = await s.deploy('V2SwapProbe', probeC);
    for (const t of tokens) await s.write(t, ERC20_MINT, 'mint', [probe, 10n ** 40n]);
    const pairs: { pair: Address; t0: Address; t1: Address }[] = [];
    for (const [i, j] of [
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
      [0, 4],
    ]) {
      const pair = await v2Pair(devnet, tokens[i], tokens[j], logUniform(r, 9, 30), logUniform(r, 9, 30));
      const snap = await reader.v2Pair(pair);
      pairs.push({ pair, t0: snap.token0, t1: snap.token1 });
    }
    const checks: {
      pair: Address;
      tokenIn: Address;
      amountIn: bigint;
      amount0Out: bigint;
      amount1Out: bigint;
    }[] = [];
    const expected: boolean[] = [];
    let exactOut = 0;
    let overflow = 0;
    for (let k = 0; k < SWAPS; k++) {
      const p = pairs[k % pairs.length];
      const snap = await snapshotV2(p.pair);
      const zeroForOne = r() < 0.5;
      const [rIn, rOut] = zeroForOne ? [snap.reserve0, snap.reserve1] : [snap.reserve1, snap.reserve0];
      const tokenIn = zeroForOne ? p.t0 : p.t1;
      const outs = (o: bigint) => (zeroForOne ? [0n, o] : [o, 0n]) as [bigint, bigint];
      const digits = rIn.toString().length;
      if (r() < 0.5) {
        const amountIn = logUniform(r, 0, digits + 1);
        let o: bigint;
        try {
          o = v2AmountOut(amountIn, rIn, rOut);
        } catch {
          // beyond uint112: the library refuses, and so does the pair (any output)
          overflow++;
          checks.push({ pair: p.pair, tokenIn, amountIn, amount0Out: outs(1n)[0], amount1Out: outs(1n)[1] });
          expected.push(false);
          continue;
        }
        if (o > 0n) {
          checks.push({ pair: p.pair, tokenIn, amountIn, amount0Out: outs(o)[0], amount1Out: outs(o)[1] });
          expected.push(true);
        }
        checks.push({
          pair: p.pair,
          tokenIn,
          amountIn,
          amount0Out: outs(o + 1n)[0],
          amount1Out: outs(o + 1n)[1],
        });
        expected.push(false);
      } else {
        exactOut++;
        let o = logUniform(r, 0, rOut.toString().length);
        if (o >= rOut) o = rOut - 1n;
        let i: bigint;
        try {
          i = v2AmountIn(o, rIn, rOut);
        } catch {
          overflow++;
          const huge = V2_MAX_RESERVE - rIn + 1n;
          checks.push({
            pair: p.pair,
            tokenIn,
            amountIn: huge,
            amount0Out: outs(o)[0],
            amount1Out: outs(o)[1],
          });
          expected.push(false);
          continue;
        }
        checks.push({ pair: p.pair, tokenIn, amountIn: i, amount0Out: outs(o)[0], amount1Out: outs(o)[1] });
        expected.push(true);
        checks.push({
          pair: p.pair,
          tokenIn,
          amountIn: i - 1n,
          amount0Out: outs(o)[0],
          amount1Out: outs(o)[1],
        });
        expected.push(false);
      }
    }
    const got: boolean[] = [];
    for (let i = 0; i < checks.length; i += 150)
      got.push(...(await ethCall<boolean[]>(probe, probeC.abi, 'check', [checks.slice(i, i + 150)])));
    const mismatches = got.filter((g, i) => g !== expected[i]).length;
    got.forEach((g, i) => {
      if (g !== expected[i] && i < 3) console.log('v2 mismatch', checks[i], expected[i]);
    });
    console.log(
      `uniswap v2: ${SWAPS} swaps (${exactOut} exact-out, ${overflow} beyond uint112 refused by both), ${checks.length} pair checks, ${mismatches} mismatches`,
    );
    expect(got.length).toBe(checks.length);
    expect(mismatches).toBe(0);
  });

  const v2cache = new Map<Address, Awaited<ReturnType<PoolReader['v2Pair']>>>();
  async function snapshotV2(pair: Address) {
    let s = v2cache.get(pair);
    if (!s) v2cache.set(pair, (s = await reader.v2Pair(pair)));
    return s;
  }

  test(`Uniswap V3: ${SWAPS} random quotes over every fee tier and many ticks equal QuoterV2 (amount and price after)`, async () => {
    const r = rng(16);
    const s = devnet.admin;
    const batchC = builtContract('V3QuoteBatch');
    const batch = await s.deploy('V3QuoteBatch', batchC);
    const pools: V3PoolSnapshot[] = [];
    const fees = Object.keys(FEE_TIERS).map(Number) as (keyof typeof FEE_TIERS)[];
    for (const [k, fee] of fees.entries()) {
      const center = Math.round((r() * 2 - 1) * 60_000);
      const positions = randomPositions(r, fee, center, 18, fee === 100 ? 3000 : 300);
      const { pool } = await v3Pool(
        devnet,
        tokens[k],
        tokens[k + 1],
        fee,
        getSqrtRatioAtTick(center) + logUniform(r, 0, 20),
        positions,
      );
      pools.push(await reader.v3Pool(pool));
    }
    // a window of bitmap words: the ticks inside it, exact quotes while the swap stays inside, a loud
    // failure when it would leave
    const near = await reader.v3Pool(pools[2].address, { words: 1 });
    expect(near.state.loadedWords).toBeDefined();
    expect(near.state.ticks.every((t) => pools[2].state.ticks.some((u) => u.index === t.index))).toBe(true);
    expect(quoteExactInputV3(near.state, true, 1000n)).toEqual(
      quoteExactInputV3(pools[2].state, true, 1000n),
    );
    expect(() => quoteExactInputV3(near.state, true, 10n ** 40n)).toThrow(/outside the loaded words/);
    for (const p of pools) {
      // the bitmap read finds every position bound, and the nets cancel
      expect(p.state.ticks.length).toBeGreaterThan(10);
      expect(p.state.ticks.reduce((a, t) => a + t.liquidityNet, 0n)).toBe(0n);
    }
    interface Case {
      pool: V3PoolSnapshot;
      zeroForOne: boolean;
      exactOut: boolean;
      amount: bigint;
      limit: bigint;
      lib: { ok: boolean; amount: bigint; after: bigint; steps: number; crossed: number };
    }
    const cases: Case[] = [];
    for (let k = 0; k < SWAPS; k++) {
      const pool = pools[k % pools.length];
      const zeroForOne = r() < 0.5;
      const exactOut = r() < 0.4;
      const amount = logUniform(r, 0, 26);
      let limit = 0n;
      if (r() < 0.3) {
        const dt = Math.round(r() * 20_000) + 1;
        const t = Math.max(-887_000, Math.min(887_000, pool.state.tick + (zeroForOne ? -dt : dt)));
        limit = getSqrtRatioAtTick(t);
        const bad = zeroForOne ? limit >= pool.state.sqrtPriceX96 : limit <= pool.state.sqrtPriceX96;
        if (bad || limit <= MIN_SQRT_RATIO || limit >= MAX_SQRT_RATIO) limit = 0n;
      }
      let lib: Case['lib'];
      try {
        const q = exactOut
          ? quoteExactOutputV3(pool.state, zeroForOne, amount, limit)
          : quoteExactInputV3(pool.state, zeroForOne, amount, limit);
        lib = {
          ok: true,
          amount: exactOut ? q.amountIn : q.amountOut,
          after: q.sqrtPriceX96After,
          steps: q.steps,
          crossed: q.crossed,
        };
      } catch {
        lib = { ok: false, amount: 0n, after: 0n, steps: 1, crossed: 0 };
      }
      cases.push({ pool, zeroForOne, exactOut, amount, limit, lib });
    }
    // batches bounded by the swap loop's steps (each costs a few thousand gas on chain)
    const answers: { ok: boolean; amount: bigint; sqrtPriceX96After: bigint }[] = [];
    let i = 0;
    while (i < cases.length) {
      let steps = 0;
      let j = i;
      while (j < cases.length && (j === i || steps + cases[j].lib.steps < 4000))
        steps += cases[j++].lib.steps;
      const qs = cases.slice(i, j).map((c) => ({
        tokenIn: c.zeroForOne ? c.pool.token0 : c.pool.token1,
        tokenOut: c.zeroForOne ? c.pool.token1 : c.pool.token0,
        amount: c.amount,
        fee: c.pool.state.fee,
        sqrtPriceLimitX96: c.limit,
        exactOut: c.exactOut,
      }));
      answers.push(
        ...(await ethCall<{ ok: boolean; amount: bigint; sqrtPriceX96After: bigint }[]>(
          batch,
          batchC.abi,
          'quote',
          [devnet.deployment.uniswap.quoterV2, qs],
        )),
      );
      i = j;
    }
    let worst = 0n;
    let mismatches = 0;
    let multiTick = 0;
    let failed = 0;
    cases.forEach((c, k) => {
      const a = answers[k];
      if (!a.ok) failed++;
      if (c.lib.steps > 1) multiTick++;
      const diff = a.amount > c.lib.amount ? a.amount - c.lib.amount : c.lib.amount - a.amount;
      if (a.ok && c.lib.ok && diff > worst) worst = diff;
      if (a.ok !== c.lib.ok || a.amount !== c.lib.amount || (a.ok && a.sqrtPriceX96After !== c.lib.after)) {
        mismatches++;
        if (mismatches <= 3) console.log('mismatch', { ...c, pool: c.pool.address, chain: a, lib: c.lib });
      }
    });
    console.log(
      `uniswap v3: ${cases.length} quotes (${cases.filter((c) => c.exactOut).length} exact-out, ${cases.filter((c) => c.limit).length} with a price limit, ${multiTick} over several tick ranges, ${cases.filter((c) => c.lib.crossed > 0).length} crossing initialized ticks (up to ${Math.max(...cases.map((c) => c.lib.crossed))}), ${failed} refused by both), ${mismatches} mismatches, worst difference ${worst} wei`,
    );
    expect(mismatches).toBe(0);
    expect(worst).toBe(0n);
  });
});
