/**
 * The account side of a local exchange: wallets, one-way USDT-margined perps on cross margin, spot and
 * perp orders that fill at the current price, funding payments on a schedule, and a record of every
 * order submission so tests can check for duplicates on the server's side. Protocol adapters
 * (binance.ts, bybit.ts, okx.ts) translate requests into calls here and results into each exchange's JSON.
 */

export interface MarketSpec {
  /** Our symbol, e.g. BTCUSDT. */
  symbol: string;
  base: string;
  quote: string;
  /** Lot step of spot orders, base units. */
  spotStep: number;
  /** Lot step of perp orders, in contracts (base units × contractSize⁻¹). */
  perpStep: number;
  /** Base units per perp contract (OKX 0.01 BTC; 1 elsewhere). */
  contractSize: number;
  tickSize: number;
}

export interface BookOptions {
  name: string;
  markets: MarketSpec[];
  fees: { spot: { maker: number; taker: number }; perp: { maker: number; taker: number } };
  /** Maintenance margin rate per symbol. */
  mmr: Record<string, number>;
  /** 'split': Binance-like separate spot and futures wallets; 'unified': one account (Bybit UTA, OKX). */
  wallets: 'split' | 'unified';
  fundingIntervalMs: number;
  now: () => number;
}

export type OrderStatus = 'filled' | 'partially_filled_canceled' | 'new' | 'canceled' | 'rejected';

export interface BookOrder {
  id: string;
  clientId: string;
  market: 'spot' | 'perp';
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  /** Requested amount: base units for spot, contracts for perps. */
  amount: number;
  price: number;
  filled: number;
  average: number;
  /** Fee charged, in `feeAsset`. */
  fee: number;
  feeAsset: string;
  reduceOnly: boolean;
  status: OrderStatus;
  createdMs: number;
  updatedMs: number;
  realizedPnl: number;
}

export interface Income {
  id: number;
  symbol: string;
  kind: 'funding';
  amount: number;
  timeMs: number;
  rate: number;
}

export interface Position {
  /** Signed size in contracts; short < 0. */
  size: number;
  entry: number;
}

/** A refusal in the exchange's own terms; adapters map `reason` to the exchange's error code. */
export class BookReject extends Error {
  constructor(
    readonly reason:
      | 'insufficient_balance'
      | 'insufficient_margin'
      | 'reduce_only'
      | 'lot_size'
      | 'duplicate_client_id'
      | 'unknown_symbol'
      | 'position_mode'
      | 'not_found'
      | 'rejected',
    message: string,
  ) {
    super(message);
  }
}

export class Book {
  readonly spot = new Map<string, number>();
  /** Futures wallet (split) — the same map as `spot` for a unified account. */
  readonly futures: Map<string, number>;
  readonly positions = new Map<string, Position>();
  readonly leverage = new Map<string, number>();
  readonly marginMode = new Map<string, 'cross' | 'isolated'>();
  positionMode: 'oneway' | 'hedge' = 'hedge';
  readonly prices = new Map<string, { spot: number; perp: number }>();
  readonly fundingRate = new Map<string, number>();
  readonly nextFundingMs = new Map<string, number>();
  readonly orders: BookOrder[] = [];
  readonly incomes: Income[] = [];
  /** Every order submission by client id, duplicates included (a correct client submits each once). */
  readonly submissions = new Map<string, number>();
  readonly transfers: { asset: string; amount: number; from: string; to: string; timeMs: number }[] = [];
  private readonly byClient = new Map<string, BookOrder>();
  private readonly markets = new Map<string, MarketSpec>();
  private seq = 1000;

  constructor(readonly opts: BookOptions) {
    this.futures = opts.wallets === 'unified' ? this.spot : new Map();
    for (const m of opts.markets) {
      this.markets.set(m.symbol, m);
      this.leverage.set(m.symbol, 20);
      this.marginMode.set(m.symbol, 'isolated');
      this.fundingRate.set(m.symbol, 0.0001);
      const t = opts.now();
      this.nextFundingMs.set(m.symbol, Math.floor(t / opts.fundingIntervalMs + 1) * opts.fundingIntervalMs);
    }
  }

  market(symbol: string): MarketSpec {
    const m = this.markets.get(symbol);
    if (!m) throw new BookReject('unknown_symbol', `unknown symbol ${symbol}`);
    return m;
  }

  allMarkets(): MarketSpec[] {
    return [...this.markets.values()];
  }

  setPrice(symbol: string, spot: number, perp = spot): void {
    this.prices.set(symbol, { spot, perp });
  }

  price(symbol: string, market: 'spot' | 'perp'): number {
    const p = this.prices.get(symbol);
    if (!p) throw new BookReject('unknown_symbol', `no price for ${symbol}`);
    return market === 'spot' ? p.spot : p.perp;
  }

