/**
 * Builds DeFi test markets on a devnet: fresh 18/6/8-decimal ERC-20s minted to the admin, Uniswap V2 pairs
 * from the devnet's V2 factory, Uniswap V3 pools (any fee tier) with many positions over many ticks through
 * the devnet's NonfungiblePositionManager, and the probe contracts of contracts/test/DefiProbes.sol.
 */
import { maxUint256, parseAbi, type Address } from 'viem';
import { builtContract, packageAbi } from '../../src/devnet/artifacts.js';
import type { Devnet } from '../../src/devnet/devnet.js';
import { createV2Pair } from '../../src/devnet/deploy/uniswapV2.js';
import { FEE_TIERS, getSqrtRatioAtTick, MAX_TICK, MIN_TICK } from '../../src/defi/amm/index.js';

export const ERC20_MINT = parseAbi([
  'function mint(address to, uint256 amount)',
  'function approve(address spender, uint256 amount) returns (bool)',
]);

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A bigint log-uniform in [10^lo, 10^hi). */
export function logUniform(r: () => number, lo: number, hi: number): bigint {
  const e = lo + r() * (hi - lo);
  const whole = Math.floor(e);
  const mant = BigInt(Math.floor(10 ** (e - whole) * 1e6));
  return whole >= 6 ? mant * 10n ** BigInt(whole - 6) : (mant * 10n ** BigInt(whole)) / 1_000_000n || 1n;
}

export async function deployToken(devnet: Devnet, symbol: string, decimals: number): Promise<Address> {
  const s = devnet.admin;
  const t = await s.deploy(symbol, builtContract('TestERC20'), [`${symbol} (defi test)`, symbol, decimals]);
  await s.write(t, ERC20_MINT, 'mint', [s.admin, 10n ** 45n]);
  return t;
}

/** Tokens sorted by address (token0 first), so pair/pool order is known. */
export async function deployTokens(devnet: Devnet, n: number): Promise<Address[]> {
  const decimals = [18, 6, 18, 8, 18, 6];
  const out: Address[] = [];
  for (let i = 0; i < n; i++) out.push(await deployToken(devnet, `T${i}`, decimals[i % decimals.length]));
  return out;
}

export async function v2Pair(devnet: Devnet, a: Address, b: Address, amountA: bigint, amountB: bigint) {
  return createV2Pair(devnet.admin, devnet.deployment.uniswapV2.factory, a, b, amountA, amountB);
}

export interface V3Position {
  tickLower: number;
  tickUpper: number;
  amount0: bigint;
  amount1: bigint;
}

/**
 * Creates and initializes a V3 pool of (a, b) at `fee` and price `sqrtPriceX96` (token1 per token0), then
 * mints every position from the admin's balances. Returns the pool address and token0 / token1.
 */
export async function v3Pool(
  devnet: Devnet,
  a: Address,
  b: Address,
  fee: keyof typeof FEE_TIERS,
  sqrtPriceX96: bigint,
  positions: readonly V3Position[],
): Promise<{ pool: Address; token0: Address; token1: Address }> {
  const s = devnet.admin;
  const u = devnet.deployment.uniswap;
  const [token0, token1] = BigInt(a) < BigInt(b) ? [a, b] : [b, a];
  const npm = packageAbi('NonfungiblePositionManager');
  await s.write(u.positionManager, npm, 'createAndInitializePoolIfNecessary', [
    token0,
    token1,
    fee,
    sqrtPriceX96,
  ]);
  for (const t of [token0, token1]) await s.write(t, ERC20_MINT, 'approve', [u.positionManager, maxUint256]);
  for (const p of positions) {
    await s.write(u.positionManager, npm, 'mint', [
      {
        token0,
        token1,
        fee,
        tickLower: p.tickLower,
        tickUpper: p.tickUpper,
        amount0Desired: p.amount0,
        amount1Desired: p.amount1,
        amount0Min: 0n,
        amount1Min: 0n,
        recipient: s.admin,
        deadline: maxUint256,
      },
    ]);
  }
  const pool = await s.read<Address>(u.factory, packageAbi('UniswapV3Factory'), 'getPool', [
    token0,
    token1,
    fee,
  ]);
  return { pool, token0, token1 };
}

/**
 * Random liquidity shape around `centerTick`: `n` positions with bounds on the fee tier's spacing, most
 * within ±`width` spacings (some in range, some entirely above or below the price), one near full range.
 */
export function randomPositions(
  r: () => number,
  fee: keyof typeof FEE_TIERS,
  centerTick: number,
  n: number,
  width = 400,
): V3Position[] {
  const sp = FEE_TIERS[fee];
  const clampT = (t: number) =>
    Math.max(Math.ceil(MIN_TICK / sp) * sp, Math.min(Math.floor(MAX_TICK / sp) * sp, t));
  const c = Math.round(centerTick / sp);
  const out: V3Position[] = [];
  const full = Math.floor(MAX_TICK / sp) * sp;
  out.push({
    tickLower: -full,
    tickUpper: full,
    amount0: logUniform(r, 18, 21),
    amount1: logUniform(r, 18, 21),
  });
  for (let i = 1; i < n; i++) {
    let lo = c + Math.round((r() * 2 - 1) * width);
    let hi = lo + 1 + Math.floor(r() * width * 0.5);
    lo = clampT(lo * sp);
    hi = clampT(hi * sp);
    if (hi <= lo) hi = lo + sp;
    out.push({
      tickLower: lo,
      tickUpper: hi,
      amount0: logUniform(r, 17, 23),
      amount1: logUniform(r, 17, 23),
    });
  }
  return out;
}

export { getSqrtRatioAtTick };
