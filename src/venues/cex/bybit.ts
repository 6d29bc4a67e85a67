/**
 * Bybit V5, unified trading account (UTA): spot and USDT linear perpetuals share one account, so the
 * wallet balance of USDT is both the spot cash and the perps' cross margin. Orders are acknowledged
 * without fills; the fill, average price and fee are read back from the order endpoint.
 *
 * Endpoints: https://bybit-exchange.github.io/docs/v5/intro
 */
import type { Exchange, pro } from 'ccxt';
import { z } from 'zod';
import { VenueError } from '../../domain/errors.js';
import { CcxtApiBase } from './api-base.js';
import { formatAmount, num, parsePayload } from './payload.js';
import type {
  AccountSnapshot,
  CexApi,
  CexMarketKind,
  FundingInfo,
  FundingPayment,
  FundingRateRecord,
  OrderReport,
  OrderRequest,
  OrderState,
} from './types.js';

type BybitEx = InstanceType<(typeof pro)['bybit']>;

const envelope = <T extends z.ZodTypeAny>(result: T) => z.object({ retCode: z.number(), result });
const Wallet = envelope(
  z.object({
    list: z.array(z.object({ coin: z.array(z.object({ coin: z.string(), walletBalance: num })) })),
  }),
);
const Positions = envelope(
  z.object({
    list: z.array(
      z.object({ symbol: z.string(), side: z.string(), size: num, avgPrice: num, positionIdx: z.number() }),
    ),
  }),
);
const Ack = envelope(z.object({ orderId: z.string(), orderLinkId: z.string() }));
const OrderRow = z.object({
  orderId: z.string(),
  orderLinkId: z.string(),
  side: z.string(),
  orderStatus: z.string(),
  qty: num,
  cumExecQty: num,
  avgPrice: num,
  cumExecFee: num,
});
const Orders = envelope(z.object({ list: z.array(OrderRow) }));
const Tickers = envelope(
  z.object({
    list: z.array(
      z.object({
        symbol: z.string(),
        lastPrice: num,
        markPrice: num.optional(),
        fundingRate: num.optional(),
        nextFundingTime: num.optional(),
      }),
    ),
  }),
);
const FundingHistory = envelope(
  z.object({ list: z.array(z.object({ fundingRate: num, fundingRateTimestamp: num })) }),
);
const TransactionLog = envelope(
  z.object({
    list: z.array(
      z.object({ id: z.string(), symbol: z.string(), type: z.string(), change: num, transactionTime: num }),
    ),
  }),
);
const Generic = z.object({ retCode: z.number() });

const STATES: Record<string, OrderState> = {
  New: 'open',
  PartiallyFilled: 'open',
  Untriggered: 'open',
  Filled: 'filled',
  Cancelled: 'canceled',
  PartiallyFilledCanceled: 'canceled',
  Deactivated: 'canceled',
  Rejected: 'rejected',
};

export class BybitApi extends CcxtApiBase implements CexApi {
  private readonly b: BybitEx;

  constructor(venue: string, ex: Exchange) {
    super(venue, ex);
    this.b = ex as BybitEx;
    // 10000: server timeout; 10016: system error — the order's status must be checked.
    this.unknownCodes = ['10000', '10016'];
  }

  private category(market: CexMarketKind): 'spot' | 'linear' {
    return market === 'spot' ? 'spot' : 'linear';
  }

  async configure(perpSymbols: readonly string[], leverage: number): Promise<void> {
    await this.noChange('set cross margin', ['110026', '3400045'], () =>
      this.b.privatePostV5AccountSetMarginMode({ setMarginMode: 'REGULAR_MARGIN' }),
    );
    await this.noChange('set one-way position mode', ['110025'], () =>
      this.b.privatePostV5PositionSwitchMode({ category: 'linear', coin: 'USDT', mode: 0 }),
    );
    const lev = String(Math.max(1, Math.ceil(leverage)));
    for (const s of perpSymbols) {
      const symbol = this.marketId('perp', s);
      await this.noChange('set leverage', ['110043'], () =>
        this.b.privatePostV5PositionSetLeverage({
          category: 'linear',
          symbol,
          buyLeverage: lev,
          sellLeverage: lev,
        }),
      );
    }
  }

