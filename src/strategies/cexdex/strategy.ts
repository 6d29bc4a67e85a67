/**
 * cex_dex_arb: statistical arbitrage of the spread s = ln(pool price / perp mark) between a Uniswap V3
 * WETH/USDT pool and a CEX ETHUSDT perpetual. When the spread's z-score over the last `lookback_hours`
 * is at or below −z_entry (the pool cheap), buy WETH on the pool and short the same size on the perp;
 * close both when the z-score is back at −z_exit, after `max_hold_hours`, on a risk override or to fund
 * a withdrawal. The size maximises the expected round-trip profit under the pool's liquidity model
 * (src/defi/band.ts): the exact V3 fill now, the exact fill selling back at the expected exit price (the
 * perp mark × e^(μ − z_exit·σ)), CEX taker fees on both perp legs, gas of both swaps; an opportunity is
 * taken only if that profit, recomputed with the exact quotes, is at least `min_profit_usdt` and the
 * entry's price impact is within `max_slippage_bps`. Funding is not in the expectation (it is paid).
 */
import type { Instruction, StrategyDecision } from '../../domain/types.js';
import {
  bandPool,
  optimalRoundTrip,
  toWei,
  usdtForWeth,
  usdtToBuy,
  type BandModel,
} from '../../defi/band.js';
import { decision, route, type Strategy, type StrategyContext, type StrategyEnvironment } from '../base.js';
import type { CexDexMode, CexDexParams } from './params.js';

export const POOL_PRICE = 'dex.WETHUSDT.price';
const MIN_NOTIONAL_USDT = 10;

export interface CexDexTrade {
  entryMs: number;
  exitMs: number;
  exitReason: 'reverted' | 'max_hold' | 'withdrawal' | 'risk' | 'end';
  /** z-score and spread (log) at entry. */
  z: number;
  spread: number;
  /** WETH bought (token units) and the USDT paid for it; USDT received selling it back. */
  weth: number;
  usdtIn: number;
  usdtOut: number;
  poolEntry: number;
  poolExit: number;
  /** The expected exit price of the pool the sizing used (perp mark × e^(μ − z_exit·σ)). */
  exitTarget: number;
  /** Perp short size, marks at entry and exit, taker fee rate. */
  perpSize: number;
  perpEntry: number;
  perpExit: number;
  takerFee: number;
  fundingUsdt: number;
  gasEntryUsdt: number;
  gasExitUsdt: number;
  /** Expected profit at entry (the sizing's objective, exact quotes) and the realised PnL, USDT. */
  expectedProfit: number;
  pnl: number;
  capped: boolean;
}

interface Open {
  entryMs: number;
  entryStep: number;
  z: number;
  spread: number;
  weth: number;
  usdtIn: number;
  poolEntry: number;
  exitTarget: number;
  perpSize: number;
  perpEntry: number;
  takerFee: number;
  fundingUsdt: number;
  gasEntryUsdt: number;
  expectedProfit: number;
  capped: boolean;
  confirmed: boolean;
}

export type CexDexReport = {
  family: 'cex_dex_arb';
  liquidity_model: BandModel & { kind: 'v3_band' };
  round_trips: CexDexTrade[];
  opportunities: { signals: number; taken: number; rejected: Record<string, number> };
  total_pnl_usdt: number;
};

export function bandModelOf(p: CexDexParams, feeBps: number): BandModel {
  const feePips = Math.round(feeBps * 100);
  const spacing: Record<number, number> = { 100: 1, 500: 10, 3000: 60, 10_000: 200 };
  return {
    tvlUsd: p.liquidity_tvl_usd,
    bandPct: p.liquidity_band_pct,
    feePips,
    tickSpacing: spacing[feePips] ?? 60,
  };
}

/** Rolling mean and standard deviation of x over [t − n, t − 1] (NaN until half the window is valid). */
export function rollingStats(x: Float64Array, n: number): { mean: Float64Array; sd: Float64Array } {
  const len = x.length;
  const mean = new Float64Array(len).fill(NaN);
  const sd = new Float64Array(len).fill(NaN);
  let c = 0;
  let s = 0;
  let s2 = 0;
  for (let t = 0; t < len; t++) {
    if (c >= n / 2 && c > 1) {
      const m = s / c;
      mean[t] = m;
      sd[t] = Math.sqrt(Math.max(0, s2 / c - m * m));
    }
    const v = x[t];
    if (Number.isFinite(v)) {
      c++;
      s += v;
      s2 += v * v;
    }
    const o = t - n >= 0 ? x[t - n] : NaN;
    if (Number.isFinite(o)) {
      c--;
      s -= o;
      s2 -= o * o;
    }
  }
  return { mean, sd };
}

