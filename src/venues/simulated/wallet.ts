/**
 * Simulated on-chain wallet: token balances (position keys `<name>:BaseToken:<ASSET>`) and the payer of
 * gas for every simulated on-chain venue.
 *
 * Gas is paid in the wallet's gas asset: ETH when the wallet holds ETH (ETH share class), else USDT — the
 * ETH is bought just in time at the reference price `cex.binance.ETHUSDT.spot.price`, so the wallet is
 * debited `gasEth × ETH price` USDT.
 */
import { DataError, VenueError } from '../../domain/errors.js';
import { positionKey } from '../../domain/types.js';
import type { Instruction, PositionKey } from '../../domain/types.js';
import type { Fill, Ledger, SimulatedVenue, VenueCheckpoint, WalletVenue } from '../types.js';
import type { GasModel } from '../gas.js';
import type { MarketCursor } from '../../data/cursor.js';

export const ETH_REFERENCE_PRICE_SERIES = 'cex.binance.ETHUSDT.spot.price';

/** Debits that exceed the balance by at most this fraction of the amount are floating-point dust: the balance goes to 0. */
export const DUST_TOLERANCE = 1e-9;

/** What an on-chain op costs in gas now. */
export interface GasQuote {
  venue: string;
  op: string;
  units: number;
  gwei: number;
  /** Gas in ETH. */
  eth: number;
  /** What the wallet pays, in `asset` units. */
  cost: number;
  asset: string;
}

export interface SimulatedWalletOptions {
  /** Asset gas is paid in: 'ETH' or 'USDT'. Default: ETH when `assets` holds ETH, else USDT. */
  gasAsset?: 'ETH' | 'USDT';
}

interface WalletCheckpoint {
  balances: Float64Array;
}

export class SimulatedWallet implements WalletVenue, SimulatedVenue {
  readonly kind = 'wallet' as const;
  readonly positionKeys: readonly PositionKey[];
  readonly assets: readonly string[];
  readonly gasAsset: 'ETH' | 'USDT';
  private readonly balances: Float64Array;
  private readonly index = new Map<string, number>();
  private readonly ethPrice: Float64Array | null;

  constructor(
    readonly name: string,
    private readonly cursor: MarketCursor,
    readonly gas: GasModel,
    assets: readonly string[],
    opts: SimulatedWalletOptions = {},
  ) {
    this.gasAsset = opts.gasAsset ?? (assets.includes('ETH') ? 'ETH' : 'USDT');
    const all = assets.includes(this.gasAsset) ? [...assets] : [...assets, this.gasAsset];
    this.assets = all;
    all.forEach((a, i) => this.index.set(a, i));
    this.balances = new Float64Array(all.length);
    this.positionKeys = all.map((a) => positionKey(name, 'BaseToken', a));
    this.ethPrice =
      this.gasAsset === 'USDT' && cursor.hasSeries(ETH_REFERENCE_PRICE_SERIES)
        ? cursor.series(ETH_REFERENCE_PRICE_SERIES)
        : null;
  }

  holds(asset: string): boolean {
    return this.index.has(asset);
  }

  balanceOf(asset: string): number {
    const i = this.index.get(asset);
    return i === undefined ? 0 : this.balances[i];
  }

  readPositions(out: Float64Array, offset: number): void {
    for (let i = 0; i < this.balances.length; i++) out[offset + i] = this.balances[i];
  }

  credit(asset: string, amount: number): void {
    const i = this.slot(asset);
    checkAmount(this.name, amount);
    this.balances[i] += amount;
  }

  debit(asset: string, amount: number): void {
    const i = this.slot(asset);
    checkAmount(this.name, amount);
    const has = this.balances[i];
    if (amount > has) {
      if (amount - has > DUST_TOLERANCE * amount) {
        throw new VenueError(this.name, `insufficient ${asset} balance: has ${has}, needs ${amount}`);
      }
      this.balances[i] = 0;
      return;
    }
    this.balances[i] = has - amount;
  }

  /** Whether the wallet could debit `amount` of `asset` now (same dust rule as `debit`). */
  canDebit(asset: string, amount: number): boolean {
    const has = this.balanceOf(asset);
    return amount <= has || amount - has <= DUST_TOLERANCE * amount;
  }

  /** Gas cost of `op` at `venue` now, in the gas asset. Unknown op → VenueError; missing price → DataError. */
  gasQuote(op: string, venue: string = this.name): GasQuote {
    const units = this.gas.units(venue, op);
    const gwei = this.gas.gwei();
    const eth = units * gwei * 1e-9;
    const cost = this.gasAsset === 'ETH' ? eth : eth * this.ethUsd();
    return { venue, op, units, gwei, eth, cost, asset: this.gasAsset };
  }

