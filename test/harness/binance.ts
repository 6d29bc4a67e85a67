/**
 * Local Binance: the subset of the spot (api/v3, sapi) and USDⓈ-M futures (fapi) REST APIs and market
 * streams the basis client uses, with Binance's HMAC-SHA256 query signatures and error codes.
 */
import { createHmac } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Book, BookReject, BookOrder } from './book.js';
import { futuresExchangeInfo, spotExchangeInfo } from './binance-info.js';
import type { Handler, ProtocolAdapter, Reply, Request, WsHub } from './server.js';

export interface Credentials {
  apiKey: string;
  secret: string;
  passphrase?: string;
}

const ok = (body: unknown): Reply => ({ status: 200, body });
const err = (status: number, code: number, msg: string): Reply => ({ status, body: { code, msg } });

export class BinanceProtocol implements ProtocolAdapter {
  private readonly routes = new Map<string, Handler>();

  constructor(
    readonly book: Book,
    private readonly creds: Credentials,
  ) {
    const r = (method: string, path: string, h: Handler) => this.routes.set(`${method} ${path}`, h);
    r('GET', '/api/v3/exchangeInfo', () => ok(spotExchangeInfo(this.book)));
    r('GET', '/fapi/v1/exchangeInfo', () => ok(futuresExchangeInfo(this.book)));
    r('GET', '/api/v3/ticker/price', (q) => ok(this.price(q, 'spot')));
    r('GET', '/fapi/v1/ticker/price', (q) => ok({ ...this.price(q, 'perp'), time: this.book.opts.now() }));
    r('GET', '/fapi/v1/premiumIndex', (q) => ok(this.premium(String(q.params.symbol))));
    r('GET', '/fapi/v1/fundingRate', (q) => ok(this.fundingHistory(q)));
    r('GET', '/api/v3/account', () => ok(this.spotAccount()));
    r('GET', '/fapi/v3/account', () => ok(this.futuresAccount()));
    r('GET', '/fapi/v3/positionRisk', () => ok(this.positions()));
    r('GET', '/fapi/v1/positionSide/dual', () =>
      ok({ dualSidePosition: this.book.positionMode === 'hedge' }),
    );
    r('POST', '/fapi/v1/positionSide/dual', (q) => this.setDual(q));
    r('POST', '/fapi/v1/marginType', (q) => this.setMarginType(q));
    r('POST', '/fapi/v1/leverage', (q) => {
      const s = String(q.params.symbol);
      this.book.market(s);
      this.book.leverage.set(s, Number(q.params.leverage));
      return ok({ leverage: Number(q.params.leverage), maxNotionalValue: '1000000', symbol: s });
    });
    r('POST', '/api/v3/order', (q) => this.place(q, 'spot'));
    r('POST', '/fapi/v1/order', (q) => this.place(q, 'perp'));
    r('GET', '/api/v3/order', (q) => this.getOrder(q, 'spot'));
    r('GET', '/fapi/v1/order', (q) => this.getOrder(q, 'perp'));
    r('DELETE', '/api/v3/order', (q) => this.getOrder(q, 'spot'));
    r('DELETE', '/fapi/v1/order', (q) => this.getOrder(q, 'perp'));
    r('GET', '/api/v3/myTrades', (q) => ok(this.trades(q)));
    r('GET', '/fapi/v1/userTrades', (q) => ok(this.trades(q)));
    r('GET', '/fapi/v1/income', (q) => ok(this.income(q)));
    r('POST', '/sapi/v1/asset/transfer', (q) => {
      const [from, to] = q.params.type === 'UMFUTURE_MAIN' ? ['futures', 'spot'] : ['spot', 'futures'];
      this.book.transfer(String(q.params.asset), Number(q.params.amount), from as 'spot', to as 'futures');
      return ok({ tranId: this.book.transfers.length });
    });
  }

  route(method: string, path: string): Handler | undefined {
    return this.routes.get(`${method} ${path}`);
  }

  isOrder(method: string, path: string): boolean {
    return method === 'POST' && path.endsWith('/order');
  }

  isPrivate(path: string): boolean {
    return !/exchangeInfo|ticker|premiumIndex|fundingRate/.test(path);
  }

