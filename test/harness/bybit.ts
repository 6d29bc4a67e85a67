/**
 * Local Bybit V5 (unified trading account): instruments, tickers, funding history, wallet balance,
 * positions, order create / query / cancel, settings and the transaction log, with Bybit's signature
 * (HMAC-SHA256 of timestamp + key + recvWindow + query or body) and its retCode errors; public
 * `tickers.<symbol>` streams on /v5/public/spot and /v5/public/linear.
 */
import { createHmac } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Book, BookReject, BookOrder } from './book.js';
import type { Credentials } from './binance.js';
import type { Handler, ProtocolAdapter, Reply, Request, WsHub } from './server.js';

export class BybitProtocol implements ProtocolAdapter {
  private readonly routes = new Map<string, Handler>();

  constructor(
    readonly book: Book,
    private readonly creds: Credentials,
  ) {
    const r = (method: string, path: string, h: Handler) => this.routes.set(`${method} ${path}`, h);
    r('GET', '/v5/market/instruments-info', (q) => this.ok(this.instruments(q)));
    r('GET', '/v5/market/tickers', (q) => this.ok(this.tickers(q)));
    r('GET', '/v5/market/funding/history', (q) => this.ok(this.fundingHistory(q)));
    r('GET', '/v5/account/wallet-balance', () => this.ok(this.wallet()));
    r('GET', '/v5/position/list', () => this.ok(this.positions()));
    r('POST', '/v5/account/set-margin-mode', (q) => {
      if (q.params.setMarginMode !== 'REGULAR_MARGIN') return this.fail(10001, 'unsupported margin mode');
      const all = this.book.allMarkets().map((m) => m.symbol);
      if (all.every((s) => this.book.marginMode.get(s) === 'cross'))
        return this.fail(110026, 'Cross/isolated margin mode is not modified');
      for (const s of all) this.book.marginMode.set(s, 'cross');
      return this.ok({ reasons: [] });
    });
    r('POST', '/v5/position/switch-mode', (q) => {
      const want = Number(q.params.mode) === 0 ? 'oneway' : 'hedge';
      if (this.book.positionMode === want) return this.fail(110025, 'Position mode is not modified');
      this.book.positionMode = want;
      return this.ok({});
    });
    r('POST', '/v5/position/set-leverage', (q) => {
      const s = String(q.params.symbol);
      this.book.market(s);
      if (this.book.leverage.get(s) === Number(q.params.buyLeverage))
        return this.fail(110043, 'Set leverage not modified');
      this.book.leverage.set(s, Number(q.params.buyLeverage));
      return this.ok({});
    });
    r('POST', '/v5/order/create', (q) => this.place(q));
    r('GET', '/v5/order/realtime', (q) => this.ok(this.orderList(q)));
    r('GET', '/v5/order/history', (q) => this.ok(this.orderList(q)));
    r('POST', '/v5/order/cancel', (q) => {
      const o = this.book.findOrder({ clientId: String(q.params.orderLinkId) });
      if (!o) return this.fail(110001, 'Order does not exist');
      if (o.status !== 'new') return this.fail(110001, 'Order does not exist');
      o.status = 'canceled';
      return this.ok({ orderId: o.id, orderLinkId: o.clientId });
    });
    r('GET', '/v5/account/transaction-log', (q) => this.ok(this.transactions(q)));
  }

  private ok(result: unknown): Reply {
    return {
      status: 200,
      body: { retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: this.book.opts.now() },
    };
  }

  private fail(code: number, msg: string): Reply {
    return {
      status: 200,
      body: { retCode: code, retMsg: msg, result: {}, retExtInfo: {}, time: this.book.opts.now() },
    };
  }

  route(method: string, path: string): Handler | undefined {
    return this.routes.get(`${method} ${path}`);
  }

  isOrder(method: string, path: string): boolean {
    return method === 'POST' && path === '/v5/order/create';
  }

  isPrivate(path: string): boolean {
    return !path.startsWith('/v5/market/');
  }

  authenticate(req: Request): Reply | null {
    const h = req.headers;
    if (h['x-bapi-api-key'] !== this.creds.apiKey) return this.fail(10003, 'API key is invalid.');
    const ts = String(h['x-bapi-timestamp'] ?? '');
    const recv = String(h['x-bapi-recv-window'] ?? '');
    const payload = ts + this.creds.apiKey + recv + (req.method === 'POST' ? req.rawBody : req.rawQuery);
    const expected = createHmac('sha256', this.creds.secret).update(payload).digest('hex');
    if (h['x-bapi-sign'] !== expected) return this.fail(10004, 'error sign! origin_string[...]');
    if (!(Math.abs(Date.now() - Number(ts)) <= Number(recv) + 1000))
      return this.fail(10002, 'invalid request, please check your server timestamp or recv_window param');
    return null;
  }

