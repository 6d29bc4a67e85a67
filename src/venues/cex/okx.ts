/**
 * OKX V5, unified trading account in single-currency margin mode: spot orders trade cash (`tdMode cash`),
 * USDT-margined swaps trade on cross margin (`tdMode cross`, net position mode). Swaps count contracts of
 * `ctVal` base units: amounts are converted here, so the rest of the system sees base units. Fees are
 * reported negative (charged) in `feeCcy`.
 *
 * Endpoints: https://www.okx.com/docs-v5/en/
 */
import type { Exchange, pro } from 'ccxt';
import { z } from 'zod';
import { VenueError } from '../../domain/errors.js';
import { CcxtApiBase } from './api-base.js';
import { formatAmount, num, parsePayload, stepDecimals } from './payload.js';
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

type OkxEx = InstanceType<(typeof pro)['okx']>;

const data = <T extends z.ZodTypeAny>(row: T) => z.object({ code: z.string(), data: z.array(row) });
const Balance = data(z.object({ details: z.array(z.object({ ccy: z.string(), cashBal: num })) }));
const Positions = data(z.object({ instId: z.string(), pos: num, avgPx: num, posSide: z.string() }));
const Config = data(z.object({ posMode: z.string() }));
const Ack = data(z.object({ ordId: z.string(), clOrdId: z.string(), sCode: z.string() }));
const OrderRow = z.object({
  ordId: z.string(),
  clOrdId: z.string(),
  state: z.string(),
  sz: num,
  accFillSz: num,
  avgPx: num,
  fee: num,
  feeCcy: z.string(),
});
const Orders = data(OrderRow);
const FundingRate = data(z.object({ fundingRate: num, fundingTime: num }));
const MarkPrice = data(z.object({ markPx: num }));
const FundingHistory = data(z.object({ fundingRate: num, realizedRate: num.optional(), fundingTime: num }));
const Bills = data(z.object({ billId: z.string(), instId: z.string(), balChg: num, ts: num }));
const Ticker = data(z.object({ last: num }));

const STATES: Record<string, OrderState> = {
  live: 'open',
  partially_filled: 'open',
  filled: 'filled',
  canceled: 'canceled',
  mmp_canceled: 'canceled',
};

export class OkxApi extends CcxtApiBase implements CexApi {
  private readonly o: OkxEx;

  constructor(venue: string, ex: Exchange) {
    super(venue, ex);
    this.o = ex as OkxEx;
    // 50004: "Endpoint request timeout (does not indicate success or failure of order)".
    this.unknownCodes = ['50004'];
  }

  private size(market: CexMarketKind, symbol: string): number {
    return market === 'perp' ? (this.contractSize.get(symbol) ?? 1) : 1;
  }

  async configure(perpSymbols: readonly string[], leverage: number): Promise<void> {
    const cfg = parsePayload(
      this.venue,
      'account config',
      Config,
      await this.call('read account config', false, () => this.o.privateGetAccountConfig()),
    );
    if (cfg.data[0]?.posMode !== 'net_mode') {
      await this.call('set net position mode', false, () =>
        this.o.privatePostAccountSetPositionMode({ posMode: 'net_mode' }),
      );
    }
    const lever = String(Math.max(1, Math.ceil(leverage)));
    for (const s of perpSymbols) {
      await this.call('set leverage', false, () =>
        this.o.privatePostAccountSetLeverage({ instId: this.marketId('perp', s), lever, mgnMode: 'cross' }),
      );
    }
  }

  async account(spotAssets: readonly string[], perpSymbols: readonly string[]): Promise<AccountSnapshot> {
    const [balRaw, posRaw] = await this.all([
      this.call('read balance', false, () => this.o.privateGetAccountBalance()),
      this.call('read positions', false, () => this.o.privateGetAccountPositions({ instType: 'SWAP' })),
    ]);
    const bal = parsePayload(this.venue, 'balance', Balance, balRaw);
    const pos = parsePayload(this.venue, 'positions', Positions, posRaw);
    const balances: Record<string, number> = { USDT: 0 };
    for (const a of spotAssets) balances[a] = 0;
    for (const acct of bal.data)
      for (const d of acct.details) if (d.ccy in balances) balances[d.ccy] += d.cashBal;
    const perps: AccountSnapshot['perps'] = {};
    for (const s of perpSymbols) {
      const id = this.marketId('perp', s);
      const p = pos.data.find((x) => x.instId === id && x.posSide === 'net');
      perps[s] =
        p && p.pos !== 0 ? { size: p.pos * this.size('perp', s), entry: p.avgPx } : { size: 0, entry: 0 };
    }
    return { balances, perps, timeMs: Date.now() };
  }

