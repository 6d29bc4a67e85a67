/**
 * Morpho Blue compiled from the `@morpho-org/morpho-blue` sources (solc-js 0.8.19, its own via-IR profile), with
 * one WETH market (collateral wstETH, LLTV 94.5 %, no IRM) that the LP supplies: Morpho flash-lends its whole
 * token balance for free, so this supply is the devnet's flash-loan liquidity.
 */
import { maxUint256, parseUnits, type Address } from 'viem';
import { builtContract, packageAbi } from '../artifacts.js';
import { LIQUIDITY, MORPHO_LLTV } from './params.js';
import type { DeploySession } from './session.js';
import type { FeedAddresses, TokenAddresses } from './tokens.js';

const ZERO = '0x0000000000000000000000000000000000000000' as const;

export interface MorphoAddresses {
  morpho: Address;
}

export async function deployMorpho(s: DeploySession): Promise<MorphoAddresses> {
  const morpho = await s.deploy('Morpho', builtContract('Morpho'), [s.admin]);
  return { morpho };
}

export async function seedMorpho(
  s: DeploySession,
  m: MorphoAddresses,
  tokens: TokenAddresses,
  feeds: FeedAddresses,
): Promise<void> {
  const abi = builtContract('Morpho').abi;
  await s.write(m.morpho, abi, 'enableIrm', [ZERO]);
  await s.write(m.morpho, abi, 'enableLltv', [MORPHO_LLTV]);
  const market = {
    loanToken: tokens.WETH,
    collateralToken: tokens.wstETH,
    oracle: feeds.wstETH,
    irm: ZERO,
    lltv: MORPHO_LLTV,
  };
  await s.write(m.morpho, abi, 'createMarket', [market]);
  await s.write(tokens.WETH, packageAbi('WETH9'), 'approve', [m.morpho, maxUint256], { from: s.lp });
  await s.write(
    m.morpho,
    abi,
    'supply',
    [market, parseUnits(String(LIQUIDITY.morphoWeth), 18), 0n, s.lp, '0x'],
    { from: s.lp },
  );
}
