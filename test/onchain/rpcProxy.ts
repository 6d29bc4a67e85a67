/**
 * A loopback JSON-RPC proxy in front of anvil that injects faults: before a request is forwarded a hook may
 * run (a front-running swap, a conflicting transaction) and decide to drop the connection before forwarding
 * (the request never arrives) or after (it is executed, the answer is lost).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'drop_before' | 'drop_after' | undefined;

export interface RpcCall {
  method: string;
  params: unknown[];
}

export class RpcProxy {
  private server: Server | null = null;
  url = '';
  /** Called for every request; returns the fault to inject (default none). */
  hook: (call: RpcCall) => Promise<Fault> | Fault = () => undefined;
  readonly seen: RpcCall[] = [];

  constructor(private readonly target: string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString();
    const call = JSON.parse(body) as RpcCall;
    this.seen.push(call);
    let fault: Fault;
    try {
      fault = await this.hook(call);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`proxy hook failed: ${(err as Error).message}`);
      return;
    }
    if (fault === 'drop_before') {
      req.socket.destroy();
      return;
    }
    const upstream = await fetch(this.target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await upstream.text();
    if (fault === 'drop_after') {
      req.socket.destroy();
      return;
    }
    res.writeHead(upstream.status, { 'content-type': 'application/json' });
    res.end(text);
  }
}
