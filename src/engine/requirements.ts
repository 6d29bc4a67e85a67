/**
 * Which data series a mode needs, derived from its config, and the hedge-venue coverage rule: a hedge
 * venue whose series do not cover the window is either a hard error (`hedge_coverage_rule: fail`) or is
 * dropped and its weight spread pro rata over the covered venues (`reallocate`), reported in the run's
 * notes and events, never silently. Only MISSING or SHORT data is a coverage problem: a corrupt row or
 * a duplicate conflict the mode's data_policy does not resolve fails the run.
 *
 * Every plan derives the hedge venues' perp marks inside the holes of their perp candles by the one rule
 * of src/data/perp-marks.ts (spot × the perp/spot basis of the last hour that had a perp candle), so no
 * order is filled and no position valued at a carried-forward perp close; the rule's note and the load's
 * data-quality notes are returned by `derive` for the run's output.
 */
import type { DataPolicy, ModeConfig } from '../config/schema.js';
import { coversWindow, describeCoverage, MissingFileError } from '../data/index.js';
import { composePerpMarks, perpIds, spotIds } from '../data/perp-marks.js';
import { DataError } from '../domain/errors.js';
import { Pricer } from '../portfolio/pricing.js';
import type { MarketData, SeriesMeta } from '../data/types.js';
import { mlSeriesPlan } from './ml-requirements.js';

export interface SeriesPlan {
  required: string[];
  /** Hedge venue → its series, loaded as optional and checked with the coverage rule. */
  hedge: Record<string, string[]>;
  /** Loaded when their file exists, whatever their coverage (e.g. reward token prices). */
  optional?: string[];
  /** Grid step of the run, ms; default 1 h (ml_directional: its bar_interval). */
  stepMs?: number;
  /** Data-quality rules for the load (the mode's data_policy). */
  policy?: DataPolicy;
  /**
   * Builds derived series in the loaded data (perp marks in the hedge venues' holes) and returns the
   * notes the run must report (the load's data-quality notes first).
   */
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
  const policy = mode.data_policy;
  if (mode.family === 'ml_directional') {
    const ml = mlSeriesPlan(mode);
    for (const id of ml.required) required.add(id);
    Object.assign(hedge, ml.hedge);
    optional.push(...ml.optional);
    const derive = (data: MarketData) => [...(data.notes ?? []), ...ml.derive(data)];
    return { required: [...required], hedge, optional, stepMs: ml.stepMs, policy, derive };
  }
  const symbol = `${mode.asset}USDT`;
  if (Object.keys(hedge).length > 0) {
    const s = spotIds(spotVenue, symbol); // the mark rule reads the spot bar's price, high and low
    optional.push(s.price, s.high, s.low);
  }
  const derive = (data: MarketData) => {
    const notes = [...(data.notes ?? [])];
    for (const venue of Object.keys(hedge)) {
      if (!data.series.has(perpIds(venue, symbol).price)) continue; // dropped by the coverage rule
      notes.push(composePerpMarks(data, venue, symbol, spotVenue).note);
    }
    return notes;
  };
  return { required: [...required], hedge, optional, policy, derive };
}

/**
 * The first coverage problem of each hedge venue over [startMs, endMs] (absent when covered): a missing
 * file or a series that does not cover the window. Corrupt rows and unresolved duplicate conflicts throw.
 */
export function hedgeCoverageProblems(
  plan: SeriesPlan,
  dataDir: string,
  startMs: number,
  endMs: number,
  cacheDir?: string,
): Record<string, string | undefined> {
  const problems: Record<string, string | undefined> = {};
  for (const [venue, ids] of Object.entries(plan.hedge)) {
    let metas: SeriesMeta[] = [];
    try {
      metas = describeCoverage(dataDir, ids, { cacheDir, policy: plan.policy });
    } catch (err) {
      if (!(err instanceof MissingFileError)) throw err;
      problems[venue] = err.message;
    }
    for (const m of metas) {
      const c = coversWindow(m, startMs, endMs);
      if (!c.ok) {
        // say why the data is short when the data policy dropped rows of the file
        const dropped = (m.notes ?? []).filter((n) => n.includes('drop_venue_span'));
        problems[venue] = dropped.length ? `${c.reason} (${dropped.join('; ')})` : c.reason;
        break;
      }
    }
  }
  return problems;
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
