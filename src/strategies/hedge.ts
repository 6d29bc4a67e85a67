/**
 * Perp hedge mechanics shared by the basis and hedged-staking families: short USDT-margined perps across
 * the hedge venues by weight, each backed by a USDT margin balance, with the cash moved between the wallet
 * and the venues by transfers.
 *
 * - Drift: |long − Σ shorts| and each venue's share of the shorts against its weight, valued at the price.
 * - Margin band: a venue's margin ratio outside [m* (1 − band), m* (1 + band)] (m* the target ratio).
 * - Reduce: close the part of each short beyond its target. Increase: open shorts up to the target, never
 *   beyond the venue's share of the long actually held (the hedge follows the long).
 * - Cash: each venue's surplus = what it can release (> 0) or must receive (< 0) given the spot purchase it
 *   pays for and the margin its perps need; surpluses are matched to deficits by transfers, the sender
 *   paying the transfer gas.
 */
import type { ModeConfig } from '../config/schema.js';
import type { Instruction, StrategyDecision } from '../domain/types.js';
import type { CexVenue } from '../venues/types.js';
import type { StrategyContext } from './base.js';

/** Transfers below this many USDT are never worth their gas. */
export const MIN_TRANSFER_USDT = 1;

export interface HedgeLeg {
  venue: string;
  weight: number;
}

/** Per hedge venue (order of `PerpHedge.legs`): target signed perp size and margin balance (USDT). */
export interface HedgeTargets {
  size: number[];
  margin: number[];
}

/** One hedge venue's perp now, with its target. */
export interface PerpState {
  leg: HedgeLeg;
  v: CexVenue;
  k: number;
  mark: number;
  size: number;
  target: number;
}

export class PerpHedge {
  readonly legs: HedgeLeg[];

  constructor(
    private readonly mode: ModeConfig<{ margin_rebalance_band: number }>,
    hedgeWeights: Record<string, number>,
    readonly symbol: string,
  ) {
    // a venue at weight 0 stays a leg with target 0: its perp is closed and its margin returned (a venue
    // without data for a span, hedge_coverage_rule reallocate)
    this.legs = Object.entries(hedgeWeights)
      .filter(([, w]) => w >= 0)
      .map(([venue, weight]) => ({ venue, weight }));
  }

  venues(ctx: StrategyContext): CexVenue[] {
    return this.legs.map((l) => ctx.venues.cex(l.venue));
  }

  /** Each venue's perp now; `targets` null gives target 0. */
  perps(ctx: StrategyContext, targets: HedgeTargets | null): PerpState[] {
    return this.legs.map((leg, k) => {
      const v = ctx.venues.cex(leg.venue);
      return {
        leg,
        v,
        k,
        mark: v.markPrice(this.symbol),
        size: v.perpPosition(this.symbol).size,
        target: targets ? targets.size[k] : 0,
      };
    });
  }

  /** Total short size (positive). */
  static shorts(perps: readonly PerpState[]): number {
    let s = 0;
    for (const p of perps) s -= p.size;
    return s;
  }

  /** Largest of |long − shorts| × price and each venue's |short − weight × shorts| × mark. */
  static drift(perps: readonly PerpState[], long: number, price: number): number {
    const shorts = PerpHedge.shorts(perps);
    let drift = Math.abs(long - shorts) * price;
    for (const p of perps) drift = Math.max(drift, Math.abs(-p.size - p.leg.weight * shorts) * p.mark);
    return drift;
  }

  /**
   * True when a venue with an open perp has its margin ratio outside the band around `targetRatio`, when a
   * venue whose weight rose from 0 (hedge_coverage_rule reallocate, per span) lacks the margin of its share
   * of the shorts, or when a venue whose weight fell to 0 still holds a short: the book is re-targeted.
   */
  marginOut(perps: readonly PerpState[], targetRatio: number): boolean {
    const band = this.mode.strategy.margin_rebalance_band;
    const shorts = PerpHedge.shorts(perps);
    return perps.some((p) => {
      if (p.size === 0) {
        if (p.leg.weight === 0 || !(shorts > 0)) return false;
        const need = p.leg.weight * shorts * p.mark * targetRatio;
        return p.v.account().marginBalanceUsdt < (1 - band) * need;
      }
      if (p.leg.weight === 0) return true;
      const mr = p.v.account().marginRatio;
      return mr < (1 - band) * targetRatio || mr > (1 + band) * targetRatio;
    });
  }

  /**
   * perp_close orders that realise unrealised perp PnL to fund `shortfall` USDT: a venue's unrealised
   * profit counts in its margin balance but cannot leave it (only the wallet balance can be transferred),
   * so when a withdrawal needs more than the venues can send, a fraction of each profitable short is
   * closed — its PnL becomes wallet balance — and the increase phase reopens it to target. The fraction,
   * the same at every venue, is what covers the shortfall with 20 % to spare, at most the whole short.
   */
  realise(perps: readonly PerpState[], shortfall: number, minNotional: number): Instruction[] {
    if (!(shortfall > 0)) return [];
    let profit = 0;
    const upnl = perps.map((p) => {
      if (p.size >= 0) return 0;
      const acct = p.v.account();
      const u = Math.max(0, acct.marginBalanceUsdt - acct.walletBalanceUsdt);
      profit += u;
      return u;
    });
    if (!(profit > 0)) return [];
    const fraction = Math.min(1, (1.2 * shortfall) / profit);
    const out: Instruction[] = [];
    perps.forEach((p, k) => {
      const size = -p.size * fraction;
      if (upnl[k] > 0 && size * p.mark > minNotional)
        out.push({ op: 'perp_close', venue: p.leg.venue, symbol: this.symbol, side: 'short', size });
    });
    return out;
  }

