/**
 * HTTP + websocket plumbing shared by the local exchanges: routing, query/body parsing (kept raw for
 * signature checks), fault injection around the handler, and a websocket hub. Listens on 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { BookReject } from './book.js';
import { FaultPlan, type FaultKind } from './faults.js';

export interface Request {
  method: string;
  path: string;
  /** Raw query string without `?`. */
  rawQuery: string;
  rawBody: string;
  /** Query and form/JSON body parameters merged (strings; JSON values as parsed). */
  params: Record<string, unknown>;
  headers: IncomingMessage['headers'];
  /** Fault drawn for this request, if any (handlers act on `reject` and `partial`). */
  fault: FaultKind | null;
}

export interface Reply {
  status: number;
  body: unknown;
}

export type Handler = (req: Request) => Reply | Promise<Reply>;

export interface ProtocolAdapter {
  /** Whether a request submits an order (faults `reject` / `partial` apply). */
  isOrder(method: string, path: string): boolean;
  /** Authenticates a private request; returns an error reply or null. */
  authenticate(req: Request): Reply | null;
  /** Whether the path needs authentication. */
  isPrivate(path: string): boolean;
  route(method: string, path: string): Handler | undefined;
  /** The exchange's reply for a fault or a refusal. */
  errorReply(
    kind: 'rate_limit' | 'server_error' | 'unknown' | 'not_found' | 'bad_request',
    message: string,
  ): Reply;
  rejectReply(err: BookReject): Reply;
  /** Websocket: answers a client message (subscriptions, pings). */
  onWsMessage(ws: WebSocket, path: string, message: string, hub: WsHub): void;
}

export interface WsSubscription {
  ws: WebSocket;
  path: string;
  topic: string;
}

export class WsHub {
  readonly subs: WsSubscription[] = [];
  constructor(readonly wss: WebSocketServer) {}

  subscribe(ws: WebSocket, path: string, topic: string): void {
    if (!this.subs.some((s) => s.ws === ws && s.topic === topic)) this.subs.push({ ws, path, topic });
    ws.once('close', () => this.drop(ws));
  }

  drop(ws: WebSocket): void {
    for (let i = this.subs.length - 1; i >= 0; i--) if (this.subs[i].ws === ws) this.subs.splice(i, 1);
  }

  publish(topic: string, message: (path: string) => unknown): void {
    for (const s of this.subs) {
      if (s.topic !== topic || s.ws.readyState !== s.ws.OPEN) continue;
      s.ws.send(JSON.stringify(message(s.path)));
    }
  }

  /** Closes every websocket connection (fault `ws_drop`). */
  dropAll(): number {
    let n = 0;
    for (const c of this.wss.clients) {
      c.terminate();
      n++;
    }
    this.subs.length = 0;
    return n;
  }
}

export interface ServerLog {
  method: string;
  path: string;
  status: number | 'no_reply';
  fault: FaultKind | null;
}

/**
 * What a lost answer (faults `timeout`, `timeout_unprocessed`) looks like to the client:
 * - `hang`: the server never answers; the client's own timeout ends the request, whatever its length;
 * - `reset`: the server closes the connection without answering; the client sees a network error at once
 *   (the same unknown outcome to the code under test, without waiting for a timeout).
 */
export type LostAnswer = 'hang' | 'reset';

