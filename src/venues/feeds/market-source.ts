/**
 * The live market-data source of a wall-clock run: samples every exchange feed and the gas price once
 * per tick and appends one row to the run's LiveGrid, in the series ids the backtest uses:
 * - `cex.<venue>.<SYMBOL>.spot.price`, `.perp.price`: last price at the tick;
 * - `.perp.high` / `.perp.low`: extremes of the bar from the previous tick to this one, written into the
 *   previous row once the bar has closed (the dataset's convention: the bar that opens at t);
 * - `.funding`: the rate announced for a funding time, written at the first tick at or after that time;
 *   NaN elsewhere (simulated venues pay funding where it is set);
 * - `gas.price_gwei`.
 * A failed read keeps the series' last value (and is reported); a series that has never had a value
 * fails the tick.
 */
import type { LiveGrid } from '../../data/live-grid.js';
import { DataError } from '../../domain/errors.js';
import type { CexFeed, FeedSample, FeedSymbols, FundingSample } from './cex-feed.js';
import type { GasPriceFeed } from './gas-feed.js';

export type SeriesSource =
  | { kind: 'spot' | 'perp' | 'perp_high' | 'perp_low' | 'funding'; venue: string; symbol: string }
  | { kind: 'gas' };

/** Where a series comes from in a wall-clock run, or null when no live source exists for it. */
export function seriesSource(id: string): SeriesSource | null {
  if (id === 'gas.price_gwei') return { kind: 'gas' };
  const m = /^cex\.([a-z0-9_]+)\.([A-Z0-9]+)\.(spot\.price|perp\.price|perp\.high|perp\.low|funding)$/.exec(
    id,
  );
  if (!m) return null;
  const kind = {
    'spot.price': 'spot',
    'perp.price': 'perp',
    'perp.high': 'perp_high',
    'perp.low': 'perp_low',
    funding: 'funding',
  }[m[3]] as 'spot' | 'perp' | 'perp_high' | 'perp_low' | 'funding';
  return { kind, venue: m[1], symbol: m[2] };
}

export interface FeedPlan {
  /** Symbols to sample per exchange. */
  venues: Map<string, FeedSymbols>;
  gas: boolean;
  /** Series without a live source. */
  unsupported: string[];
}

export function feedPlan(ids: readonly string[]): FeedPlan {
  const acc = new Map<string, { spot: Set<string>; perp: Set<string>; funding: Set<string> }>();
  const unsupported: string[] = [];
  let gas = false;
  for (const id of ids) {
    const s = seriesSource(id);
    if (!s) {
      unsupported.push(id);
      continue;
    }
    if (s.kind === 'gas') {
      gas = true;
      continue;
    }
    const v = acc.get(s.venue) ?? { spot: new Set(), perp: new Set(), funding: new Set() };
    acc.set(s.venue, v);
    if (s.kind === 'spot') v.spot.add(s.symbol);
    else if (s.kind === 'funding') v.funding.add(s.symbol);
    else v.perp.add(s.symbol);
  }
  const venues = new Map<string, FeedSymbols>();
  for (const [venue, v] of acc)
    venues.set(venue, { spot: [...v.spot], perp: [...v.perp], funding: [...v.funding] });
  return { venues, gas, unsupported };
}

export interface MarketSourceState {
  /** Funding announced per `venue:symbol` at the last tick. */
  announced: Record<string, FundingSample>;
}

export interface TickResult {
  step: number;
  /** Reads that failed this tick (their series kept the last value). */
  errors: string[];
  values: Record<string, number>;
}

export class LiveMarketSource {
  private announced = new Map<string, FundingSample>();

  constructor(
    private readonly grid: LiveGrid,
    private readonly feeds: ReadonlyMap<string, CexFeed>,
    private readonly gas: GasPriceFeed | null,
  ) {}

  state(): MarketSourceState {
    return { announced: Object.fromEntries(this.announced) };
  }

  restore(s: MarketSourceState): void {
    this.announced = new Map(Object.entries(s.announced));
  }

  /** Samples every source and appends the row for `timeMs`. Throws DataError when a series has no value at all. */
  async tick(timeMs: number): Promise<TickResult> {
    const errors: string[] = [];
    const samples = new Map<string, FeedSample>();
    let gwei = Number.NaN;
    await Promise.all([
      ...[...this.feeds].map(async ([venue, feed]) => {
        const s = await feed.sample();
        samples.set(venue, s);
        errors.push(...s.errors);
      }),
      (async () => {
        if (!this.gas) return;
        try {
          gwei = await this.gas.gwei();
        } catch (err) {
          errors.push((err as Error).message);
        }
      })(),
    ]);
    const g = this.grid;
    const prev = g.length - 1;
    const values: Record<string, number> = {};
    const extremes: { id: string; value: number }[] = [];
    for (const id of g.ids) {
      const src = seriesSource(id);
      let v = Number.NaN;
      if (src?.kind === 'gas') v = gwei;
      else if (src) {
        const s = samples.get(src.venue);
        if (src.kind === 'spot') v = s?.spot[src.symbol]?.price ?? Number.NaN;
        else if (src.kind === 'perp') v = s?.perp[src.symbol]?.price ?? Number.NaN;
        else if (src.kind === 'perp_high' || src.kind === 'perp_low') {
          const p = s?.perp[src.symbol];
          v = p?.price ?? Number.NaN;
          if (p && prev >= 0) {
            const open = g.value(prev, `cex.${src.venue}.${src.symbol}.perp.price`);
            const bar =
              src.kind === 'perp_high'
                ? Math.max(p.high, p.price, open || p.price)
                : Math.min(p.low, p.price, open || p.price);
            extremes.push({ id, value: bar });
          }
        } else {
          const key = `${src.venue}:${src.symbol}`;
          const was = this.announced.get(key);
          v =
            was && Number.isFinite(was.nextFundingMs) && timeMs >= was.nextFundingMs ? was.rate : Number.NaN;
          const now = s?.funding[src.symbol];
          if (now) this.announced.set(key, now);
          else if (!Number.isNaN(v)) this.announced.delete(key);
          values[id] = v;
          continue;
        }
      }
      if (Number.isNaN(v) && prev >= 0) v = g.value(prev, id);
      if (Number.isNaN(v)) {
        throw new DataError(
          `no live value yet for series ${id}${errors.length > 0 ? `: ${errors[0]}` : ''}`,
          id,
        );
      }
      values[id] = v;
    }
    for (const e of extremes) if (!Number.isNaN(e.value)) g.set(prev, e.id, e.value);
    const step = g.append({ timeMs, values });
    return { step, errors, values };
  }
}
