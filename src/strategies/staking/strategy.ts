/**
 * Staking family (eth_staking_only, eth_leveraged, usdt_eth_staking_hedged_simple,
 * usdt_eth_staking_hedged_leveraged): an LST long held in the wallet or looped on Aave in e-mode, in the
 * ETH share class (`EthStakingStrategy`) or hedged with perp shorts in the USDT share class
 * (`HedgedStakingStrategy`). Rules and formulas: docs/staking.md.
 *
 * Here: which strategy and leg a mode gets, and its target LTV.
 */
import type { VenueConfig } from '../../config/schema.js';
import type { StakingMode } from './params.js';
import { ConfigError, InputError } from '../../domain/errors.js';
import type { Strategy } from '../base.js';
import { route } from '../base.js';
import { StakingEthStrategy } from './eth.js';
import { HedgedStakingStrategy } from './hedged.js';
import { LoopLeg, StakeLeg, type LongLeg } from './legs.js';
import { deriveTargetLtv } from './targets.js';

export interface StakingOptions {
  hedgeWeights: Record<string, number>;
  /** Venue configs of the run (the lending venue's e-mode LTV sets the derived target LTV). */
  venueConfigs: Record<string, VenueConfig>;
}

export function createStakingStrategy(mode: StakingMode, opts: StakingOptions): Strategy {
  const leg = legOf(mode, opts.venueConfigs);
  if (mode.share_class === 'ETH' && !mode.hedge_allocation) return new StakingEthStrategy(mode, leg);
  if (mode.share_class === 'USDT') return new HedgedStakingStrategy(mode, leg, opts.hedgeWeights);
  throw new InputError(
    `mode ${mode.mode}: the staking family runs in the ETH share class unhedged or in USDT with perp hedges, not ${mode.share_class}${mode.hedge_allocation ? ' with hedge_allocation' : ''}`,
  );
}

/** The mode's long leg: a loop when `flags.leverage`, else the LST in the wallet. */
export function legOf(mode: StakingMode, venueConfigs: Record<string, VenueConfig>): LongLeg {
  const lst = mode.lst_type;
  if (!lst) throw new InputError(`mode ${mode.mode}: lst_type is required for the staking family`);
  const staking = route(mode, 'staking');
  const dex = mode.venues.dex_swap ?? null;
  const issuer = venueConfigs[staking];
  if (issuer && issuer.kind === 'staking' && issuer.params.exit_route === 'queue') {
    throw new ConfigError(
      `config/venues/${staking}.yaml`,
      'params.exit_route',
      `"queue" is not supported by the staking strategy: its exits pay withdrawals, flash-loan repayments and margin within the step, which the withdrawal queue (${String(issuer.params.unstake_delay_hours)} h) cannot; use "dex"`,
    );
  }
  if (!dex)
    throw new ConfigError(
      `config/modes/${mode.mode}.yaml`,
      'venues.dex_swap',
      `required: ${lst} exits are sold on the DEX`,
    );
  if (!mode.flags.leverage) return new StakeLeg(lst, { staking, dex });
  const lending = route(mode, 'lending');
  const flash = route(mode, 'flash_loan');
  const cfg = venueConfigs[lending];
  if (!cfg || cfg.kind !== 'lending' || !cfg.emode)
    throw new ConfigError(
      `config/venues/${lending}.yaml`,
      'emode',
      'leveraged staking needs an e-mode category',
    );
  const t = deriveTargetLtv(mode.strategy.target_ltv, cfg.emode.ltv, mode.strategy.max_stake_spread_move);
  return new LoopLeg(lst, { staking, dex, lending, flash, unwind: mode.venues.unwind ?? flash }, t);
}
