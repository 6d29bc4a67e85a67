/**
 * Uniswap V3 from the `@uniswap/v3-core` / `@uniswap/v3-periphery` bytecode: factory, SwapRouter, QuoterV2 and
 * NonfungiblePositionManager, and full-range liquidity in WETH/USDT (0.3 %), wstETH/WETH and weETH/WETH (0.01 %)
 * at the devnet's starting prices. (The periphery's POOL_INIT_CODE_HASH matches the v3-core pool bytecode, so
 * router callbacks verify.)
 */
import { maxUint256, type Address } from 'viem';
import { packageAbi, packageContract } from '../artifacts.js';
import { LIQUIDITY, START } from './params.js';
import type { DeploySession } from './session.js';
import type { TokenAddresses } from './tokens.js';

export interface UniswapAddresses {
  factory: Address;
  swapRouter: Address;
  quoterV2: Address;
  positionManager: Address;
  pools: Record<string, { address: Address; fee: number }>;
}

const MAX_TICK = 887_272;
const TICK_SPACING: Record<number, number> = { 100: 1, 500: 10, 3000: 60, 10_000: 200 };

/** Integer square root (floor), Newton's method. */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new Error('isqrt of a negative number');
  if (n < 2n) return n;
  let x = n;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + n / x) / 2n;
  }
  return x;
}

/** sqrt(amount1 / amount0) × 2^96 for raw (base-unit) amounts: Uniswap V3's sqrtPriceX96. */
export function sqrtPriceX96(amount0: bigint, amount1: bigint): bigint {
  return isqrt((amount1 << 192n) / amount0);
}

export async function deployUniswap(s: DeploySession, tokens: TokenAddresses): Promise<UniswapAddresses> {
  const factory = await s.deploy('UniswapV3Factory', packageContract('UniswapV3Factory'));
  // the 0.01 % tier is not in the original factory; mainnet governance enabled it in Nov 2021
  await s.write(factory, packageAbi('UniswapV3Factory'), 'enableFeeAmount', [100, 1]);
  const swapRouter = await s.deploy('SwapRouter', packageContract('SwapRouter'), [factory, tokens.WETH]);
  const quoterV2 = await s.deploy('QuoterV2', packageContract('QuoterV2'), [factory, tokens.WETH]);
  const positionManager = await s.deploy(
    'NonfungiblePositionManager',
    packageContract('NonfungiblePositionManager'),
    [factory, tokens.WETH, '0x0000000000000000000000000000000000000000'],
  );
  return { factory, swapRouter, quoterV2, positionManager, pools: {} };
}

/** Creates the pools and adds the LP's full-range liquidity (LIQUIDITY.uniswap). */
export async function seedUniswap(
  s: DeploySession,
  u: UniswapAddresses,
  tokens: TokenAddresses,
): Promise<void> {
  const npm = packageAbi('NonfungiblePositionManager');
  const erc20 = packageAbi('WETH9');
  const decimals: Record<string, number> = { WETH: 18, USDT: 6, wstETH: 18, weETH: 18 };
  const priceOfA: Record<string, number> = {
    'WETH/USDT': START.ethUsd,
    'wstETH/WETH': START.wstEthRate,
    'weETH/WETH': START.weEthRate,
  };
  for (const [pair, { fee, a }] of Object.entries(LIQUIDITY.uniswap)) {
    const [symA, symB] = pair.split('/') as [keyof TokenAddresses, keyof TokenAddresses];
    const rawA = BigInt(a) * 10n ** BigInt(decimals[symA]);
    // amount of B worth `a` of A at the pool price, exact decimal arithmetic on the price's string
    const rawB =
      (rawA * BigInt(Math.round(priceOfA[pair] * 1e6)) * 10n ** BigInt(decimals[symB])) /
      (10n ** BigInt(decimals[symA]) * 1_000_000n);
    const aFirst = BigInt(tokens[symA]) < BigInt(tokens[symB]);
    const [t0, t1] = aFirst ? [tokens[symA], tokens[symB]] : [tokens[symB], tokens[symA]];
    const [amount0, amount1] = aFirst ? [rawA, rawB] : [rawB, rawA];
    await s.write(u.positionManager, npm, 'createAndInitializePoolIfNecessary', [
      t0,
      t1,
      fee,
      sqrtPriceX96(amount0, amount1),
    ]);
    for (const t of [t0, t1])
      await s.write(t, erc20, 'approve', [u.positionManager, maxUint256], { from: s.lp });
    const spacing = TICK_SPACING[fee];
    const upper = Math.trunc(MAX_TICK / spacing) * spacing;
    await s.write(
      u.positionManager,
      npm,
      'mint',
      [
        {
          token0: t0,
          token1: t1,
          fee,
          tickLower: -upper,
          tickUpper: upper,
          amount0Desired: amount0,
          amount1Desired: amount1,
          amount0Min: 0n,
          amount1Min: 0n,
          recipient: s.lp,
          deadline: maxUint256,
        },
      ],
      { from: s.lp },
    );
    const pool = await s.read<Address>(u.factory, packageAbi('UniswapV3Factory'), 'getPool', [t0, t1, fee]);
    u.pools[pair] = { address: pool, fee };
  }
}
