/**
 * The atomic route of a run's on-chain venues. An atomic group that starts with a flash loan
 * (`flash_borrow` at the flash-loan venue) cannot be a series of transactions: the flash-loan venue opens
 * the route, the on-chain venues record their instructions in it instead of sending them (provisional
 * fills), and `flash_repay` closes it by sending ONE transaction through the LeverageExecutor. If that
 * transaction is refused or reverts, nothing happened on chain and the execution manager restores every
 * venue's view.
 */
import { VenueError } from '../../../domain/errors.js';
import type { Instruction } from '../../../domain/types.js';

/** The instruction variant of one op (the union's members cover several ops each). */
export type InstructionOf<O extends Instruction['op']> = Instruction & { op: O };

export interface RouteStep {
  venue: string;
  instruction: Instruction;
}

export class AtomicRoute {
  private steps: RouteStep[] | null = null;
  private flash: InstructionOf<'flash_borrow'> | null = null;

  get active(): boolean {
    return this.steps !== null;
  }

  /** The flash loan that opened the route (null when none is open). */
  get flashLoan(): InstructionOf<'flash_borrow'> | null {
    return this.flash;
  }

  begin(venue: string, flash: InstructionOf<'flash_borrow'>): void {
    if (this.steps) throw new VenueError(venue, 'a flash loan is already open in this atomic group');
    this.steps = [];
    this.flash = flash;
  }

  add(venue: string, instruction: Instruction): void {
    if (!this.steps) throw new VenueError(venue, 'no atomic route is open');
    this.steps.push({ venue, instruction });
  }

  /** Closes the route and returns what was recorded. */
  take(venue: string): { flash: InstructionOf<'flash_borrow'>; steps: RouteStep[] } {
    if (!this.steps || !this.flash)
      throw new VenueError(venue, 'flash_repay without a flash_borrow in this group');
    const out = { flash: this.flash, steps: this.steps };
    this.abort();
    return out;
  }

  abort(): void {
    this.steps = null;
    this.flash = null;
  }
}
