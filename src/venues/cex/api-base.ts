/**
 * What the three exchange implementations share: the ccxt object, market metadata loaded once (lot steps
 * and contract sizes in base units), and `call`, which runs one endpoint request and turns any failure
 * into a classified VenueError (see errors.ts).
 */
import type { Exchange, Market } from 'ccxt';
import { VenueError } from '../../domain/errors.js';
import { toVenueError } from './errors.js';
import type { CexMarketKind, LotRule, OrderReport } from './types.js';

export abstract class CcxtApiBase {
  protected readonly lots = new Map<string, LotRule>();
  /** Base units per contract of each perp (1 unless the exchange counts contracts, as OKX does). */
  protected readonly contractSize = new Map<string, number>();
  /** Exchange codes meaning "execution status unknown" (see errors.ts). */
  protected unknownCodes: readonly string[] = [];

  constructor(
    readonly venue: string,
    /** The ccxt object (REST and websocket); feeds watch prices on it. */
    readonly ex: Exchange,
  ) {}

  /** ccxt unified symbol of our symbol in a market: BTCUSDT → BTC/USDT or BTC/USDT:USDT. */
  unified(market: CexMarketKind, symbol: string): string {
    if (!symbol.endsWith('USDT')) throw new VenueError(this.venue, `symbol ${symbol} is not a USDT pair`);
    const base = symbol.slice(0, -4);
    return market === 'spot' ? `${base}/USDT` : `${base}/USDT:USDT`;
  }

  /** The exchange's market id (BTCUSDT, BTC-USDT-SWAP, …). */
  marketId(market: CexMarketKind, symbol: string): string {
    return String(this.marketOf(market, symbol).id);
  }

  protected marketOf(market: CexMarketKind, symbol: string): NonNullable<Market> {
    const m = this.ex.markets?.[this.unified(market, symbol)];
    if (!m) throw new VenueError(this.venue, `${market} market ${symbol} is not listed`, false, 'rejected');
    return m;
  }

  async init(): Promise<void> {
    // reload: ccxt caches a failed loading promise, so a retry must ask for a fresh load
    await this.call('load markets', false, () => this.ex.loadMarkets(true));
    for (const m of Object.values(this.ex.markets ?? {})) {
      if (!m || m.quote !== 'USDT' || (!m.spot && !(m.swap && m.linear))) continue;
      const kind: CexMarketKind = m.spot ? 'spot' : 'perp';
      const size = kind === 'perp' ? (m.contractSize ?? 1) : 1;
      const step = (m.precision.amount ?? 1e-8) * size;
      const min = (m.limits.amount?.min ?? 0) * size;
      const ours = `${m.base}USDT`;
      this.lots.set(`${kind}:${ours}`, { step, min: Math.max(min, step) });
      if (kind === 'perp') this.contractSize.set(ours, size);
    }
  }

  lot(market: CexMarketKind, symbol: string): LotRule {
    const l = this.lots.get(`${market}:${symbol}`);
    if (!l) throw new VenueError(this.venue, `${market} market ${symbol} is not listed`, false, 'rejected');
    return l;
  }

  /** Runs one request; failures become VenueErrors (`mutating`: unknown outcomes are `ambiguous`). */
  protected async call<T>(what: string, mutating: boolean, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toVenueError(this.venue, what, err, { mutating, unknownCodes: this.unknownCodes });
    }
  }

  /**
   * Runs what follows an accepted order (reading its fills, fees): any failure there means the order
   * exists but its state is unknown, so it is `ambiguous` (looked up, never resent).
   */
  protected async afterAccept<T>(clientId: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new VenueError(
        this.venue,
        `order ${clientId} accepted but its state could not be read (${why})`,
        true,
        'ambiguous',
      );
    }
  }

  /** Reads an accepted order back by its client id; not found (or unreadable) is an ambiguous outcome. */
  protected async readBack(clientId: string, find: () => Promise<OrderReport | null>): Promise<OrderReport> {
    const found = await this.afterAccept(clientId, find);
    if (!found)
      throw new VenueError(this.venue, `order ${clientId} acknowledged but not found`, true, 'ambiguous');
    return found;
  }

  /** Like Promise.all, but waits for every request to finish before throwing the first error. */
  protected async all<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
    const settled = await Promise.allSettled(promises);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
  }

  async close(): Promise<void> {
    await this.ex.close();
  }
}
