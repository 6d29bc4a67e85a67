/**
 * Devnet scenario: a Uniswap V3 pool (many positions over many ticks) and a Uniswap V2 pair of the same tokens,
 * with a price gap created by a real swap through the V2 pair. The optimizer's size, quoted on chain
 * (QuoterV2 for the V3 leg, the pair's K boundary for the V2 leg via Router02's getAmountsOut, the two pools
 * being independent), gives at least the on-chain profit at ±1 % of the size — the true optimum — and the
 * library's exact profit equals the on-chain one to the wei; executed leg by leg the admin's balance grows by
 * exactly that profit. The pool graph follows both pools from their Sync / Swap logs. Validation then prices
 * gas from the node.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { maxUint256, parseAbi } from 'viem';
import { spatialArb, validateOpportunity } from '../../src/defi/arb/index.js';
import { PoolGraph, PoolReader, QUOTER_V2_ABI, type V3PoolSnapshot } from '../../src/defi/pools/index.js';
import { startDevnet, type Devnet } from '../../src/devnet/devnet.js';
import { DEVNET } from '../onchain/fixture.js';
import { deployTokens, ERC20_MINT, getSqrtRatioAtTick, rng, v2Pair, v3Pool } from './devnetPools.js';

const V3_ROUTER = parseAbi([
  'struct ExactInputSingleParams { address tokenIn; address tokenOut; uint24 fee; address recipient; uint256 deadline; uint256 amountIn; uint256 amountOutMinimum; uint160 sqrtPriceLimitX96; }',
  'function exactInputSingle(ExactInputSingleParams params) payable returns (uint256 amountOut)',
]);
const ROUTER = parseAbi([
  'function getAmountsOut(uint256 amountIn, address[] path) view returns (uint256[] amounts)',
  'function swapExactTokensForTokens(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline) returns (uint256[] amounts)',
]);

let devnet: Devnet;

beforeAll(async () => {
  if (DEVNET) devnet = await startDevnet();
});
afterAll(async () => {
  await devnet?.stop();
});

describe.skipIf(!DEVNET)('spatial arbitrage on the devnet', () => {
  test('the sizing is the true optimum on chain (profit at y* ≥ profit at ±1 %), library profit = chain profit', async () => {
    const s = devnet.admin;
    const d = devnet.deployment;
    const [t0, t1] = await deployTokens(devnet, 2);
    // T0 has 18 decimals, T1 6: 1 T0 = 2,000 T1 is a raw price of 2e-9 T1 per T0 (tick ≈ −200,311), or its
    // inverse when T1 sorts first as the pool's token0
    const r = rng(99);
    const t0First = BigInt(t0) < BigInt(t1);
    const center = t0First ? -200_340 : 200_280;
    // 30 nested ranges 60..1,800 ticks wide each side, each with about 20 T0 + 40,000 T1 of liquidity
    const positions = Array.from({ length: 30 }, (_, i) => {
      const [a0, a1] = [(20n + BigInt(Math.floor(r() * 10))) * 10n ** 18n, 40_000n * 10n ** 6n];
      return {
        tickLower: center - 60 * (i + 1),
        tickUpper: center + 60 * (i + 1),
        amount0: t0First ? a0 : a1,
        amount1: t0First ? a1 : a0,
      };
    });
    const { pool: v3 } = await v3Pool(devnet, t0, t1, 3000, getSqrtRatioAtTick(center), positions);
    const pair = await v2Pair(devnet, t0, t1, 50_000n * 10n ** 18n, 100_000_000n * 10n ** 6n);
    const reader0 = new PoolReader(devnet.pub, { multicall: d.uniswapV2.multicall });
    const graph = new PoolGraph([await reader0.v2Pair(pair), await reader0.v3Pool(v3)]);
    const from = (await devnet.pub.getBlockNumber()) + 1n;
    // the gap: someone sells 2,000 T0 into the V2 pair (its T0 gets cheap)
    await s.write(t0, ERC20_MINT, 'approve', [d.uniswapV2.router02, maxUint256]);
    await s.write(d.uniswapV2.router02, ROUTER, 'swapExactTokensForTokens', [
      2_000n * 10n ** 18n,
      0n,
      [t0, t1],
      s.admin,
      maxUint256,
    ]);

    const reader = new PoolReader(devnet.pub, { multicall: d.uniswapV2.multicall });
    const [a, b] = [await reader.v3Pool(v3), await reader.v2Pair(pair)];
    // the graph follows the pair from its Sync log: the same reserves as a fresh read
    const logs = await devnet.pub.getLogs({ address: pair, fromBlock: from });
    expect(logs.map((l) => graph.applyLog(l)).filter(Boolean)).toHaveLength(1);
    expect(graph.get(pair)).toEqual(b);
    const best = spatialArb(a, b, t1);
    expect(best).not.toBeNull();
    const o = best!;
    // buy T0 with T1 on the V2 pair, sell it on the V3 pool
    expect(o.legs[0].pool.address).toBe(b.address);
    expect(o.boundaries).toBeGreaterThan(0);
    expect(o.capped).toBe(false);

    const chainProfit = async (y: bigint): Promise<bigint> => {
      const [, x] = await devnet.pub.readContract({
        address: d.uniswapV2.router02,
        abi: ROUTER,
        functionName: 'getAmountsOut',
        args: [y, [t1, t0]],
      });
      const { result } = await devnet.pub.simulateContract({
        address: d.uniswap.quoterV2,
        abi: QUOTER_V2_ABI,
        functionName: 'quoteExactInputSingle',
        args: [
          {
            tokenIn: t0,
            tokenOut: t1,
            amountIn: x,
            fee: (a as V3PoolSnapshot).state.fee,
            sqrtPriceLimitX96: 0n,
          },
        ],
      });
      return result[0] - y;
    };
    const atOpt = await chainProfit(o.amountIn);
    expect(atOpt).toBe(o.profit);
    const lower = await chainProfit((o.amountIn * 99n) / 100n);
    const upper = await chainProfit((o.amountIn * 101n) / 100n);
    console.log(
      `arb: size ${o.amountIn} T1 base units, profit ${atOpt} (−1 %: ${lower}, +1 %: ${upper}), ${o.boundaries} V3 tick boundaries walked, capped ${o.capped}`,
    );
    expect(atOpt).toBeGreaterThanOrEqual(lower);
    expect(atOpt).toBeGreaterThanOrEqual(upper);
    expect(atOpt).toBeGreaterThan(0n);

    // executed for real, leg by leg (the pools are independent): the balance gain is the predicted profit,
    // and the graph follows the V3 pool from its Swap log
    const balanceOf = parseAbi(['function balanceOf(address) view returns (uint256)']);
    const bal = () =>
      devnet.pub.readContract({ address: t1, abi: balanceOf, functionName: 'balanceOf', args: [s.admin] });
    const before = await bal();
    const mid = await devnet.pub.readContract({
      address: t0,
      abi: balanceOf,
      functionName: 'balanceOf',
      args: [s.admin],
    });
    await s.write(t1, ERC20_MINT, 'approve', [d.uniswapV2.router02, maxUint256]);
    await s.write(d.uniswapV2.router02, ROUTER, 'swapExactTokensForTokens', [
      o.amountIn,
      0n,
      [t1, t0],
      s.admin,
      maxUint256,
    ]);
    const got0 =
      (await devnet.pub.readContract({
        address: t0,
        abi: balanceOf,
        functionName: 'balanceOf',
        args: [s.admin],
      })) - mid;
    await s.write(t0, ERC20_MINT, 'approve', [d.uniswap.swapRouter, maxUint256]);
    const fromV3 = (await devnet.pub.getBlockNumber()) + 1n;
    await s.write(d.uniswap.swapRouter, V3_ROUTER, 'exactInputSingle', [
      {
        tokenIn: t0,
        tokenOut: t1,
        fee: 3000,
        recipient: s.admin,
        deadline: maxUint256,
        amountIn: got0,
        amountOutMinimum: 0n,
        sqrtPriceLimitX96: 0n,
      },
    ]);
    expect((await bal()) - before).toBe(o.profit);
    graph.add(a);
    const v3logs = await devnet.pub.getLogs({ address: v3, fromBlock: fromV3 });
    expect(v3logs.map((l) => graph.applyLog(l)).filter(Boolean)).toHaveLength(1);
    const after = await reader.v3Pool(v3);
    expect((graph.get(v3) as V3PoolSnapshot).state).toMatchObject({
      sqrtPriceX96: after.state.sqrtPriceX96,
      tick: after.state.tick,
      liquidity: after.state.liquidity,
    });

    // validation with the node's gas price (T1 is a USD token: 1 ETH = 3,000 T1)
    const gasPriceWei = await devnet.pub.getGasPrice();
    const v = validateOpportunity(o, {
      gasUnits: 300_000n,
      gasPriceWei,
      ethInToken: 3000n * 10n ** 6n,
      flashPremiumBps: 5n,
      slippageBps: 5n,
    });
    expect(v.netProfit).toBe(o.profit - v.gasCost - v.flashPremium);
    expect(v.gasCost).toBe((300_000n * gasPriceWei * 3000n * 10n ** 6n + 10n ** 18n - 1n) / 10n ** 18n);
  });
});
