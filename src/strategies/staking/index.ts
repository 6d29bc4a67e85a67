/**
 * The staking family (eth_staking_only, eth_leveraged, usdt_eth_staking_hedged_simple,
 * usdt_eth_staking_hedged_leveraged): an LST long held in the wallet or looped on Aave in e-mode, in the
 * ETH share class or hedged with perp shorts in the USDT share class (docs/staking.md).
 */
import type { LendingVenueConfig } from '../../config/schema.js';
import type { At } from '../../config/families.js';
import { LST_ISSUER, needsHedge } from '../../config/validate.js';
import { ETHERFI_REWARD_TOKENS } from '../../venues/build.js';
import { baseVenueSpec, hedgedPlan, referenceSeries } from '../plan.js';
import type { StrategyFamily } from '../registry.js';
import { StakingParamsSchema, type StakingMode, type StakingParams } from './params.js';
import { createStakingStrategy } from './strategy.js';

export const stakingFamily: StrategyFamily<StakingParams> = {
  name: 'staking',
  description: 'liquid staking (weETH, wstETH), optionally looped on Aave in e-mode and hedged with perps',
  params: StakingParamsSchema,
  check(mode, venues, at) {
    const lst = mode.lst_type;
    if (!lst) at('lst_type', 'required for family staking (weETH or wstETH)');
    const stakingName = mode.venues.staking;
    if (!stakingName) {
      at('venues.staking', 'required for family staking');
    } else if (lst && stakingName !== LST_ISSUER[lst]) {
      at('venues.staking', `expected "${LST_ISSUER[lst]}", the issuer of ${lst}, received "${stakingName}"`);
    }
    const staking = stakingName ? venues[stakingName] : undefined;
    if (lst && staking?.kind === 'staking') {
      const symbol = staking.params.lst_symbol;
      if (symbol !== undefined && symbol !== lst) {
        at('lst_type', `venue "${stakingName}" issues ${String(symbol)} (params.lst_symbol), not ${lst}`);
      }
    }
    if (mode.flags.leverage) {
      if (!mode.venues.lending) at('venues.lending', 'required for leveraged staking (flags.leverage)');
      if (!mode.venues.flash_loan) at('venues.flash_loan', 'required for leveraged staking (flags.leverage)');
      const lending = mode.venues.lending ? venues[mode.venues.lending] : undefined;
      if (lending?.kind === 'lending' && lst) checkEmode(mode, lending, lst, at);
    }
    if (needsHedge(mode)) {
      const s = mode.strategy.stake_allocation_percentage;
      if (s === undefined) {
        at(
          'strategy.stake_allocation_percentage',
          'required for hedged staking (fraction of equity staked; the rest is perp margin)',
        );
      } else {
        // The hedge short must equal the staked equity s; the margin (1 - s) supports (1 - s) x leverage of notional
        const leverage = mode.strategy.perp_leverage;
        const most = leverage / (1 + leverage);
        if (s > most + 1e-9) {
          at(
            'strategy.stake_allocation_percentage',
            `expected at most ${round(most)}: the remaining ${round(1 - s)} of equity at perp_leverage ${leverage} backs a ${round((1 - s) * leverage)} hedge, less than the ${s} staked`,
          );
        }
      }
    }
  },
  plan(mode) {
    const required = referenceSeries(mode);
    const optional: string[] = [];
    const lst = mode.lst_type;
    if (lst) {
      required.add(`oracle.${lst}.eth`); // protocol exchange rate: minting, valuation, Aave oracle
      if (mode.venues.dex_swap) required.add(`peg.${lst}.market_rate`); // LST bought / sold on the DEX
      if (mode.venues.lending) {
        required.add(`aave.${lst}.liquidityIndex`); // LST collateral
        required.add(`aave.WETH.variableBorrowIndex`); // WETH debt
      }
      // ether.fi reward tokens, priced on their WETH pools from the pools' first bar
      if (lst === 'weETH') {
        optional.push('dex.EIGENWETH.price', 'dex.ETHFIWETH.price');
        // sold for USDT through the WETH/USDT pool in the USDT share class
        if (mode.share_class === 'USDT') optional.push('dex.WETHUSDT.price');
      }
    }
    return hedgedPlan(mode, required, optional);
  },
  venues(resolved, cursor, hedgeWeights) {
    const { mode } = resolved;
    const lst = mode.lst_type;
    const spec = baseVenueSpec(resolved, hedgeWeights, lst ? [lst, 'WETH'] : [mode.share_class]);
    // the wallet holds the share class, ETH and WETH, the LST and the reward tokens whose pool prices are
    // loaded; gas is paid in ETH for the ETH share class, else in USDT (ETH bought just in time)
    const assets = new Set([...spec.wallet.assets, 'ETH', 'WETH']);
    if (lst) assets.add(lst);
    if (lst === 'weETH')
      for (const t of ETHERFI_REWARD_TOKENS) if (cursor.hasSeries(`dex.${t}WETH.price`)) assets.add(t);
    spec.wallet = {
      ...spec.wallet,
      assets: [...assets],
      gasAsset: mode.share_class === 'ETH' ? 'ETH' : 'USDT',
    };
    // the loop runs in e-mode, set once when the account is opened
    if (spec.lending && lst) spec.lending.emode = true;
    spec.staking = mode.venues.staking && lst ? { name: mode.venues.staking, lst } : null;
    spec.flashLoans = [mode.venues.flash_loan, mode.venues.unwind].filter((n): n is string => !!n);
    spec.dex = mode.venues.dex_swap ?? null;
    return spec;
  },
  create: (mode, opts) => createStakingStrategy(mode, opts),
  perpLeverage: (mode) => mode.strategy.perp_leverage,
};

function checkEmode(mode: StakingMode, lending: LendingVenueConfig, lst: string, at: At): void {
  const name = mode.venues.lending;
  for (const asset of [lst, 'WETH']) {
    if (!(asset in lending.reserves))
      at(
        'venues.lending',
        `venue "${name}" has no ${asset} reserve; leveraged staking needs ${lst} collateral and WETH debt`,
      );
  }
  const emode = lending.emode;
  if (!emode) {
    at(
      'venues.lending',
      `venue "${name}" has no emode; leveraged staking needs one covering ${lst} and WETH`,
    );
    return;
  }
  const missing = [lst, 'WETH'].filter((a) => !emode.assets.includes(a));
  if (missing.length > 0) {
    at('venues.lending', `emode "${emode.label}" of venue "${name}" does not cover ${missing.join(' and ')}`);
  }
  const target = mode.strategy.target_ltv;
  if (target !== null && target > emode.ltv) {
    at('strategy.target_ltv', `expected at most the e-mode LTV ${emode.ltv} of ${name}, received ${target}`);
  }
}

function round(x: number): number {
  return Number(x.toPrecision(6));
}