  errorReply(
    kind: 'rate_limit' | 'server_error' | 'unknown' | 'not_found' | 'bad_request',
    message: string,
  ): Reply {
    switch (kind) {
      case 'rate_limit':
        return this.fail(10006, 'Too many visits. Exceeded the API Rate Limit.');
      case 'server_error':
        return { status: 503, body: { error: 'Service Unavailable' } };
      case 'unknown':
        return this.fail(10016, 'System error. Please try again later.');
      case 'not_found':
        return { status: 404, body: { retCode: 10001, retMsg: `unknown path ${message}` } };
      default:
        return this.fail(10001, message);
    }
  }

  rejectReply(e: BookReject): Reply {
    const codes: Record<BookReject['reason'], number> = {
      insufficient_balance: 170131,
      insufficient_margin: 110007,
      reduce_only: 110017,
      lot_size: 10001,
      duplicate_client_id: 110072,
      unknown_symbol: 10001,
      position_mode: 10001,
      not_found: 110001,
      rejected: 10001,
    };
    return this.fail(codes[e.reason], e.message);
  }

  // ---- market data ---------------------------------------------------------------------------------

  private instruments(q: Request): unknown {
    const category = String(q.params.category);
    if (q.params.status === 'PreLaunch') return { category, list: [], nextPageCursor: '' };
    const list = this.book.allMarkets().map((m) =>
      category === 'spot'
        ? {
            symbol: m.symbol,
            baseCoin: m.base,
            quoteCoin: m.quote,
            innovation: '0',
            status: 'Trading',
            marginTrading: 'none',
            lotSizeFilter: {
              basePrecision: String(m.spotStep),
              quotePrecision: '0.0000001',
              minOrderQty: String(m.spotStep),
              maxOrderQty: '100',
              minOrderAmt: '5',
              maxOrderAmt: '2000000',
            },
            priceFilter: { tickSize: String(m.tickSize) },
          }
        : {
            symbol: m.symbol,
            contractType: 'LinearPerpetual',
            status: 'Trading',
            baseCoin: m.base,
            quoteCoin: m.quote,
            settleCoin: m.quote,
            launchTime: '1585526400000',
            deliveryTime: '0',
            deliveryFeeRate: '',
            priceScale: '2',
            leverageFilter: { minLeverage: '1', maxLeverage: '100.00', leverageStep: '0.01' },
            priceFilter: { minPrice: '0.10', maxPrice: '199999.80', tickSize: String(m.tickSize) },
            lotSizeFilter: {
              maxOrderQty: '100.000',
              minOrderQty: String(m.perpStep),
              qtyStep: String(m.perpStep),
              maxMktOrderQty: '100.000',
              minNotionalValue: '5',
            },
            unifiedMarginTrade: true,
            fundingInterval: 480,
          },
    );
    return { category, list, nextPageCursor: '' };
  }

  private tickers(q: Request): unknown {
    const category = String(q.params.category);
    const market = category === 'spot' ? 'spot' : 'perp';
    this.book.advance();
    const symbols = q.params.symbol ? [String(q.params.symbol)] : this.book.allMarkets().map((m) => m.symbol);
    return { category, list: symbols.map((s) => this.ticker(s, market)) };
  }

  private ticker(symbol: string, market: 'spot' | 'perp'): Record<string, string> {
    const p = String(this.book.price(symbol, market));
    const t: Record<string, string> = {
      symbol,
      lastPrice: p,
      bid1Price: p,
      ask1Price: p,
      highPrice24h: p,
      lowPrice24h: p,
      prevPrice24h: p,
      volume24h: '0',
      turnover24h: '0',
    };
    if (market === 'spot') t.usdIndexPrice = p;
    if (market === 'perp') {
      t.openInterest = '0';
      t.openInterestValue = '0';
      t.markPrice = p;
      t.indexPrice = String(this.book.price(symbol, 'spot'));
      t.fundingRate = String(this.book.fundingRate.get(symbol) ?? 0);
      t.nextFundingTime = String(this.book.nextFundingMs.get(symbol));
    }
    return t;
  }

  private fundingHistory(q: Request): unknown {
    const s = String(q.params.symbol);
    const since = Number(q.params.startTime ?? 0);
    const list = this.book.incomes
      .filter((i) => i.symbol === s && i.timeMs >= since)
      .map((i) => ({ symbol: s, fundingRate: String(i.rate), fundingRateTimestamp: String(i.timeMs) }))
      .reverse();
    return { category: 'linear', list };
  }

  // ---- account -------------------------------------------------------------------------------------

  private wallet(): unknown {
    this.book.advance();
    const t = this.book.perpTotals();
    return {
      list: [
        {
          accountType: 'UNIFIED',
          totalEquity: '0',
          coin: [...this.book.spot].map(([coin, v]) => ({
            coin,
            walletBalance: String(v),
            equity: String(coin === 'USDT' ? v + t.upnl : v),
            unrealisedPnl: coin === 'USDT' ? String(t.upnl) : '0',
          })),
        },
      ],
    };
  }