export class CexDexStrategy implements Strategy {
  private readonly p: CexDexParams;
  private readonly dex: string;
  private readonly cex: string;
  private readonly wallet: string;
  private readonly symbol: string;
  private readonly perpPrice: string;
  private readonly funding: string;
  private readonly model: BandModel;
  private funded = false;
  private open: Open | null = null;
  private acted = -1;
  private stats: { spread: Float64Array; mean: Float64Array; sd: Float64Array } | null = null;
  /** Running sums of the rolling window (statsOf). */
  private readonly roll = { next: 0, c: 0, s: 0, s2: 0 };
  private readonly trades: CexDexTrade[] = [];
  private readonly opp = { signals: 0, taken: 0, rejected: {} as Record<string, number> };
  private events: StrategyEnvironment['events'] | null = null;

  constructor(
    readonly mode: CexDexMode,
    hedgeWeights: Record<string, number>,
    feeBps: number,
  ) {
    this.p = mode.strategy;
    this.dex = route(mode, 'dex_swap');
    this.wallet = mode.venues.wallet_transfer ?? 'wallet';
    const perp = Object.entries(hedgeWeights).find(([, w]) => w > 0);
    if (!perp) throw new Error(`mode ${mode.mode}: cex_dex_arb needs a perp venue in hedge_allocation`);
    this.cex = perp[0];
    this.symbol = `${mode.asset}USDT`;
    this.perpPrice = `cex.${this.cex}.${this.symbol}.perp.price`;
    this.funding = `cex.${this.cex}.${this.symbol}.funding`;
    this.model = bandModelOf(this.p, feeBps);
  }

  /** States the liquidity model in the run's notes; opportunities go to the run's events. */
  prepare(env: StrategyEnvironment): Promise<string[]> {
    this.events = env.events;
    const m = this.model;
    return Promise.resolve([
      `cex_dex_arb liquidity model: each hour the pool is a Uniswap V3 position of constant liquidity over ` +
        `±${m.bandPct} % of the recorded dex.WETHUSDT.price worth ${m.tvlUsd} USD (fee ${m.feePips / 1e4} %, ` +
        `tick spacing ${m.tickSpacing}); the dataset has prices, not depth, so the depth is a parameter (docs/defi.md)`,
    ]);
  }

  beginStep(ctx: StrategyContext): void {
    const o = this.open;
    if (!o?.confirmed) return;
    // funding paid on the short at this step's funding event (short receives size × mark × rate)
    const f = ctx.series(this.funding)[ctx.step];
    if (Number.isFinite(f) && f !== 0) {
      const mark = ctx.venues.cex(this.cex).markPrice(this.symbol);
      o.fundingUsdt += o.perpSize * mark * f;
    }
  }

  /**
   * The spread and its rolling mean / sd up to this step, extended step by step from the rows seen so far
   * (never from rows ahead of the step: on a wall clock or in a replay they do not exist yet). Same values
   * as `rollingStats` over the whole series.
   */
  private statsOf(ctx: StrategyContext) {
    const pd = ctx.series(POOL_PRICE);
    const pc = ctx.series(this.perpPrice);
    if (!this.stats) {
      const len = pd.length;
      this.stats = {
        spread: new Float64Array(len).fill(NaN),
        mean: new Float64Array(len).fill(NaN),
        sd: new Float64Array(len).fill(NaN),
      };
    }
    const st = this.stats;
    const n = this.p.lookback_hours;
    const r = this.roll;
    for (let t = r.next; t <= ctx.step && t < st.spread.length; t++) {
      if (r.c >= n / 2 && r.c > 1) {
        const m = r.s / r.c;
        st.mean[t] = m;
        st.sd[t] = Math.sqrt(Math.max(0, r.s2 / r.c - m * m));
      }
      const v = pd[t] > 0 && pc[t] > 0 ? Math.log(pd[t] / pc[t]) : NaN;
      st.spread[t] = v;
      if (Number.isFinite(v)) {
        r.c++;
        r.s += v;
        r.s2 += v * v;
      }
      const o = t - n >= 0 ? st.spread[t - n] : NaN;
      if (Number.isFinite(o)) {
        r.c--;
        r.s -= o;
        r.s2 -= o * o;
      }
      r.next = t + 1;
    }
    return st;
  }

