/** Hand-built market data and a recording ledger for the simulated-venue tests. */
import type { MarketData } from '../../src/data/types.js';
import type { PnlSource } from '../../src/domain/types.js';
import type { Ledger } from '../../src/venues/types.js';
import { MarketCursor } from '../../src/data/cursor.js';

export const T0 = Date.UTC(2024, 0, 1);
export const HOUR = 3_600_000;

/** A grid of `length` hourly steps with the given series (shorter arrays are padded with NaN). */
export function market(
  length: number,
  series: Record<string, number[]>,
  events: Record<string, { t: number[]; v: number[] }> = {},
): MarketCursor {
  const timestampsMs = new Float64Array(length);
  for (let i = 0; i < length; i++) timestampsMs[i] = T0 + i * HOUR;
  const data: MarketData = {
    startMs: T0,
    stepMs: HOUR,
    length,
    timestampsMs,
    synthetic: true,
    datasetId: 'test',
    dataDir: '/dev/null',
    series: new Map(
      Object.entries(series).map(([id, v]) => {
        const a = new Float64Array(length).fill(NaN);
        a.set(v.slice(0, length));
        return [id, a];
      }),
    ),
    events: new Map(
      Object.entries(events).map(([id, e]) => [
        id,
        { timestampsMs: Float64Array.from(e.t), values: Float64Array.from(e.v) },
      ]),
    ),
    meta: new Map(),
  };
  return new MarketCursor(data);
}

export interface Booking {
  source: PnlSource;
  asset: string;
  amount: number;
  venue: string;
  detail?: string;
}

export class RecordingLedger implements Ledger {
  readonly books: Booking[] = [];
  readonly events: { type: string; data: Record<string, unknown> }[] = [];
  book(source: PnlSource, asset: string, amount: number, venue: string, detail?: string): void {
    this.books.push({ source, asset, amount, venue, detail });
  }
  event(type: string, data: Record<string, unknown>): void {
    this.events.push({ type, data });
  }
  total(source: PnlSource, asset?: string): number {
    return this.books
      .filter((b) => b.source === source && (!asset || b.asset === asset))
      .reduce((s, b) => s + b.amount, 0);
  }
}

export const ENVIRONMENTS = { live: {}, testnet: {}, simulation: {} };
