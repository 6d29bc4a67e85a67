/**
 * Pieces of the data plan and the venue spec that several families share: the reference prices every
 * run values with, the hedge venues' perp series with the one perp-mark rule of src/data/perp-marks.ts
 * (spot × the perp/spot basis of the last hour that had a perp candle, so no order is filled and no
 * position valued at a carried-forward perp close), and the venues named by the mode's venue map.
 */
import type { ResolvedMode } from '../config/validate.js';
import type { ModeConfig } from '../config/schema.js';
import { composePerpMarks, perpIds, spotIds } from '../data/perp-marks.js';
import { perpSeries, type SeriesPlan } from '../data/plan.js';
import type { MarketData } from '../data/types.js';
import { Pricer } from '../portfolio/pricing.js';
import type { RunVenueSpec } from '../venues/build.js';

/** The venue of the spot leg and of reference prices. */
export function spotVenueOf(mode: ModeConfig): string {
  return mode.venues.spot ?? 'binance';
}

/** Gas, the ETH reference price and the reference prices of the mode's asset and share class. */
export function referenceSeries(mode: ModeConfig): Set<string> {
  const required = new Set<string>(['gas.price_gwei', Pricer.referenceSeries('ETH')!]);
  const spotVenue = spotVenueOf(mode);
  if (mode.asset !== 'USDT') required.add(Pricer.referenceSeries(mode.asset, spotVenue)!);
  if (mode.share_class !== 'USDT') required.add(Pricer.referenceSeries(mode.share_class, spotVenue)!);
  return required;
}

/**
 * The plan of a family whose perps hedge across the venues of `hedge_allocation` (basis, hedged staking):
 * `required` and `optional` plus each hedge venue's perp series, the spot bars the mark rule reads, and
 * the rule itself in `derive`.
 */
export function hedgedPlan(mode: ModeConfig, required: Set<string>, optional: string[] = []): SeriesPlan {
  const symbol = `${mode.asset}USDT`;
  const spotVenue = spotVenueOf(mode);
  const hedge: Record<string, string[]> = {};
  for (const [venue, w] of Object.entries(mode.hedge_allocation ?? {}))
    if (w > 0) hedge[venue] = perpSeries(venue, symbol);
  const opt = [...optional];
  if (Object.keys(hedge).length > 0) {
    const s = spotIds(spotVenue, symbol); // the mark rule reads the spot bar's price, high and low
    opt.push(s.price, s.high, s.low);
  }
  const derive = (data: MarketData) => {
    const notes = [...(data.notes ?? [])];
    for (const venue of Object.keys(hedge)) {
      if (!data.series.has(perpIds(venue, symbol).price)) continue; // dropped by the coverage rule
      notes.push(composePerpMarks(data, venue, symbol, spotVenue).note);
    }
    return notes;
  };
  return { required: [...required], hedge, optional: opt, policy: mode.data_policy, derive };
}

/**
 * The venues the mode's venue map and hedge weights name: the wallet holding the share class, the
 * lending venue supplying `lendingAssets`, the spot venue and every hedge venue trading `{asset}USDT`.
 * Families add what else their venues hold.
 */
export function baseVenueSpec(
  resolved: ResolvedMode,
  hedgeWeights: Record<string, number>,
  lendingAssets: string[] = [resolved.mode.share_class],
): RunVenueSpec {
  const { mode } = resolved;
  const symbol = `${mode.asset}USDT`;
  const spot = mode.venues.spot;
  const cexNames = [...new Set([...(spot ? [spot] : []), ...Object.keys(hedgeWeights)])];
  return {
    modeFile: resolved.modeFile,
    wallet: { name: mode.venues.wallet_transfer ?? 'wallet', assets: [mode.share_class] },
    lending: mode.venues.lending ? { name: mode.venues.lending, assets: lendingAssets, emode: false } : null,
    cex: cexNames.map((name) => ({
      name,
      symbols: { spot: name === spot ? [symbol] : [], perp: name in hedgeWeights ? [symbol] : [] },
      collateral: false,
    })),
    orderType: mode.execution.order_type,
    staking: null,
    flashLoans: [],
    dex: null,
  };
}
