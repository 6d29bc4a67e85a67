/**
 * The long ETH leg of a staking mode, held on chain: either the LST in the wallet (`StakeLeg`) or an Aave
 * e-mode loop of LST collateral against WETH debt (`LoopLeg`). A leg turns wallet ETH into the leg and back;
 * amounts are computed from the venues' current rates so a decision's instructions are exact.
 *
 * Routes (the staking venue's `params`): `route: mint` stakes at the protocol rate, `dex` buys the LST on
 * the DEX at the market rate. Exits always sell on the DEX: every exit of this strategy pays for something
 * within the step (a withdrawal, a flash-loan repayment, perp margin), which the withdrawal queue cannot.
 */
import { VenueError } from '../../domain/errors.js';
import type { ExecutionItem, Instruction } from '../../domain/types.js';
import type { DexVenue, FlashLoanVenue, LendingVenue, StakingVenue } from '../../venues/types.js';
import type { StrategyContext } from '../base.js';
import { loopDecrease, loopIncreaseFlash, type LoopBook } from './targets.js';

/** Largest slippage an LST or reward swap may take against its quote (the simulated pool has none). */
export const SWAP_MAX_SLIPPAGE = 0.005;

export interface LegVenues {
  staking: string;
  dex: string | null;
  lending?: string;
  flash?: string;
  unwind?: string;
}

export abstract class LongLeg {
  constructor(
    readonly lst: string,
    protected readonly names: LegVenues,
  ) {}

  staking(ctx: StrategyContext): StakingVenue {
    return ctx.venues.get(this.names.staking) as StakingVenue;
  }

  dex(ctx: StrategyContext): DexVenue {
    if (!this.names.dex) throw new Error(`no dex_swap venue: ${this.lst} cannot be sold`);
    return ctx.venues.get(this.names.dex) as DexVenue;
  }

  /** Net ETH of the leg: LST held (wallet and collateral) × rate − debt + ETH in the withdrawal queue. */
  abstract netEth(ctx: StrategyContext): number;
  /** Items that turn `eth` of the wallet's ETH into the leg (gas excluded: the wallet pays it on top). */
  abstract increase(ctx: StrategyContext, eth: number): ExecutionItem[];
  /** Items that release `eth` of the leg to the wallet as ETH (Infinity: everything). */
  abstract decrease(ctx: StrategyContext, eth: number): ExecutionItem[];
  /** Gas of `increase` / `decrease` now, in the wallet's gas asset. */
  increaseGas(ctx: StrategyContext): number {
    this.refreshGas(ctx);
    return this.gasIn;
  }

  decreaseGas(ctx: StrategyContext): number {
    this.refreshGas(ctx);
    return this.gasOut;
  }

  /** Gas of the two directions at the current step (the gas price is fixed within a step). */
  protected abstract gasOf(ctx: StrategyContext): [increase: number, decrease: number];
  private gasStep = -1;
  private gasIn = 0;
  private gasOut = 0;

  private refreshGas(ctx: StrategyContext): void {
    if (this.gasStep === ctx.step) return;
    [this.gasIn, this.gasOut] = this.gasOf(ctx);
    this.gasStep = ctx.step;
  }
  /** Equity lost per unit of ETH released by `decrease` (DEX fee and discount, flash premium), gas aside. */
  abstract exitCost(ctx: StrategyContext): number;

  /** LST per ETH put in now, by the venue's route (protocol rate or DEX quote). */
  protected lstPerEth(ctx: StrategyContext): number {
    const s = this.staking(ctx);
    return s.route === 'mint' ? 1 / s.rate() : this.dex(ctx).quote('ETH', this.lst, 1);
  }

  /** ETH received per LST sold on the DEX now. */
  protected ethPerLst(ctx: StrategyContext): number {
    return this.dex(ctx).quote(this.lst, 'ETH', 1);
  }