  /** perp_close of the part of each short beyond its target. */
  closes(perps: readonly PerpState[], minNotional: number): Instruction[] {
    const out: Instruction[] = [];
    for (const p of perps) {
      const excess = Math.abs(p.size) - Math.abs(p.target);
      if (p.size < 0 && excess * p.mark > minNotional) {
        out.push({
          op: 'perp_close',
          venue: p.leg.venue,
          symbol: this.symbol,
          side: 'short',
          size: Math.min(excess, -p.size),
        });
      }
    }
    return out;
  }

  /** perp_open up to each target, capped at the venue's share of `hedged` (the long actually held). */
  opens(
    perps: readonly PerpState[],
    targets: HedgeTargets,
    hedged: number,
    minNotional: number,
  ): Instruction[] {
    const out: Instruction[] = [];
    const planShorts = targets.size.reduce((s, x) => s - x, 0);
    for (const p of perps) {
      const share = planShorts > 0 ? -p.target / planShorts : p.leg.weight;
      const missing = Math.min(Math.abs(p.target), share * hedged) - Math.abs(p.size);
      if (missing * p.mark > minNotional) {
        out.push({ op: 'perp_open', venue: p.leg.venue, symbol: this.symbol, side: 'short', size: missing });
      }
    }
    return out;
  }

  /** Margin balance (with the fee of opening what is missing) a hedge venue must hold for the targets. */
  marginNeed(p: PerpState, targets: HedgeTargets): number {
    const missing = Math.max(0, Math.abs(p.target) - Math.abs(p.size));
    return targets.margin[p.k] + missing * p.mark * p.v.feeRate('perp', this.mode.execution.order_type);
  }

  /**
   * USDT a venue can release (> 0) or must receive (< 0): `spotCost` (a spot purchase it pays for) comes
   * out of its wallet balance, and what remains of its margin balance must cover its perps' margin.
   */
  surplus(v: CexVenue, perps: readonly PerpState[], targets: HedgeTargets, spotCost: number): number {
    const acct = v.account();
    let margin = 0;
    // Cash kept for the fees of closing the venue's shorts later, so fees never overdraw its wallet
    let closeFees = 0;
    for (const p of perps) {
      if (p.leg.venue !== v.name) continue;
      margin += this.marginNeed(p, targets);
      closeFees += Math.max(Math.abs(p.size), Math.abs(p.target)) * p.mark * v.feeRate('perp', 'taker');
    }
    return Math.min(
      acct.marginBalanceUsdt - spotCost - margin,
      acct.walletBalanceUsdt - spotCost - 2 * closeFees,
    );
  }

  /**
   * Transfers matching sources to sinks: the wallet's USDT beyond `walletKeep` and each venue's surplus
   * (`surplusOf`). Moves below `minTransfer` are skipped; the sender pays `transferGas` USDT per transfer.
   */
  cashMoves(
    ctx: StrategyContext,
    transferVenue: string,
    cexNames: readonly string[],
    walletKeep: number,
    surplusOf: (v: CexVenue) => number,
    minTransfer: number,
    transferGas: number,
  ): Instruction[] {
    const sources: { name: string; amount: number }[] = [];
    const sinks: { name: string; amount: number }[] = [];
    const walletSurplus = ctx.venues.wallet.balanceOf('USDT') - walletKeep;
    if (walletSurplus > minTransfer) sources.push({ name: 'wallet', amount: walletSurplus });
    else if (walletSurplus < -1e-9) sinks.push({ name: 'wallet', amount: -walletSurplus });
    // Funding a withdrawal takes any surplus worth more than its transfer gas, however small
    const sourceMin = walletSurplus < -1e-9 ? MIN_TRANSFER_USDT : minTransfer;
    for (const name of cexNames) {
      const surplus = surplusOf(ctx.venues.cex(name));
      if (surplus > sourceMin + transferGas) sources.push({ name, amount: surplus });
      else if (surplus < -minTransfer) sinks.push({ name, amount: -surplus });
    }
    const moves: Instruction[] = [];
    for (const sink of sinks) {
      for (const src of sources) {
        if (sink.amount <= 1e-9 || src.amount <= transferGas + MIN_TRANSFER_USDT) continue;
        const amount = Math.min(sink.amount, src.amount - transferGas);
        moves.push({
          op: 'transfer',
          venue: transferVenue,
          asset: 'USDT',
          amount,
          from: src.name,
          to: sink.name,
        });
        src.amount -= amount + transferGas;
        sink.amount -= amount;
      }
    }
    return moves;
  }
}

/** USDT that `moves` send to the wallet. */
export function toWallet(moves: readonly Instruction[]): number {
  let sum = 0;
  for (const m of moves) if (m.op === 'transfer' && m.to === 'wallet' && m.asset === 'USDT') sum += m.amount;
  return sum;
}

/**
 * The plan of a step of the hedged families, fixed when first needed and carried out pass by pass; when
 * its passes are done and a withdrawal is still short (fees and minimum sizes beyond the plan's estimate),
 * one more plan is made from the book as it is then, which frees the rest.
 */
export class StepPlan<P> {
  private plan: P | null = null;
  private replanned = false;

  /** At the start of every step. */
  reset(): void {
    this.plan = null;
    this.replanned = false;
  }

  next(
    ctx: StrategyContext,
    make: () => P | null,
    pass: (plan: P) => StrategyDecision | null,
  ): StrategyDecision | null {
    if (this.plan === null) {
      this.plan = make();
      if (this.plan === null) return null;
    }
    const d = pass(this.plan);
    if (d !== null || this.replanned) return d;
    if (ctx.pendingWithdrawal <= ctx.venues.wallet.balanceOf('USDT') + 1e-9) return null;
    this.replanned = true;
    this.plan = make();
    return this.plan === null ? null : pass(this.plan);
  }
}
