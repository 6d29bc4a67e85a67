/**
 * Simulated centralised exchange: spot balances (USDT and base assets) and one-way USDT-margined linear
 * perps on one cross-margin account (mechanics §4). Orders fill at the current price (no slippage model
 * yet); fees at the venue's maker/taker rate.
 *
 * - The USDT balance is the account's single wallet: it pays spot purchases and is the perps' cross margin
 *   (base assets held spot are not margin). USDT leaves the account (spot buys, transfers out) only up to
 *   min(wallet balance, margin balance − initial margin of the open perps).
 * - Series and symbols: ./cex-market.ts (spot falls back to the Binance price where a venue has none).
 * - Liquidation (Binance one-way cross, cum = 0, tier-1 MMR): for position i,
 *   WB' = wallet + Σ_{j≠i} (uPnL_j − MM_j) at current marks, Q = |size|, EP = entry,
 *   short LP = (WB' + Q·EP) / (Q(1 + MMR)), long LP = (Q·EP − WB') / (Q(1 − MMR)).
 *   When the bar that ran from step−1 to step crossed LP (short: high ≥ LP, long: low ≤ LP), or when the
 *   margin balance at the current marks is ≤ the maintenance margin, the whole cross account is liquidated:
 *   the crossed position closes at LP, the others at mark, and the remaining margin balance (= the MM at the
 *   close prices) is forfeited to the insurance fund (a negative remainder is absorbed by the fund). The loss
 *   against the equity at the current marks is booked as 'liquidation'.
 * - Bracket orders (stop-loss / take-profit set with perp_open) are resolved in settle() from the bar's
 *   open / high / low: ./cex-brackets.ts. Multi-assets margin (opts.collateral): ./cex-collateral.ts.
 */
import { VenueError } from '../../domain/errors.js';
import { positionKey } from '../../domain/types.js';
import type { Instruction, PositionKey } from '../../domain/types.js';
import type { CexVenueConfig } from '../../config/schema.js';
import type {
  CexAccountView,
  CexVenue,
  Fill,
  Ledger,
  PerpPositionView,
  PerpTrigger,
  SimulatedVenue,
  VenueCheckpoint,
} from '../types.js';
import { BracketBook, bracketProblem, settleBrackets, type BracketHost } from './cex-brackets.js';
import { CollateralBook } from './cex-collateral.js';
import { CexMarket, type PerpTotals, QUOTE } from './cex-market.js';
import type { MarketCursor } from '../../data/cursor.js';
import { DUST_TOLERANCE } from './wallet.js';

export interface SimulatedCexOptions {
  orderType: 'taker' | 'maker';
  /** Symbols this run trades (subset of the venue's listed symbols), e.g. BTCUSDT. */
  symbols: { spot: string[]; perp: string[] };
  /** Multi-assets margin: asset → collateral value ratio (BTC 0.95) of balances counted as perp margin. */
  collateral?: Readonly<Record<string, number>>;
}

interface CexCheckpoint {
  balances: Float64Array;
  size: Float64Array;
  entry: Float64Array;
  brackets: Float64Array;
  triggers: (PerpTrigger | null)[];
}

export class SimulatedCex implements CexVenue, SimulatedVenue {
  readonly kind = 'cex' as const;
  readonly positionKeys: readonly PositionKey[];
  /** Balance slots: USDT first, then the spot symbols' base assets. */
  readonly balanceAssets: readonly string[];
  readonly perpSymbols: readonly string[];
  private readonly mk: CexMarket;
  private readonly balances: Float64Array;
  private readonly size: Float64Array;
  private readonly entry: Float64Array;
  private readonly spotFee: number;
  private readonly perpFee: number;
  private readonly brackets: BracketBook;
  private readonly coll: CollateralBook | null;
  private readonly triggers: (PerpTrigger | null)[];
  private readonly bracketHost: BracketHost;
  // scratch of measure()
  private mColl = 0;
  private mUpnl = 0;
  private mNotional = 0;
  private mMm = 0;
  private readonly totals: PerpTotals = { upnl: 0, notional: 0, mm: 0 };

