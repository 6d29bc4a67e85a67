/**
 * LiveCex: the CexVenue of a real exchange (testnet or live) on top of an exchange API (binance.ts,
 * bybit.ts, okx.ts). Views are synchronous, kept in memory and refreshed from the exchange before each
 * tick (`refresh`) and after each fill (`applyFills`); prices come from the run's market-data grid, like
 * the simulated venue's, so both are valued the same way.
 *
 * Allocation: the run owns only part of an exchange account. What the account held when the run first
 * started is its `reserve` (unallocated); the run's balance of an asset is the account balance minus the
 * reserve. A transfer between a simulated venue and this one (`credit` / `debit`) moves allocation, not
 * money: it is allowed only when the environment permits book transfers (testnet), and never beyond the
 * reserve or the run's free margin. Perp positions are the run's entirely: an open position on a traded
 * symbol at first start is refused (docs/live.md).
 */
import type { CexVenueConfig } from '../../config/schema.js';
import { VenueError } from '../../domain/errors.js';
import { positionKey, type Instruction, type PositionKey } from '../../domain/types.js';
import { CexMarket, QUOTE } from '../simulated/cex-market.js';
import type { MarketCursor } from '../../data/cursor.js';
import type { CexAccountView, Fill, Ledger, PerpPositionView, VenueCheckpoint } from '../types.js';
import { orderForInstruction } from './orders.js';
import type { CexApi, FundingPayment, LiveCexState, OrderReport, OrderRequest, OrderVenue } from './types.js';

export type { LiveCexState } from './types.js';

export interface LiveCexOptions {
  orderType: 'taker' | 'maker';
  symbols: { spot: string[]; perp: string[] };
  /** Whether `credit` / `debit` may move allocation to and from simulated venues. */
  bookTransfers: boolean;
  /** Funding payments are read at most this often, ms (they settle every few hours). */
  fundingPollMs: number;
  now: () => number;
}

export class LiveCex implements OrderVenue {
  readonly kind = 'cex' as const;
  readonly positionKeys: readonly PositionKey[];
  readonly balanceAssets: readonly string[];
  readonly perpSymbols: readonly string[];
  readonly spotSymbols: readonly string[];
  private readonly mk: CexMarket;
  private readonly actual: Float64Array;
  private readonly reserve: Float64Array;
  private readonly size: Float64Array;
  private readonly entry: Float64Array;
  private pendingFunding: FundingPayment[] = [];
  private fundingCursorMs: number;
  private fundingPolledMs = Number.NEGATIVE_INFINITY;
  /** True until the first successful refresh, and again whenever a refresh fails. */
  stale = true;
  lastRefreshMs = 0;

  constructor(
    readonly name: string,
    private readonly config: CexVenueConfig,
    private readonly cursor: MarketCursor,
    readonly api: CexApi,
    private readonly opts: LiveCexOptions,
  ) {
    this.mk = new CexMarket(name, config, cursor, opts.symbols);
    this.balanceAssets = this.mk.balanceAssets;
    this.perpSymbols = this.mk.perpSymbols;
    this.spotSymbols = this.mk.spotSymbols;
    this.actual = new Float64Array(this.balanceAssets.length);
    this.reserve = new Float64Array(this.balanceAssets.length);
    this.size = new Float64Array(this.perpSymbols.length);
    this.entry = new Float64Array(this.perpSymbols.length);
    this.positionKeys = [
      ...this.balanceAssets.map((a) => positionKey(name, 'BaseToken', a)),
      ...this.perpSymbols.map((s) => positionKey(name, 'Perp', s)),
    ];
    this.fundingCursorMs = opts.now();
  }

  // ---- state -----------------------------------------------------------------------------------------