export class ExchangeServer {
  readonly faults = new FaultPlan();
  readonly log: ServerLog[] = [];
  /** Client order id of every order submission received, answered or not, processed or not. */
  readonly orderIds: string[] = [];
  /** Delay added to every answer after the request was processed, ms (widens the window a crash can hit). */
  latencyMs = 0;
  lostAnswer: LostAnswer = 'hang';
  /**
   * Chooses a fault for a request before the fault plan does (e.g. hold the third order a client sends);
   * returns null to leave it to the plan.
   */
  pick: ((req: { method: string; path: string; isOrder: boolean }) => FaultKind | null) | null = null;
  /** Called when an answer is withheld (after the request was processed, for `timeout`). */
  onLostAnswer: ((req: { method: string; path: string; fault: FaultKind }) => void) | null = null;
  /** Order submissions with the `late` fault, not processed yet (arrival order). */
  private readonly lateQueue: { request: Request; handler: Handler }[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  hub!: WsHub;
  port = 0;

  constructor(
    readonly name: string,
    private readonly adapter: ProtocolAdapter,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    const wss = new WebSocketServer({ server });
    this.hub = new WsHub(wss);
    wss.on('connection', (ws, req) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      ws.on('message', (data) => this.adapter.onWsMessage(ws, path, data.toString(), this.hub));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    for (const c of this.hub.wss.clients) c.terminate();
    this.hub.wss.close();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
    const type = req.headers['content-type'] ?? '';
    if (rawBody.length > 0) {
      if (type.includes('json')) {
        try {
          const parsed: unknown = JSON.parse(rawBody);
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(params, parsed);
        } catch {
          return this.send(res, { status: 400, body: { error: 'malformed JSON' } }, method, path, null);
        }
      } else Object.assign(params, Object.fromEntries(new URLSearchParams(rawBody)));
    }
    const handler = this.adapter.route(method, path);
    if (!handler)
      return this.send(res, this.adapter.errorReply('not_found', `${method} ${path}`), method, path, null);
    const isOrder = this.adapter.isOrder(method, path);
    if (isOrder) this.orderIds.push(String(params.newClientOrderId ?? params.orderLinkId ?? params.clOrdId));
    const fault = this.pick?.({ method, path, isOrder }) ?? this.faults.draw(path, isOrder);
    const request: Request = {
      method,
      path,
      rawQuery: url.search.slice(1),
      rawBody,
      params,
      headers: req.headers,
      fault,
    };
    if (fault === 'rate_limit' || fault === 'server_error') {
      return this.send(res, this.adapter.errorReply(fault, 'injected fault'), method, path, fault);
    }
    if (fault === 'timeout_unprocessed') return this.hang(res, method, path, fault);
    if (this.adapter.isPrivate(path)) {
      const denied = this.adapter.authenticate(request);
      if (denied) return this.send(res, denied, method, path, fault);
    }
    if (fault === 'late') {
      this.lateQueue.push({ request, handler });
      return this.hang(res, method, path, fault);
    }
    let reply: Reply;
    try {
      reply = await handler(request);
    } catch (err) {
      if (err instanceof BookReject) reply = this.adapter.rejectReply(err);
      else reply = this.adapter.errorReply('bad_request', (err as Error).message);
    }
    if (fault === 'timeout') return this.hang(res, method, path, fault);
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (fault === 'unknown' && reply.status < 300)
      return this.send(
        res,
        this.adapter.errorReply('unknown', 'execution status unknown'),
        method,
        path,
        fault,
      );
    this.send(res, reply, method, path, fault);
  }

  /** Late orders waiting to be processed. */
  get lateCount(): number {
    return this.lateQueue.length;
  }

  /**
   * Processes the `late` order submissions now, in arrival order (their answers go nowhere: the client
   * gave up on them). Returns each one's status, e.g. a repeated client id refused after the first.
   * `expired`: the exchange reaches them only after their request window (recvWindow / expTime) and
   * refuses them unprocessed.
   */
  async releaseLate(o: { expired?: boolean } = {}): Promise<number[]> {
    const statuses: number[] = [];
    for (const { request, handler } of this.lateQueue.splice(0)) {
      let reply: Reply;
      if (o.expired) reply = this.adapter.errorReply('bad_request', 'request expired: outside its window');
      else
        try {
          reply = await handler(request);
        } catch (err) {
          reply =
            err instanceof BookReject
              ? this.adapter.rejectReply(err)
              : this.adapter.errorReply('bad_request', (err as Error).message);
        }
      statuses.push(reply.status);
    }
    return statuses;
  }

  /** Withholds the answer: never sent (`hang`), or the connection is closed (`reset`). */
  private hang(res: ServerResponse, method: string, path: string, fault: FaultKind): void {
    this.log.push({ method, path, status: 'no_reply', fault });
    if (this.lostAnswer === 'reset') res.socket?.destroy();
    this.onLostAnswer?.({ method, path, fault });
  }

  private send(
    res: ServerResponse,
    reply: Reply,
    method: string,
    path: string,
    fault: FaultKind | null,
  ): void {
    this.log.push({ method, path, status: reply.status, fault });
    const body = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  }
}