  fund(wallet: 'spot' | 'futures', asset: string, amount: number): void {
    const w = wallet === 'spot' ? this.spot : this.futures;
    w.set(asset, (w.get(asset) ?? 0) + amount);
  }

  balance(wallet: 'spot' | 'futures', asset: string): number {
    return (wallet === 'spot' ? this.spot : this.futures).get(asset) ?? 0;
  }

  /** Σ unrealised PnL, Σ notional and Σ maintenance margin of the open perps, USDT. */
  perpTotals(): { upnl: number; notional: number; mm: number; im: number } {
    let upnl = 0;
    let notional = 0;
    let mm = 0;
    let im = 0;
    for (const [symbol, p] of this.positions) {
      if (p.size === 0) continue;
      const m = this.market(symbol);
      const mark = this.price(symbol, 'perp');
      const base = p.size * m.contractSize;
      upnl += base * (mark - p.entry);
      const n = Math.abs(base) * mark;
      notional += n;
      mm += n * (this.opts.mmr[symbol] ?? 0.005);
      im += n / (this.leverage.get(symbol) ?? 1);
    }
    return { upnl, notional, mm, im };
  }

  /** USDT that may leave the margin account (or pay for spot on a unified account). */
  availableUsdt(): number {
    const wallet = this.futures.get('USDT') ?? 0;
    const t = this.perpTotals();
    return Math.max(0, Math.min(wallet, wallet + t.upnl - t.im));
  }

  position(symbol: string): Position {
    let p = this.positions.get(symbol);
    if (!p) {
      p = { size: 0, entry: 0 };
      this.positions.set(symbol, p);
    }
    return p;
  }

  findOrder(q: { id?: string; clientId?: string }): BookOrder | undefined {
    if (q.clientId !== undefined) return this.byClient.get(q.clientId);
    return this.orders.find((o) => o.id === q.id);
  }

  /** Applies funding for every funding time that has passed. */
  advance(): void {
    const now = this.opts.now();
    for (const m of this.markets.values()) {
      let next = this.nextFundingMs.get(m.symbol)!;
      while (next <= now) {
        const p = this.positions.get(m.symbol);
        const rate = this.fundingRate.get(m.symbol) ?? 0;
        if (p && p.size !== 0) {
          const mark = this.price(m.symbol, 'perp');
          const payment = -p.size * m.contractSize * mark * rate;
          this.futures.set('USDT', (this.futures.get('USDT') ?? 0) + payment);
          this.incomes.push({
            id: this.incomes.length + 1,
            symbol: m.symbol,
            kind: 'funding',
            amount: payment,
            timeMs: next,
            rate,
          });
        }
        next += this.opts.fundingIntervalMs;
      }
      this.nextFundingMs.set(m.symbol, next);
    }
  }

  transfer(asset: string, amount: number, from: 'spot' | 'futures', to: 'spot' | 'futures'): void {
    const src = from === 'spot' ? this.spot : this.futures;
    const dst = to === 'spot' ? this.spot : this.futures;
    const limit = from === 'futures' && asset === 'USDT' ? this.availableUsdt() : (src.get(asset) ?? 0);
    if (!(amount > 0) || amount > limit + 1e-9)
      throw new BookReject('insufficient_balance', `cannot transfer ${amount} ${asset}: ${limit} available`);
    src.set(asset, (src.get(asset) ?? 0) - amount);
    dst.set(asset, (dst.get(asset) ?? 0) + amount);
    this.transfers.push({ asset, amount, from, to, timeMs: this.opts.now() });
  }

  /**
   * Places an order; `fillFraction` < 1 fills only part of it (the rest is cancelled, like an IOC order
   * meeting too little liquidity). Throws BookReject; a duplicate client id is recorded and refused.
   */
  place(
    req: {
      market: 'spot' | 'perp';
      symbol: string;
      side: 'buy' | 'sell';
      type: 'market' | 'limit';
      amount: number;
      price?: number;
      reduceOnly: boolean;
      clientId: string;
    },
    fillFraction = 1,
  ): BookOrder {
    this.advance();
    this.submissions.set(req.clientId, (this.submissions.get(req.clientId) ?? 0) + 1);
    if (this.byClient.has(req.clientId))
      throw new BookReject('duplicate_client_id', `client order id ${req.clientId} is duplicated`);
    const m = this.market(req.symbol);
    const step = req.market === 'spot' ? m.spotStep : m.perpStep;
    const lots = Math.round(req.amount / step);
    if (!(req.amount > 0) || Math.abs(lots * step - req.amount) > step * 1e-6 || lots < 1)
      throw new BookReject('lot_size', `quantity ${req.amount} is not a multiple of the step ${step}`);
    const price = this.price(req.symbol, req.market);
    const amount = lots * step;
    let fillLots = fillFraction >= 1 ? lots : Math.floor(lots * fillFraction);
    if (fillLots < 1) fillLots = 1;
    const filled = fillLots * step;
    const now = this.opts.now();
    const order: BookOrder = {
      id: String(++this.seq),
      clientId: req.clientId,
      market: req.market,
      symbol: req.symbol,
      side: req.side,
      type: req.type,
      amount,
      price: req.price ?? price,
      filled: 0,
      average: 0,
      fee: 0,
      feeAsset: 'USDT',
      reduceOnly: req.reduceOnly,
      status: 'new',
      createdMs: now,
      updatedMs: now,
      realizedPnl: 0,
    };
    if (req.market === 'spot') this.fillSpot(order, m, filled, price);
    else this.fillPerp(order, m, filled, price);
    order.status = filled < amount ? 'partially_filled_canceled' : 'filled';
    this.orders.push(order);
    this.byClient.set(order.clientId, order);
    return order;
  }

