/**
 * What each strategy family requires of a mode beyond the schema (lending asset, LST and e-mode,
 * hedge sizing, ML parameters), plus risk-limit ordering. Problems are reported through `at`.
 */
import { parseDurationMs } from '../domain/duration.js';
import type { LendingVenueConfig, ModeConfig, VenueConfig } from './schema.js';

/** Reports a problem at a key path of the mode file. */
export type At = (path: string, problem: string) => void;

/** The staking venue that issues each liquid staking token. */
export const LST_ISSUER: Record<'weETH' | 'wstETH', string> = { weETH: 'etherfi', wstETH: 'lido' };
const ML_REQUIRED = [
  'signal_threshold',
  'max_position_size',
  'sd_floor_bps',
  'sd_cap_bps',
  'stop_loss_sd',
  'take_profit_sd',
] as const;

/** True when the mode must hedge: it is market neutral but holds an asset other than its share class. */
export function needsHedge(mode: ModeConfig): boolean {
  return mode.market_neutral && mode.asset !== mode.share_class;
}

export function checkFamily(mode: ModeConfig, venues: Record<string, VenueConfig>, at: At): void {
  checkRisk(mode, at);
  const hedged = needsHedge(mode);
  if (hedged && !mode.hedge_allocation) {
    at(
      'hedge_allocation',
      `required: the mode is market_neutral and holds ${mode.asset} in the ${mode.share_class} share class`,
    );
  }
  if (mode.hedge_allocation && !hedged && mode.family !== 'ml_directional') {
    at(
      'hedge_allocation',
      `not used: a ${mode.family} mode holding ${mode.asset} in the ${mode.share_class} share class does not hedge; remove it`,
    );
  }
  if (mode.signals && mode.family !== 'ml_directional')
    at(
      'signals',
      `not used: only ml_directional modes read signals; remove it from this ${mode.family} mode`,
    );
  switch (mode.family) {
    case 'lending':
      return checkLending(mode, venues, at);
    case 'basis':
      if (!mode.venues.spot) at('venues.spot', 'required for family basis (the venue of the spot leg)');
      if (!mode.hedge_allocation)
        at('hedge_allocation', 'required for family basis (the perp venues and weights)');
      return;
    case 'staking':
      return checkStaking(mode, venues, at, hedged);
    case 'ml_directional':
      return checkMl(mode, venues, at);
  }
}

function checkRisk(mode: ModeConfig, at: At): void {
  const r = mode.risk;
  if (r.margin_ratio_critical >= r.margin_ratio_warning) {
    at(
      'risk.margin_ratio_critical',
      `expected less than risk.margin_ratio_warning (${r.margin_ratio_warning}), received ${r.margin_ratio_critical}`,
    );
  }
  if (r.health_factor_critical >= r.health_factor_warning) {
    at(
      'risk.health_factor_critical',
      `expected less than risk.health_factor_warning (${r.health_factor_warning}), received ${r.health_factor_critical}`,
    );
  }
}

function checkLending(mode: ModeConfig, venues: Record<string, VenueConfig>, at: At): void {
  const lendingName = mode.venues.lending;
  if (!lendingName) at('venues.lending', 'required for family lending');
  const asset = mode.strategy.lending_asset;
  if (!asset) {
    at('strategy.lending_asset', 'required for family lending (the reserve supplied, e.g. USDT or WETH)');
    return;
  }
  const venue = lendingName ? venues[lendingName] : undefined;
  if (venue?.kind === 'lending' && !(asset in venue.reserves)) {
    at(
      'strategy.lending_asset',
      `"${asset}" is not a reserve of ${lendingName} (reserves: ${Object.keys(venue.reserves).join(', ')})`,
    );
  }
}

