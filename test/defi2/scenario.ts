/**
 * The arbitrage scenario of the DeFi-II tests on a devnet: Aave V3 flash loans enabled on WETH (premium
 * 5 bps, mainnet's), a Uniswap V2 WETH/USDT pair priced 10 % above the devnet's Uniswap V3 WETH/USDT pool
 * (3,300 vs 3,000 USDT), a fresh owner key funded with ETH and its FlashArb. `opportunity()` reads both pools
 * and sizes the spatial arbitrage in WETH with src/defi/arb.
 */
import { createWalletClient, http, parseAbi, parseEther, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { spatialArb, type Opportunity } from '../../src/defi/arb/index.js';
import { PoolReader } from '../../src/defi/pools/index.js';
import { builtContract, packageAbi } from '../../src/devnet/artifacts.js';
import type { Devnet } from '../../src/devnet/devnet.js';
import { createV2Pair } from '../../src/devnet/deploy/uniswapV2.js';
import {
  FlashArbEngine,
  NonceManager,
  type EngineOptions,
  type FlashSource,
} from '../../src/venues/onchain/executor/flash/index.js';
import { TxJournal } from '../../src/venues/onchain/chain/journal.js';

export const ERC20 = parseAbi([
  'function balanceOf(address) view returns (uint256)',
  'function approve(address spender, uint256 amount) returns (bool)',
  'function transfer(address to, uint256 amount) returns (bool)',
]);
export const V2_ROUTER = parseAbi([
  'function swapExactTokensForTokens(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline) returns (uint256[] amounts)',
]);

export interface ArbScenario {
  devnet: Devnet;
  weth: Address;
  usdt: Address;
  pair: Address;
  v3: Address;
  /** wstETH/WETH 0.01 %: the Uniswap V3 flash source (not on the path). */
  flashPool: Address;
  ownerKey: Hex;
  owner: PrivateKeyAccount;
  arb: Address;
  opportunity(): Promise<Opportunity>;
  wethOf(a: Address): Promise<bigint>;
  /** Someone else trades the gap away: sells `weth` WETH into the V2 pair. */
  compete(weth: bigint): Promise<void>;
}

export async function arbScenario(devnet: Devnet): Promise<ArbScenario> {
  const d = devnet.deployment;
  const s = devnet.admin;
  const weth = d.tokens.WETH;
  const usdt = d.tokens.USDT;
  const conf = packageAbi('PoolConfigurator');
  await s.write(d.aave.poolConfigurator, conf, 'setReserveFlashLoaning', [weth, true]);
  await s.write(d.aave.poolConfigurator, conf, 'updateFlashloanPremiumTotal', [5n]);
  await devnet.fund(s.admin, { WETH: 300, USDT: 700_000 });
  const pair = await createV2Pair(
    s,
    d.uniswapV2.factory,
    weth,
    usdt,
    parseEther('100'),
    330_000n * 10n ** 6n,
  );
  const ownerKey = generatePrivateKey();
  const owner = privateKeyToAccount(ownerKey);
  await devnet.fund(owner.address, { ETH: 10 });
  const arb = await s.deploy('FlashArb', builtContract('FlashArb'), [owner.address, d.aave.pool]);
  // at the node's current block (a cached block number can be stale after a snapshot revert)
  const reader = async () =>
    new PoolReader(devnet.pub, {
      multicall: d.uniswapV2.multicall,
      blockNumber: await devnet.pub.getBlockNumber({ cacheTime: 0 }),
    });
  const v3 = d.uniswap.pools['WETH/USDT'].address;
  const wethOf = (a: Address) =>
    devnet.pub.readContract({ address: weth, abi: ERC20, functionName: 'balanceOf', args: [a] });
  return {
    devnet,
    weth,
    usdt,
    pair,
    v3,
    flashPool: d.uniswap.pools['wstETH/WETH'].address,
    ownerKey,
    owner,
    arb,
    async opportunity() {
      const r = await reader();
      const o = spatialArb(await r.v3Pool(v3), await r.v2Pair(pair), weth);
      if (!o) throw new Error('scenario: no opportunity between the pools');
      return o;
    },
    wethOf,
    async compete(amount: bigint) {
      await s.write(weth, ERC20, 'approve', [d.uniswapV2.router02, amount]);
      await s.write(d.uniswapV2.router02, V2_ROUTER, 'swapExactTokensForTokens', [
        amount,
        0n,
        [weth, usdt],
        s.admin,
        2n ** 64n,
      ]);
    },
  };
}

/** A wallet client of `account` on the devnet. */
export function walletOf(devnet: Devnet, account: PrivateKeyAccount) {
  return createWalletClient({ account, chain: foundry, transport: http(devnet.rpcUrl, { retryCount: 0 }) });
}

/** An engine of `source` for the scenario's owner, its nonces and journal in `dir`. */
export async function engineOf(
  sc: ArbScenario,
  source: FlashSource,
  dir: string,
  opts: Partial<EngineOptions> = {},
): Promise<FlashArbEngine> {
  const pub = sc.devnet.pub;
  const chainId = await pub.getChainId();
  return new FlashArbEngine(source, {
    pub,
    account: sc.owner,
    chainId,
    arb: sc.arb,
    nonces: NonceManager.at(dir, pub, chainId, sc.owner.address),
    journal: TxJournal.at(dir, chainId, sc.owner.address),
    fees: { priorityFeeWei: 1_000_000_000n, maxFeeCapWei: 100_000_000_000n },
    pollIntervalMs: 5,
    receiptTimeoutMs: 60_000,
    ...opts,
  });
}
