/**
 * Local OKX V5: instruments, tickers, funding and mark prices, balance, positions, account config and
 * leverage, order place / query / cancel and funding bills, with OKX's signature (base64 HMAC-SHA256 of
 * timestamp + method + path?query + body, plus the passphrase) and its code / sCode errors; public
 * `tickers` channel on /ws/v5/public. Swaps count contracts (`ctVal` base units each).
 */
import { createHmac } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Book, BookReject, BookOrder } from './book.js';
import type { Credentials } from './binance.js';
import type { Handler, ProtocolAdapter, Reply, Request, WsHub } from './server.js';

const SWAP = '-SWAP';

export class OkxProtocol implements ProtocolAdapter {
  private readonly routes = new Map<string, Handler>();

  constructor(
    readonly book: Book,
    private readonly creds: Credentials,
  ) {
    const r = (method: string, path: string, h: Handler) => this.routes.set(`${method} /api/v5${path}`, h);
    r('GET', '/public/instruments', (q) => this.ok(this.instruments(String(q.params.instType))));
    r('GET', '/market/ticker', (q) => this.ok([this.ticker(String(q.params.instId))]));
    r('GET', '/public/funding-rate', (q) => this.ok([this.fundingRate(String(q.params.instId))]));
    r('GET', '/public/mark-price', (q) => {
      const { symbol } = this.parse(String(q.params.instId));
      return this.ok([
        {
          instType: 'SWAP',
          instId: q.params.instId,
          markPx: String(this.book.price(symbol, 'perp')),
          ts: String(this.book.opts.now()),
        },
      ]);
    });
    r('GET', '/public/funding-rate-history', (q) => this.ok(this.fundingHistory(String(q.params.instId))));
    r('GET', '/account/balance', () => this.ok([this.balance()]));
    r('GET', '/account/positions', () => this.ok(this.positions()));
    r('GET', '/account/config', () =>
      this.ok([
        {
          uid: '1',
          acctLv: '2',
          posMode: this.book.positionMode === 'oneway' ? 'net_mode' : 'long_short_mode',
        },
      ]),
    );
    r('POST', '/account/set-position-mode', (q) => {
      this.book.positionMode = q.params.posMode === 'net_mode' ? 'oneway' : 'hedge';
      return this.ok([{ posMode: q.params.posMode }]);
    });
    r('POST', '/account/set-leverage', (q) => {
      const { symbol } = this.parse(String(q.params.instId));
      this.book.leverage.set(symbol, Number(q.params.lever));
      this.book.marginMode.set(symbol, q.params.mgnMode === 'cross' ? 'cross' : 'isolated');
      return this.ok([
        { lever: q.params.lever, mgnMode: q.params.mgnMode, instId: q.params.instId, posSide: 'net' },
      ]);
    });
    r('POST', '/trade/order', (q) => this.place(q));
    r('GET', '/trade/order', (q) => {
      const o = this.book.findOrder({ clientId: String(q.params.clOrdId) });
      if (!o) return this.fail('51603', 'Order does not exist', 200);
      return this.ok([this.order(o)]);
    });
    r('POST', '/trade/cancel-order', (q) => {
      const o = this.book.findOrder({ clientId: String(q.params.clOrdId) });
      if (!o || o.status !== 'new')
        return this.orderFail('51400', 'Cancellation failed as the order does not exist');
      o.status = 'canceled';
      return this.ok([{ ordId: o.id, clOrdId: o.clientId, sCode: '0', sMsg: '' }]);
    });
    r('GET', '/account/bills', (q) => this.ok(this.bills(q)));
  }

  private ok(data: unknown): Reply {
    return { status: 200, body: { code: '0', msg: '', data } };
  }

  private fail(code: string, msg: string, status = 200): Reply {
    return { status, body: { code, msg, data: [] } };
  }

  /** An order refused with an `sCode` (OKX answers code 1 and the reason in data[0]). */
  private orderFail(sCode: string, sMsg: string): Reply {
    return {
      status: 200,
      body: { code: '1', msg: 'Operation failed.', data: [{ ordId: '', clOrdId: '', sCode, sMsg }] },
    };
  }

  private parse(instId: string): { symbol: string; swap: boolean } {
    const swap = instId.endsWith(SWAP);
    const core = swap ? instId.slice(0, -SWAP.length) : instId;
    return { symbol: core.replace('-', ''), swap };
  }

  private instId(symbol: string, swap: boolean): string {
    const m = this.book.market(symbol);
    return `${m.base}-${m.quote}${swap ? SWAP : ''}`;
  }

  route(method: string, path: string): Handler | undefined {
    return this.routes.get(`${method} ${path}`);
  }

