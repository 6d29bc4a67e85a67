/**
 * Binance: spot (api/v3) and USDⓈ-M perpetuals (fapi). Spot and futures are separate wallets: the USDT
 * balance we report is spot USDT + the futures wallet balance; spot purchases draw USDT from the futures
 * wallet first (`prepareSpotBuy`) and sales return it (`sweepSpotUsdt`) when the environment allows
 * transfers between them (`wallet_transfers`; the spot and futures testnets are separate systems).
 *
 * Endpoints: https://developers.binance.com/docs/binance-spot-api-docs/rest-api,
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/general-info
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

type BinanceEx = InstanceType<(typeof pro)['binance']>;

const SpotAccount = z.object({
  balances: z.array(z.object({ asset: z.string(), free: num, locked: num })),
});
const FuturesAccount = z.object({
  assets: z.array(z.object({ asset: z.string(), walletBalance: num })),
});
const PositionRisk = z.array(
  z.object({ symbol: z.string(), positionAmt: num, entryPrice: num, positionSide: z.string().optional() }),
);
const Order = z.object({
  orderId: z.union([z.string(), z.number()]).transform(String),
  clientOrderId: z.string(),
  status: z.string(),
  origQty: num,
  executedQty: num,
  avgPrice: num.optional(),
  cummulativeQuoteQty: num.optional(),
  fills: z.array(z.object({ price: num, qty: num, commission: num, commissionAsset: z.string() })).optional(),
});
const Trades = z.array(z.object({ price: num, qty: num, commission: num, commissionAsset: z.string() }));
const PremiumIndex = z.object({ markPrice: num, lastFundingRate: num, nextFundingTime: num });
const FundingRates = z.array(z.object({ fundingRate: num, fundingTime: num }));
const Income = z.array(
  z.object({
    symbol: z.string(),
    income: num,
    time: num,
    tranId: z.union([z.string(), z.number()]).transform(String),
  }),
);
const DualSide = z.object({ dualSidePosition: z.boolean() });
const Price = z.object({ price: num });

const STATES: Record<string, OrderState> = {
  NEW: 'open',
  PARTIALLY_FILLED: 'open',
  FILLED: 'filled',
  CANCELED: 'canceled',
  EXPIRED: 'canceled',
  EXPIRED_IN_MATCH: 'canceled',
  REJECTED: 'rejected',
};

export class BinanceApi extends CcxtApiBase implements CexApi {
  private readonly b: BinanceEx;

  constructor(
    venue: string,
    ex: Exchange,
    private readonly walletTransfers: boolean,
  ) {
    super(venue, ex);
    this.b = ex as BinanceEx;
    // -1007 / -1006: "Send status unknown; execution status unknown."
    this.unknownCodes = ['-1007', '-1006'];
  }

  async configure(perpSymbols: readonly string[], leverage: number): Promise<void> {
    const dual = parsePayload(
      this.venue,
      'position mode',
      DualSide,
      await this.call('read position mode', false, () => this.b.fapiPrivateGetPositionSideDual()),
    );
    if (dual.dualSidePosition) {
      await this.call('set one-way position mode', false, () =>
        this.b.fapiPrivatePostPositionSideDual({ dualSidePosition: 'false' }),
      );
    }
    for (const s of perpSymbols) {
      const symbol = this.marketId('perp', s);
      await this.idempotentSetting('set cross margin', () =>
        this.b.fapiPrivatePostMarginType({ symbol, marginType: 'CROSSED' }),
      );
      await this.call('set leverage', false, () =>
        this.b.fapiPrivatePostLeverage({ symbol, leverage: Math.max(1, Math.ceil(leverage)) }),
      );
    }
  }

  /** A setting call that answers -4046 "No need to change margin type" when already set. */
  private async idempotentSetting(what: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await this.call(what, false, fn);
    } catch (err) {
      if (err instanceof VenueError && /-4046|-4059/.test(err.message)) return;
      throw err;
    }
  }

  async account(spotAssets: readonly string[], perpSymbols: readonly string[]): Promise<AccountSnapshot> {
    const [spotRaw, futRaw, posRaw] = await this.all([
      this.call('read spot account', false, () => this.b.privateGetAccount({ omitZeroBalances: 'true' })),
      this.call('read futures account', false, () => this.b.fapiPrivateV3GetAccount()),
      this.call('read positions', false, () => this.b.fapiPrivateV3GetPositionRisk()),
    ]);
    const spot = parsePayload(this.venue, 'spot account', SpotAccount, spotRaw);
    const fut = parsePayload(this.venue, 'futures account', FuturesAccount, futRaw);
    const pos = parsePayload(this.venue, 'positions', PositionRisk, posRaw);
    const balances: Record<string, number> = { USDT: 0 };
    for (const a of spotAssets) balances[a] ??= 0;
    for (const b of spot.balances) if (b.asset in balances) balances[b.asset] += b.free + b.locked;
    for (const a of fut.assets) if (a.asset === 'USDT') balances.USDT += a.walletBalance;
    const perps: AccountSnapshot['perps'] = {};
    for (const s of perpSymbols) {
      const id = this.marketId('perp', s);
      const p = pos.find((x) => x.symbol === id && (x.positionSide ?? 'BOTH') === 'BOTH');
      perps[s] = { size: p?.positionAmt ?? 0, entry: p && p.positionAmt !== 0 ? p.entryPrice : 0 };
    }
    return { balances, perps, timeMs: Date.now() };
  }

  async submit(req: OrderRequest): Promise<OrderReport> {
    const lot = this.lot(req.market, req.symbol);
    const params: Record<string, string> = {
      symbol: this.marketId(req.market, req.symbol),
      side: req.side === 'buy' ? 'BUY' : 'SELL',
      type: req.type === 'market' ? 'MARKET' : 'LIMIT',
      quantity: formatAmount(req.amount, lot.step),
      newClientOrderId: req.clientId,
    };
    if (req.type === 'limit') {
      params.price = String(req.price);
      params.timeInForce = 'GTC';
    }
    if (req.market === 'spot') {
      params.newOrderRespType = 'FULL';
      const raw = await this.call('place spot order', true, () => this.b.privatePostOrder(params));
      const order = parsePayload(this.venue, 'spot order', Order, raw, true);
      return this.afterAccept(req.clientId, () => this.report(req.market, req.symbol, order));
    }
    if (req.reduceOnly) params.reduceOnly = 'true';
    params.newOrderRespType = 'RESULT';
    const raw = await this.call('place perp order', true, () => this.b.fapiPrivatePostOrder(params));
    const order = parsePayload(this.venue, 'perp order', Order, raw, true);
    return this.afterAccept(req.clientId, () => this.report(req.market, req.symbol, order));
  }

  async lookup(clientId: string, market: CexMarketKind, symbol: string): Promise<OrderReport | null> {
    const params = { symbol: this.marketId(market, symbol), origClientOrderId: clientId };
    try {
      const raw = await this.call('look up order', false, () =>
        market === 'spot' ? this.b.privateGetOrder(params) : this.b.fapiPrivateGetOrder(params),
      );
      return this.report(market, symbol, parsePayload(this.venue, 'order', Order, raw));
    } catch (err) {
      if (err instanceof VenueError && /-2013/.test(err.message)) return null; // Order does not exist.
      throw err;
    }
  }

  async cancel(clientId: string, market: CexMarketKind, symbol: string): Promise<OrderReport | null> {
    const params = { symbol: this.marketId(market, symbol), origClientOrderId: clientId };
    try {
      await this.call('cancel order', true, () =>
        market === 'spot' ? this.b.privateDeleteOrder(params) : this.b.fapiPrivateDeleteOrder(params),
      );
    } catch (err) {
      if (!(err instanceof VenueError && /-2011|-2013/.test(err.message))) throw err;
    }
    return this.lookup(clientId, market, symbol);
  }

  /** Order report with fees: FULL spot responses carry fills; otherwise the order's trades are read. */
  private async report(
    market: CexMarketKind,
    symbol: string,
    o: z.infer<typeof Order>,
  ): Promise<OrderReport> {
    const state = STATES[o.status] ?? 'open';
    let fee = 0;
    let feeAsset = 'USDT';
    let average = o.avgPrice !== undefined && o.avgPrice > 0 ? o.avgPrice : Number.NaN;
    if (Number.isNaN(average) && o.executedQty > 0 && o.cummulativeQuoteQty !== undefined)
      average = o.cummulativeQuoteQty / o.executedQty;
    let fills = o.fills;
    if (fills === undefined && o.executedQty > 0) {
      const params = { symbol: this.marketId(market, symbol), orderId: o.orderId };
      const raw = await this.call('read order trades', false, () =>
        market === 'spot' ? this.b.privateGetMyTrades(params) : this.b.fapiPrivateGetUserTrades(params),
      );
      fills = parsePayload(this.venue, 'order trades', Trades, raw);
    }
    for (const f of fills ?? []) {
      fee += f.commission;
      feeAsset = f.commissionAsset;
    }
    return {
      clientId: o.clientOrderId,
      orderId: o.orderId,
      state,
      amount: o.origQty,
      filled: o.executedQty,
      average,
      fee,
      feeAsset,
    };
  }

  async fundingPayments(perpSymbols: readonly string[], sinceMs: number): Promise<FundingPayment[]> {
    const raw = await this.call('read funding income', false, () =>
      this.b.fapiPrivateGetIncome({
        incomeType: 'FUNDING_FEE',
        startTime: Math.floor(sinceMs) + 1,
        limit: 1000,
      }),
    );
    const ids = new Map(perpSymbols.map((s) => [this.marketId('perp', s), s]));
    return parsePayload(this.venue, 'funding income', Income, raw)
      .filter((r) => ids.has(r.symbol) && r.time > sinceMs)
      .map((r) => ({ id: r.tranId, symbol: ids.get(r.symbol)!, amount: r.income, timeMs: r.time }))
      .sort((a, b) => a.timeMs - b.timeMs);
  }

  async funding(symbol: string): Promise<FundingInfo> {
    const raw = await this.call('read funding rate', false, () =>
      this.b.fapiPublicGetPremiumIndex({ symbol: this.marketId('perp', symbol) }),
    );
    const p = parsePayload(this.venue, 'premium index', PremiumIndex, raw);
    return { rate: p.lastFundingRate, nextFundingMs: p.nextFundingTime, markPrice: p.markPrice };
  }

  async fundingHistory(symbol: string, sinceMs: number): Promise<FundingRateRecord[]> {
    const raw = await this.call('read funding history', false, () =>
      this.b.fapiPublicGetFundingRate({
        symbol: this.marketId('perp', symbol),
        startTime: sinceMs,
        limit: 1000,
      }),
    );
    return parsePayload(this.venue, 'funding history', FundingRates, raw).map((r) => ({
      rate: r.fundingRate,
      timeMs: r.fundingTime,
    }));
  }

  async lastPrice(market: CexMarketKind, symbol: string): Promise<number> {
    const params = { symbol: this.marketId(market, symbol) };
    const raw = await this.call('read price', false, () =>
      market === 'spot' ? this.b.publicGetTickerPrice(params) : this.b.fapiPublicGetTickerPrice(params),
    );
    return parsePayload(this.venue, 'price', Price, raw).price;
  }

  async prepareSpotBuy(usdt: number): Promise<void> {
    if (!this.walletTransfers) return;
    const spot = parsePayload(
      this.venue,
      'spot account',
      SpotAccount,
      await this.call('read spot account', false, () =>
        this.b.privateGetAccount({ omitZeroBalances: 'true' }),
      ),
    );
    const free = spot.balances.find((b) => b.asset === 'USDT')?.free ?? 0;
    const missing = usdt - free;
    if (missing <= 0) return;
    await this.call('move USDT futures -> spot', true, () =>
      this.b.sapiPostAssetTransfer({ type: 'UMFUTURE_MAIN', asset: 'USDT', amount: missing.toFixed(8) }),
    );
  }

  async sweepSpotUsdt(): Promise<void> {
    if (!this.walletTransfers) return;
    const spot = parsePayload(
      this.venue,
      'spot account',
      SpotAccount,
      await this.call('read spot account', false, () =>
        this.b.privateGetAccount({ omitZeroBalances: 'true' }),
      ),
    );
    const free = Math.floor((spot.balances.find((b) => b.asset === 'USDT')?.free ?? 0) * 1e6) / 1e6;
    if (free < 1) return;
    await this.call('move USDT spot -> futures', true, () =>
      this.b.sapiPostAssetTransfer({ type: 'MAIN_UMFUTURE', asset: 'USDT', amount: free.toFixed(6) }),
    );
  }
}