  authenticate(req: Request): Reply | null {
    if (req.headers['x-mbx-apikey'] !== this.creds.apiKey)
      return err(401, -2015, 'Invalid API-key, IP, or permissions for action.');
    const payload = req.method === 'GET' || req.method === 'DELETE' ? req.rawQuery : req.rawBody;
    const i = payload.lastIndexOf('&signature=');
    if (i < 0) return err(400, -1102, "Mandatory parameter 'signature' was not sent.");
    const expected = createHmac('sha256', this.creds.secret).update(payload.slice(0, i)).digest('hex');
    if (payload.slice(i + '&signature='.length) !== expected)
      return err(400, -1022, 'Signature for this request is not valid.');
    const ts = Number(req.params.timestamp);
    const window = Number(req.params.recvWindow ?? 5000);
    if (!(Math.abs(Date.now() - ts) <= window + 1000))
      return err(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
    return null;
  }

  errorReply(
    kind: 'rate_limit' | 'server_error' | 'unknown' | 'not_found' | 'bad_request',
    message: string,
  ): Reply {
    switch (kind) {
      case 'rate_limit':
        return err(429, -1003, 'Too many requests; current limit is 1200 request weight per 1 MINUTE.');
      case 'server_error':
        return err(503, -1001, 'Internal error; unable to process your request. Please try again.');
      case 'unknown':
        return err(
          503,
          -1007,
          'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
        );
      case 'not_found':
        return err(404, -1000, `unknown endpoint ${message}`);
      default:
        return err(400, -1100, message);
    }
  }

  rejectReply(e: BookReject): Reply {
    const codes: Record<BookReject['reason'], number> = {
      insufficient_balance: -2010,
      insufficient_margin: -2019,
      reduce_only: -2022,
      lot_size: -1013,
      duplicate_client_id: -4116,
      unknown_symbol: -1121,
      position_mode: -4061,
      not_found: -2013,
      rejected: -2010,
    };
    return err(400, codes[e.reason], e.message);
  }

  // ---- market data ---------------------------------------------------------------------------------

  private price(q: Request, market: 'spot' | 'perp'): Record<string, string> {
    const s = String(q.params.symbol);
    return { symbol: s, price: String(this.book.price(s, market)) };
  }

  private premium(symbol: string): unknown {
    this.book.advance();
    return {
      symbol,
      markPrice: String(this.book.price(symbol, 'perp')),
      indexPrice: String(this.book.price(symbol, 'spot')),
      lastFundingRate: String(this.book.fundingRate.get(symbol) ?? 0),
      nextFundingTime: this.book.nextFundingMs.get(symbol),
      interestRate: '0.0001',
      time: this.book.opts.now(),
    };
  }

  private fundingHistory(q: Request): unknown {
    const s = String(q.params.symbol);
    const since = Number(q.params.startTime ?? 0);
    return this.book.incomes
      .filter((i) => i.symbol === s && i.timeMs >= since)
      .map((i) => ({ symbol: s, fundingRate: String(i.rate), fundingTime: i.timeMs, markPrice: '0' }));
  }

  // ---- account -------------------------------------------------------------------------------------

  private spotAccount(): unknown {
    return {
      makerCommission: 10,
      takerCommission: 10,
      canTrade: true,
      updateTime: this.book.opts.now(),
      accountType: 'SPOT',
      balances: [...this.book.spot].map(([asset, v]) => ({
        asset,
        free: v.toFixed(8),
        locked: '0.00000000',
      })),
      permissions: ['SPOT'],
    };
  }

  private futuresAccount(): unknown {
    this.book.advance();
    const t = this.book.perpTotals();
    const wallet = this.book.futures.get('USDT') ?? 0;
    return {
      totalWalletBalance: String(wallet),
      totalUnrealizedProfit: String(t.upnl),
      totalMarginBalance: String(wallet + t.upnl),
      availableBalance: String(this.book.availableUsdt()),
      assets: [...this.book.futures].map(([asset, v]) => ({
        asset,
        walletBalance: String(v),
        unrealizedProfit: asset === 'USDT' ? String(t.upnl) : '0',
        marginBalance: asset === 'USDT' ? String(v + t.upnl) : String(v),
        availableBalance: asset === 'USDT' ? String(this.book.availableUsdt()) : String(v),
      })),
      positions: [],
    };
  }

  private positions(): unknown {
    this.book.advance();
    return [...this.book.positions]
      .filter(([, p]) => p.size !== 0)
      .map(([symbol, p]) => {
        const mark = this.book.price(symbol, 'perp');
        return {
          symbol,
          positionSide: 'BOTH',
          positionAmt: String(p.size),
          entryPrice: String(p.entry),
          markPrice: String(mark),
          unRealizedProfit: String(p.size * (mark - p.entry)),
          notional: String(p.size * mark),
          liquidationPrice: '0',
          marginAsset: 'USDT',
          updateTime: this.book.opts.now(),
        };
      });
  }

  private setDual(q: Request): Reply {
    const want = q.params.dualSidePosition === 'true' ? 'hedge' : 'oneway';
    if (this.book.positionMode === want) return err(400, -4059, 'No need to change position side.');
    this.book.positionMode = want;
    return ok({ code: 200, msg: 'success' });
  }

  private setMarginType(q: Request): Reply {
    const s = String(q.params.symbol);
    this.book.market(s);
    const want = q.params.marginType === 'CROSSED' ? 'cross' : 'isolated';
    if (this.book.marginMode.get(s) === want) return err(400, -4046, 'No need to change margin type.');
    this.book.marginMode.set(s, want);
    return ok({ code: 200, msg: 'success' });
  }

  // ---- orders --------------------------------------------------------------------------------------

  private place(q: Request, market: 'spot' | 'perp'): Reply {
    if (q.fault === 'reject') return err(400, -2010, 'NEW_ORDER_REJECTED');
    const p = q.params;
    const o = this.book.place(
      {
        market,
        symbol: String(p.symbol),
        side: p.side === 'BUY' ? 'buy' : 'sell',
        type: p.type === 'LIMIT' ? 'limit' : 'market',
        amount: Number(p.quantity),
        price: p.price === undefined ? undefined : Number(p.price),
        reduceOnly: p.reduceOnly === 'true',
        clientId: String(p.newClientOrderId),
      },
      q.fault === 'partial' ? 0.5 : 1,
    );
    const body = this.order(o) as Record<string, unknown>;
    if (market === 'spot' && p.newOrderRespType === 'FULL')
      body.fills = [
        {
          price: String(o.average),
          qty: String(o.filled),
          commission: String(o.fee),
          commissionAsset: o.feeAsset,
        },
      ];
    return ok(body);
  }

  private getOrder(q: Request, market: 'spot' | 'perp'): Reply {
    const o = this.book.findOrder({ clientId: String(q.params.origClientOrderId) });
    if (!o || o.market !== market) return err(400, -2013, 'Order does not exist.');
    return ok(this.order(o));
  }

  private order(o: BookOrder): unknown {
    const status =
      o.status === 'filled' ? 'FILLED' : o.status === 'partially_filled_canceled' ? 'EXPIRED' : 'NEW';
    return {
      symbol: o.symbol,
      orderId: Number(o.id),
      clientOrderId: o.clientId,
      transactTime: o.createdMs,
      updateTime: o.updatedMs,
      price: '0',
      avgPrice: String(o.average),
      origQty: String(o.amount),
      executedQty: String(o.filled),
      cummulativeQuoteQty: String(o.filled * o.average),
      cumQuote: String(o.filled * o.average),
      status,
      timeInForce: 'GTC',
      type: o.type === 'market' ? 'MARKET' : 'LIMIT',
      side: o.side === 'buy' ? 'BUY' : 'SELL',
      reduceOnly: o.reduceOnly,
    };
  }

  private trades(q: Request): unknown {
    const o = this.book.orders.find((x) => x.id === String(q.params.orderId));
    if (!o || o.filled === 0) return [];
    return [
      {
        symbol: o.symbol,
        id: Number(o.id),
        orderId: Number(o.id),
        price: String(o.average),
        qty: String(o.filled),
        commission: String(o.fee),
        commissionAsset: o.feeAsset,
        realizedPnl: String(o.realizedPnl),
        time: o.updatedMs,
      },
    ];
  }

  private income(q: Request): unknown {
    const since = Number(q.params.startTime ?? 0);
    return this.book.incomes
      .filter((i) => i.timeMs >= since)
      .map((i) => ({
        symbol: i.symbol,
        incomeType: 'FUNDING_FEE',
        income: String(i.amount),
        asset: 'USDT',
        time: i.timeMs,
        tranId: i.id,
        info: '',
      }));
  }

  // ---- streams -------------------------------------------------------------------------------------

  onWsMessage(ws: WebSocket, path: string, message: string, hub: WsHub): void {
    let m: { method?: string; params?: string[]; id?: number };
    try {
      m = JSON.parse(message) as typeof m;
    } catch {
      return;
    }
    if (m.method === 'SUBSCRIBE') {
      for (const p of m.params ?? []) hub.subscribe(ws, path, p);
      ws.send(JSON.stringify({ result: null, id: m.id }));
      for (const p of m.params ?? []) this.pushTicker(hub, p.split('@')[0].toUpperCase());
    } else if (m.method === 'UNSUBSCRIBE') {
      ws.send(JSON.stringify({ result: null, id: m.id }));
    }
  }

  /** Sends the 24 h (mini) ticker of a symbol on every subscribed stream (spot on /ws, futures on /fws). */
  pushTicker(hub: WsHub, symbol: string): void {
    const now = this.book.opts.now();
    const market = (path: string) => (path.includes('fstream') || path.includes('/fws') ? 'perp' : 'spot');
    hub.publish(`${symbol.toLowerCase()}@miniTicker`, (path) => {
      const p = String(this.book.price(symbol, market(path)));
      return { e: '24hrMiniTicker', E: now, s: symbol, c: p, o: p, h: p, l: p, v: '0', q: '0' };
    });
    hub.publish(`${symbol.toLowerCase()}@ticker`, (path) => {
      const p = this.book.price(symbol, market(path));
      return {
        e: '24hrTicker',
        E: now,
        s: symbol,
        p: '0',
        P: '0',
        w: String(p),
        c: String(p),
        Q: '0',
        o: String(p),
        h: String(p),
        l: String(p),
        v: '0',
        q: '0',
        O: now - 86_400_000,
        C: now,
        F: 0,
        L: 0,
        n: 0,
        b: String(p),
        B: '1',
        a: String(p),
        A: '1',
      };
    });
  }
}