  /** The instruction that turns `eth` (ETH form `asset` first) into LST by the route. */
  protected acquire(ctx: StrategyContext, eth: number, asset: 'ETH' | 'WETH'): Instruction {
    const s = this.staking(ctx);
    if (s.route === 'mint') return { op: 'stake', venue: s.name, asset, amount: eth };
    return {
      op: 'swap',
      venue: this.names.dex!,
      from: asset,
      to: this.lst,
      amount: eth,
      maxSlippage: SWAP_MAX_SLIPPAGE,
    };
  }

  protected acquireGas(ctx: StrategyContext): number {
    const s = this.staking(ctx);
    if (s.route === 'dex') return ctx.gasCost(this.names.dex!, 'swap');
    return ctx.gasCost(s.name, 'stake') + gasOr0(ctx, s.name, 'wrap');
  }

  protected sell(lstAmount: number): Instruction {
    return {
      op: 'swap',
      venue: this.names.dex!,
      from: this.lst,
      to: 'ETH',
      amount: lstAmount,
      maxSlippage: SWAP_MAX_SLIPPAGE,
    };
  }
}

/** LST held in the wallet. */
export class StakeLeg extends LongLeg {
  netEth(ctx: StrategyContext): number {
    const s = this.staking(ctx);
    return ctx.venues.wallet.balanceOf(this.lst) * s.rate() + s.queuedEth();
  }

  increase(ctx: StrategyContext, eth: number): ExecutionItem[] {
    if (!(eth >= this.staking(ctx).minStakeEth) || !(eth > 0)) return [];
    return [this.acquire(ctx, eth, 'ETH')];
  }

  decrease(ctx: StrategyContext, eth: number): ExecutionItem[] {
    const held = ctx.venues.wallet.balanceOf(this.lst);
    if (!(held > 0) || !(eth > 0)) return [];
    const amount = Number.isFinite(eth) ? Math.min(held, eth / this.ethPerLst(ctx)) : held;
    return [this.sell(amount)];
  }

  protected gasOf(ctx: StrategyContext): [number, number] {
    return [this.acquireGas(ctx), ctx.gasCost(this.names.dex!, 'swap')];
  }

  exitCost(ctx: StrategyContext): number {
    return this.staking(ctx).rate() / this.ethPerLst(ctx) - 1;
  }
}

/**
 * Aave e-mode loop at target LTV `t`, entered and unwound in one atomic group around a flash loan (entry:
 * flash WETH → stake → supply LST → borrow WETH → repay the flash loan; unwind: flash WETH → repay debt →
 * withdraw LST → sell LST for ETH → repay the flash loan).
 */
export class LoopLeg extends LongLeg {
  constructor(
    lst: string,
    names: LegVenues,
    readonly targetLtv: number,
  ) {
    super(lst, names);
  }

  lending(ctx: StrategyContext): LendingVenue {
    return ctx.venues.lending(this.names.lending!);
  }

  flash(ctx: StrategyContext, unwind: boolean): FlashLoanVenue {
    return ctx.venues.get(unwind ? this.names.unwind! : this.names.flash!) as FlashLoanVenue;
  }

  book(ctx: StrategyContext): LoopBook {
    const l = this.lending(ctx);
    return { collateralEth: l.supplied(this.lst) * this.staking(ctx).rate(), debtEth: l.borrowed('WETH') };
  }

  ltv(ctx: StrategyContext): number {
    const b = this.book(ctx);
    return b.collateralEth > 0 ? b.debtEth / b.collateralEth : 0;
  }

  netEth(ctx: StrategyContext): number {
    const b = this.book(ctx);
    const s = this.staking(ctx);
    return b.collateralEth - b.debtEth + ctx.venues.wallet.balanceOf(this.lst) * s.rate() + s.queuedEth();
  }