  constructor(
    readonly name: string,
    private readonly config: CexVenueConfig,
    private readonly cursor: MarketCursor,
    readonly opts: SimulatedCexOptions,
  ) {
    this.mk = new CexMarket(name, config, cursor, opts.symbols);
    this.balanceAssets = this.mk.balanceAssets;
    this.perpSymbols = this.mk.perpSymbols;
    this.balances = new Float64Array(this.balanceAssets.length);
    this.size = new Float64Array(this.perpSymbols.length);
    this.entry = new Float64Array(this.perpSymbols.length);
    this.positionKeys = [
      ...this.balanceAssets.map((a) => positionKey(name, 'BaseToken', a)),
      ...this.perpSymbols.map((s) => positionKey(name, 'Perp', s)),
    ];
    this.spotFee = config.fees.spot[opts.orderType];
    this.perpFee = config.fees.perp[opts.orderType];
    this.brackets = new BracketBook(this.perpSymbols.length);
    this.triggers = this.perpSymbols.map(() => null);
    this.bracketHost = {
      ...{ name, mk: this.mk, size: this.size, entry: this.entry, balances: this.balances },
      perpFee: this.perpFee,
      timestampsMs: cursor.data.timestampsMs,
      brackets: this.brackets,
      triggers: this.triggers,
      liquidationPrice: (k, step) => this.liquidationPrice(k, step),
    };
    const coll = opts.collateral ? new CollateralBook(name, this.mk, opts.collateral) : null;
    this.coll = coll && !coll.empty ? coll : null;
  }

  // ---- reads -------------------------------------------------------------------------------------------

  feeRate(market: 'spot' | 'perp', orderType: 'maker' | 'taker'): number {
    return this.config.fees[market][orderType];
  }

  markPrice(symbol: string): number {
    return this.mk.markOf(symbol, this.cursor.step);
  }

  spotPrice(symbol: string): number {
    return this.mk.spotOf(symbol, this.cursor.step);
  }

  perpPosition(symbol: string): PerpPositionView {
    const k = this.mk.perpSlot(symbol);
    const s = this.size[k];
    const step = this.cursor.step;
    return this.mk.perpView(
      k,
      s,
      this.entry[k],
      step,
      s === 0 ? NaN : this.liquidationPrice(k, step),
      this.brackets.stop[k],
      this.brackets.take[k],
    );
  }

  lastTrigger(symbol: string): PerpTrigger | null {
    return this.triggers[this.mk.perpSlot(symbol)];
  }

  account(): CexAccountView {
    this.measure(this.cursor.step);
    const wallet = this.balances[0];
    const margin = wallet + this.mColl + this.mUpnl;
    return {
      walletBalanceUsdt: wallet,
      marginBalanceUsdt: margin,
      positionNotionalUsdt: this.mNotional,
      maintenanceMarginUsdt: this.mMm,
      marginRatio: this.mNotional > 0 ? margin / this.mNotional : Infinity,
      unrealizedPnlUsdt: this.mUpnl,
      collateralUsdt: this.mColl,
    };
  }

  balanceOf(asset: string): number {
    return this.mk.hasBalance(asset) ? this.balances[this.mk.balSlot(asset)] : 0;
  }

  readPositions(out: Float64Array, offset: number): void {
    const nb = this.balances.length;
    for (let i = 0; i < nb; i++) out[offset + i] = this.balances[i];
    for (let k = 0; k < this.size.length; k++) out[offset + nb + k] = this.size[k];
  }

  /** USDT that may leave the account now: min(wallet, margin balance − Σ notional / max leverage). */
  withdrawableUsdt(): number {
    this.measure(this.cursor.step);
    const wallet = this.balances[0];
    if (this.mNotional === 0 && this.mColl === 0) return wallet;
    return Math.max(
      0,
      Math.min(wallet, wallet + this.mColl + this.mUpnl - this.mNotional / this.config.perp.max_leverage),
    );
  }

  // ---- transfers ---------------------------------------------------------------------------------------

  credit(asset: string, amount: number): void {
    const i = this.mk.balSlot(asset);
    if (!(amount >= 0) || !Number.isFinite(amount))
      throw new VenueError(this.name, `bad credit amount ${amount}`);
    this.balances[i] += amount;
  }