function checkStaking(mode: ModeConfig, venues: Record<string, VenueConfig>, at: At, hedged: boolean): void {
  const lst = mode.lst_type;
  if (!lst) at('lst_type', 'required for family staking (weETH or wstETH)');
  const stakingName = mode.venues.staking;
  if (!stakingName) {
    at('venues.staking', 'required for family staking');
  } else if (lst && stakingName !== LST_ISSUER[lst]) {
    at('venues.staking', `expected "${LST_ISSUER[lst]}", the issuer of ${lst}, received "${stakingName}"`);
  }
  const staking = stakingName ? venues[stakingName] : undefined;
  if (lst && staking && staking.kind !== 'cex' && 'params' in staking) {
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

  if (hedged) {
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
}

function checkEmode(mode: ModeConfig, lending: LendingVenueConfig, lst: string, at: At): void {
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

function checkMl(mode: ModeConfig, venues: Record<string, VenueConfig>, at: At): void {
  if (!mode.hedge_allocation)
    at('hedge_allocation', 'required for family ml_directional (the perp venue, weight 1)');
  if (mode.market_neutral)
    at('market_neutral', 'expected false: ml_directional modes take directional positions');
  const s = mode.strategy;
  for (const key of ML_REQUIRED) {
    if (s[key] === undefined) at(`strategy.${key}`, 'required for family ml_directional');
  }
  if (s.sd_floor_bps !== undefined && s.sd_cap_bps !== undefined && s.sd_floor_bps > s.sd_cap_bps) {
    at(
      'strategy.sd_floor_bps',
      `expected at most strategy.sd_cap_bps (${s.sd_cap_bps}), received ${s.sd_floor_bps}`,
    );
  }
  if (s.bar_interval !== undefined && !/^[1-9]\d*[mhd]$/.test(s.bar_interval)) {
    at('strategy.bar_interval', `expected a duration like 5m, 1h or 1d, received "${s.bar_interval}"`);
  } else if (s.bar_interval !== undefined) {
    const ms = parseDurationMs(s.bar_interval) ?? 0;
    if (ms % 300_000 !== 0 || 86_400_000 % ms !== 0)
      at(
        'strategy.bar_interval',
        `expected a multiple of 5m that divides a day (5m, 15m, 1h, 4h, 1d …), received "${s.bar_interval}"`,
      );
  }
  checkMlMargin(mode, venues, at);
}

/** BTC (or ETH) share class: the asset itself margins the perp (multi-assets mode) and a flat book holds it. */
function checkMlMargin(mode: ModeConfig, venues: Record<string, VenueConfig>, at: At): void {
  const marginMode = mode.strategy.margin_mode ?? 'usdt';
  if (mode.share_class !== 'USDT' && marginMode !== 'multi_assets') {
    at(
      'strategy.margin_mode',
      `expected multi_assets for share class ${mode.share_class}: with USDT margin a flat book would not hold ${mode.share_class}`,
    );
    return;
  }
  if (marginMode !== 'multi_assets') return;
  if (mode.share_class !== mode.asset)
    at(
      'strategy.margin_mode',
      `multi_assets needs the traded asset (${mode.asset}) to be the share class (${mode.share_class})`,
    );
  if (mode.share_class === 'USDT')
    at('strategy.margin_mode', 'multi_assets needs a non-USDT share class (its asset is the collateral)');
  const perpVenue = Object.entries(mode.hedge_allocation ?? {}).find(([, w]) => w > 0)?.[0];
  if (!perpVenue) return;
  if (mode.venues.spot !== perpVenue)
    at(
      'venues.spot',
      `expected ${perpVenue}: USDT PnL is converted to ${mode.share_class} on the perp venue's spot market`,
    );
  const cfg = venues[perpVenue];
  if (cfg?.kind === 'cex' && cfg.perp.collateral_ratio?.[mode.share_class] === undefined)
    at(
      'strategy.margin_mode',
      `venue ${perpVenue} lists no perp.collateral_ratio for ${mode.share_class} (multi-assets margin)`,
    );
}

function round(x: number): number {
  return Number(x.toPrecision(6));
}
