/**
 * The simulated venues' view of market data: the current step on the grid and typed access to series.
 * The engine advances `step`; venues only read.
 */
import { DataError } from '../domain/errors.js';
import type { EventSeries, MarketData } from './types.js';

export class MarketCursor {
  step = 0;
  constructor(readonly data: MarketData) {}

  get timeMs(): number {
    return this.data.timestampsMs[this.step];
  }

  /** Grid-aligned series; throws DataError naming the series when the dataset lacks it. */
  series(id: string): Float64Array {
    const s = this.data.series.get(id);
    if (!s) throw new DataError(`series ${id} is not loaded for this run`, id);
    return s;
  }

  hasSeries(id: string): boolean {
    return this.data.series.has(id);
  }

  events(id: string): EventSeries {
    const e = this.data.events.get(id);
    if (!e) throw new DataError(`event series ${id} is not loaded for this run`, id);
    return e;
  }
}