  debit(asset: string, amount: number): void {
    const i = this.mk.balSlot(asset);
    if (!(amount >= 0) || !Number.isFinite(amount))
      throw new VenueError(this.name, `bad debit amount ${amount}`);
    if (i > 0 && this.coll) {
      this.measure(this.cursor.step);
      const free =
        this.balances[0] + this.mColl + this.mUpnl - this.mNotional / this.config.perp.max_leverage;
      this.coll.checkLeave(this.name, this.mk, i, amount, free, this.cursor.step);
    }
    this.takeBalance(i, amount, asset);
  }

  // ---- orders ------------------------------------------------------------------------------------------

  async execute(instruction: Instruction, ledger: Ledger): Promise<Fill> {
    switch (instruction.op) {
      case 'spot_buy':
      case 'spot_sell':
        return this.spot(instruction.op, instruction.base, instruction.quote, instruction.amount, ledger);
      case 'perp_open':
      case 'perp_close':
        return this.perp(
          instruction.op,
          instruction.symbol,
          instruction.side,
          instruction.size,
          ledger,
          instruction,
        );
      default:
        throw new VenueError(this.name, `cex does not execute '${instruction.op}' instructions`);
    }
  }

  private spot(
    op: 'spot_buy' | 'spot_sell',
    base: string,
    quote: string,
    amount: number,
    ledger: Ledger,
  ): Fill {
    const sym = base + quote;
    if (quote !== QUOTE) throw new VenueError(this.name, `spot trades are quoted in ${QUOTE}, not ${quote}`);
    const k = this.mk.spotSlot(sym);
    positive(this.name, op, amount);
    const price = this.mk.spotAt(k, this.cursor.step);
    const gross = amount * price;
    const fee = gross * this.spotFee;
    const b = this.mk.spotBase[k];
    if (op === 'spot_buy') {
      this.takeBalance(0, gross + fee, QUOTE);
      this.balances[b] += amount;
    } else {
      this.takeBalance(b, amount, base);
      this.balances[0] += gross - fee;
    }
    if (fee !== 0) ledger.book('trading_fees', QUOTE, -fee, this.name, sym);
    return { venue: this.name, op, amount, price, fee, feeAsset: QUOTE, gasEth: 0 };
  }

  private perp(
    op: 'perp_open' | 'perp_close',
    symbol: string,
    side: 'long' | 'short',
    qty: number,
    ledger: Ledger,
    bracket?: { stopLossPrice?: number; takeProfitPrice?: number },
  ): Fill {
    const k = this.mk.perpSlot(symbol);
    positive(this.name, op, qty);
    const step = this.cursor.step;
    const m = this.mk.markAt(k, step);
    const dir = side === 'long' ? 1 : -1;
    const s = this.size[k];
    const fee = qty * m * this.perpFee;
    if (op === 'perp_open') {
      if (s * dir < 0)
        throw new VenueError(
          this.name,
          `perp_open ${side} ${symbol}: a ${s > 0 ? 'long' : 'short'} is open (one-way mode); close it first`,
        );
      const next = s + dir * qty;
      const withBracket =
        bracket && (bracket.stopLossPrice !== undefined || bracket.takeProfitPrice !== undefined);
      const problem = withBracket
        ? bracketProblem(dir, bracket.stopLossPrice, bracket.takeProfitPrice, m)
        : null;
      if (problem) throw new VenueError(this.name, `perp_open ${side} ${symbol}: ${problem}`);
      this.measure(step);
      const margin = this.balances[0] + this.mColl + this.mUpnl;
      const required = (this.mNotional + qty * m) / this.config.perp.max_leverage;
      if (margin - fee < required) {
        throw new VenueError(
          this.name,
          `insufficient margin to open ${qty} ${symbol} ${side}: margin balance ${margin} − fee ${fee} < initial margin ${required}`,
        );
      }
      this.entry[k] = (Math.abs(s) * this.entry[k] + qty * m) / Math.abs(next);
      this.size[k] = next;
      this.balances[0] -= fee;
      if (withBracket) this.brackets.place(k, bracket.stopLossPrice, bracket.takeProfitPrice);
    } else {
      if (s * dir <= 0)
        throw new VenueError(this.name, `perp_close ${side} ${symbol}: no ${side} position (size ${s})`);
      let closed = qty;
      const open = Math.abs(s);
      if (qty > open) {
        if (qty - open > DUST_TOLERANCE * qty)
          throw new VenueError(this.name, `perp_close ${qty} ${symbol} exceeds the ${side} of ${open}`);
        closed = open;
      }
      const realised = dir * closed * (m - this.entry[k]);
      const full = closed === open;
      this.size[k] = full ? 0 : s - dir * closed;
      if (full) this.entry[k] = 0;
      if (full) this.brackets.cancel(k);
      this.balances[0] += realised - fee;
      qty = closed;
    }
    if (fee !== 0) ledger.book('trading_fees', QUOTE, -fee, this.name, symbol);
    return { venue: this.name, op, amount: qty, price: m, fee, feeAsset: QUOTE, gasEth: 0 };
  }

