/**
 * PositionMonitor: reads every venue's balances into one flat view keyed by position key. Venues are the
 * single source of truth; this monitor only reads. Slots are fixed at construction so the hot loop
 * indexes typed arrays instead of looking keys up.
 */
import { parsePositionKey, type PositionKey, type PositionType } from '../domain/types.js';
import type { CexVenue, Venue } from '../venues/types.js';

export interface PositionSlot {
  key: PositionKey;
  venue: string;
  type: PositionType;
  /** Asset the slot is denominated in: `USDT` for aUSDT, `BTC` for a BTCUSDT perp. */
  asset: string;
  /** Perp symbol for perp slots, else ''. */
  symbol: string;
}

export class PositionMonitor {
  readonly slots: PositionSlot[] = [];
  readonly amounts: Float64Array;
  /** Perp entry prices (NaN for other slots). */
  readonly entries: Float64Array;
  private readonly offsets: number[] = [];
  private readonly perpSlots: { index: number; venue: CexVenue; symbol: string }[] = [];

  constructor(readonly venues: readonly Venue[]) {
    let offset = 0;
    for (const v of venues) {
      this.offsets.push(offset);
      for (const key of v.positionKeys) {
        const { venue, type, symbol } = parsePositionKey(key);
        const slot: PositionSlot = {
          key,
          venue,
          type,
          asset: assetOf(type, symbol),
          symbol: type === 'Perp' ? symbol : '',
        };
        if (type === 'Perp') this.perpSlots.push({ index: offset, venue: v as CexVenue, symbol });
        this.slots.push(slot);
        offset++;
      }
    }
    this.amounts = new Float64Array(offset);
    this.entries = new Float64Array(offset).fill(Number.NaN);
  }

  /** Re-reads every venue's positions. */
  refresh(): void {
    for (let i = 0; i < this.venues.length; i++) this.venues[i].readPositions(this.amounts, this.offsets[i]);
    for (const p of this.perpSlots) {
      this.entries[p.index] = this.amounts[p.index] === 0 ? 0 : p.venue.perpPosition(p.symbol).entryPrice;
    }
  }

  indexOf(key: string): number {
    return this.slots.findIndex((s) => s.key === key);
  }

  amount(key: string): number {
    const i = this.indexOf(key);
    return i < 0 ? 0 : this.amounts[i];
  }

  /** A plain object of non-zero positions, for events and reports. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let i = 0; i < this.slots.length; i++)
      if (this.amounts[i] !== 0) out[this.slots[i].key] = this.amounts[i];
    return out;
  }
}

/** The asset a position is denominated in: aUSDT → USDT, debtWETH → WETH, BTCUSDT perp → BTC. */
export function assetOf(type: PositionType, symbol: string): string {
  switch (type) {
    case 'aToken':
      return symbol.startsWith('a') ? symbol.slice(1) : symbol;
    case 'debtToken':
      return symbol.startsWith('debt') ? symbol.slice(4) : symbol;
    case 'Perp':
      return symbol.endsWith('USDT') ? symbol.slice(0, -4) : symbol;
    default:
      return symbol;
  }
}