  decide(ctx: StrategyContext): StrategyDecision | null {
    const wallet = ctx.venues.wallet;
    const cex = ctx.venues.cex(this.cex);
    const cash = wallet.balanceOf('USDT');
    const gasSwap = ctx.gasCost(this.dex, 'swap');
    const gasTransfer = ctx.gasCost(this.wallet, 'transfer');
    const o = this.open;
    if (o && !o.confirmed) {
      // the entry executed if the wallet now holds the WETH
      if (wallet.balanceOf('WETH') > 0) o.confirmed = true;
      else this.open = null;
    }

    // 1. a withdrawal the wallet cannot pay: unwind, then bring margin back
    const short = ctx.pendingWithdrawal - cash;
    if (short > 1e-9 * Math.max(1, ctx.pendingWithdrawal)) {
      if (this.open) return this.exit(ctx, 'withdrawal');
      const avail = cex.account().walletBalanceUsdt;
      const amount = Math.min(avail, short + 2 * gasTransfer);
      if (amount > 0)
        return decision('exit_partial', 'fund a withdrawal', [
          { op: 'transfer', venue: this.wallet, asset: 'USDT', amount, from: this.cex, to: this.wallet },
        ]);
      return null;
    }

    // 2. margin to the CEX once
    if (!this.funded) {
      const idle = cash - ctx.pendingWithdrawal - gasTransfer;
      if (idle * this.p.margin_fraction < MIN_NOTIONAL_USDT) return null;
      this.funded = true;
      return decision('entry_partial', 'move perp margin to the exchange', [
        {
          op: 'transfer',
          venue: this.wallet,
          asset: 'USDT',
          amount: idle * this.p.margin_fraction,
          from: this.wallet,
          to: this.cex,
        },
      ]);
    }
    if (this.acted === ctx.step) return null;

    const st = this.statsOf(ctx);
    const i = ctx.step;
    const z = (st.spread[i] - st.mean[i]) / st.sd[i];

    // 3. an open position: close on reversion, age or risk
    if (this.open) {
      if (ctx.risk.override) return this.exit(ctx, 'risk');
      const held = i - this.open.entryStep;
      if (Number.isFinite(z) && z >= -this.p.z_exit) return this.exit(ctx, 'reverted');
      if (held >= this.p.max_hold_hours) return this.exit(ctx, 'max_hold');
      return null;
    }

    // 4. flat: an entry signal, sized and validated
    if (!Number.isFinite(z) || z > -this.p.z_entry || ctx.risk.override) return null;
    this.acted = i;
    this.opp.signals++;
    const pd = ctx.series(POOL_PRICE)[i];
    const pc = cex.markPrice(this.symbol);
    const entry = bandPool(pd, this.model);
    const exitPrice = pc * Math.exp(st.mean[i] - this.p.z_exit * st.sd[i]);
    const exit = bandPool(exitPrice, this.model);
    const taker = cex.feeRate('perp', 'taker');
    const c = 2 * taker * pc;
    const fixed = 2 * gasSwap;
    const slip = this.p.max_slippage_bps / 1e4;
    const budget = Math.min(this.p.max_position_usdt, cash - ctx.pendingWithdrawal - 3 * gasSwap);
    const maxSize = Math.min(
      (budget * entry.gamma) / (pd * (1 + slip)),
      (entry.xVirtual * slip) / (1 + slip), // price impact beyond the fee ≤ slip
    );
    const rt = optimalRoundTrip(entry, exit, c, fixed, maxSize);
    const seen = { z, spread: st.spread[i], pool: pd, perp: pc, exit_target: exitPrice, gas_usdt: fixed };
    if (!(rt.size > 0))
      return this.reject('no profitable size after pool fees, taker fees and gas', { ...seen, size: 0 });
    const q = toWei(rt.size);
    const usdtIn = Number(usdtToBuy(entry, q)) / 1e6;
    const usdtBack = Number(usdtForWeth(exit, q).usdtOut) / 1e6;
    const weth = Number(q) / 1e18;
    const profit = usdtBack - usdtIn - c * weth - fixed;
    const sized = { ...seen, size: weth, usdt_in: usdtIn, expected_profit: profit };
    if (profit < this.p.min_profit_usdt) return this.reject('expected profit below min_profit_usdt', sized);
    if (usdtIn < MIN_NOTIONAL_USDT) return this.reject('size below the minimum notional', sized);
    this.opp.taken++;
    this.events?.event('arb_opportunity', { ...sized, taken: true, capped: rt.capped });
    this.open = {
      entryMs: ctx.timeMs,
      entryStep: i,
      z,
      spread: st.spread[i],
      weth: 0,
      usdtIn,
      poolEntry: pd,
      exitTarget: exitPrice,
      perpSize: weth,
      perpEntry: pc,
      takerFee: taker,
      fundingUsdt: 0,
      gasEntryUsdt: gasSwap,
      expectedProfit: profit,
      capped: rt.size >= maxSize * (1 - 1e-9),
      confirmed: false,
    };
    const items: Instruction[] = [
      { op: 'swap', venue: this.dex, from: 'USDT', to: 'WETH', amount: usdtIn, maxSlippage: slip },
      { op: 'perp_open', venue: this.cex, symbol: this.symbol, side: 'short', size: weth },
    ];
    return decision('entry_full', `pool cheap: z ${z.toFixed(2)}, expected ${profit.toFixed(2)} USDT`, items);
  }

