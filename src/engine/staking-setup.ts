/**
 * The venues a staking-family run needs beyond the wallet, lending and CEX venues that `buildRun` makes:
 * the LST issuer (with ether.fi's reward distributions), the flash lenders (entry and unwind) and the DEX.
 */
import type { ResolvedMode } from '../config/index.js';
import type { ModeConfig } from '../config/schema.js';
import { loadEtherfiRewards } from '../data/rewards.js';
import { ConfigError } from '../domain/errors.js';
import { SimulatedDex } from '../venues/simulated/dex.js';
import { SimulatedFlashLoan } from '../venues/simulated/flashloan.js';
import type { GasModel } from '../venues/simulated/gas.js';
import type { MarketCursor } from '../venues/simulated/market.js';
import { SimulatedStaking, type GenericVenueConfig } from '../venues/simulated/staking.js';
import { SimulatedWallet } from '../venues/simulated/wallet.js';
import type { LendingVenue, SimulatedVenue } from '../venues/types.js';

/** Tokens ether.fi distributes to weETH holders, priced on their WETH pools. */
export const ETHERFI_REWARD_TOKENS = ['EIGEN', 'ETHFI'] as const;

/**
 * The wallet of a staking run: the share-class asset, ETH and WETH, the LST, and the reward tokens whose
 * pool prices are loaded. Gas is paid in ETH for the ETH share class, else in USDT (ETH bought just in time).
 */
export function stakingWallet(
  name: string,
  mode: ModeConfig,
  cursor: MarketCursor,
  gas: GasModel,
): SimulatedWallet {
  const assets = new Set<string>([mode.share_class, 'ETH', 'WETH']);
  if (mode.lst_type) assets.add(mode.lst_type);
  if (mode.lst_type === 'weETH')
    for (const t of ETHERFI_REWARD_TOKENS) if (cursor.hasSeries(`dex.${t}WETH.price`)) assets.add(t);
  return new SimulatedWallet(name, cursor, gas, [...assets], {
    gasAsset: mode.share_class === 'ETH' ? 'ETH' : 'USDT',
  });
}

export interface StakingVenueParts {
  venues: SimulatedVenue[];
  notes: string[];
}

/** Builds the issuer, flash lenders and DEX of a staking mode; `usdt(asset)` is the valuation price. */
export function buildStakingVenues(
  resolved: ResolvedMode,
  cursor: MarketCursor,
  wallet: SimulatedWallet,
  lending: LendingVenue | null,
  usdt: (asset: string) => number,
): StakingVenueParts {
  const { mode } = resolved;
  const venues: SimulatedVenue[] = [];
  const notes: string[] = [];
  const lst = mode.lst_type;
  const stakingName = mode.venues.staking;
  if (stakingName && lst) {
    const cfg = generic(resolved, stakingName, 'staking');
    const opts: ConstructorParameters<typeof SimulatedStaking>[4] = {};
    if (lst === 'weETH') {
      const schedule = loadEtherfiRewards(cursor.data.dataDir);
      for (const f of schedule.missing)
        notes.push(`ether.fi rewards: ${f} is not in the dataset; its distributions are not modelled`);
      const held = ETHERFI_REWARD_TOKENS.filter((t) => wallet.holds(t));
      for (const t of ETHERFI_REWARD_TOKENS)
        if (!held.includes(t) && schedule.periods.some((p) => p.token === t))
          notes.push(
            `ether.fi rewards: no dex.${t}WETH.price series to value ${t}; its distributions are not paid`,
          );
      opts.rewards = schedule.periods.filter((p) => held.includes(p.token as (typeof held)[number]));
      opts.rewardBase = () => wallet.balanceOf(lst) + (lending ? lending.supplied(lst) : 0);
      opts.payable = (token) => wallet.holds(token) && usdt(token) > 0;
    }
    venues.push(new SimulatedStaking(stakingName, cfg, cursor, wallet, opts));
  }
  for (const name of new Set([mode.venues.flash_loan, mode.venues.unwind])) {
    if (name) venues.push(new SimulatedFlashLoan(name, generic(resolved, name, 'flash_loan'), wallet));
  }
  if (mode.venues.dex_swap) {
    const name = mode.venues.dex_swap;
    venues.push(new SimulatedDex(name, generic(resolved, name, 'dex'), cursor, wallet, usdt));
  }
  return { venues, notes };
}

function generic(resolved: ResolvedMode, name: string, kind: GenericVenueConfig['kind']): GenericVenueConfig {
  const cfg = resolved.venues[name];
  if (!cfg) throw new ConfigError(resolved.modeFile, 'venues', `venue ${name} has no configuration`);
  if (cfg.kind !== kind)
    throw new ConfigError(`config/venues/${name}.yaml`, 'kind', `expected ${kind}, received ${cfg.kind}`);
  return cfg;
}