  /** Reads balances, positions and new funding payments from the exchange. Throws VenueError. */
  async refresh(): Promise<void> {
    try {
      const snap = await this.api.account(this.balanceAssets.slice(1), this.perpSymbols);
      const now = this.opts.now();
      const poll = this.perpSymbols.length > 0 && now - this.fundingPolledMs >= this.opts.fundingPollMs;
      const funding = poll ? await this.api.fundingPayments(this.perpSymbols, this.fundingCursorMs) : [];
      if (poll) this.fundingPolledMs = now;
      this.balanceAssets.forEach((a, i) => (this.actual[i] = snap.balances[a] ?? 0));
      this.perpSymbols.forEach((s, k) => {
        this.size[k] = snap.perps[s]?.size ?? 0;
        this.entry[k] = snap.perps[s]?.entry ?? 0;
      });
      const seen = new Set(this.pendingFunding.map((f) => f.id));
      for (const f of funding) {
        if (seen.has(f.id)) continue;
        this.pendingFunding.push(f);
        this.fundingCursorMs = Math.max(this.fundingCursorMs, f.timeMs);
      }
      this.stale = false;
      this.lastRefreshMs = this.opts.now();
    } catch (err) {
      this.stale = true;
      throw err;
    }
  }

  /** Books the funding the exchange paid since the last call (source `funding`) and logs each payment. */
  bookFunding(ledger: Ledger): FundingPayment[] {
    const out = this.pendingFunding;
    this.pendingFunding = [];
    for (const f of out) {
      ledger.book('funding', QUOTE, f.amount, this.name, f.symbol);
      ledger.event('funding', { venue: this.name, symbol: f.symbol, payment: f.amount, exchangeId: f.id });
    }
    return out;
  }

  /** The account balances as the exchange reports them (allocation ignored). */
  accountBalances(): Record<string, number> {
    return Object.fromEntries(this.balanceAssets.map((a, i) => [a, this.actual[i]]));
  }

  perpSizes(): Record<string, number> {
    return Object.fromEntries(this.perpSymbols.map((s, k) => [s, this.size[k]]));
  }

  /** Allocation state for the journal. */
  state(): LiveCexState {
    return {
      reserve: Object.fromEntries(this.balanceAssets.map((a, i) => [a, this.reserve[i]])),
      fundingCursorMs: this.fundingCursorMs,
    };
  }

  restoreState(s: LiveCexState): void {
    this.balanceAssets.forEach((a, i) => (this.reserve[i] = s.reserve[a] ?? 0));
    this.fundingCursorMs = s.fundingCursorMs;
  }

  /** Sets one-way position mode, cross margin and the mode's leverage on the traded perps. */
  async configure(leverage: number): Promise<void> {
    if (this.perpSymbols.length > 0) await this.api.configure(this.perpSymbols, leverage);
  }

  /** First start: everything the account holds is reserve; open perps on traded symbols are refused. */
  adoptBaseline(): void {
    this.perpSymbols.forEach((s, k) => {
      if (this.size[k] !== 0)
        throw new VenueError(
          this.name,
          `the account has an open ${s} perp position (size ${this.size[k]}) that this run did not open; close it or use another account`,
        );
    });
    this.reserve.set(this.actual);
  }

  // ---- reads -----------------------------------------------------------------------------------------

  feeRate(market: 'spot' | 'perp', orderType: 'maker' | 'taker'): number {
    return this.config.fees[market][orderType];
  }

  markPrice(symbol: string): number {
    return this.mk.markOf(symbol, this.cursor.step);
  }

  spotPrice(symbol: string): number {
    return this.mk.spotOf(symbol, this.cursor.step);
  }

  balanceOf(asset: string): number {
    if (!this.mk.hasBalance(asset)) return 0;
    const i = this.mk.balSlot(asset);
    return this.actual[i] - this.reserve[i];
  }

