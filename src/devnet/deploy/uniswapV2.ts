/**
 * Uniswap V2 from the `@uniswap/v2-core` / `@uniswap/v2-periphery` bytecode (UniswapV2Factory, whose pairs the
 * factory creates, and UniswapV2Router02 for on-chain quotes `getAmountsOut` / `getAmountsIn`), and our
 * Multicall (Multicall3's `aggregate3`) for batched reads. No pair is seeded: the DeFi tests and demos create
 * the pairs they need with `createV2Pair`.
 */
import type { Address } from 'viem';
import { builtContract, uniswapV2Contract } from '../artifacts.js';
import type { DeploySession } from './session.js';

export interface UniswapV2Addresses {
  factory: Address;
  router02: Address;
  multicall: Address;
}

export async function deployUniswapV2(s: DeploySession, weth: Address): Promise<UniswapV2Addresses> {
  const factory = await s.deploy('UniswapV2Factory', uniswapV2Contract('UniswapV2Factory'), [s.admin]);
  const router02 = await s.deploy('UniswapV2Router02', uniswapV2Contract('UniswapV2Router02'), [
    factory,
    weth,
  ]);
  const multicall = await s.deploy('Multicall', builtContract('Multicall'));
  return { factory, router02, multicall };
}

const ERC20_TRANSFER = [
  {
    type: 'function',
    name: 'transfer',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'to', type: 'address' },
      { name: 'amount', type: 'uint256' },
    ],
    outputs: [{ name: '', type: 'bool' }],
  },
] as const;

/**
 * Creates (if needed) the pair of two tokens and adds liquidity from `from`'s balances: transfer both amounts
 * to the pair, then `mint` to `from`. Returns the pair address.
 */
export async function createV2Pair(
  s: DeploySession,
  factory: Address,
  tokenA: Address,
  tokenB: Address,
  amountA: bigint,
  amountB: bigint,
  from: Address = s.admin,
): Promise<Address> {
  const f = uniswapV2Contract('UniswapV2Factory').abi;
  let pair = await s.read<Address>(factory, f, 'getPair', [tokenA, tokenB]);
  if (/^0x0{40}$/.test(pair)) {
    await s.write(factory, f, 'createPair', [tokenA, tokenB]);
    pair = await s.read<Address>(factory, f, 'getPair', [tokenA, tokenB]);
  }
  await s.write(tokenA, ERC20_TRANSFER, 'transfer', [pair, amountA], { from });
  await s.write(tokenB, ERC20_TRANSFER, 'transfer', [pair, amountB], { from });
  await s.write(pair, uniswapV2Contract('UniswapV2Pair').abi, 'mint', [from], { from });
  return pair;
}
