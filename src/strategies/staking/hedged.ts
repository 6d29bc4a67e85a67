/**
 * Hedged staking in the USDT share class (usdt_eth_staking_hedged_simple / _leveraged): a long ETH leg on
 * chain (LST in the wallet, or the Aave e-mode loop whose net ETH is its equity) bought with USDT on the spot
 * venue, and ETHUSDT perp shorts across the hedge venues by weight (src/strategies/hedge.ts, the same
 * mechanics as the basis family).
 *
 * Long L (ETH) = wallet ETH + spot-venue ETH + the leg's net ETH. Targets from equity I (minus the pending
 * withdrawal and the wallet's gas reserve): L* = I / (P (1 + f_spot) + Σ w_v P_v (m* + f_perp)) with
 * m* = (1 − s) / s for `stake_allocation_percentage` s; short w_v L* at venue v with margin w_v L* P_v m*.
 *
 * Triggers, checked once per step (as in the basis family, a price move alone re-targets only through the
 * margin band): the book is empty; a deposit or withdrawal; a venue's margin ratio outside
 * [m* (1 − band), m* (1 + band)]; a CEX risk override (critical margin ratio: L* ≤ L (1 − reduce_fraction),
 * an exit_partial). Otherwise, when |net ETH delta| exceeds half of `max_delta_drift` × equity or unstaked
 * ETH is worth staking, the shorts are matched to the long as it is (rehedge). Loop upkeep (health-factor
 * override, LTV deviation beyond `position_deviation_threshold` × equity) runs first.
 *
 * Passes (each returns at most one decision; the plan is fixed when triggered): reduce (spot sells, ETH
 * from the wallet to the spot venue, the leg released to ETH; perp closes) → move USDT between the wallet
 * and the venues → increase (spot buys, perp opens matched to the long held) → ETH from the spot venue to
 * the wallet and into the leg.
 */
import type { StakingMode } from './params.js';
import type { ExecutionItem, Instruction, StrategyDecision, WrapperAction } from '../../domain/types.js';
import { route, type Strategy, type StrategyContext } from '../base.js';
import { MIN_TRANSFER_USDT, PerpHedge, StepPlan, toWallet, type HedgeTargets } from '../hedge.js';
import { RESERVE_LOW, RESERVE_REFILL, sellDust, StepReserve } from './common.js';
import { LoopLeg, type LongLeg } from './legs.js';
import { hedgedLongSize } from './targets.js';

interface Plan extends HedgeTargets {
  action: WrapperAction;
  reason: string;
  /** Target long, ETH. */
  long: number;
  /** USDT the wallet keeps: the pending withdrawal and the gas reserve. */
  keep: number;
  /** Rounds of realising unrealised perp PnL this step to fund a withdrawal (at most two). */
  realised?: number;
}

export class HedgedStakingStrategy implements Strategy {
  private readonly spotVenue: string;
  private readonly transferVenue: string;
  private readonly symbol: string;
  private readonly perp: PerpHedge;
  private readonly cexNames: string[];
  /** Staked share s and target margin per unit of short notional m* = (1 − s) / s. */
  private readonly share: number;
  private readonly marginRatio: number;
  private readonly plan = new StepPlan<Plan>();
  private readonly gasReserve = new StepReserve();
  private upkeepDone = false;
  private dustDone = false;

  constructor(
    readonly mode: StakingMode,
    readonly leg: LongLeg,
    hedgeWeights: Record<string, number>,
  ) {
    this.spotVenue = route(mode, 'spot');
    this.transferVenue = mode.venues.wallet_transfer ?? 'wallet';
    this.symbol = `${mode.asset}USDT`;
    this.perp = new PerpHedge(mode, hedgeWeights, this.symbol);
    this.cexNames = [...new Set([this.spotVenue, ...this.perp.legs.map((l) => l.venue)])];
    this.share = this.perp.legs.length > 0 ? (mode.strategy.stake_allocation_percentage ?? 1) : 1;
    this.marginRatio = this.share >= 1 ? 0 : (1 - this.share) / this.share;
  }

  beginStep(): void {
    this.plan.reset();
    this.upkeepDone = false;
    this.dustDone = false;
  }