  private positions(): unknown {
    this.book.advance();
    const list = [...this.book.positions]
      .filter(([, p]) => p.size !== 0)
      .map(([symbol, p]) => ({
        symbol,
        side: p.size > 0 ? 'Buy' : 'Sell',
        size: String(Math.abs(p.size)),
        avgPrice: String(p.entry),
        positionIdx: 0,
        markPrice: String(this.book.price(symbol, 'perp')),
        leverage: String(this.book.leverage.get(symbol)),
        tradeMode: 0,
      }));
    return { category: 'linear', list, nextPageCursor: '' };
  }

  private place(q: Request): Reply {
    if (q.fault === 'reject') return this.fail(10001, 'order rejected');
    const p = q.params;
    const market = p.category === 'spot' ? 'spot' : 'perp';
    const o = this.book.place(
      {
        market,
        symbol: String(p.symbol),
        side: p.side === 'Buy' ? 'buy' : 'sell',
        type: p.orderType === 'Limit' ? 'limit' : 'market',
        amount: Number(p.qty),
        price: p.price === undefined ? undefined : Number(p.price),
        reduceOnly: p.reduceOnly === true || p.reduceOnly === 'true',
        clientId: String(p.orderLinkId),
      },
      q.fault === 'partial' ? 0.5 : 1,
    );
    return this.ok({ orderId: o.id, orderLinkId: o.clientId });
  }

  private orderList(q: Request): unknown {
    const o = this.book.findOrder({ clientId: String(q.params.orderLinkId) });
    const category = String(q.params.category);
    const market = category === 'spot' ? 'spot' : 'perp';
    return { category, list: o && o.market === market ? [this.order(o)] : [], nextPageCursor: '' };
  }

  private order(o: BookOrder): unknown {
    const status =
      o.status === 'filled'
        ? 'Filled'
        : o.status === 'partially_filled_canceled'
          ? 'PartiallyFilledCanceled'
          : o.status === 'canceled'
            ? 'Cancelled'
            : 'New';
    return {
      orderId: o.id,
      orderLinkId: o.clientId,
      symbol: o.symbol,
      side: o.side === 'buy' ? 'Buy' : 'Sell',
      orderType: o.type === 'market' ? 'Market' : 'Limit',
      orderStatus: status,
      qty: String(o.amount),
      cumExecQty: String(o.filled),
      cumExecValue: String(o.filled * o.average),
      avgPrice: String(o.filled > 0 ? o.average : 0),
      cumExecFee: String(o.fee),
      reduceOnly: o.reduceOnly,
      createdTime: String(o.createdMs),
      updatedTime: String(o.updatedMs),
    };
  }

  private transactions(q: Request): unknown {
    const since = Number(q.params.startTime ?? 0);
    const list = this.book.incomes
      .filter((i) => i.timeMs >= since)
      .map((i) => ({
        id: `fund-${i.id}`,
        symbol: i.symbol,
        category: 'linear',
        type: 'SETTLEMENT',
        funding: String(-i.amount),
        change: String(i.amount),
        cashFlow: '0',
        currency: 'USDT',
        transactionTime: String(i.timeMs),
      }));
    return { list, nextPageCursor: '' };
  }

  // ---- streams -------------------------------------------------------------------------------------

  onWsMessage(ws: WebSocket, path: string, message: string, hub: WsHub): void {
    let m: { op?: string; args?: string[]; req_id?: string };
    try {
      m = JSON.parse(message) as typeof m;
    } catch {
      return;
    }
    if (m.op === 'ping') {
      ws.send(JSON.stringify({ success: true, ret_msg: 'pong', op: 'ping', req_id: m.req_id }));
    } else if (m.op === 'subscribe') {
      for (const topic of m.args ?? []) hub.subscribe(ws, path, topic);
      ws.send(
        JSON.stringify({ success: true, ret_msg: '', conn_id: 'local', req_id: m.req_id, op: 'subscribe' }),
      );
      for (const topic of m.args ?? [])
        if (topic.startsWith('tickers.')) this.pushTicker(hub, topic.slice(8));
    } else if (m.op === 'unsubscribe') {
      ws.send(JSON.stringify({ success: true, ret_msg: '', req_id: m.req_id, op: 'unsubscribe' }));
    }
  }

  pushTicker(hub: WsHub, symbol: string): void {
    const now = this.book.opts.now();
    hub.publish(`tickers.${symbol}`, (path) => ({
      topic: `tickers.${symbol}`,
      ts: now,
      type: 'snapshot',
      cs: now,
      data: this.ticker(symbol, path.endsWith('/spot') ? 'spot' : 'perp'),
    }));
  }
}