  /** A setting call whose "not modified" answer means it is already as wanted. */
  private async noChange(what: string, codes: string[], fn: () => Promise<unknown>): Promise<void> {
    try {
      parsePayload(this.venue, what, Generic, await this.call(what, false, fn));
    } catch (err) {
      if (err instanceof VenueError && codes.some((c) => err.message.includes(c))) return;
      throw err;
    }
  }

  async account(spotAssets: readonly string[], perpSymbols: readonly string[]): Promise<AccountSnapshot> {
    const [walletRaw, posRaw] = await this.all([
      this.call('read wallet', false, () =>
        this.b.privateGetV5AccountWalletBalance({ accountType: 'UNIFIED' }),
      ),
      this.call('read positions', false, () =>
        this.b.privateGetV5PositionList({ category: 'linear', settleCoin: 'USDT' }),
      ),
    ]);
    const wallet = parsePayload(this.venue, 'wallet', Wallet, walletRaw);
    const pos = parsePayload(this.venue, 'positions', Positions, posRaw);
    const balances: Record<string, number> = { USDT: 0 };
    for (const a of spotAssets) balances[a] = 0;
    for (const acct of wallet.result.list)
      for (const c of acct.coin) if (c.coin in balances) balances[c.coin] += c.walletBalance;
    const perps: AccountSnapshot['perps'] = {};
    for (const s of perpSymbols) {
      const id = this.marketId('perp', s);
      const p = pos.result.list.find((x) => x.symbol === id && x.positionIdx === 0 && x.size > 0);
      perps[s] = p
        ? { size: p.side === 'Sell' ? -p.size : p.size, entry: p.avgPrice }
        : { size: 0, entry: 0 };
    }
    return { balances, perps, timeMs: Date.now() };
  }

  async submit(req: OrderRequest): Promise<OrderReport> {
    const lot = this.lot(req.market, req.symbol);
    const params: Record<string, string | boolean> = {
      category: this.category(req.market),
      symbol: this.marketId(req.market, req.symbol),
      side: req.side === 'buy' ? 'Buy' : 'Sell',
      orderType: req.type === 'market' ? 'Market' : 'Limit',
      qty: formatAmount(req.amount, lot.step),
      orderLinkId: req.clientId,
    };
    if (req.market === 'spot' && req.type === 'market') params.marketUnit = 'baseCoin';
    if (req.type === 'limit') {
      params.price = String(req.price);
      params.timeInForce = 'GTC';
    } else params.timeInForce = 'IOC';
    if (req.reduceOnly) params.reduceOnly = true;
    const raw = await this.call('place order', true, () => this.b.privatePostV5OrderCreate(params));
    parsePayload(this.venue, 'order ack', Ack, raw, true);
    // The acknowledgement carries no fill: read the order back (a failure here is an unknown outcome).
    return this.readBack(req.clientId, () => this.find(req.clientId, req.market, req.symbol, true));
  }

  async lookup(clientId: string, market: CexMarketKind, symbol: string): Promise<OrderReport | null> {
    return this.find(clientId, market, symbol, false);
  }

  private async find(
    clientId: string,
    market: CexMarketKind,
    symbol: string,
    mutating: boolean,
  ): Promise<OrderReport | null> {
    const params = {
      category: this.category(market),
      symbol: this.marketId(market, symbol),
      orderLinkId: clientId,
    };
    for (const endpoint of ['realtime', 'history'] as const) {
      const raw = await this.call('look up order', mutating, () =>
        endpoint === 'realtime'
          ? this.b.privateGetV5OrderRealtime(params)
          : this.b.privateGetV5OrderHistory(params),
      );
      const row = parsePayload(this.venue, 'order', Orders, raw, mutating).result.list.find(
        (o) => o.orderLinkId === clientId,
      );
      if (row) return this.report(market, symbol, row);
    }
    return null;
  }

