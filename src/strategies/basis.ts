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
import type { ModeConfig } from '../config/schema.js';
import type { Instruction, StrategyDecision, WrapperAction } from '../domain/types.js';
import type { CexVenue } from '../venues/types.js';
import { decision, route, type Strategy, type StrategyContext } from './base.js';

export interface BasisOptions {
  /** Effective hedge weights after the coverage rule (venue → weight, summing to 1). */
  hedgeWeights: Record<string, number>;
}

const MIN_TRANSFER_USDT = 1;

interface Plan {
  kind: 'retarget' | 'scale';
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
  private readonly hedge: { venue: string; weight: number }[];
  private readonly cexNames: string[];
  private plan: Plan | null = null;
  private fundingSeries: Float64Array[] | null = null;

  constructor(
    readonly mode: ModeConfig,
    opts: BasisOptions,
  ) {
    this.spotVenue = route(mode, 'spot');
    this.transferVenue = mode.venues.wallet_transfer ?? 'wallet';
    this.symbol = `${mode.asset}USDT`;
    this.hedge = Object.entries(opts.hedgeWeights)
      .filter(([, w]) => w > 0)
      .map(([venue, weight]) => ({ venue, weight }));
    this.cexNames = [...new Set([this.spotVenue, ...this.hedge.map((h) => h.venue)])];
  }

  beginStep(): void {
    this.plan = null;
  }

  decide(ctx: StrategyContext): StrategyDecision | null {
    if (this.plan === null) {
      this.plan = this.makePlan(ctx);
      if (this.plan === null) return null;
    }
    return this.nextPass(ctx, this.plan);
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
    const venues = this.hedge.map((h) => ctx.venues.cex(h.venue));
    const sizes = venues.map((v) => v.perpPosition(this.symbol).size);
    const marks = venues.map((v) => v.markPrice(this.symbol));

    // Drift of the hedge ratio and of each venue's share of the shorts (independent of the price level)
    let shorts = 0;
    for (const s of sizes) shorts -= s;
    let drift = Math.abs(qNow - shorts) * ps;
    this.hedge.forEach(
      (h, k) => (drift = Math.max(drift, Math.abs(-sizes[k] - h.weight * shorts) * marks[k])),
    );
    const band = this.mode.strategy.margin_rebalance_band;
    const marginOut = venues.some((v, k) => {
      if (sizes[k] === 0) return false;
      const mr = v.account().marginRatio;
      return mr < (1 - band) / L || mr > (1 + band) / L;
    });
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
    // Trades smaller than 0.1 % of equity (or 5 USDT) are not worth their fees
    const minNotional = Math.max(5, 1e-3 * equity);
    const perp = this.hedge.map((h, k) => {
      const v = ctx.venues.cex(h.venue);
      return {
        h,
        v,
        k,
        mark: v.markPrice(this.symbol),
        size: v.perpPosition(this.symbol).size,
        target: plan.size[k],
      };
    });
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
    for (const p of perp) {
      const excess = Math.abs(p.size) - Math.abs(p.target);
      if (p.size < 0 && excess * p.mark > minNotional) {
        reduce.push({
          op: 'perp_close',
          venue: p.h.venue,
          symbol: this.symbol,
          side: 'short',
          size: Math.min(excess, -p.size),
        });
      }
    }
    if (reduce.length > 0) return decision(reduceAction, `${plan.reason}: reduce`, reduce);

    // Phase 2: move cash between the wallet and the venues
    const transferGas = ctx.gasCost(this.transferVenue, 'transfer');
    const minTransfer = Math.max(MIN_TRANSFER_USDT, transferGas * 20, 1e-4 * equity);
    const sources: { name: string; amount: number }[] = [];
    const sinks: { name: string; amount: number }[] = [];
    const walletSurplus = ctx.venues.wallet.balanceOf('USDT') - ctx.pendingWithdrawal;
    if (walletSurplus > minTransfer) sources.push({ name: 'wallet', amount: walletSurplus });
    else if (walletSurplus < -1e-9) sinks.push({ name: 'wallet', amount: -walletSurplus });
    for (const name of this.cexNames) {
      const surplus = this.surplus(ctx.venues.cex(name), perp, plan, qNow, ps, fs);
      if (surplus > minTransfer + transferGas) sources.push({ name, amount: surplus });
      else if (surplus < -minTransfer) sinks.push({ name, amount: -surplus });
    }
    const moves: Instruction[] = [];
    for (const sink of sinks) {
      for (const src of sources) {
        if (sink.amount <= 1e-9 || src.amount <= transferGas + MIN_TRANSFER_USDT) continue;
        const amount = Math.min(sink.amount, src.amount - transferGas);
        moves.push({
          op: 'transfer',
          venue: this.transferVenue,
          asset: 'USDT',
          amount,
          from: src.name,
          to: sink.name,
        });
        src.amount -= amount + transferGas;
        sink.amount -= amount;
      }
    }
    if (moves.length > 0) return decision(plan.action, `${plan.reason}: move cash`, moves);

    // Phase 3: increase, keeping the hedge matched to the spot actually bought
    const increase: Instruction[] = [];
    const acct = spot.account();
    const spotPerp = perp.find((p) => p.h.venue === this.spotVenue);
    const reserve = spotPerp ? this.marginNeed(spotPerp, plan) : 0;
    const cashForSpot = Math.max(0, Math.min(acct.walletBalanceUsdt, acct.marginBalanceUsdt - reserve));
    let buy = Math.max(0, Math.min(plan.q - qNow, cashForSpot / (ps * (1 + fs))));
    if (buy * ps <= minNotional) buy = 0;
    if (buy > 0)
      increase.push({ op: 'spot_buy', venue: this.spotVenue, base: asset, quote: 'USDT', amount: buy });
    const hedged = qNow + buy;
    const planShorts = plan.size.reduce((s, x) => s - x, 0);
    for (const p of perp) {
      const share = planShorts > 0 ? -p.target / planShorts : p.h.weight;
      const missing = Math.min(Math.abs(p.target), share * hedged) - Math.abs(p.size);
      if (missing * p.mark > minNotional) {
        increase.push({
          op: 'perp_open',
          venue: p.h.venue,
          symbol: this.symbol,
          side: 'short',
          size: missing,
        });
      }
    }
    if (increase.length > 0) return decision(increaseAction, `${plan.reason}: increase`, increase);
    return null;
  }

  /** Margin balance (with the fee of opening what is missing) a hedge venue must hold for the plan, USDT. */
  private marginNeed(
    p: { k: number; v: CexVenue; mark: number; size: number; target: number },
    plan: Plan,
  ): number {
    const missing = Math.max(0, Math.abs(p.target) - Math.abs(p.size));
    return plan.margin[p.k] + missing * p.mark * p.v.feeRate('perp', this.mode.execution.order_type);
  }

  /**
   * USDT a venue can release (> 0) or must receive (< 0) for the plan: the spot purchase comes out of its
   * wallet balance, and what remains of its margin balance must cover its perp margin.
   */
  private surplus(
    v: CexVenue,
    perp: { h: { venue: string }; k: number; v: CexVenue; mark: number; size: number; target: number }[],
    plan: Plan,
    qNow: number,
    ps: number,
    fs: number,
  ): number {
    const acct = v.account();
    const spotCost = v.name === this.spotVenue ? Math.max(0, plan.q - qNow) * ps * (1 + fs) : 0;
    let margin = 0;
    for (const p of perp) if (p.h.venue === v.name) margin += this.marginNeed(p, plan);
    return Math.min(acct.marginBalanceUsdt - spotCost - margin, acct.walletBalanceUsdt - spotCost);
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
