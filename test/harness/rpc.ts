/** A local JSON-RPC endpoint answering `eth_gasPrice` (paper trading reads the gas price from an RPC). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class GasRpc {
  private server: Server | null = null;
  port = 0;
  calls = 0;

  constructor(public gwei: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        this.calls++;
        let id: unknown = null;
        let method = '';
        try {
          const m = JSON.parse(body) as { id?: unknown; method?: string };
          id = m.id ?? null;
          method = m.method ?? '';
        } catch {
          /* answered below */
        }
        const result =
          method === 'eth_gasPrice'
            ? `0x${BigInt(Math.round(this.gwei * 1e9)).toString(16)}`
            : method === 'eth_chainId'
              ? '0x1'
              : undefined;
        const reply =
          result === undefined
            ? { jsonrpc: '2.0', id, error: { code: -32601, message: 'method not found' } }
            : { jsonrpc: '2.0', id, result };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }
}
