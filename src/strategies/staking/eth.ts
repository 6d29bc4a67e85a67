/**
 * Staking in the ETH share class (eth_staking_only, eth_leveraged): the wallet's ETH is the cash, the leg
 * (LST in the wallet, or the Aave e-mode loop) the position. Each step, in this order and each at most once:
 *
 * 1. `sell_dust`: reward tokens → ETH (staking-common.ts).
 * 2. Risk override (health factor below `risk.health_factor_critical`): exit_partial, deleveraging the loop
 *    to debt min(target-LTV debt, debt × (1 − reduce_fraction)) at unchanged equity.
 * 3. Withdrawal: when the wallet's ETH does not cover the pending withdrawal plus the gas reserve, release
 *    the difference (plus the exit's gas) from the leg: sell LST on the DEX / unwind part of the loop at the
 *    target LTV.
 * 4. Loop upkeep: the wallet's gas reserve (staking-common.ts) topped up from the loop when it falls below
 *    half its target; debt further than `position_deviation_threshold` × equity from the target
 *    D* = t E / (1 − t) (E the loop's equity): deleverage to t, or lever up when the group's gas is below
 *    1 % of the debt added; either only when the wallet can pay the gas without going below half the
 *    reserve (a gas spike postpones it; the health-factor override does not wait).
 * 5. Invest: idle ETH (above the pending withdrawal and the gas reserve) once its gas is below 1 % of it:
 *    stake it / add it to the loop at the target LTV. Never while the risk override is on.
 */
import type { StakingMode } from './params.js';
import type { ExecutionItem, StrategyDecision, WrapperAction } from '../../domain/types.js';
import type { Strategy, StrategyContext } from '../base.js';
import { RESERVE_LOW, RESERVE_REFILL, sellDust, StepReserve } from './common.js';
import { LoopLeg, type LongLeg } from './legs.js';

/** Below this (ETH) a leg counts as empty. */
const EMPTY_ETH = 1e-9;

type Step = 'dust' | 'risk' | 'fund' | 'reserve' | 'rebalance' | 'invest';

export class StakingEthStrategy implements Strategy {
  private readonly done = new Set<Step>();
  private readonly gasReserve = new StepReserve();

  constructor(
    readonly mode: StakingMode,
    readonly leg: LongLeg,
  ) {}

  beginStep(): void {
    this.done.clear();
  }

  decide(ctx: StrategyContext): StrategyDecision | null {
    const once = (s: Step) => !this.done.has(s) && (this.done.add(s), true);
    if (once('dust')) {
      const d = sellDust(this.mode, ctx);
      if (d) return d;
    }
    const leg = this.leg;
    const loop = leg instanceof LoopLeg ? leg : null;
    const wallet = ctx.venues.wallet;
    const cash = wallet.balanceOf('ETH');
    const reserve = loop ? this.gasReserve.get(ctx, () => loop.decreaseGas(ctx)) : 0;
    const need = ctx.pendingWithdrawal + reserve;
    const held = leg.netEth(ctx);

    if (loop && ctx.risk.override && once('risk')) {
      const book = loop.book(ctx);
      const equity = book.collateralEth - book.debtEth;
      const t = loop.targetLtv;
      const debt = Math.min((t * equity) / (1 - t), book.debtEth * (1 - this.mode.risk.reduce_fraction));
      const tAfter = debt / (equity + debt);
      const out = Math.max(0, need - cash);
      const items = loop.decrease(ctx, out > 0 ? out + loop.decreaseGas(ctx) : 0, tAfter);
      const d = this.decision('exit_partial', `risk override (${ctx.risk.reasons.join(', ')})`, items);
      if (d) return d;
    }

    if (ctx.pendingWithdrawal > 0 && cash < need && held > EMPTY_ETH && once('fund')) {
      const out = need - cash + leg.decreaseGas(ctx);
      const all = out >= held * (1 - 1e-6);
      const items = leg.decrease(ctx, all ? Infinity : out);
      const d = this.decision(all ? 'exit_full' : 'exit_partial', 'fund a withdrawal', items);
      if (d) return d;
    }

    // (the top-up pays its own gas first: during a spike beyond the reserve it waits for gas to fall)
    const lowCash = cash < RESERVE_LOW * reserve + ctx.pendingWithdrawal;
    if (loop && lowCash && held > EMPTY_ETH && loop.decreaseGas(ctx) < cash && once('reserve')) {
      const out = RESERVE_REFILL * reserve + ctx.pendingWithdrawal - cash + loop.decreaseGas(ctx);
      const d = this.decision('exit_partial', 'top up the gas reserve', loop.decrease(ctx, out));
      if (d) return d;
    }

    if (loop && !ctx.risk.override && once('rebalance')) {
      const d = this.rebalance(ctx, loop, cash - RESERVE_LOW * reserve - ctx.pendingWithdrawal);
      if (d) return d;
    }

    const idle = cash - need;
    if (idle > 0 && !ctx.risk.override && once('invest')) {
      const gas = leg.increaseGas(ctx);
      if (idle > 100 * gas) {
        const items = leg.increase(ctx, idle - gas);
        const first = held <= EMPTY_ETH;
        const d = this.decision(
          first ? 'entry_full' : 'entry_partial',
          first ? 'open the position' : 'invest idle ETH',
          items,
        );
        if (d) return d;
      }
    }
    return null;
  }

  /** `spare`: wallet ETH the lever-up group's gas may use without draining the reserve. */
  private rebalance(ctx: StrategyContext, loop: LoopLeg, spare: number): StrategyDecision | null {
    const book = loop.book(ctx);
    if (!(book.collateralEth > 0)) return null;
    const t = loop.targetLtv;
    const equity = book.collateralEth - book.debtEth;
    const target = (t * equity) / (1 - t);
    const gap = book.debtEth - target;
    const tol = this.mode.strategy.position_deviation_threshold * Math.max(ctx.equity, 0);
    // not urgent (the risk override is): wait while the wallet cannot pay the gas without the reserve
    if (gap > tol && loop.decreaseGas(ctx) < spare)
      return this.decision('exit_partial', 'LTV above target', loop.decrease(ctx, 0, t));
    const gas = loop.increaseGas(ctx);
    if (-gap > tol && gas < 0.01 * -gap && gas < spare)
      return this.decision('entry_partial', 'LTV below target', loop.increase(ctx, 0));
    return null;
  }

  private decision(action: WrapperAction, reason: string, items: ExecutionItem[]): StrategyDecision | null {
    return items.length === 0 ? null : { action, reason, items };
  }
}