  decide(ctx: StrategyContext): StrategyDecision | null {
    if (!this.dustDone) {
      this.dustDone = true;
      // not in a withdrawal's step: its passes go to freeing the cash
      const d = ctx.pendingWithdrawal > 0 ? null : sellDust(this.mode, ctx);
      if (d) return d;
    }
    if (!this.upkeepDone) {
      this.upkeepDone = true;
      const d = this.loopUpkeep(ctx);
      if (d) return d;
    }
    return this.plan.next(
      ctx,
      () => this.makePlan(ctx),
      (p) => this.nextPass(ctx, p),
    );
  }

  /** ETH held on the spot venue, in the wallet (ETH and WETH) and in the leg. */
  private parts(ctx: StrategyContext): { spot: number; wallet: number; leg: number; long: number } {
    const spot = ctx.venues.cex(this.spotVenue).balanceOf(this.mode.asset);
    const w = ctx.venues.wallet;
    const wallet = w.balanceOf('ETH') + w.balanceOf('WETH');
    const leg = this.leg.netEth(ctx);
    return { spot, wallet, leg, long: spot + wallet + leg };
  }

  private reserve(ctx: StrategyContext): number {
    return this.gasReserve.get(ctx, () => {
      const exit = this.leg.decreaseGas(ctx) + ctx.gasCost(this.transferVenue, 'transfer');
      return Math.max(exit, this.leg.increaseGas(ctx));
    });
  }

  /** Loop only: health-factor override and LTV deviation, at unchanged loop equity. */
  private loopUpkeep(ctx: StrategyContext): StrategyDecision | null {
    const loop = this.leg instanceof LoopLeg ? this.leg : null;
    if (!loop) return null;
    const book = loop.book(ctx);
    if (!(book.collateralEth > 0)) return null;
    const t = loop.targetLtv;
    const equity = book.collateralEth - book.debtEth;
    const target = (t * equity) / (1 - t);
    if (ctx.risk.healthFactor < this.mode.risk.health_factor_critical) {
      const debt = Math.min(target, book.debtEth * (1 - this.mode.risk.reduce_fraction));
      const items = loop.decrease(ctx, 0, debt / (equity + debt));
      return this.decision(
        'exit_partial',
        `risk override (health factor ${ctx.risk.healthFactor.toFixed(4)})`,
        items,
      );
    }
    const tol = this.mode.strategy.position_deviation_threshold * Math.max(ctx.equity, 0);
    const price = ctx.pricer.inShareClass('ETH');
    const gap = (book.debtEth - target) * price;
    if (gap > tol) return this.decision('exit_partial', 'LTV above target', loop.decrease(ctx, 0, t));
    if (-gap > tol && !ctx.risk.override && loop.increaseGas(ctx) < 0.01 * -gap)
      return this.decision('entry_partial', 'LTV below target', loop.increase(ctx, 0));
    return null;
  }