  // ---- clock -------------------------------------------------------------------------------------------

  settle(step: number, ledger: Ledger): void {
    // brackets hit inside the bar that just ended close before the funding timestamp at its end
    if (step > 0 && this.brackets.any()) settleBrackets(this.bracketHost, step, true, ledger);
    let open = false;
    for (let k = 0; k < this.size.length; k++) {
      const s = this.size[k];
      if (s === 0) continue;
      open = true;
      const rate = this.mk.funding[k][step];
      if (rate !== rate) continue; // NaN: no funding at this step
      const m = this.mk.markAt(k, step);
      const payment = -s * m * rate;
      this.balances[0] += payment;
      ledger.book('funding', QUOTE, payment, this.name, this.perpSymbols[k]);
      ledger.event('funding', {
        venue: this.name,
        symbol: this.perpSymbols[k],
        size: s,
        mark: m,
        rate,
        payment,
      });
    }
    if (!open) return;
    if (step > 0) {
      for (let k = 0; k < this.size.length; k++) {
        const s = this.size[k];
        if (s === 0) continue;
        const bar = s < 0 ? this.mk.high[k] : this.mk.low[k];
        if (bar === null) continue;
        const extreme = bar[step - 1];
        if (extreme !== extreme) continue;
        const lp = this.liquidationPrice(k, step);
        if (s < 0 ? extreme >= lp : extreme <= lp) {
          this.liquidateAccount(step, k, lp, s < 0 ? 'bar_high' : 'bar_low', ledger);
          return;
        }
      }
    }
    // a new bar that opens beyond a bracket level fills at that open
    if (this.brackets.any()) settleBrackets(this.bracketHost, step, false, ledger);
    this.measure(step);
    if (this.balances[0] + this.mColl + this.mUpnl <= this.mMm)
      this.liquidateAccount(step, -1, NaN, 'margin', ledger);
  }

  checkpoint(): VenueCheckpoint {
    return {
      balances: this.balances.slice(),
      size: this.size.slice(),
      entry: this.entry.slice(),
      brackets: this.brackets.checkpoint(),
      triggers: [...this.triggers],
    } satisfies CexCheckpoint;
  }

  restore(checkpoint: VenueCheckpoint): void {
    const c = checkpoint as CexCheckpoint;
    this.balances.set(c.balances);
    this.size.set(c.size);
    this.entry.set(c.entry);
    this.brackets.restore(c.brackets);
    this.triggers.splice(0, this.triggers.length, ...c.triggers);
  }

  // ---- internals ---------------------------------------------------------------------------------------

  /**
   * Binance one-way cross LP of position k, other positions held at their current marks: the price where
   * margin balance = maintenance margin, with the MMR and cum of the bracket of the position's notional at
   * that price (the bracket at the mark first; recomputed once when the LP falls in another bracket).
   */
  private liquidationPrice(k: number, step: number): number {
    let wb = this.balances[0];
    for (let j = 0; j < this.size.length; j++) {
      const s = this.size[j];
      if (j === k || s === 0) continue;
      const m = this.mk.markAt(j, step);
      wb += s * (m - this.entry[j]) - this.mk.maintenance(j, Math.abs(s) * m);
    }
    const q = Math.abs(this.size[k]);
    const ep = this.entry[k];
    const kc = this.coll ? this.coll.split(this.mk, this.balances, step, k) : 0;
    if (this.coll) wb += this.coll.fixed;
    const at = (b: number): number => {
      const mmr = this.mk.rateOf(k, b);
      const cum = this.mk.cumOf(k, b);
      if (this.size[k] < 0) {
        const den = q * (1 + mmr) - kc;
        return den > 0 ? (wb + cum + q * ep) / den : Infinity;
      }
      return (q * ep - wb - cum) / (q * (1 - mmr) + kc);
    };
    const b = this.mk.bracket(k, q * this.mk.markAt(k, step));
    const lp = at(b);
    if (!Number.isFinite(lp) || lp <= 0) return lp;
    const b2 = this.mk.bracket(k, q * lp);
    return b2 === b ? lp : at(b2);
  }

