/**
 * ml_directional family (ml_btc_directional_usdt_margin, ml_usdt_directional_usdt_margin): one USDT-margined
 * perp traded long or short on a model's predictions, bar by bar. Rules (docs/ml.md):
 *
 * - At each bar's open the bar's prediction gives an effective direction: its signal when its confidence
 *   is ≥ `signal_threshold`, else none (a bar without a prediction is none).
 * - Flat and a direction → enter at the open with notional `max_position_size` × equity, with a stop-loss
 *   and take-profit bracket at `stop_loss_sd` / `take_profit_sd` × the prediction's sd (clamped to
 *   [`sd_floor_bps`, `sd_cap_bps`]) from the entry; the venue resolves the bracket inside each bar
 *   (src/venues/simulated/cex-brackets.ts: stop first when both could have been hit).
 * - In a position: the same direction → hold (no trade, the bracket stays); none → close at the bar's end
 *   (reason bar_end, i.e. at the next bar's open); the opposite direction → close (reason signal) and enter
 *   the other way in the same step.
 * - A risk override (margin ratio below `risk.margin_ratio_critical`) cuts the position by
 *   `risk.reduce_fraction`; a withdrawal cuts it to `max_position_size` × (equity − withdrawal) first.
 * - Margin: `usdt` — the wallet's USDT moves to the venue and margins the perp; `multi_assets` — the
 *   share-class asset (BTC) moves to the venue as collateral, PnL settles in USDT and, whenever the book is
 *   left flat, that USDT is converted back into the asset on the venue's spot market.
 */
import type { MlMode } from './params.js';
import { InputError } from '../../domain/errors.js';
import type { Instruction, StrategyDecision, WrapperAction } from '../../domain/types.js';
import {
  alignPredictions,
  createSignalSource,
  type GridSignals,
  type SignalReport,
} from '../../signals/index.js';
import type { CexVenue } from '../../venues/types.js';
import { decision, type Strategy, type StrategyContext, type StrategyEnvironment } from '../base.js';
import { bracketLevels, effectiveDirection, mlParams, type MlParams } from './params.js';
import { TradeBook, type ExitReason, type TradesSummary } from './trades.js';

/** Orders below this notional are not sent (the venues' minimum order size). */
const MIN_NOTIONAL_USDT = 5;

type Pending =
  | {
      kind: 'open';
      dir: 1 | -1;
      confidence: number;
      sd: number;
      stopLoss: number | null;
      takeProfit: number | null;
      walletBefore: number;
    }
  | { kind: 'close'; reason: ExitReason; sizeBefore: number }
  | { kind: 'transfer'; walletBefore: number };

export interface MlReport extends Record<string, unknown> {
  signals: SignalReport;
  trades: TradesSummary;
}

export class MlDirectionalStrategy implements Strategy {
  readonly p: MlParams;
  private grid: GridSignals | null = null;
  private signalReport: SignalReport = {};
  private trades: TradeBook | null = null;
  private funding: Float64Array | null = null;
  private slot = -1;
  private pending: Pending | null = null;
  private done = {
    withdraw: false,
    transferIn: false,
    risk: false,
    exit: false,
    entry: false,
    convert: false,
  };

  constructor(
    readonly mode: MlMode,
    opts: { hedgeWeights: Record<string, number> },
  ) {
    this.p = mlParams(mode, opts.hedgeWeights);
  }

  async prepare(env: StrategyEnvironment): Promise<string[]> {
    const { data } = env;
    const n = data.length;
    let predictions = env.signals;
    let report: SignalReport;
    if (predictions) report = { source: 'given', rows: predictions.timestampsMs.length };
    else {
      const src = createSignalSource(this.mode.signals, {
        modeFile: env.modeFile,
        sandbox: env.sandbox,
      });
      ({ predictions, report } = await src.load({
        symbol: this.p.symbol,
        startMs: data.startMs,
        endMs: data.timestampsMs[n - 1],
        stepMs: data.stepMs,
        dataDir: data.dataDir,
        cacheDir: env.cacheDir,
        onProgress: env.onPhase
          ? (done, total) => env.onPhase!('training the baseline model', done, total)
          : undefined,
      }));
    }
    const g = alignPredictions(predictions, data);
    let entrySignals = 0;
    for (let i = 0; i < n; i++)
      if (effectiveDirection(g.direction[i], g.confidence[i], this.p.threshold) !== 0) entrySignals++;
    this.grid = g;
    this.signalReport = {
      ...report,
      name: predictions.source,
      bars: n,
      bars_with_prediction: g.covered,
      bars_at_threshold: entrySignals,
      superseded: g.superseded,
      outside_window: g.outside,
    };
    this.trades = new TradeBook((type, d) => env.events.event(type, d));
    env.events.event('signals', { ...this.signalReport });
    return [
      `signals: ${predictions.source}: ${g.covered} of ${n} bars have a prediction, ${entrySignals} at confidence ≥ ${this.p.threshold}` +
        (g.superseded > 0 ? `; ${g.superseded} predictions superseded by a later one for the same bar` : ''),
    ];
  }

