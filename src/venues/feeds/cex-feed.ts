/**
 * Market data of one exchange for a wall-clock run: last prices through ccxt websockets (watchTicker)
 * with a REST fallback whenever the stream is down or stale, the bar extremes seen between two samples,
 * and the funding rate with its settlement time (REST). A dropped websocket reconnects in the background
 * with backoff; samples never wait for it.
 */
import type { Exchange } from 'ccxt';
import type { Ledger } from '../types.js';
import type { CexApi, CexMarketKind } from '../cex/types.js';

export interface FeedSymbols {
  spot: readonly string[];
  perp: readonly string[];
  /** Perps whose funding rate is sampled. */
  funding: readonly string[];
}

export interface FeedOptions {
  /** Use websockets (otherwise REST only). */
  websocket: boolean;
  /** A websocket price older than this is replaced by a REST read, ms. */
  staleMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Event sink for stream drops and fallbacks (optional). */
  events?: Pick<Ledger, 'event'>;
}

export interface PriceSample {
  price: number;
  /** Highest and lowest price seen since the previous sample (including this one). */
  high: number;
  low: number;
  source: 'ws' | 'rest';
}

export interface FundingSample {
  rate: number;
  nextFundingMs: number;
}

export interface FeedSample {
  spot: Record<string, PriceSample>;
  perp: Record<string, PriceSample>;
  funding: Record<string, FundingSample>;
  /** Reads that failed (series keep their last value). */
  errors: string[];
}

interface Watch {
  market: CexMarketKind;
  symbol: string;
  last: number;
  lastMs: number;
  high: number;
  low: number;
  /** The last price the websocket delivered and when (feed clock); NaN / 0 before the first. */
  wsPrice: number;
  wsMs: number;
}

export class CexFeed {
  private readonly watches: Watch[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  /** Resolves when the feed stops (wakes watchers sleeping in their reconnect backoff). */
  private stopped: Promise<void> = Promise.resolve();
  private wake: () => void = () => {};
  wsUpdates = 0;
  restReads = 0;

  constructor(
    readonly venue: string,
    readonly api: CexApi,
    private readonly ex: Exchange | null,
    readonly symbols: FeedSymbols,
    private readonly o: FeedOptions,
  ) {
    for (const symbol of symbols.spot) this.watches.push(this.blank('spot', symbol));
    for (const symbol of symbols.perp) this.watches.push(this.blank('perp', symbol));
  }

  private blank(market: CexMarketKind, symbol: string): Watch {
    return {
      market,
      symbol,
      last: Number.NaN,
      lastMs: 0,
      high: Number.NaN,
      low: Number.NaN,
      wsPrice: Number.NaN,
      wsMs: 0,
    };
  }

  /** Starts the websocket watchers (no-op without websockets). */
  start(): void {
    if (!this.o.websocket || !this.ex || this.running) return;
    this.running = true;
    this.stopped = new Promise<void>((resolve) => (this.wake = resolve));
    for (const w of this.watches) this.loops.push(this.watch(w));
  }

  private async watch(w: Watch): Promise<void> {
    const ex = this.ex!;
    const unified = `${w.symbol.slice(0, -4)}/USDT${w.market === 'perp' ? ':USDT' : ''}`;
    let failures = 0;
    while (this.running) {
      try {
        const t = await ex.watchTicker(unified);
        const p = t.last ?? t.close;
        if (typeof p === 'number' && p > 0) {
          this.observe(w, p);
          w.wsPrice = p;
          w.wsMs = w.lastMs;
          this.wsUpdates++;
        }
        failures = 0;
      } catch (err) {
        if (!this.running) return;
        failures++;
        this.o.events?.event('feed_stream_down', {
          venue: this.venue,
          symbol: w.symbol,
          market: w.market,
          error: (err as Error).message.slice(0, 200),
        });
        await Promise.race([this.o.sleep(Math.min(30_000, 100 * 2 ** Math.min(failures, 8))), this.stopped]);
      }
    }
  }

  private observe(w: Watch, p: number): void {
    w.last = p;
    w.lastMs = this.o.now();
    w.high = Number.isNaN(w.high) ? p : Math.max(w.high, p);
    w.low = Number.isNaN(w.low) ? p : Math.min(w.low, p);
  }

  /** The last websocket price of every watched symbol and when it came (feed clock), by `market:symbol`. */
  streams(): Record<string, { price: number; atMs: number }> {
    return Object.fromEntries(
      this.watches
        .filter((w) => w.wsMs > 0)
        .map((w) => [`${w.market}:${w.symbol}`, { price: w.wsPrice, atMs: w.wsMs }]),
    );
  }

  /** Current prices (websocket if fresh, else REST), bar extremes since the last sample, funding. */
  async sample(): Promise<FeedSample> {
    const out: FeedSample = { spot: {}, perp: {}, funding: {}, errors: [] };
    const now = this.o.now();
    await Promise.all([
      ...this.watches.map(async (w) => {
        let source: 'ws' | 'rest' = 'ws';
        if (!(w.lastMs > 0 && now - w.lastMs <= this.o.staleMs)) {
          source = 'rest';
          try {
            this.observe(w, await this.api.lastPrice(w.market, w.symbol));
            this.restReads++;
          } catch (err) {
            out.errors.push(`${this.venue} ${w.market} ${w.symbol}: ${(err as Error).message}`);
            return;
          }
        }
        out[w.market][w.symbol] = { price: w.last, high: w.high, low: w.low, source };
        w.high = w.last;
        w.low = w.last;
      }),
      ...this.symbols.funding.map(async (symbol) => {
        try {
          const f = await this.api.funding(symbol);
          out.funding[symbol] = { rate: f.rate, nextFundingMs: f.nextFundingMs };
        } catch (err) {
          out.errors.push(`${this.venue} funding ${symbol}: ${(err as Error).message}`);
        }
      }),
    ]);
    return out;
  }

  /** Stops the watchers; closing the exchange object ends the pending websocket reads. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.ex?.close();
    await Promise.allSettled(this.loops);
    this.loops = [];
  }
}