  private report(market: CexMarketKind, symbol: string, o: z.infer<typeof OrderRow>): OrderReport {
    const base = symbol.slice(0, -4);
    // Bybit charges spot purchases in the coin bought and spot sales in USDT; perps in USDT.
    return {
      clientId: o.orderLinkId,
      orderId: o.orderId,
      state: STATES[o.orderStatus] ?? 'open',
      amount: o.qty,
      filled: o.cumExecQty,
      average: o.cumExecQty > 0 ? o.avgPrice : Number.NaN,
      fee: o.cumExecFee,
      feeAsset: market === 'spot' && o.side === 'Buy' ? base : 'USDT',
    };
  }

  async cancel(clientId: string, market: CexMarketKind, symbol: string): Promise<OrderReport | null> {
    try {
      await this.call('cancel order', true, () =>
        this.b.privatePostV5OrderCancel({
          category: this.category(market),
          symbol: this.marketId(market, symbol),
          orderLinkId: clientId,
        }),
      );
    } catch (err) {
      if (!(err instanceof VenueError && /110001|170213/.test(err.message))) throw err;
    }
    return this.lookup(clientId, market, symbol);
  }

  async fundingPayments(perpSymbols: readonly string[], sinceMs: number): Promise<FundingPayment[]> {
    const raw = await this.call('read funding settlements', false, () =>
      this.b.privateGetV5AccountTransactionLog({
        accountType: 'UNIFIED',
        category: 'linear',
        type: 'SETTLEMENT',
        startTime: Math.floor(sinceMs) + 1,
        limit: 50,
      }),
    );
    const ids = new Map(perpSymbols.map((s) => [this.marketId('perp', s), s]));
    return parsePayload(this.venue, 'transaction log', TransactionLog, raw)
      .result.list.filter((r) => ids.has(r.symbol) && r.transactionTime > sinceMs)
      .map((r) => ({ id: r.id, symbol: ids.get(r.symbol)!, amount: r.change, timeMs: r.transactionTime }))
      .sort((a, b) => a.timeMs - b.timeMs);
  }

  private async ticker(
    market: CexMarketKind,
    symbol: string,
  ): Promise<z.infer<typeof Tickers>['result']['list'][number]> {
    const raw = await this.call('read ticker', false, () =>
      this.b.publicGetV5MarketTickers({
        category: this.category(market),
        symbol: this.marketId(market, symbol),
      }),
    );
    const t = parsePayload(this.venue, 'ticker', Tickers, raw).result.list[0];
    if (!t) throw new VenueError(this.venue, `no ticker for ${symbol}`, true, 'transient');
    return t;
  }

  async funding(symbol: string): Promise<FundingInfo> {
    const t = await this.ticker('perp', symbol);
    return {
      rate: t.fundingRate ?? Number.NaN,
      nextFundingMs: t.nextFundingTime ?? Number.NaN,
      markPrice: t.markPrice ?? t.lastPrice,
    };
  }

  async fundingHistory(symbol: string, sinceMs: number): Promise<FundingRateRecord[]> {
    const raw = await this.call('read funding history', false, () =>
      this.b.publicGetV5MarketFundingHistory({
        category: 'linear',
        symbol: this.marketId('perp', symbol),
        startTime: sinceMs,
        limit: 200,
      }),
    );
    return parsePayload(this.venue, 'funding history', FundingHistory, raw)
      .result.list.map((r) => ({ rate: r.fundingRate, timeMs: r.fundingRateTimestamp }))
      .sort((a, b) => a.timeMs - b.timeMs);
  }

  async lastPrice(market: CexMarketKind, symbol: string): Promise<number> {
    return (await this.ticker(market, symbol)).lastPrice;
  }
}