  report(): MlReport {
    return { signals: this.signalReport, trades: this.tradesOrThrow().summary() };
  }

  beginStep(ctx: StrategyContext): void {
    this.done = {
      withdraw: false,
      transferIn: false,
      risk: false,
      exit: false,
      entry: false,
      convert: false,
    };
    const trades = this.tradesOrThrow();
    if (!trades.open) return;
    const v = ctx.venues.cex(this.p.venue);
    const size = v.perpPosition(this.p.symbol).size;
    const trig = v.lastTrigger?.(this.p.symbol) ?? null;
    const now = trig && trig.timeMs === ctx.timeMs ? trig : null;
    // funding the venue settled at this step on the position held into it (not on one stopped inside the bar)
    this.funding ??= ctx.series(`cex.${this.p.venue}.${this.p.symbol}.funding`);
    const rate = this.funding[ctx.step];
    if (rate === rate && ctx.step > 0) {
      const held = size !== 0 ? size : now && (now.gap || now.reason === 'liquidation') ? now.size : 0;
      if (held !== 0) trades.funding(-held * v.markPrice(this.p.symbol) * rate);
    }
    if (size === 0 && now) {
      trades.reduce(Math.abs(now.size), now.price, now.reason === 'liquidation' ? 0 : undefined);
      trades.finish({
        step: ctx.step,
        timeMs: ctx.timeMs,
        reason: now.reason,
        gap: now.gap,
        walletAfter: v.account().walletBalanceUsdt,
        shareClassUsdt: ctx.pricer.shareClassUsdt(),
      });
    }
  }

  decide(ctx: StrategyContext): StrategyDecision | null {
    const p = this.p;
    const v = ctx.venues.cex(p.venue);
    const grid = this.gridOrThrow();
    this.observe(ctx, v);
    // the perp's size from the position monitor (fresh after every execution), without building a view
    if (this.slot < 0) this.slot = ctx.positions.indexOf(`${p.venue}:Perp:${p.symbol}`);
    const size = ctx.positions.amounts[this.slot];
    const mark = v.markPrice(p.symbol);
    const scUsdt = ctx.pricer.shareClassUsdt();
    const walletBal = ctx.venues.wallet.balanceOf(p.walletAsset);

    // 1. a withdrawal the wallet cannot pay: cut the position to its new target, then bring funds back
    const short = ctx.pendingWithdrawal - walletBal;
    if (short > 1e-12 * Math.max(1, ctx.pendingWithdrawal)) {
      if (size !== 0 && !this.done.withdraw) {
        this.done.withdraw = true;
        const target = (p.positionSize * Math.max(0, ctx.equity - ctx.pendingWithdrawal) * scUsdt) / mark;
        const cut = Math.abs(size) - target;
        if (cut * mark > MIN_NOTIONAL_USDT || target * mark <= MIN_NOTIONAL_USDT)
          return this.close(size, target * mark <= MIN_NOTIONAL_USDT ? Math.abs(size) : cut, 'withdrawal');
      }
      const amount = short;
      this.pending = { kind: 'transfer', walletBefore: v.account().walletBalanceUsdt };
      return decision('exit_partial', 'fund a withdrawal', [
        {
          op: 'transfer',
          venue: p.walletName,
          asset: p.walletAsset,
          amount,
          from: p.venue,
          to: p.walletName,
        },
      ]);
    }

    // 2. capital in the wallet goes to the venue (margin or collateral)
    const assetUsdt = walletBal > 0 ? ctx.pricer.usdt(p.walletAsset) : 0;
    const gas =
      walletBal > 0 ? ctx.gasCost(p.walletName, 'transfer') / (p.walletAsset === 'ETH' ? 1 : assetUsdt) : 0;
    const idle = walletBal - ctx.pendingWithdrawal - gas;
    if (!this.done.transferIn && idle > 100 * gas && idle * assetUsdt > MIN_NOTIONAL_USDT) {
      this.done.transferIn = true;
      this.pending = { kind: 'transfer', walletBefore: v.account().walletBalanceUsdt };
      return decision('entry_partial', 'move capital to the perp venue', [
        {
          op: 'transfer',
          venue: p.walletName,
          asset: p.walletAsset,
          amount: idle,
          from: p.walletName,
          to: p.venue,
        },
      ]);
    }

    // 3. risk override: reduce, never enter
    if (size !== 0 && ctx.risk.override && !this.done.risk) {
      this.done.risk = true;
      return this.close(size, Math.abs(size) * p.reduceFraction, 'risk');
    }

    // 4. the bar's signal at its open
    const i = ctx.step;
    const dir = effectiveDirection(grid.direction[i], grid.confidence[i], p.threshold);
    if (size !== 0 && !this.done.exit && !this.done.entry && Math.sign(size) !== dir) {
      this.done.exit = true;
      return this.close(size, Math.abs(size), dir === 0 ? 'bar_end' : 'signal');
    }
    if (size === 0 && dir !== 0 && !this.done.entry && !ctx.risk.override) {
      this.done.entry = true;
      const notional = p.positionSize * ctx.equity * scUsdt;
      if (notional > MIN_NOTIONAL_USDT) {
        const b = bracketLevels(p, dir, mark, grid.sd[i]);
        const stopLoss = b.stopLoss > 0 ? b.stopLoss : null;
        const side = dir > 0 ? 'long' : 'short';
        const open: Instruction = {
          op: 'perp_open',
          venue: p.venue,
          symbol: p.symbol,
          side,
          size: notional / mark,
          takeProfitPrice: b.takeProfit,
          ...(stopLoss !== null ? { stopLossPrice: stopLoss } : {}),
        };
        this.pending = {
          kind: 'open',
          dir: dir > 0 ? 1 : -1,
          confidence: grid.confidence[i],
          sd: b.sd,
          stopLoss,
          takeProfit: b.takeProfit,
          walletBefore: v.account().walletBalanceUsdt,
        };
        return decision('entry_full', `${side} signal, confidence ${grid.confidence[i].toFixed(4)}`, [open]);
      }
    }

    // 5. multi-assets margin: a flat book holds the share-class asset, so its USDT is converted back
    if (size === 0 && p.marginMode === 'multi_assets' && !this.done.convert) {
      this.done.convert = true;
      const usdt = v.account().walletBalanceUsdt;
      const px = v.spotPrice(p.symbol);
      const fee = v.feeRate('spot', p.orderType);
      if (Math.abs(usdt) > MIN_NOTIONAL_USDT) {
        const buy = usdt > 0;
        const amount = buy ? (usdt / (px * (1 + fee))) * (1 - 1e-12) : -usdt / (px * (1 - fee));
        return decision(
          buy ? 'entry_partial' : 'exit_partial',
          `settle ${usdt.toFixed(2)} USDT of PnL into ${p.asset}`,
          [{ op: buy ? 'spot_buy' : 'spot_sell', venue: p.venue, base: p.asset, quote: 'USDT', amount }],
        );
      }
    }
    return null;
  }

