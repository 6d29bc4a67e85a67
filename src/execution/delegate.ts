/**
 * A CexVenue that forwards every read and book transfer to another one: the base of wrappers that add a
 * policy around a venue's actions (resilient.ts) without touching its views.
 */
import type { PositionKey } from '../domain/types.js';
import type {
  CexAccountView,
  CexVenue,
  Fill,
  Ledger,
  PerpPositionView,
  VenueCheckpoint,
} from '../venues/types.js';
import type { Instruction } from '../domain/types.js';

export abstract class DelegatingCex<V extends CexVenue & { stale: boolean }> implements CexVenue {
  readonly kind = 'cex' as const;

  constructor(readonly inner: V) {}

  get name(): string {
    return this.inner.name;
  }
  get positionKeys(): readonly PositionKey[] {
    return this.inner.positionKeys;
  }
  /** The venue could not be read at its last refresh. */
  get stale(): boolean {
    return this.inner.stale;
  }
  readPositions(out: Float64Array, offset: number): void {
    this.inner.readPositions(out, offset);
  }
  perpPosition(symbol: string): PerpPositionView {
    return this.inner.perpPosition(symbol);
  }
  account(): CexAccountView {
    return this.inner.account();
  }
  markPrice(symbol: string): number {
    return this.inner.markPrice(symbol);
  }
  spotPrice(symbol: string): number {
    return this.inner.spotPrice(symbol);
  }
  feeRate(market: 'spot' | 'perp', orderType: 'maker' | 'taker'): number {
    return this.inner.feeRate(market, orderType);
  }
  balanceOf(asset: string): number {
    return this.inner.balanceOf(asset);
  }
  credit(asset: string, amount: number): void {
    this.inner.credit(asset, amount);
  }
  debit(asset: string, amount: number): void {
    this.inner.debit(asset, amount);
  }
  checkpoint(): VenueCheckpoint {
    return this.inner.checkpoint();
  }
  restore(c: VenueCheckpoint): void {
    this.inner.restore(c);
  }

  abstract execute(i: Instruction, ledger: Ledger): Promise<Fill>;
}
