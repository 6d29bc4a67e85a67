/** The ml_directional strategy family: signals → bar-by-bar perp positions with SL/TP brackets. */
import type { VenueConfig } from '../../config/schema.js';
import type { At } from '../../config/families.js';
import { parseDurationMs } from '../../domain/duration.js';
import { baseVenueSpec } from '../plan.js';
import type { StrategyFamily } from '../registry.js';
import { MlParamsSchema, type MlMode, type MlModeParams } from './params.js';
import { mlSeriesPlan } from './plan.js';
import { MlDirectionalStrategy } from './strategy.js';

export { MlDirectionalStrategy } from './strategy.js';
export type { MlReport } from './strategy.js';
export { bracketLevels, effectiveDirection, mlParams, MlParamsSchema } from './params.js';
export type { MlMode, MlModeParams, MlParams } from './params.js';
export { TradeBook } from './trades.js';
export type { ExitReason, TradeRecord, TradesSummary } from './trades.js';

const ML_REQUIRED = [
  'signal_threshold',
  'max_position_size',
  'sd_floor_bps',
  'sd_cap_bps',
  'stop_loss_sd',
  'take_profit_sd',
] as const;

export const mlFamily: StrategyFamily<MlModeParams> = {
  name: 'ml_directional',
  description: 'directional perp positions from a signal source, with stop-loss and take-profit brackets',
  params: MlParamsSchema,
  signals: true,
  directionalPerps: true,
  check(mode, venues, at) {
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
    checkMargin(mode, venues, at);
  },
  plan: (mode) => mlSeriesPlan(mode),
  venues(resolved, _cursor, hedgeWeights) {
    const spec = baseVenueSpec(resolved, hedgeWeights);
    // margin_mode multi_assets: the share-class asset at the perp venue is collateral
    if (resolved.mode.strategy.margin_mode === 'multi_assets')
      for (const c of spec.cex) c.collateral = c.name in hedgeWeights;
    return spec;
  },
  create: (mode, opts) => new MlDirectionalStrategy(mode, { hedgeWeights: opts.hedgeWeights }),
  perpLeverage: (mode) => mode.strategy.perp_leverage,
};

/** BTC (or ETH) share class: the asset itself margins the perp (multi-assets mode) and a flat book holds it. */
function checkMargin(mode: MlMode, venues: Record<string, VenueConfig>, at: At): void {
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
