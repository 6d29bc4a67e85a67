/**
 * Basis family (btc_basis, eth_basis): long spot on the spot venue, short USDT-margined perps split across
 * hedge venues by `hedge_allocation`, each perp backed by notional / perp_leverage of USDT margin.
 *
 * Sizing from equity E (full re-target): Q* = E / (P_spot (1 + f_spot) + Σ_v w_v P_v (1/L + f_perp)),
 * perp short q_v* = w_v Q*, margin M_v* = q_v* P_v / L.
 *
 * Triggers, checked once per step: the hedge (spot vs Σ shorts) or a venue's share of the shorts drifts by
 * more than `position_deviation_threshold` × equity, a venue's margin ratio leaves its band around 1/L
 * (`margin_rebalance_band`), the book is empty, or a risk override: the book is re-targeted from equity.
 * A deposit or withdrawal alone scales the existing book (spot, every short and every venue's margin) by
 * (E − withdrawal) / (E − idle cash), so new capital goes in the proportions already held.
 *
 * The plan is fixed when triggered and carried out in up to three passes in the same step: reduce (spot
 * sells, perp closes), move cash (transfers between wallet and venues), increase (spot buys, perp opens).
 */
import type { BasisMode } from './params.js';
import type { Instruction, StrategyDecision, WrapperAction } from '../../domain/types.js';
import { decision, route, type Strategy, type StrategyContext } from '../base.js';
import { MIN_TRANSFER_USDT, PerpHedge, StepPlan, toWallet } from '../hedge.js';

export interface BasisOptions {
  /** Effective hedge weights after the coverage rule (venue → weight, summing to 1). */
  hedgeWeights: Record<string, number>;
}

interface Plan {
  kind: 'retarget' | 'scale';
  /** Rounds of realising unrealised perp PnL this step to fund a withdrawal (at most two). */
  realised?: number;
  action: WrapperAction;
  reason: string;
  /** Target spot quantity. */
  q: number;
  /** Per hedge venue (same order as `hedge`): target signed perp size and margin balance, USDT. */
  size: number[];
  margin: number[];
}

export class BasisStrategy implements Strategy {
  private readonly spotVenue: string;
  private readonly transferVenue: string;
  private readonly symbol: string;
  private readonly perp: PerpHedge;
  private readonly hedge: { venue: string; weight: number }[];
  private readonly cexNames: string[];
  private readonly plan = new StepPlan<Plan>();
  private fundingSeries: Float64Array[] | null = null;

  constructor(
    readonly mode: BasisMode,
    opts: BasisOptions,
  ) {
    this.spotVenue = route(mode, 'spot');
    this.transferVenue = mode.venues.wallet_transfer ?? 'wallet';
    this.symbol = `${mode.asset}USDT`;
    this.perp = new PerpHedge(mode, opts.hedgeWeights, this.symbol);
    this.hedge = this.perp.legs;
    this.cexNames = [...new Set([this.spotVenue, ...this.hedge.map((h) => h.venue)])];
  }

  beginStep(): void {
    this.plan.reset();
  }

  decide(ctx: StrategyContext): StrategyDecision | null {
    return this.plan.next(
      ctx,
      () => this.makePlan(ctx),
      (p) => this.nextPass(ctx, p),
    );
  }