  private reject(reason: string, data: Record<string, unknown>): null {
    this.opp.rejected[reason] = (this.opp.rejected[reason] ?? 0) + 1;
    this.events?.event('arb_opportunity', { ...data, taken: false, reason });
    return null;
  }

  private exit(ctx: StrategyContext, reason: CexDexTrade['exitReason']): StrategyDecision | null {
    const o = this.open!;
    const wallet = ctx.venues.wallet;
    const cex = ctx.venues.cex(this.cex);
    const weth = wallet.balanceOf('WETH');
    const size = Math.abs(cex.perpPosition(this.symbol).size);
    const pd = ctx.series(POOL_PRICE)[ctx.step];
    const pc = cex.markPrice(this.symbol);
    const gasSwap = ctx.gasCost(this.dex, 'swap');
    const usdtOut = weth > 0 ? Number(usdtForWeth(bandPool(pd, this.model), toWei(weth)).usdtOut) / 1e6 : 0;
    o.weth = weth;
    const perpPnl = o.perpSize * (o.perpEntry - pc) - o.takerFee * o.perpSize * (o.perpEntry + pc);
    this.trades.push({
      entryMs: o.entryMs,
      exitMs: ctx.timeMs,
      exitReason: reason,
      z: o.z,
      spread: o.spread,
      weth,
      usdtIn: o.usdtIn,
      usdtOut,
      poolEntry: o.poolEntry,
      poolExit: pd,
      exitTarget: o.exitTarget,
      perpSize: o.perpSize,
      perpEntry: o.perpEntry,
      perpExit: pc,
      takerFee: o.takerFee,
      fundingUsdt: o.fundingUsdt,
      gasEntryUsdt: o.gasEntryUsdt,
      gasExitUsdt: gasSwap,
      expectedProfit: o.expectedProfit,
      pnl: usdtOut - o.usdtIn + perpPnl + o.fundingUsdt - o.gasEntryUsdt - gasSwap,
      capped: o.capped,
    });
    this.open = null;
    this.acted = ctx.step;
    const items: Instruction[] = [];
    if (weth > 0)
      items.push({ op: 'swap', venue: this.dex, from: 'WETH', to: 'USDT', amount: weth, maxSlippage: 1 });
    if (size > 0) items.push({ op: 'perp_close', venue: this.cex, symbol: this.symbol, side: 'short', size });
    return decision(
      reason === 'withdrawal' ? 'exit_partial' : 'exit_full',
      `close the spread: ${reason}`,
      items,
    );
  }

  report(): CexDexReport {
    return {
      family: 'cex_dex_arb',
      liquidity_model: { kind: 'v3_band', ...this.model },
      round_trips: this.trades,
      opportunities: this.opp,
      total_pnl_usdt: this.trades.reduce((a, t) => a + t.pnl, 0),
    };
  }
}