  /** Records what the last executed decision did (entry fill, close, transfer). */
  private observe(ctx: StrategyContext, v: CexVenue): void {
    const pend = this.pending;
    if (!pend) return;
    this.pending = null;
    const trades = this.tradesOrThrow();
    const pos = v.perpPosition(this.p.symbol);
    if (pend.kind === 'transfer') {
      trades.transfer(v.account().walletBalanceUsdt - pend.walletBefore);
    } else if (pend.kind === 'open') {
      if (pos.size === 0 || trades.open) return; // the order failed
      trades.start({
        feeRate: v.feeRate('perp', this.p.orderType),
        side: pend.dir,
        step: ctx.step,
        timeMs: ctx.timeMs,
        price: pos.entryPrice,
        size: Math.abs(pos.size),
        confidence: pend.confidence,
        sd: pend.sd,
        stopLoss: pend.stopLoss,
        takeProfit: pend.takeProfit,
        walletBefore: pend.walletBefore,
      });
    } else {
      const closed = Math.abs(pend.sizeBefore) - Math.abs(pos.size);
      if (closed <= 0) return; // the order failed
      trades.reduce(closed, v.markPrice(this.p.symbol));
      if (pos.size === 0)
        trades.finish({
          step: ctx.step,
          timeMs: ctx.timeMs,
          reason: pend.reason,
          gap: false,
          walletAfter: v.account().walletBalanceUsdt,
          shareClassUsdt: ctx.pricer.shareClassUsdt(),
        });
    }
  }

  private close(size: number, qty: number, reason: ExitReason): StrategyDecision | null {
    const all = qty >= Math.abs(size) * (1 - 1e-12);
    this.pending = { kind: 'close', reason, sizeBefore: size };
    const action: WrapperAction = all ? 'exit_full' : 'exit_partial';
    return decision(
      action,
      `${reason === 'bar_end' ? 'no signal at the bar end' : reason === 'signal' ? 'opposite signal' : reason}`,
      [
        {
          op: 'perp_close',
          venue: this.p.venue,
          symbol: this.p.symbol,
          side: size > 0 ? 'long' : 'short',
          size: all ? Math.abs(size) : qty,
        },
      ],
    );
  }

  private gridOrThrow(): GridSignals {
    if (!this.grid)
      throw new InputError(
        `mode ${this.mode.mode}: signals were not prepared (call prepare() before the run)`,
      );
    return this.grid;
  }

  private tradesOrThrow(): TradeBook {
    this.gridOrThrow();
    return this.trades!;
  }
}
