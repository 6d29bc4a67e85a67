/**
 * The series an ml_directional mode needs, on the grid of its `bar_interval` (default 5 minutes): the perp
 * venue's hourly candles and funding (checked by the hedge coverage rule), Binance spot candles of the
 * asset (price, high, low), the perp's 5-minute candles where the dataset has them (optional), and the rule
 * that builds the perp marks from them (src/data/perp-marks.ts), whose note goes into the run's output.
 */
import { composePerpMarks, perpMarkSeries } from '../../data/perp-marks.js';
import type { SeriesPlan } from '../../data/plan.js';
import type { MarketData } from '../../data/types.js';
import { parseDurationMs } from '../../domain/duration.js';
import { referenceSeries } from '../plan.js';
import type { MlMode } from './params.js';

/** The spot candles the mark rule and the baseline model read (complete 5-minute files). */
export const ML_SPOT_VENUE = 'binance';

export function mlSeriesPlan(mode: MlMode): SeriesPlan {
  const stepMs = parseDurationMs(mode.strategy.bar_interval ?? '5m') ?? 300_000;
  const symbol = `${mode.asset}USDT`;
  const venue = Object.entries(mode.hedge_allocation ?? {}).find(([, w]) => w > 0)?.[0] ?? 'binance';
  const marks = perpMarkSeries(venue, symbol, stepMs, ML_SPOT_VENUE);
  const p = `cex.${venue}.${symbol}`;
  const hedgeIds = [`${p}.perp.price`, `${p}.perp.high`, `${p}.perp.low`, `${p}.funding`];
  const required = referenceSeries(mode);
  for (const id of marks.required) if (!hedgeIds.includes(id)) required.add(id);
  return {
    required: [...required],
    hedge: { [venue]: hedgeIds },
    optional: marks.optional,
    stepMs,
    policy: mode.data_policy,
    derive: (data: MarketData) => [
      ...(data.notes ?? []),
      composePerpMarks(data, venue, symbol, ML_SPOT_VENUE).note,
    ],
  };
}