  private liquidateAccount(step: number, trigger: number, lp: number, reason: string, ledger: Ledger): void {
    this.measure(step);
    const equityAtMark = this.balances[0] + this.mUpnl;
    const collBefore = this.coll ? this.coll.marketUsdt(this.mk, this.balances, step) : 0;
    const positions: Record<string, unknown>[] = [];
    let mm = 0;
    for (let k = 0; k < this.size.length; k++) {
      const s = this.size[k];
      if (s === 0) continue;
      const m = this.mk.markAt(k, step);
      const price = k === trigger ? lp : m;
      this.balances[0] += s * (price - this.entry[k]);
      mm += this.mk.maintenance(k, Math.abs(s) * price);
      positions.push({
        symbol: this.perpSymbols[k],
        size: s,
        entryPrice: this.entry[k],
        closePrice: price,
        markPrice: m,
      });
      const t = this.cursor.data.timestampsMs;
      const barMs = t[k === trigger ? step - 1 : step];
      this.triggers[k] = {
        symbol: this.perpSymbols[k],
        reason: 'liquidation',
        price,
        size: s,
        barMs,
        timeMs: t[step],
        gap: false,
      };
      this.size[k] = 0;
      this.entry[k] = 0;
      this.brackets.cancel(k);
    }
    const remaining = this.balances[0];
    const forfeited = Math.max(0, Math.min(remaining + collBefore, mm));
    this.balances[0] = remaining - forfeited;
    if (this.coll && this.balances[0] < 0) this.coll.autoExchange(this.mk, this.balances, step);
    if (this.balances[0] < 0) this.balances[0] = 0; // the insurance fund absorbs the rest
    const collAfter = this.coll ? this.coll.marketUsdt(this.mk, this.balances, step) : 0;
    const loss = this.balances[0] + collAfter - equityAtMark - collBefore;
    ledger.book('liquidation', QUOTE, loss, this.name, reason);
    ledger.event('liquidation', {
      venue: this.name,
      trigger: reason,
      liquidationPrice: lp,
      positions,
      equityAtMark,
      forfeited,
      insuranceFundCover: Math.max(0, -remaining),
      loss,
      walletAfter: this.balances[0],
    });
  }

  /** Σ uPnL, Σ notional and Σ MM at current marks into the scratch fields. */
  private measure(step: number): void {
    const t = this.mk.measurePerps(this.size, this.entry, step, this.totals);
    this.mUpnl = t.upnl;
    this.mNotional = t.notional;
    this.mMm = t.mm;
    this.mColl = this.coll ? this.coll.valueUsdt(this.mk, this.balances, step) : 0;
  }

  /** Debits slot i; USDT only up to the withdrawable amount. Dust over the balance clears it to 0. */
  private takeBalance(i: number, amount: number, asset: string): void {
    const has = this.balances[i];
    const limit = i === 0 ? this.withdrawableUsdt() : has;
    if (amount > limit) {
      if (amount - limit > DUST_TOLERANCE * amount) {
        const why = limit < has ? ` (margin in use: withdrawable ${limit})` : '';
        throw new VenueError(this.name, `insufficient ${asset} balance: has ${has}, needs ${amount}${why}`);
      }
      amount = limit;
    }
    this.balances[i] = has - amount;
  }
}

function positive(venue: string, op: string, x: number): void {
  if (!(x > 0) || !Number.isFinite(x)) throw new VenueError(venue, `${op} amount must be > 0, got ${x}`);
}