  perpPosition(symbol: string): PerpPositionView {
    const k = this.mk.perpSlot(symbol);
    const s = this.size[k];
    if (s === 0) return this.mk.perpView(k, 0, this.entry[k], this.cursor.step, NaN);
    const m = this.mk.markAt(k, this.cursor.step);
    const acct = this.measure();
    const q = Math.abs(s);
    // the bracket of the position's notional at the mark (maintenance = notional × MMR − cum)
    const b = this.mk.bracket(k, q * m);
    const mmr = this.mk.rateOf(k, b);
    const cum = this.mk.cumOf(k, b);
    // Binance one-way cross: the other positions' PnL and maintenance margin move the LP
    const others = acct.margin - s * (m - this.entry[k]) - (acct.mm - this.mk.maintenance(k, q * m));
    const lp =
      s < 0
        ? (others + cum + q * this.entry[k]) / (q * (1 + mmr))
        : (q * this.entry[k] - others - cum) / (q * (1 - mmr));
    return this.mk.perpView(k, s, this.entry[k], this.cursor.step, lp);
  }

  account(): CexAccountView {
    const a = this.measure();
    return {
      walletBalanceUsdt: a.wallet,
      marginBalanceUsdt: a.margin,
      positionNotionalUsdt: a.notional,
      maintenanceMarginUsdt: a.mm,
      marginRatio: a.notional > 0 ? a.margin / a.notional : Infinity,
      unrealizedPnlUsdt: a.margin - a.wallet,
    };
  }

  readPositions(out: Float64Array, offset: number): void {
    const nb = this.actual.length;
    for (let i = 0; i < nb; i++) out[offset + i] = this.actual[i] - this.reserve[i];
    for (let k = 0; k < this.size.length; k++) out[offset + nb + k] = this.size[k];
  }

  private measure(): { wallet: number; margin: number; notional: number; mm: number } {
    const t = this.mk.measurePerps(this.size, this.entry, this.cursor.step, { upnl: 0, notional: 0, mm: 0 });
    const wallet = this.actual[0] - this.reserve[0];
    return { wallet, margin: wallet + t.upnl, notional: t.notional, mm: t.mm };
  }

  // ---- allocation (book transfers) -------------------------------------------------------------------

  credit(asset: string, amount: number): void {
    this.checkBook(asset, amount);
    const i = this.mk.balSlot(asset);
    if (amount > this.reserve[i] + 1e-9)
      throw new VenueError(
        this.name,
        `cannot allocate ${amount} ${asset}: the account has only ${this.reserve[i]} unallocated`,
      );
    this.reserve[i] = Math.max(0, this.reserve[i] - amount);
  }

  debit(asset: string, amount: number): void {
    this.checkBook(asset, amount);
    const i = this.mk.balSlot(asset);
    const a = this.measure();
    const free =
      i === 0
        ? Math.max(0, Math.min(a.wallet, a.margin - a.notional / this.config.perp.max_leverage))
        : this.actual[i] - this.reserve[i];
    if (amount > free + 1e-9 * Math.max(1, amount))
      throw new VenueError(this.name, `insufficient ${asset} allocation: has ${free}, needs ${amount}`);
    this.reserve[i] += Math.min(amount, free);
  }

  private checkBook(asset: string, amount: number): void {
    if (!this.opts.bookTransfers)
      throw new VenueError(
        this.name,
        `transfers of ${asset} to or from a simulated venue are not possible in this environment (book transfers are testnet only)`,
      );
    if (!(amount >= 0) || !Number.isFinite(amount)) throw new VenueError(this.name, `bad amount ${amount}`);
  }

  checkpoint(): VenueCheckpoint {
    return { reserve: this.reserve.slice() };
  }

  restore(c: VenueCheckpoint): void {
    this.reserve.set((c as { reserve: Float64Array }).reserve);
  }

  // ---- orders ----------------------------------------------------------------------------------------

  /** The exchange order for an instruction, amount rounded down to the lot step. Throws VenueError. */
  orderFor(i: Instruction, clientId: string): OrderRequest {
    return orderForInstruction(i, clientId, {
      venue: this.name,
      orderType: this.opts.orderType,
      openPerp: (symbol) => Math.abs(this.size[this.mk.perpSlot(symbol)]),
      checkSpot: (symbol) => void this.mk.spotSlot(symbol),
      price: (market, symbol) => (market === 'spot' ? this.spotPrice(symbol) : this.markPrice(symbol)),
      lot: (market, symbol) => this.api.lot(market, symbol),
    });
  }

