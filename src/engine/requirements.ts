/**
 * Which data series a mode needs, derived from its config, and the hedge-venue coverage rule: a hedge
 * venue whose series do not cover the window is either a hard error (`hedge_coverage_rule: fail`) or is
 * dropped and its weight spread pro rata over the covered venues (`reallocate`), reported in the run's
 * notes and events, never silently.
 */
import type { ModeConfig } from '../config/schema.js';
import { DataError } from '../domain/errors.js';
import { Pricer } from '../portfolio/pricing.js';
import type { MarketData } from '../data/types.js';
import { mlSeriesPlan } from './ml-requirements.js';

export interface SeriesPlan {
  required: string[];
  /** Hedge venue → its series, loaded as optional and checked with the coverage rule. */
  hedge: Record<string, string[]>;
  /** Loaded when their file exists, whatever their coverage (e.g. reward token prices). */
  optional?: string[];
  /** Grid step of the run, ms; default 1 h (ml_directional: its bar_interval). */
  stepMs?: number;
  /** Builds derived series in the loaded data (e.g. perp marks); returns notes the run must report. */
  derive?: (data: MarketData) => string[];
}

export function perpSeries(venue: string, symbol: string): string[] {
  return [
    `cex.${venue}.${symbol}.perp.price`,
    `cex.${venue}.${symbol}.perp.high`,
    `cex.${venue}.${symbol}.perp.low`,
    `cex.${venue}.${symbol}.funding`,
  ];
}

export function seriesPlan(mode: ModeConfig): SeriesPlan {
  const required = new Set<string>(['gas.price_gwei', Pricer.referenceSeries('ETH')!]);
  const hedge: Record<string, string[]> = {};
  const spotVenue = mode.venues.spot ?? 'binance';
  if (mode.asset !== 'USDT') required.add(Pricer.referenceSeries(mode.asset, spotVenue)!);
  if (mode.share_class !== 'USDT') required.add(Pricer.referenceSeries(mode.share_class, spotVenue)!);
  if (mode.family === 'lending') {
    const a = mode.strategy.lending_asset ?? mode.share_class;
    required.add(`aave.${a}.liquidityIndex`);
    required.add(`aave.${a}.variableBorrowIndex`);
  }
  if (mode.family === 'basis' || (mode.family === 'staking' && mode.hedge_allocation)) {
    const symbol = `${mode.asset}USDT`;
    for (const [venue, w] of Object.entries(mode.hedge_allocation ?? {}))
      if (w > 0) hedge[venue] = perpSeries(venue, symbol);
  }
  const optional: string[] = [];
  if (mode.family === 'staking' && mode.lst_type) {
    const lst = mode.lst_type;
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
  if (mode.family === 'ml_directional') {
    const ml = mlSeriesPlan(mode);
    for (const id of ml.required) required.add(id);
    Object.assign(hedge, ml.hedge);
    optional.push(...ml.optional);
    return { required: [...required], hedge, optional, stepMs: ml.stepMs, derive: ml.derive };
  }
  return { required: [...required], hedge, optional };
}

export interface CoverageVerdict {
  /** Effective hedge weights (sum 1) after the rule. */
  weights: Record<string, number>;
  notes: string[];
}

/**
 * Applies the mode's hedge coverage rule. `problems` maps each hedge venue to the first reason one of
 * its series does not cover the window (absent when covered).
 */
export function applyHedgeCoverageRule(
  mode: ModeConfig,
  problems: Record<string, string | undefined>,
): CoverageVerdict {
  const alloc = Object.entries(mode.hedge_allocation ?? {}).filter(([, w]) => w > 0);
  const uncovered = alloc.filter(([v]) => problems[v] !== undefined);
  if (uncovered.length === 0) return { weights: Object.fromEntries(alloc), notes: [] };
  const [firstVenue] = uncovered[0];
  if (mode.hedge_coverage_rule === 'fail') {
    throw new DataError(`hedge venue ${firstVenue}: ${problems[firstVenue]} (hedge_coverage_rule: fail)`);
  }
  const covered = alloc.filter(([v]) => problems[v] === undefined);
  if (covered.length === 0) {
    throw new DataError(
      `no hedge venue of mode ${mode.mode} covers the window: ${uncovered.map(([v]) => `${v}: ${problems[v]}`).join('; ')}`,
    );
  }
  const total = covered.reduce((s, [, w]) => s + w, 0);
  const weights = Object.fromEntries(covered.map(([v, w]) => [v, w / total]));
  const notes = uncovered.map(
    ([v, w]) =>
      `hedge venue ${v} (weight ${w}) dropped by hedge_coverage_rule reallocate: ${problems[v]}; weights now ${Object.entries(
        weights,
      )
        .map(([k, x]) => `${k} ${x.toFixed(4)}`)
        .join(', ')}`,
  );
  return { weights, notes };
}
