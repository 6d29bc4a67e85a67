/**
 * Gas model of the simulated on-chain venues: gas (ETH) = gas units of (venue, op) × gas price at the
 * current step (gwei) × 1e-9. Gas units come from the venue configs' `gas_units`; the gas price from the
 * hourly series `gas.price_gwei`.
 */
import { DataError, VenueError } from '../domain/errors.js';
import type { GasModel as GasModelContract } from './types.js';
import type { MarketCursor } from '../data/cursor.js';

export const GAS_PRICE_SERIES = 'gas.price_gwei';
const GWEI = 1e-9;

/** Venue name → op → gas units (the `gas_units` blocks of the venue configs). */
export type GasUnitsTable = Readonly<Record<string, Readonly<Record<string, number>>>>;

export class GasModel implements GasModelContract {
  private readonly table = new Map<string, Map<string, number>>();
  /** Resolved once; null when the run did not load gas prices (then only charging gas fails). */
  private readonly price: Float64Array | null;

  constructor(
    private readonly cursor: MarketCursor,
    table: GasUnitsTable,
  ) {
    for (const [venue, ops] of Object.entries(table)) this.table.set(venue, new Map(Object.entries(ops)));
    this.price = cursor.hasSeries(GAS_PRICE_SERIES) ? cursor.series(GAS_PRICE_SERIES) : null;
  }

  /** Builds the table from venue configs (anything with `venue` and `gas_units`). */
  static fromConfigs(
    cursor: MarketCursor,
    configs: readonly { venue: string; gas_units?: Record<string, number> }[],
  ) {
    const table: Record<string, Record<string, number>> = {};
    for (const c of configs) if (c.gas_units) table[c.venue] = c.gas_units;
    return new GasModel(cursor, table);
  }

  hasUnits(venue: string, op: string): boolean {
    return this.table.get(venue)?.has(op) ?? false;
  }

  /** Gas units of `op` at `venue`; unknown venue or op → VenueError naming both. */
  units(venue: string, op: string): number {
    const u = this.table.get(venue)?.get(op);
    if (u === undefined)
      throw new VenueError(venue, `no gas units configured for op '${op}' at venue '${venue}'`);
    return u;
  }

  /** Gas price at the current step, gwei; missing series or NaN → DataError. */
  gwei(): number {
    if (!this.price)
      throw new DataError(`series ${GAS_PRICE_SERIES} is not loaded for this run`, GAS_PRICE_SERIES);
    const g = this.price[this.cursor.step];
    if (!Number.isFinite(g)) {
      const at = new Date(this.cursor.timeMs).toISOString();
      throw new DataError(`series ${GAS_PRICE_SERIES} has no value at ${at}`, GAS_PRICE_SERIES);
    }
    return g;
  }

  gasEth(venue: string, op: string): number {
    return this.units(venue, op) * this.gwei() * GWEI;
  }
}