  /** Sends an order (spot purchases first make the USDT available where the exchange needs it). */
  async submit(req: OrderRequest): Promise<OrderReport> {
    if (req.market === 'spot' && req.side === 'buy' && this.api.prepareSpotBuy)
      await this.api.prepareSpotBuy(req.amount * this.spotPrice(req.symbol) * 1.01);
    return this.api.submit(req);
  }

  /** The exchange's record of an order, or null when it never reached the book. */
  lookup(req: OrderRequest): Promise<OrderReport | null> {
    return this.api.lookup(req.clientId, req.market, req.symbol);
  }

  cancel(req: OrderRequest): Promise<OrderReport | null> {
    return this.api.cancel(req.clientId, req.market, req.symbol);
  }

  /** After a spot sale on a split-wallet exchange, returns its USDT to the margin wallet. */
  async afterFill(req: OrderRequest): Promise<void> {
    if (req.market === 'spot' && req.side === 'sell' && this.api.sweepSpotUsdt)
      await this.api.sweepSpotUsdt();
  }

  /**
   * Updates the view with the fills of one instruction (the next refresh confirms it from the exchange),
   * books fees and the difference between fill and valuation prices, and returns the Fill.
   */
  applyFills(i: Instruction, req: OrderRequest, reports: OrderReport[], ledger: Ledger): Fill {
    let qty = 0;
    let notional = 0;
    const fees = new Map<string, number>();
    for (const r of reports) {
      if (!(r.filled > 0)) continue;
      qty += r.filled;
      notional += r.filled * r.average;
      if (r.fee !== 0) fees.set(r.feeAsset, (fees.get(r.feeAsset) ?? 0) + r.fee);
    }
    const avg = qty > 0 ? notional / qty : Number.NaN;
    const dir = req.side === 'buy' ? 1 : -1;
    if (qty > 0) {
      if (req.market === 'spot') {
        const b = this.mk.spotBase[this.mk.spotSlot(req.symbol)];
        this.actual[b] += dir * qty;
        this.actual[0] -= dir * notional;
      } else {
        const k = this.mk.perpSlot(req.symbol);
        const s = this.size[k];
        const closing = s * dir < 0 ? Math.min(qty, Math.abs(s)) : 0;
        this.actual[0] += -dir * closing * (avg - this.entry[k]);
        let next = s + dir * closing;
        if (Math.abs(next) < 1e-12) next = 0;
        const opening = qty - closing;
        if (opening > 0)
          this.entry[k] = (Math.abs(next) * this.entry[k] + opening * avg) / Math.abs(next + dir * opening);
        next += dir * opening;
        if (next === 0) this.entry[k] = 0;
        this.size[k] = next;
      }
      const ref = req.market === 'spot' ? this.spotPrice(req.symbol) : this.markPrice(req.symbol);
      ledger.book('price', QUOTE, dir * qty * (ref - avg), this.name, 'fill vs valuation price');
    }
    let feeUsdt = 0;
    let feeAsset = QUOTE;
    for (const [asset, fee] of fees) {
      if (this.mk.hasBalance(asset)) this.actual[this.mk.balSlot(asset)] -= fee;
      ledger.book('trading_fees', asset, -fee, this.name, req.symbol);
      feeAsset = asset;
      feeUsdt += asset === QUOTE ? fee : fee * (avg > 0 ? avg : 0);
    }
    const feeOut = fees.size === 1 ? [...fees.values()][0] : feeUsdt;
    if (fees.size > 1) feeAsset = QUOTE;
    return { venue: this.name, op: i.op, amount: qty, price: avg, fee: feeOut, feeAsset, gasEth: 0 };
  }

  /** Plain execution without retries or lookups: one attempt with a client id from `clientId`. */
  async execute(
    i: Instruction,
    ledger: Ledger,
    clientId = `b${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`,
  ): Promise<Fill> {
    const req = this.orderFor(i, clientId);
    const report = await this.submit(req);
    const fill = this.applyFills(i, req, [report], ledger);
    await this.afterFill(req);
    return fill;
  }
}