  /** Decides whether to act this step and fixes the targets; null when nothing is due. */
  private makePlan(ctx: StrategyContext): Plan | null {
    const spot = ctx.venues.cex(this.spotVenue);
    const L = this.mode.strategy.perp_leverage;
    const orderType = this.mode.execution.order_type;
    const equity = ctx.equity;
    const cash = ctx.venues.wallet.balanceOf('USDT');
    const tol = this.mode.strategy.position_deviation_threshold * Math.max(equity, 1e-9);
    const ps = spot.spotPrice(this.symbol);
    const qNow = spot.balanceOf(this.mode.asset);
    const perps = this.perp.perps(ctx, null);
    const venues = perps.map((p) => p.v);
    const sizes = perps.map((p) => p.size);
    const marks = perps.map((p) => p.mark);

    // Drift of the hedge ratio and of each venue's share of the shorts (independent of the price level)
    const shorts = PerpHedge.shorts(perps);
    const drift = PerpHedge.drift(perps, qNow, ps);
    const marginOut = this.perp.marginOut(perps, 1 / L);
    const minFunding = this.mode.strategy.min_funding_rate_8h;
    const fundingOff = minFunding !== null && this.recentFunding(ctx) < minFunding;
    const transferGas = ctx.gasCost(this.transferVenue, 'transfer');
    const idle = cash - ctx.pendingWithdrawal;
    const flow = idle > Math.max(MIN_TRANSFER_USDT, transferGas * 100) || ctx.pendingWithdrawal > cash + 1e-9;

    const override = ctx.risk.override;
    const empty = qNow === 0 && shorts === 0;
    const retarget = override || drift > tol || marginOut || (empty && !fundingOff) || (fundingOff && !empty);
    if (!retarget && !flow) return null;

    if (!retarget || (flow && !empty && !override && drift <= tol && !marginOut)) {
      // A deposit or withdrawal alone: scale the book as it stands
      const invested = equity - cash;
      let scale = invested > 0 ? Math.max(0, equity - ctx.pendingWithdrawal) / invested : 0;
      if (scale < 1 && scale > 0) {
        // A withdrawal pays the fees of the reduction and the transfer gas: size the cut to cover them
        const orderType = this.mode.execution.order_type;
        let turnover = qNow * ps * spot.feeRate('spot', orderType);
        venues.forEach((v, k) => (turnover += Math.abs(sizes[k]) * marks[k] * v.feeRate('perp', orderType)));
        const costs = 1.25 * ((1 - scale) * turnover + transferGas * this.cexNames.length);
        scale = Math.max(0, scale - costs / invested);
        // and frees at least the shortfall plus a margin above the smallest order and transfer sizes
        const short = ctx.pendingWithdrawal - cash;
        const cushion = 2 * (5 + (transferGas + MIN_TRANSFER_USDT) * this.cexNames.length);
        if (short > 0) scale = Math.max(0, Math.min(scale, 1 - (short + cushion) / invested));
      }
      if (invested > 0 && !empty) {
        return {
          kind: 'scale',
          action: scale >= 1 ? 'entry_partial' : scale === 0 ? 'exit_full' : 'exit_partial',
          reason: ctx.pendingWithdrawal > 0 ? 'fund a withdrawal' : 'invest a deposit',
          q: qNow * scale,
          size: sizes.map((s) => s * scale),
          margin: venues.map((v) => v.account().marginBalanceUsdt * scale),
        };
      }
    }

    // Re-target from equity
    const investable = Math.max(0, equity - ctx.pendingWithdrawal);
    const fs = spot.feeRate('spot', orderType);
    let denom = ps * (1 + fs);
    this.hedge.forEach(
      (h, k) => (denom += h.weight * marks[k] * (1 / L + venues[k].feeRate('perp', orderType))),
    );
    let q = fundingOff ? 0 : Math.max(0, (investable - transferGas * this.hedge.length) / denom);
    if (override) q = Math.min(q, qNow * (1 - this.mode.risk.reduce_fraction));
    const action: WrapperAction =
      q === 0 ? 'exit_full' : empty ? 'entry_full' : q >= qNow ? 'entry_partial' : 'exit_partial';
    const reason = override
      ? `risk override (${ctx.risk.reasons.join(', ')})`
      : fundingOff
        ? `funding below ${minFunding} per 8 h`
        : empty
          ? 'open the book'
          : ctx.pendingWithdrawal > 0
            ? 'fund a withdrawal'
            : drift > tol
              ? 'hedge drift'
              : marginOut
                ? 'margin outside band'
                : 'rebalance';
    return {
      kind: 'retarget',
      action,
      reason,
      q,
      size: this.hedge.map((h) => -h.weight * q),
      margin: this.hedge.map((h, k) => (h.weight * q * marks[k]) / L),
    };
  }

