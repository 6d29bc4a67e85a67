/**
 * What every simulated swap venue shares (the DEX at oracle prices, dex.ts; the pool with price impact,
 * amm.ts): it holds nothing between swaps — a swap settles in the wallet — so it reads no positions, has no
 * balance, and refuses transfers.
 */
import { VenueError } from '../../domain/errors.js';

export abstract class SwapVenueBase {
  abstract readonly name: string;

  readPositions(): void {
    // Holds nothing between swaps.
  }

  balanceOf(): number {
    return 0;
  }

  credit(asset: string): void {
    throw new VenueError(this.name, `cannot hold ${asset}: swaps settle in the wallet`);
  }

  debit(asset: string): void {
    throw new VenueError(this.name, `cannot send ${asset}: swaps settle in the wallet`);
  }
}
