/**
 * A data plan: the series a run reads, which of them are hedge venues' (checked by the hedge coverage
 * rule), the grid step and the series derived after loading. Each strategy family makes the plan of its
 * modes (src/strategies/<family>/index.ts); the engine loads it.
 */
import type { DataPolicy } from '../config/schema.js';
import type { MarketData } from './types.js';

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

/** A perp venue's hourly candle and funding series of `symbol`. */
export function perpSeries(venue: string, symbol: string): string[] {
  return [
    `cex.${venue}.${symbol}.perp.price`,
    `cex.${venue}.${symbol}.perp.high`,
    `cex.${venue}.${symbol}.perp.low`,
    `cex.${venue}.${symbol}.funding`,
  ];
}