  /** Adds `eth` of own ETH (0 to lever up the loop as it is) and lands on the target LTV. */
  increase(ctx: StrategyContext, eth: number): ExecutionItem[] {
    const book = this.book(ctx);
    const rate = this.staking(ctx).rate();
    const k = this.lstPerEth(ctx) * rate;
    const flash = this.flash(ctx, false);
    const fee = flash.feeRate;
    const f = Math.max(0, loopIncreaseFlash(book, eth, k, this.targetLtv, fee));
    const total = eth + f;
    if (!(total > 0) || total < this.staking(ctx).minStakeEth) return [];
    const lstOut = total * this.lstPerEth(ctx);
    const items: Instruction[] = [];
    if (f > 0) items.push({ op: 'flash_borrow', venue: flash.name, asset: 'WETH', amount: f });
    items.push(this.acquire(ctx, total, f > 0 ? 'WETH' : 'ETH'));
    items.push({ op: 'supply', venue: this.names.lending!, asset: this.lst, amount: lstOut });
    if (f > 0) {
      items.push({ op: 'borrow', venue: this.names.lending!, asset: 'WETH', amount: f * (1 + fee) });
      items.push({ op: 'flash_repay', venue: flash.name, asset: 'WETH', amount: f * (1 + fee) });
    }
    return [
      {
        atomic: true,
        label: `lever ${this.lst} loop to LTV ${this.targetLtv.toFixed(4)}`,
        instructions: items,
      },
    ];
  }

  /** Releases `eth` to the wallet (Infinity: everything) and leaves the loop at `tAfter` (default target). */
  decrease(ctx: StrategyContext, eth: number, tAfter = this.targetLtv): ExecutionItem[] {
    const l = this.lending(ctx);
    const book = this.book(ctx);
    if (!(book.collateralEth > 0)) return [];
    const rate = this.staking(ctx).rate();
    const flash = this.flash(ctx, true);
    const fee = flash.feeRate;
    const q = this.ethPerLst(ctx) / rate;
    const d = loopDecrease(book, eth, q, Math.min(tAfter, this.ltv(ctx)), fee);
    if (!(d.sellEth > 0)) return [];
    const lstOut = d.full ? l.supplied(this.lst) : d.sellEth / rate;
    const repay = d.full ? book.debtEth : d.repayEth;
    const items: Instruction[] = [];
    if (repay > 0) {
      items.push({ op: 'flash_borrow', venue: flash.name, asset: 'WETH', amount: repay });
      items.push({ op: 'repay', venue: this.names.lending!, asset: 'WETH', amount: repay });
    }
    items.push({ op: 'withdraw', venue: this.names.lending!, asset: this.lst, amount: lstOut });
    items.push(this.sell(lstOut));
    if (repay > 0)
      items.push({ op: 'flash_repay', venue: flash.name, asset: 'WETH', amount: repay * (1 + fee) });
    const label = d.full
      ? `unwind the ${this.lst} loop`
      : `deleverage the ${this.lst} loop to LTV ${(d.debtEth / d.collateralEth).toFixed(4)}`;
    return [{ atomic: true, label, instructions: items }];
  }

  /**
   * At LTV t, releasing X sells X / (q − t (1 + fee)) of collateral: the equity falls by
   * X (1 − t) / (q − t (1 + fee)), so the cost per unit released is that factor − 1.
   */
  exitCost(ctx: StrategyContext): number {
    const t = this.targetLtv;
    const q = this.ethPerLst(ctx) / this.staking(ctx).rate();
    const fee = this.flash(ctx, true).feeRate;
    return (1 - t) / (q - t * (1 + fee)) - 1;
  }

  protected gasOf(ctx: StrategyContext): [number, number] {
    const lend = this.names.lending!;
    const wrap = ctx.gasCost(ctx.venues.wallet.name, 'wrap');
    const increase =
      ctx.gasCost(this.names.flash!, 'flash_borrow') +
      this.acquireGas(ctx) +
      wrap +
      ctx.gasCost(lend, 'supply') +
      ctx.gasCost(lend, 'borrow');
    const decrease =
      ctx.gasCost(this.names.unwind!, 'flash_borrow') +
      ctx.gasCost(lend, 'repay') +
      ctx.gasCost(lend, 'withdraw') +
      ctx.gasCost(this.names.dex!, 'swap') +
      wrap;
    return [increase, decrease];
  }
}

/** Gas of an optional operation: 0 when the venue configures no gas units for it. */
function gasOr0(ctx: StrategyContext, venue: string, op: string): number {
  try {
    return ctx.gasCost(venue, op);
  } catch (err) {
    if (err instanceof VenueError) return 0;
    throw err;
  }
}