  isOrder(method: string, path: string): boolean {
    return method === 'POST' && path === '/api/v5/trade/order';
  }

  isPrivate(path: string): boolean {
    return !path.startsWith('/api/v5/public/') && !path.startsWith('/api/v5/market/');
  }

  authenticate(req: Request): Reply | null {
    const h = req.headers;
    if (h['ok-access-key'] !== this.creds.apiKey) return this.fail('50111', 'Invalid OK-ACCESS-KEY', 401);
    if (h['ok-access-passphrase'] !== this.creds.passphrase)
      return this.fail('50105', 'Invalid OK-ACCESS-PASSPHRASE', 401);
    const ts = String(h['ok-access-timestamp'] ?? '');
    const path = req.path + (req.method === 'GET' && req.rawQuery ? `?${req.rawQuery}` : '');
    const payload = ts + req.method + path + (req.method === 'GET' ? '' : req.rawBody);
    const expected = createHmac('sha256', this.creds.secret).update(payload).digest('base64');
    if (h['ok-access-sign'] !== expected) return this.fail('50113', 'Invalid Sign', 401);
    if (!(Math.abs(Date.now() - Date.parse(ts)) <= 30_000))
      return this.fail('50102', 'Timestamp request expired', 401);
    return null;
  }

  errorReply(
    kind: 'rate_limit' | 'server_error' | 'unknown' | 'not_found' | 'bad_request',
    message: string,
  ): Reply {
    switch (kind) {
      case 'rate_limit':
        return this.fail(
          '50011',
          'Rate limit reached. Please refer to API documentation and throttle requests accordingly.',
          429,
        );
      case 'server_error':
        return this.fail('50001', 'Service temporarily unavailable. Please try again later.', 503);
      case 'unknown':
        return this.fail(
          '50004',
          'API endpoint request timeout (does not mean that the request was successful or failed, please check the request result).',
          200,
        );
      case 'not_found':
        return this.fail('50000', `unknown path ${message}`, 404);
      default:
        return this.fail('51000', message);
    }
  }

  rejectReply(e: BookReject): Reply {
    const codes: Record<BookReject['reason'], string> = {
      insufficient_balance: '51008',
      insufficient_margin: '51008',
      reduce_only: '51169',
      lot_size: '51121',
      duplicate_client_id: '51016',
      unknown_symbol: '51001',
      position_mode: '51000',
      not_found: '51603',
      rejected: '51000',
    };
    return this.orderFail(codes[e.reason], e.message);
  }

  // ---- market data ---------------------------------------------------------------------------------

  private instruments(instType: string): unknown {
    const swap = instType === 'SWAP';
    if (instType !== 'SWAP' && instType !== 'SPOT') return [];
    return this.book.allMarkets().map((m) => ({
      instType,
      instId: this.instId(m.symbol, swap),
      uly: swap ? `${m.base}-${m.quote}` : '',
      instFamily: swap ? `${m.base}-${m.quote}` : '',
      baseCcy: swap ? '' : m.base,
      quoteCcy: swap ? '' : m.quote,
      settleCcy: swap ? m.quote : '',
      ctVal: swap ? String(m.contractSize) : '',
      ctMult: swap ? '1' : '',
      ctValCcy: swap ? m.base : '',
      ctType: swap ? 'linear' : '',
      lotSz: String(swap ? m.perpStep : m.spotStep),
      minSz: String(swap ? m.perpStep : m.spotStep),
      tickSz: String(m.tickSize),
      lever: swap ? '100' : '10',
      state: 'live',
      listTime: '1606468572000',
      expTime: '',
      maxLmtSz: '100000',
      maxMktSz: '1000000',
    }));
  }

  private ticker(instId: string): Record<string, string> {
    const { symbol, swap } = this.parse(instId);
    const p = String(this.book.price(symbol, swap ? 'perp' : 'spot'));
    return {
      instType: swap ? 'SWAP' : 'SPOT',
      instId,
      last: p,
      lastSz: '0',
      askPx: p,
      askSz: '1',
      bidPx: p,
      bidSz: '1',
      open24h: p,
      high24h: p,
      low24h: p,
      volCcy24h: '0',
      vol24h: '0',
      sodUtc0: p,
      sodUtc8: p,
      ts: String(this.book.opts.now()),
    };
  }

  private fundingRate(instId: string): unknown {
    const { symbol } = this.parse(instId);
    this.book.advance();
    const next = this.book.nextFundingMs.get(symbol)!;
    return {
      instType: 'SWAP',
      instId,
      fundingRate: String(this.book.fundingRate.get(symbol) ?? 0),
      nextFundingRate: '',
      fundingTime: String(next),
      nextFundingTime: String(next + this.book.opts.fundingIntervalMs),
    };
  }

