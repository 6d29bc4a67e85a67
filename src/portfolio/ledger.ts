/**
 * The run's ledger: venues book source-tagged cash flows (valued in the share class at the current step)
 * and append events. Bookings are drained by the PnL calculator after each tight-loop pass; an atomic
 * group that fails rolls bookings and events back to its mark.
 */
import { PNL_SOURCE_INDEX, type PnlSource } from '../domain/types.js';
import type { Pricer } from './pricing.js';
import type { Ledger } from '../venues/types.js';

export interface RunEvent {
  t: string;
  type: string;
  [k: string]: unknown;
}

const DAY_MS = 86_400_000;

export class RunLedger implements Ledger {
  private sources: number[] = [];
  private values: number[] = [];
  readonly events: RunEvent[] = [];
  private iso = '';
  private timeMs = 0;
  /** Interest accrued per day, flushed as one `interest` event per venue/asset/source per UTC day. */
  private interest = new Map<
    string,
    { venue: string; asset: string; source: PnlSource; amount: number; value: number }
  >();
  private interestDay = -1;

  constructor(private readonly pricer: Pricer) {}

  setTime(timeMs: number): void {
    const day = Math.floor(timeMs / DAY_MS);
    if (this.interestDay !== day) {
      this.flushInterest();
      this.interestDay = day;
    }
    this.timeMs = timeMs;
    this.iso = '';
  }

  private now(): string {
    if (this.iso === '') this.iso = new Date(this.timeMs).toISOString();
    return this.iso;
  }

  book(source: PnlSource, asset: string, amount: number, venue: string, detail?: string): void {
    if (amount === 0) return;
    const value = amount * this.pricer.inShareClass(asset);
    this.sources.push(PNL_SOURCE_INDEX[source]);
    this.values.push(value);
    if (source === 'supply_yield' || source === 'borrow_cost') {
      const k = `${venue}|${asset}|${source}`;
      const acc = this.interest.get(k);
      if (acc) {
        acc.amount += amount;
        acc.value += value;
      } else this.interest.set(k, { venue, asset, source, amount, value });
    } else if (detail !== undefined) {
      this.event('booking', { source, venue, asset, amount, value, detail });
    }
  }

  event(type: string, data: Record<string, unknown>): void {
    this.events.push({ t: this.now(), type, ...data });
  }

  flushInterest(): void {
    if (this.interest.size === 0 || this.interestDay < 0) return;
    const t = new Date(this.interestDay * DAY_MS).toISOString();
    for (const v of this.interest.values()) {
      this.events.push({
        t,
        type: 'interest',
        venue: v.venue,
        asset: v.asset,
        source: v.source,
        amount: v.amount,
        value: v.value,
        period: 'day',
      });
    }
    this.interest.clear();
  }

  mark(): { bookings: number; events: number } {
    return { bookings: this.values.length, events: this.events.length };
  }

  rollback(m: { bookings: number; events: number }): void {
    this.sources.length = m.bookings;
    this.values.length = m.bookings;
    this.events.length = m.events;
  }

  /** Adds the bookings since the last drain into `attribution` (indexed by PNL_SOURCES) and clears them. */
  drain(attribution: Float64Array): void {
    for (let i = 0; i < this.values.length; i++) attribution[this.sources[i]] += this.values[i];
    this.sources.length = 0;
    this.values.length = 0;
  }
}