  private makePlan(ctx: StrategyContext): Plan | null {
    const spot = ctx.venues.cex(this.spotVenue);
    const orderType = this.mode.execution.order_type;
    const equity = ctx.equity;
    const pending = ctx.pendingWithdrawal;
    const price = spot.spotPrice(this.symbol);
    const perps = this.perp.perps(ctx, null);
    const shorts = PerpHedge.shorts(perps);
    const { long, spot: onSpot, wallet: inWallet } = this.parts(ctx);
    const reserve = this.reserve(ctx);
    const cash = ctx.venues.wallet.balanceOf('USDT');
    const transferGas = ctx.gasCost(this.transferVenue, 'transfer');
    const hops = this.cexNames.length + 1;
    const fs = spot.feeRate('spot', orderType);

    const override = ctx.risk.marginRatio.some((m) => m < this.mode.risk.margin_ratio_critical);
    const empty = long * price < 1 && shorts === 0;
    const flowIn = cash - pending > RESERVE_REFILL * reserve + Math.max(MIN_TRANSFER_USDT, 100 * transferGas);
    const flow = pending > 0 || flowIn;
    const marginOut = this.perp.legs.length > 0 && this.perp.marginOut(perps, this.marginRatio);
    const retarget = override || empty || marginOut;

    if (retarget) {
      // Re-target from equity
      const costs = transferGas * hops + this.leg.increaseGas(ctx);
      const investable = Math.max(0, equity - pending - reserve - costs);
      const legs = perps.map((p) => ({
        weight: p.leg.weight,
        mark: p.mark,
        perpFee: p.v.feeRate('perp', orderType),
      }));
      let target = hedgedLongSize(investable, price, fs, legs, this.share);
      if (override) target = Math.min(target, long * (1 - this.mode.risk.reduce_fraction));
      if (empty && !(target * price > Math.max(5, 100 * costs))) return null;
      return {
        action: empty
          ? 'entry_full'
          : target >= long && !override
            ? 'entry_partial'
            : target === 0
              ? 'exit_full'
              : 'exit_partial',
        reason: override
          ? `risk override (${ctx.risk.reasons.join(', ')})`
          : empty
            ? 'open the book'
            : 'margin outside band',
        long: target,
        size: perps.map((p) => -p.leg.weight * target),
        margin: perps.map((p) => p.leg.weight * target * p.mark * this.marginRatio),
        keep: pending + reserve,
      };
    }

    const margins = perps.map((p) => p.v.account().marginBalanceUsdt);
    if (flow) {
      // A deposit or withdrawal alone scales the book as it stands; a withdrawal also pays the fees of the
      // reduction and the transfers
      const invested = equity - cash;
      let scale = invested > 0 ? Math.max(0, equity - pending - reserve) / invested : 0;
      if (scale < 1) {
        let turnover = long * price * (fs + this.leg.exitCost(ctx));
        for (const p of perps) turnover += Math.abs(p.size) * p.mark * p.v.feeRate('perp', orderType);
        const costs = 1.5 * ((1 - scale) * turnover + transferGas * hops + this.leg.decreaseGas(ctx));
        scale = Math.max(0, scale - costs / invested);
        // and frees at least the shortfall plus a margin above the smallest order and transfer sizes
        const short = pending + reserve - cash;
        const cushion = 2 * (5 + (transferGas + MIN_TRANSFER_USDT) * hops);
        if (short > 0) scale = Math.max(0, Math.min(scale, 1 - (short + cushion) / invested));
      }
      return {
        action: scale >= 1 ? 'entry_partial' : scale === 0 ? 'exit_full' : 'exit_partial',
        reason: pending > 0 ? 'fund a withdrawal' : 'invest a deposit',
        long: long * scale,
        size: perps.map((p) => p.size * scale),
        margin: margins.map((m) => m * scale),
        keep: pending + reserve,
      };
    }

    // Rehedge: shorts to the long as it is; the wallet's gas reserve topped up from the margins when low
    const drift = PerpHedge.drift(perps, long, price);
    const unstaked = (onSpot + inWallet) * price;
    const driftOut = drift > 0.5 * this.mode.strategy.max_delta_drift * Math.max(equity, 0);
    const walletLow = cash < RESERVE_LOW * reserve && perps.length > 0;
    const toStake =
      unstaked > 0 && unstaked > 100 * (this.leg.increaseGas(ctx) + (onSpot > 0 ? transferGas : 0));
    if (!driftOut && !toStake && !walletLow) return null;
    const refill = walletLow ? RESERVE_REFILL * reserve - cash : 0;
    return {
      action: 'entry_partial',
      reason: driftOut ? 'delta drift' : walletLow ? 'top up the gas reserve' : 'stake idle ETH',
      long,
      size: perps.map((p) => -p.leg.weight * long),
      margin: margins.map((m, k) => m - perps[k].leg.weight * refill),
      keep: RESERVE_REFILL * reserve,
    };
  }

