/**
 * Which data series a mode needs, derived from its config, and the hedge-venue coverage rule: a hedge
 * venue whose series do not cover the window is either a hard error (`hedge_coverage_rule: fail`) or is
 * dropped and its weight spread pro rata over the covered venues (`reallocate`), reported in the run's
 * notes and events, never silently.
 */
import type { ModeConfig } from '../config/schema.js';
import { DataError } from '../domain/errors.js';
import { Pricer } from '../portfolio/pricing.js';

export interface SeriesPlan {
  required: string[];
  /** Hedge venue → its series, loaded as optional and checked with the coverage rule. */
  hedge: Record<string, string[]>;
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
  if (mode.family === 'basis') {
    const symbol = `${mode.asset}USDT`;
    for (const [venue, w] of Object.entries(mode.hedge_allocation ?? {}))
      if (w > 0) hedge[venue] = perpSeries(venue, symbol);
  }
  return { required: [...required], hedge };
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
