/**
 * Deploys the whole devnet market on a fresh anvil and returns where everything is: tokens and feeds, Aave V3,
 * Uniswap V3, Morpho Blue, plus the venue-config view (`venues.<venue>.<key>`) that fills the empty addresses of
 * the `testnet` blocks in config/venues/*.yaml.
 */
import type { Address } from 'viem';
import { loadVenue } from '../../config/index.js';
import type { LendingVenueConfig } from '../../config/schema.js';
import { deployAave, seedAave, type AaveAddresses } from './aave.js';
import { deployMorpho, seedMorpho, type MorphoAddresses } from './morpho.js';
import { LIQUIDITY } from './params.js';
import { DeploySession } from './session.js';
import { deployTokens, mintTokens, type FeedAddresses, type TokenAddresses } from './tokens.js';
import { deployUniswap, seedUniswap, type UniswapAddresses } from './uniswap.js';
import { deployUniswapV2, type UniswapV2Addresses } from './uniswapV2.js';

export interface DevnetDeployment {
  chainId: number;
  admin: Address;
  lp: Address;
  tokens: TokenAddresses;
  feeds: FeedAddresses;
  aave: AaveAddresses;
  uniswap: UniswapAddresses;
  /** Uniswap V2 factory (no pairs seeded), Router02, and the Multicall of batched reads. */
  uniswapV2: UniswapV2Addresses;
  morpho: MorphoAddresses;
  /** Per venue config file: `*_address` key → address, for the testnet blocks. */
  venues: Record<string, Record<string, Address>>;
  /** LeverageExecutor per owner (lower-case owner address → executor), added by `deployExecutor`. */
  executors: Record<string, Address>;
}

export async function deployDevnet(
  rpcUrl: string,
  log: (line: string) => void = () => {},
): Promise<DevnetDeployment> {
  const s = await DeploySession.open(rpcUrl);
  const aaveConfig = loadVenue('aave_v3') as LendingVenueConfig;
  const t0 = Date.now();
  const { tokens, feeds } = await deployTokens(s);
  const aave = await deployAave(s, tokens, feeds, aaveConfig);
  const uniswap = await deployUniswap(s, tokens);
  const morpho = await deployMorpho(s);
  log(`deployed contracts (${s.sent} transactions, ${Date.now() - t0} ms)`);

  const u = LIQUIDITY.uniswap;
  // WETH for Aave, Morpho and the WETH side of every pool (LST pools: a × rate < 1.2 a)
  const wethNeeded =
    LIQUIDITY.aave.WETH +
    LIQUIDITY.morphoWeth +
    u['WETH/USDT'].a +
    1.2 * (u['wstETH/WETH'].a + u['weETH/WETH'].a);
  await mintTokens(s, tokens, s.lp, {
    WETH: wethNeeded,
    USDT: LIQUIDITY.aave.USDT + u['WETH/USDT'].a * 4000,
    wstETH: u['wstETH/WETH'].a * 1.01,
    weETH: u['weETH/WETH'].a * 1.01,
  });
  await seedAave(s, aave, tokens);
  await seedUniswap(s, uniswap, tokens);
  await seedMorpho(s, morpho, tokens, feeds);
  const uniswapV2 = await deployUniswapV2(s, tokens.WETH);
  log(`seeded liquidity (${s.sent} transactions in all, ${Date.now() - t0} ms)`);

  const chainId = await s.pub.getChainId();
  return {
    chainId,
    admin: s.admin,
    lp: s.lp,
    tokens,
    feeds,
    aave,
    uniswap,
    uniswapV2,
    morpho,
    venues: venueAddresses(tokens, aave, uniswap, morpho),
    executors: {},
  };
}

/** The `*_address` keys of each venue file's testnet block, as deployed. */
function venueAddresses(
  t: TokenAddresses,
  aave: AaveAddresses,
  u: UniswapAddresses,
  m: MorphoAddresses,
): Record<string, Record<string, Address>> {
  const tokenKeys = {
    usdt_address: t.USDT,
    weth_address: t.WETH,
    weeth_address: t.weETH,
    wsteth_address: t.wstETH,
  };
  return {
    aave_v3: {
      pool_address: aave.pool,
      pool_addresses_provider_address: aave.poolAddressesProvider,
      oracle_address: aave.oracle,
      data_provider_address: aave.dataProvider,
      ...tokenKeys,
    },
    wallet: { ...tokenKeys },
    lido: { steth_address: t.stETH, wsteth_address: t.wstETH, withdrawal_queue_address: t.stETH },
    etherfi: {
      liquidity_pool_address: t.eETH,
      eeth_address: t.eETH,
      weeth_address: t.weETH,
      withdraw_request_nft_address: t.eETH,
    },
    uniswap: {
      swap_router_address: u.swapRouter,
      quoter_v2_address: u.quoterV2,
      factory_address: u.factory,
    },
    morpho: { morpho_address: m.morpho },
  };
}