  private nextPass(ctx: StrategyContext, plan: Plan): StrategyDecision | null {
    const spot = ctx.venues.cex(this.spotVenue);
    const asset = this.mode.asset;
    const orderType = this.mode.execution.order_type;
    const equity = ctx.equity;
    const price = spot.spotPrice(this.symbol);
    const fs = spot.feeRate('spot', orderType);
    const minNotional = Math.max(5, 1e-3 * equity);
    const perps = this.perp.perps(ctx, plan);
    const { spot: onSpot, wallet: inWallet, long } = this.parts(ctx);
    const excess = long - plan.long;
    const reducing = plan.action === 'exit_partial' || plan.action === 'exit_full';
    const ethTransferGas = ctx.gasCost(this.transferVenue, 'transfer') / price;

    // Phase 1: reduce the long (spot ETH first, then wallet ETH, then the leg) and the shorts beyond target
    const reduce: ExecutionItem[] = [];
    if (excess * price > minNotional) {
      if (onSpot * price > minNotional) {
        reduce.push({
          op: 'spot_sell',
          venue: this.spotVenue,
          base: asset,
          quote: 'USDT',
          amount: Math.min(onSpot, excess),
        });
      } else if ((inWallet - ethTransferGas) * price > minNotional) {
        // to the spot venue and sold there in the same decision (the venue receives exactly `amount`)
        const amount = Math.min(inWallet - ethTransferGas, excess);
        reduce.push(this.transfer(asset, amount, 'wallet', this.spotVenue));
        reduce.push({
          op: 'spot_sell',
          venue: this.spotVenue,
          base: asset,
          quote: 'USDT',
          amount: onSpot + amount,
        });
      } else {
        const all = excess >= this.leg.netEth(ctx) * (1 - 1e-6);
        reduce.push(...this.leg.decrease(ctx, all ? Infinity : excess));
      }
    }
    reduce.push(...this.perp.closes(perps, minNotional));
    if (reduce.length > 0)
      return this.decision(reducing ? plan.action : 'exit_partial', `${plan.reason}: reduce`, reduce);

    // Phase 2: move USDT between the wallet and the venues
    const transferGas = ctx.gasCost(this.transferVenue, 'transfer');
    const minTransfer = Math.max(MIN_TRANSFER_USDT, transferGas * 20, 1e-4 * equity);
    const deficit = Math.max(0, -excess);
    const spotCost = deficit * price * (1 + fs);
    const moves = this.perp.cashMoves(
      ctx,
      this.transferVenue,
      this.cexNames,
      plan.keep,
      (v) => this.perp.surplus(v, perps, plan, v.name === this.spotVenue ? spotCost : 0),
      minTransfer,
      transferGas,
    );
    // A withdrawal the venues cannot send (their equity is unrealised perp PnL): realise it first
    const short = ctx.pendingWithdrawal - ctx.venues.wallet.balanceOf('USDT') - toWallet(moves);
    if (short > 1e-9 && (plan.realised ?? 0) < 2) {
      plan.realised = (plan.realised ?? 0) + 1;
      const realise = this.perp.realise(perps, short + transferGas * (this.cexNames.length + 1), 5);
      if (realise.length > 0)
        return this.decision('exit_partial', `${plan.reason}: realise perp PnL`, realise);
    }
    if (moves.length > 0) return this.decision(plan.action, `${plan.reason}: move cash`, moves);

    // Phase 3: buy the missing long on the spot venue, open shorts matched to the long held
    const increase: Instruction[] = [];
    let buy = 0;
    if (deficit * price > minNotional && !reducing) {
      const acct = spot.account();
      const spotPerp = perps.find((p) => p.leg.venue === this.spotVenue);
      const keep = spotPerp ? this.perp.marginNeed(spotPerp, plan) : 0;
      const cashForSpot = Math.max(0, Math.min(acct.walletBalanceUsdt, acct.marginBalanceUsdt - keep));
      buy = Math.min(deficit, cashForSpot / (price * (1 + fs)));
      if (buy * price <= minNotional) buy = 0;
      if (buy > 0)
        increase.push({ op: 'spot_buy', venue: this.spotVenue, base: asset, quote: 'USDT', amount: buy });
    }
    increase.push(...this.perp.opens(perps, plan, long + buy, minNotional));
    if (increase.length > 0)
      return this.decision(reducing ? 'exit_partial' : plan.action, `${plan.reason}: increase`, increase);

    // Phase 4: ETH from the spot venue to the wallet, and into the leg (not while reducing)
    if (reducing) return null;
    const stake: ExecutionItem[] = [];
    let toLeg = inWallet;
    if (onSpot - ethTransferGas > 0 && (onSpot - ethTransferGas) * price > minNotional) {
      stake.push(this.transfer(asset, onSpot - ethTransferGas, this.spotVenue, 'wallet'));
      toLeg += onSpot - ethTransferGas;
    }
    const legGas = this.leg.increaseGas(ctx);
    if (toLeg * price > 100 * legGas) stake.push(...this.leg.increase(ctx, toLeg));
    if (stake.length > 0) return this.decision(plan.action, `${plan.reason}: stake`, stake);
    return null;
  }

  private transfer(asset: string, amount: number, from: string, to: string): Instruction {
    return { op: 'transfer', venue: this.transferVenue, asset, amount, from, to };
  }

  private decision(action: WrapperAction, reason: string, items: ExecutionItem[]): StrategyDecision | null {
    return items.length === 0 ? null : { action, reason, items };
  }
}