  /** The next pass of a plan: reduce, then move cash, then increase; null when done. */
  private nextPass(ctx: StrategyContext, plan: Plan): StrategyDecision | null {
    const spot = ctx.venues.cex(this.spotVenue);
    const asset = this.mode.asset;
    const orderType = this.mode.execution.order_type;
    const equity = ctx.equity;
    const ps = spot.spotPrice(this.symbol);
    const fs = spot.feeRate('spot', orderType);
    const qNow = spot.balanceOf(asset);
    // Trades smaller than 0.1 % of equity (or 5 USDT) are not worth their fees, unless they fund a withdrawal
    const funding = ctx.pendingWithdrawal > ctx.venues.wallet.balanceOf('USDT');
    const minNotional = funding ? 5 : Math.max(5, 1e-3 * equity);
    const perp = this.perp.perps(ctx, plan);
    const reduceAction: WrapperAction =
      plan.action === 'entry_partial' || plan.action === 'entry_full' ? 'exit_partial' : plan.action;
    const increaseAction: WrapperAction = plan.action === 'exit_partial' ? 'entry_partial' : plan.action;

    // Phase 1: reduce
    const reduce: Instruction[] = [];
    if ((qNow - plan.q) * ps > minNotional) {
      reduce.push({
        op: 'spot_sell',
        venue: this.spotVenue,
        base: asset,
        quote: 'USDT',
        amount: qNow - plan.q,
      });
    }
    reduce.push(...this.perp.closes(perp, minNotional));
    if (reduce.length > 0) return decision(reduceAction, `${plan.reason}: reduce`, reduce);

    // Phase 2: move cash between the wallet and the venues
    const transferGas = ctx.gasCost(this.transferVenue, 'transfer');
    const minTransfer = Math.max(MIN_TRANSFER_USDT, transferGas * 20, 1e-4 * equity);
    const spotCost = Math.max(0, plan.q - qNow) * ps * (1 + fs);
    const moves = this.perp.cashMoves(
      ctx,
      this.transferVenue,
      this.cexNames,
      ctx.pendingWithdrawal,
      (v) => this.perp.surplus(v, perp, plan, v.name === this.spotVenue ? spotCost : 0),
      minTransfer,
      transferGas,
    );
    // A withdrawal the venues cannot send (their equity is unrealised perp PnL): realise it first
    const short = ctx.pendingWithdrawal - ctx.venues.wallet.balanceOf('USDT') - toWallet(moves);
    if (short > 1e-9 && (plan.realised ?? 0) < 2) {
      plan.realised = (plan.realised ?? 0) + 1;
      const realise = this.perp.realise(perp, short + transferGas * this.cexNames.length, 5);
      if (realise.length > 0) return decision('exit_partial', `${plan.reason}: realise perp PnL`, realise);
    }
    if (moves.length > 0) return decision(plan.action, `${plan.reason}: move cash`, moves);

    // Phase 3: increase, keeping the hedge matched to the spot actually bought
    const increase: Instruction[] = [];
    const acct = spot.account();
    const spotPerp = perp.find((p) => p.leg.venue === this.spotVenue);
    const reserve = spotPerp ? this.perp.marginNeed(spotPerp, plan) : 0;
    // The wallet also pays the fees of the spot venue's perp trades (opening now, closing later)
    const perpFees = spotPerp
      ? (Math.max(0, Math.abs(spotPerp.target) - Math.abs(spotPerp.size)) +
          2 * Math.max(Math.abs(spotPerp.size), Math.abs(spotPerp.target))) *
        spotPerp.mark *
        spot.feeRate('perp', 'taker')
      : 0;
    const cashForSpot = Math.max(
      0,
      Math.min(acct.walletBalanceUsdt - perpFees, acct.marginBalanceUsdt - reserve),
    );
    let buy = Math.max(0, Math.min(plan.q - qNow, cashForSpot / (ps * (1 + fs))));
    if (buy * ps <= minNotional) buy = 0;
    if (buy > 0)
      increase.push({ op: 'spot_buy', venue: this.spotVenue, base: asset, quote: 'USDT', amount: buy });
    increase.push(...this.perp.opens(perp, plan, qNow + buy, minNotional));
    if (increase.length > 0) return decision(increaseAction, `${plan.reason}: increase`, increase);
    return null;
  }

  /** Mean funding rate per 8 h over the lookback window, weighted by hedge allocation. */
  private recentFunding(ctx: StrategyContext): number {
    if (!this.fundingSeries)
      this.fundingSeries = this.hedge.map((h) => ctx.series(`cex.${h.venue}.${this.symbol}.funding`));
    const lookback = this.mode.strategy.funding_lookback_hours;
    let sum = 0;
    let weight = 0;
    for (let k = 0; k < this.hedge.length; k++) {
      const s = this.fundingSeries[k];
      let n = 0;
      let acc = 0;
      for (let i = Math.max(0, ctx.step - lookback); i <= ctx.step; i++) {
        if (!Number.isNaN(s[i])) {
          acc += s[i];
          n++;
        }
      }
      if (n > 0) {
        sum += (acc / n) * this.hedge[k].weight;
        weight += this.hedge[k].weight;
      }
    }
    return weight > 0 ? sum / weight : Number.NaN;
  }
}