  /**
   * Throws VenueError unless the wallet can pay `amount` of `asset` and then the gas of `gas` (validation
   * before an on-chain op; `amount` 0 for ops that only credit the wallet, which must still hold `asset`).
   */
  assertCanPay(asset: string, amount: number, gas: GasQuote): void {
    if (!this.holds(asset)) throw new VenueError(this.name, `wallet holds no ${asset}`);
    const same = gas.asset === asset;
    if (!this.canDebit(asset, amount + (same ? gas.cost : 0))) {
      const needs = `${amount}${same ? ` + ${gas.cost} gas` : ''}`;
      throw new VenueError(
        this.name,
        `insufficient ${asset} balance: has ${this.balanceOf(asset)}, needs ${needs}`,
      );
    }
    if (!same && !this.canDebit(gas.asset, gas.cost)) {
      const has = this.balanceOf(gas.asset);
      throw new VenueError(
        this.name,
        `insufficient ${gas.asset} balance for gas: has ${has}, needs ${gas.cost}`,
      );
    }
  }

  /**
   * Pays the gas of `op` at `venue` (default: this wallet) from the gas asset, books it as source 'gas'
   * (negative, in the gas asset) and logs a `gas` event. Insufficient balance → VenueError, nothing changes.
   * Returns the gas in ETH.
   */
  chargeGas(op: string, ledger: Ledger, venue: string = this.name): number {
    const q = this.gasQuote(op, venue);
    if (!this.canDebit(q.asset, q.cost)) {
      throw new VenueError(
        this.name,
        `insufficient ${q.asset} balance for gas of ${venue} ${op}: has ${this.balanceOf(q.asset)}, needs ${q.cost}`,
      );
    }
    this.debit(q.asset, q.cost);
    ledger.book('gas', q.asset, -q.cost, venue, op);
    ledger.event('gas', {
      venue,
      op,
      units: q.units,
      gwei: q.gwei,
      eth: q.eth,
      cost: q.cost,
      asset: q.asset,
    });
    return q.eth;
  }

  /**
   * The wallet executes only `transfer` instructions it sends: balances are moved by the execution manager
   * (debit here, credit at the receiver); this charges the on-chain transfer's gas when the wallet's config
   * lists `gas_units.transfer`, else nothing.
   */
  async execute(instruction: Instruction, ledger: Ledger): Promise<Fill> {
    if (instruction.op !== 'transfer' || instruction.from !== this.name) {
      throw new VenueError(this.name, `wallet does not execute '${instruction.op}' instructions`);
    }
    let gasEth = 0;
    if (this.gas.hasUnits(this.name, 'transfer')) gasEth = this.chargeGas('transfer', ledger);
    return {
      venue: this.name,
      op: 'transfer',
      amount: instruction.amount,
      price: NaN,
      fee: 0,
      feeAsset: instruction.asset,
      gasEth,
    };
  }

  settle(): void {
    // Token balances do not accrue.
  }

  checkpoint(): VenueCheckpoint {
    return { balances: this.balances.slice() } satisfies WalletCheckpoint;
  }

  restore(checkpoint: VenueCheckpoint): void {
    this.balances.set((checkpoint as WalletCheckpoint).balances);
  }

  private ethUsd(): number {
    if (!this.ethPrice) {
      throw new DataError(
        `series ${ETH_REFERENCE_PRICE_SERIES} is not loaded for this run (needed to buy gas with USDT)`,
        ETH_REFERENCE_PRICE_SERIES,
      );
    }
    const p = this.ethPrice[this.cursor.step];
    if (!(p > 0)) {
      const at = new Date(this.cursor.timeMs).toISOString();
      throw new DataError(
        `series ${ETH_REFERENCE_PRICE_SERIES} has no value at ${at}`,
        ETH_REFERENCE_PRICE_SERIES,
      );
    }
    return p;
  }

  private slot(asset: string): number {
    const i = this.index.get(asset);
    if (i === undefined)
      throw new VenueError(this.name, `wallet holds no ${asset} (assets: ${this.assets.join(', ')})`);
    return i;
  }
}

function checkAmount(venue: string, amount: number): void {
  if (!(amount >= 0) || !Number.isFinite(amount)) {
    throw new VenueError(venue, `amount must be a finite non-negative number, got ${amount}`);
  }
}
