/**
 * Gas price for a wall-clock run with a simulated wallet: `eth_gasPrice` from a JSON-RPC endpoint (the
 * wallet's `gas_rpc_url`), in gwei. The URL may embed a provider key: it is never logged.
 */
import { DataError } from '../../domain/errors.js';

export class GasPriceFeed {
  private id = 0;

  constructor(
    private readonly url: string,
    private readonly timeoutMs = 5_000,
  ) {}

  async gwei(): Promise<number> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++this.id, method: 'eth_gasPrice', params: [] }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new DataError(
        `gas price: the JSON-RPC endpoint did not answer (${(err as Error).name})`,
        'gas.price_gwei',
      );
    }
    if (!res.ok)
      throw new DataError(`gas price: the JSON-RPC endpoint answered HTTP ${res.status}`, 'gas.price_gwei');
    const body = (await res.json()) as { result?: unknown; error?: { message?: string } };
    if (typeof body.result !== 'string' || !/^0x[0-9a-fA-F]+$/.test(body.result))
      throw new DataError(
        `gas price: unexpected eth_gasPrice answer (${body.error?.message ?? 'no result'})`,
        'gas.price_gwei',
      );
    return Number(BigInt(body.result)) / 1e9;
  }
}