  private fillSpot(o: BookOrder, m: MarketSpec, qty: number, price: number): void {
    const fees = this.opts.fees.spot[o.type === 'market' ? 'taker' : 'maker'];
    const cost = qty * price;
    if (o.side === 'buy') {
      const has = this.opts.wallets === 'unified' ? this.availableUsdt() : (this.spot.get(m.quote) ?? 0);
      if (cost > has + 1e-9)
        throw new BookReject('insufficient_balance', `insufficient ${m.quote}: has ${has}, needs ${cost}`);
      const fee = qty * fees;
      this.spot.set(m.quote, (this.spot.get(m.quote) ?? 0) - cost);
      this.spot.set(m.base, (this.spot.get(m.base) ?? 0) + qty - fee);
      o.fee = fee;
      o.feeAsset = m.base;
    } else {
      const has = this.spot.get(m.base) ?? 0;
      if (qty > has + 1e-12)
        throw new BookReject('insufficient_balance', `insufficient ${m.base}: has ${has}, needs ${qty}`);
      const fee = cost * fees;
      this.spot.set(m.base, has - qty);
      this.spot.set(m.quote, (this.spot.get(m.quote) ?? 0) + cost - fee);
      o.fee = fee;
      o.feeAsset = m.quote;
    }
    o.filled = qty;
    o.average = price;
  }

  private fillPerp(o: BookOrder, m: MarketSpec, contracts: number, price: number): void {
    if (this.positionMode !== 'oneway')
      throw new BookReject('position_mode', 'order without positionSide is refused in hedge mode');
    const p = this.position(o.symbol);
    const dir = o.side === 'buy' ? 1 : -1;
    const feeRate = this.opts.fees.perp[o.type === 'market' ? 'taker' : 'maker'];
    const base = contracts * m.contractSize;
    const fee = base * price * feeRate;
    if (o.reduceOnly && !(p.size * dir < 0 && contracts <= Math.abs(p.size) + 1e-12))
      throw new BookReject(
        'reduce_only',
        `reduce-only ${o.side} ${contracts} does not reduce position ${p.size}`,
      );
    const closing = p.size * dir < 0 ? Math.min(contracts, Math.abs(p.size)) : 0;
    const opening = contracts - closing;
    if (opening > 0) {
      const t = this.perpTotals();
      const wallet = this.futures.get('USDT') ?? 0;
      const im = t.im + (opening * m.contractSize * price) / (this.leverage.get(o.symbol) ?? 1);
      if (wallet + t.upnl - fee < im)
        throw new BookReject(
          'insufficient_margin',
          `margin is insufficient: ${wallet + t.upnl} < ${im + fee}`,
        );
    }
    let realized = 0;
    if (closing > 0) {
      realized = -dir * closing * m.contractSize * (price - p.entry);
      p.size += dir * closing;
      if (Math.abs(p.size) < 1e-12) {
        p.size = 0;
        p.entry = 0;
      }
    }
    if (opening > 0) {
      const next = p.size + dir * opening;
      p.entry = (Math.abs(p.size) * p.entry + opening * price) / Math.abs(next);
      p.size = next;
    }
    this.futures.set('USDT', (this.futures.get('USDT') ?? 0) + realized - fee);
    o.filled = contracts;
    o.average = price;
    o.fee = fee;
    o.feeAsset = 'USDT';
    o.realizedPnl = realized;
  }

  /** Orders accepted per client id: more than one means a duplicate order. */
  duplicateOrders(): string[] {
    const seen = new Map<string, number>();
    for (const o of this.orders) seen.set(o.clientId, (seen.get(o.clientId) ?? 0) + 1);
    return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  }

  /** Client ids submitted more than once (each refused after the first, but a correct client never resends). */
  resubmitted(): string[] {
    return [...this.submissions].filter(([, n]) => n > 1).map(([id]) => id);
  }
}