  private fundingHistory(instId: string): unknown {
    const { symbol } = this.parse(instId);
    return this.book.incomes
      .filter((i) => i.symbol === symbol)
      .map((i) => ({
        instType: 'SWAP',
        instId,
        fundingRate: String(i.rate),
        realizedRate: String(i.rate),
        fundingTime: String(i.timeMs),
      }))
      .reverse();
  }

  // ---- account -------------------------------------------------------------------------------------

  private balance(): unknown {
    this.book.advance();
    const t = this.book.perpTotals();
    return {
      totalEq: '0',
      uTime: String(this.book.opts.now()),
      details: [...this.book.spot].map(([ccy, v]) => ({
        ccy,
        cashBal: String(v),
        eq: String(ccy === 'USDT' ? v + t.upnl : v),
        upl: ccy === 'USDT' ? String(t.upnl) : '0',
        availBal: String(ccy === 'USDT' ? this.book.availableUsdt() : v),
      })),
    };
  }

  private positions(): unknown {
    this.book.advance();
    return [...this.book.positions]
      .filter(([, p]) => p.size !== 0)
      .map(([symbol, p]) => ({
        instType: 'SWAP',
        instId: this.instId(symbol, true),
        mgnMode: 'cross',
        posSide: 'net',
        pos: String(p.size),
        avgPx: String(p.entry),
        markPx: String(this.book.price(symbol, 'perp')),
        lever: String(this.book.leverage.get(symbol)),
        upl: '0',
      }));
  }

  private place(q: Request): Reply {
    if (q.fault === 'reject') return this.orderFail('51000', 'Parameter error (injected rejection)');
    const p = q.params;
    const { symbol, swap } = this.parse(String(p.instId));
    const o = this.book.place(
      {
        market: swap ? 'perp' : 'spot',
        symbol,
        side: p.side === 'buy' ? 'buy' : 'sell',
        type: p.ordType === 'limit' ? 'limit' : 'market',
        amount: Number(p.sz),
        price: p.px === undefined ? undefined : Number(p.px),
        reduceOnly: p.reduceOnly === true || p.reduceOnly === 'true',
        clientId: String(p.clOrdId),
      },
      q.fault === 'partial' ? 0.5 : 1,
    );
    return this.ok([{ ordId: o.id, clOrdId: o.clientId, tag: '', sCode: '0', sMsg: 'Order placed' }]);
  }

  private order(o: BookOrder): unknown {
    const state = o.status === 'filled' ? 'filled' : o.status === 'new' ? 'live' : 'canceled';
    return {
      instType: o.market === 'perp' ? 'SWAP' : 'SPOT',
      instId: this.instId(o.symbol, o.market === 'perp'),
      ordId: o.id,
      clOrdId: o.clientId,
      px: '',
      sz: String(o.amount),
      ordType: o.type,
      side: o.side,
      accFillSz: String(o.filled),
      avgPx: String(o.filled > 0 ? o.average : 0),
      state,
      fee: String(-o.fee),
      feeCcy: o.feeAsset,
      reduceOnly: String(o.reduceOnly),
      cTime: String(o.createdMs),
      uTime: String(o.updatedMs),
    };
  }

  private bills(q: Request): unknown {
    const begin = Number(q.params.begin ?? 0);
    return this.book.incomes
      .filter((i) => i.timeMs >= begin)
      .map((i) => ({
        billId: String(900000 + i.id),
        instId: this.instId(i.symbol, true),
        type: '8',
        subType: i.amount >= 0 ? '174' : '173',
        balChg: String(i.amount),
        ccy: 'USDT',
        ts: String(i.timeMs),
      }))
      .reverse();
  }

  // ---- streams -------------------------------------------------------------------------------------

  onWsMessage(ws: WebSocket, path: string, message: string, hub: WsHub): void {
    if (message === 'ping') {
      ws.send('pong');
      return;
    }
    let m: { op?: string; args?: { channel: string; instId: string }[]; id?: string };
    try {
      m = JSON.parse(message) as typeof m;
    } catch {
      return;
    }
    if (m.op === 'subscribe') {
      for (const a of m.args ?? []) {
        hub.subscribe(ws, path, `${a.channel}:${a.instId}`);
        ws.send(JSON.stringify({ event: 'subscribe', arg: a, connId: 'local' }));
        if (a.channel === 'tickers') this.pushTicker(hub, this.parse(a.instId).symbol);
      }
    }
  }

  pushTicker(hub: WsHub, symbol: string): void {
    for (const swap of [false, true]) {
      const instId = this.instId(symbol, swap);
      hub.publish(`tickers:${instId}`, () => ({
        arg: { channel: 'tickers', instId },
        data: [this.ticker(instId)],
      }));
    }
  }
}