  async submit(req: OrderRequest): Promise<OrderReport> {
    const cs = this.size(req.market, req.symbol);
    const lot = this.lot(req.market, req.symbol);
    const params: Record<string, string | boolean> = {
      instId: this.marketId(req.market, req.symbol),
      tdMode: req.market === 'spot' ? 'cash' : 'cross',
      side: req.side,
      ordType: req.type,
      sz: formatAmount(req.amount / cs, lot.step / cs),
      clOrdId: req.clientId,
    };
    if (req.market === 'spot' && req.type === 'market') params.tgtCcy = 'base_ccy';
    if (req.type === 'limit') params.px = String(req.price);
    if (req.reduceOnly) params.reduceOnly = true;
    const raw = await this.call('place order', true, () => this.o.privatePostTradeOrder(params));
    const ack = parsePayload(this.venue, 'order ack', Ack, raw, true).data[0];
    if (!ack || ack.sCode !== '0')
      throw new VenueError(
        this.venue,
        `order ${req.clientId} refused (sCode ${ack?.sCode ?? '?'})`,
        false,
        'rejected',
      );
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
    let raw: unknown;
    try {
      raw = await this.call('look up order', mutating, () =>
        this.o.privateGetTradeOrder({ instId: this.marketId(market, symbol), clOrdId: clientId }),
      );
    } catch (err) {
      if (err instanceof VenueError && /51603/.test(err.message)) return null; // Order does not exist
      throw err;
    }
    const row = parsePayload(this.venue, 'order', Orders, raw, mutating).data[0];
    if (!row) return null;
    const cs = this.size(market, symbol);
    return {
      clientId: row.clOrdId,
      orderId: row.ordId,
      state: STATES[row.state] ?? 'open',
      amount: Number((row.sz * cs).toFixed(stepDecimals(this.lot(market, symbol).step))),
      filled: Number((row.accFillSz * cs).toFixed(stepDecimals(this.lot(market, symbol).step))),
      average: row.accFillSz > 0 ? row.avgPx : Number.NaN,
      fee: -row.fee,
      feeAsset: row.feeCcy || 'USDT',
    };
  }

  async cancel(clientId: string, market: CexMarketKind, symbol: string): Promise<OrderReport | null> {
    try {
      await this.call('cancel order', true, () =>
        this.o.privatePostTradeCancelOrder({ instId: this.marketId(market, symbol), clOrdId: clientId }),
      );
    } catch (err) {
      if (!(err instanceof VenueError && /51400|51401|51402|51603/.test(err.message))) throw err;
    }
    return this.lookup(clientId, market, symbol);
  }

  async fundingPayments(perpSymbols: readonly string[], sinceMs: number): Promise<FundingPayment[]> {
    const raw = await this.call('read funding bills', false, () =>
      this.o.privateGetAccountBills({ instType: 'SWAP', type: '8', begin: String(Math.floor(sinceMs) + 1) }),
    );
    const ids = new Map(perpSymbols.map((s) => [this.marketId('perp', s), s]));
    return parsePayload(this.venue, 'bills', Bills, raw)
      .data.filter((b) => ids.has(b.instId) && b.ts > sinceMs)
      .map((b) => ({ id: b.billId, symbol: ids.get(b.instId)!, amount: b.balChg, timeMs: b.ts }))
      .sort((a, b) => a.timeMs - b.timeMs);
  }

  async funding(symbol: string): Promise<FundingInfo> {
    const instId = this.marketId('perp', symbol);
    const [rateRaw, markRaw] = await this.all([
      this.call('read funding rate', false, () => this.o.publicGetPublicFundingRate({ instId })),
      this.call('read mark price', false, () =>
        this.o.publicGetPublicMarkPrice({ instType: 'SWAP', instId }),
      ),
    ]);
    const r = parsePayload(this.venue, 'funding rate', FundingRate, rateRaw).data[0];
    const m = parsePayload(this.venue, 'mark price', MarkPrice, markRaw).data[0];
    if (!r || !m) throw new VenueError(this.venue, `no funding data for ${symbol}`, true, 'transient');
    return { rate: r.fundingRate, nextFundingMs: r.fundingTime, markPrice: m.markPx };
  }

  async fundingHistory(symbol: string, sinceMs: number): Promise<FundingRateRecord[]> {
    const raw = await this.call('read funding history', false, () =>
      this.o.publicGetPublicFundingRateHistory({ instId: this.marketId('perp', symbol), limit: '100' }),
    );
    return parsePayload(this.venue, 'funding history', FundingHistory, raw)
      .data.filter((r) => r.fundingTime >= sinceMs)
      .map((r) => ({ rate: r.realizedRate ?? r.fundingRate, timeMs: r.fundingTime }))
      .sort((a, b) => a.timeMs - b.timeMs);
  }

  async lastPrice(market: CexMarketKind, symbol: string): Promise<number> {
    const raw = await this.call('read ticker', false, () =>
      this.o.publicGetMarketTicker({ instId: this.marketId(market, symbol) }),
    );
    const t = parsePayload(this.venue, 'ticker', Ticker, raw).data[0];
    if (!t) throw new VenueError(this.venue, `no ticker for ${symbol}`, true, 'transient');
    return t.last;
  }
}
