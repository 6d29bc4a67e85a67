/**
 * Local exchanges for tests: Binance, Bybit and OKX servers on 127.0.0.1 (REST + websocket) with their
 * own account state, signature checks and fault injection, plus a JSON-RPC endpoint for the gas price.
 * `writeConfig` points a copy of the config directory at them (the same way a user points a venue file
 * at a testnet), so the code under test runs unchanged.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Book, type MarketSpec } from './book.js';
import { BinanceProtocol, type Credentials } from './binance.js';
import { BybitProtocol } from './bybit.js';
import { OkxProtocol } from './okx.js';
import { GasRpc } from './rpc.js';
import { ExchangeServer } from './server.js';

export const HARNESS_VENUES = ['binance', 'bybit', 'okx'] as const;
export type HarnessVenue = (typeof HARNESS_VENUES)[number];

export interface HarnessExchange {
  venue: HarnessVenue;
  book: Book;
  server: ExchangeServer;
  protocol: BinanceProtocol | BybitProtocol | OkxProtocol;
  creds: Credentials;
  /** Pushes current prices to websocket subscribers. */
  pushTickers(): void;
}

export interface Harness {
  exchanges: Record<HarnessVenue, HarnessExchange>;
  rpc: GasRpc;
  /** Sets spot and perp prices of a symbol on every exchange (perp = spot × (1 + basis)). */
  setPrice(symbol: string, spot: number, basis?: number): void;
  /** Environment variables holding the credentials, named {VENUE}_{ENV}_{FIELD}. */
  credentialEnv(environment: 'testnet' | 'live'): Record<string, string>;
  stop(): Promise<void>;
}

const FEES: Record<
  HarnessVenue,
  { spot: { maker: number; taker: number }; perp: { maker: number; taker: number } }
> = {
  binance: { spot: { maker: 0.001, taker: 0.001 }, perp: { maker: 0.0002, taker: 0.0005 } },
  bybit: { spot: { maker: 0.001, taker: 0.001 }, perp: { maker: 0.0002, taker: 0.00055 } },
  okx: { spot: { maker: 0.0008, taker: 0.001 }, perp: { maker: 0.0002, taker: 0.0005 } },
};

function markets(venue: HarnessVenue): MarketSpec[] {
  const m = (
    symbol: string,
    base: string,
    spotStep: number,
    perpStep: number,
    contractSize: number,
    tick: number,
  ) => ({
    symbol,
    base,
    quote: 'USDT',
    spotStep,
    perpStep,
    contractSize,
    tickSize: tick,
  });
  if (venue === 'okx')
    return [m('BTCUSDT', 'BTC', 1e-8, 0.01, 0.01, 0.1), m('ETHUSDT', 'ETH', 1e-6, 0.01, 0.1, 0.01)];
  if (venue === 'bybit')
    return [m('BTCUSDT', 'BTC', 1e-6, 0.001, 1, 0.1), m('ETHUSDT', 'ETH', 1e-5, 0.01, 1, 0.01)];
  return [m('BTCUSDT', 'BTC', 1e-5, 0.001, 1, 0.1), m('ETHUSDT', 'ETH', 1e-4, 0.001, 1, 0.01)];
}

export interface HarnessOptions {
  now?: () => number;
  /** Funding interval of the local perps, ms (short in tests so funding happens during a run). */
  fundingIntervalMs?: number;
  gasGwei?: number;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const now = opts.now ?? Date.now;
  const exchanges = {} as Record<HarnessVenue, HarnessExchange>;
  for (const venue of HARNESS_VENUES) {
    const book = new Book({
      name: venue,
      markets: markets(venue),
      fees: FEES[venue],
      mmr: { BTCUSDT: 0.004, ETHUSDT: 0.005 },
      wallets: venue === 'binance' ? 'split' : 'unified',
      fundingIntervalMs: opts.fundingIntervalMs ?? 8 * 3_600_000,
      now,
    });
    const creds: Credentials = {
      apiKey: `${venue}-key-${Math.random().toString(36).slice(2, 10)}`,
      secret: `${venue}-secret-${Math.random().toString(36).slice(2, 14)}`,
      passphrase: venue === 'okx' ? `pass-${Math.random().toString(36).slice(2, 8)}` : undefined,
    };
    const protocol =
      venue === 'binance'
        ? new BinanceProtocol(book, creds)
        : venue === 'bybit'
          ? new BybitProtocol(book, creds)
          : new OkxProtocol(book, creds);
    const server = new ExchangeServer(venue, protocol);
    await server.start();
    exchanges[venue] = {
      venue,
      book,
      server,
      protocol,
      creds,
      pushTickers: () => {
        for (const m of book.allMarkets()) protocol.pushTicker(server.hub, m.symbol);
      },
    };
  }
  const rpc = new GasRpc(opts.gasGwei ?? 12);
  await rpc.start();
  return {
    exchanges,
    rpc,
    setPrice(symbol, spot, basis = 0.0005) {
      for (const e of Object.values(exchanges)) {
        e.book.setPrice(symbol, spot, spot * (1 + basis));
        e.pushTickers();
      }
    },
    credentialEnv(environment) {
      const env: Record<string, string> = {};
      for (const e of Object.values(exchanges)) {
        const p = `${e.venue}_${environment}_`.toUpperCase();
        env[`${p}API_KEY`] = e.creds.apiKey;
        env[`${p}SECRET_KEY`] = e.creds.secret;
        if (e.creds.passphrase) env[`${p}PASSPHRASE`] = e.creds.passphrase;
      }
      return env;
    },
    async stop() {
      for (const e of Object.values(exchanges)) await e.server.stop();
      await rpc.stop();
    },
  };
}

/** The environment-block URL keys of each venue pointed at its local server. */
export function harnessUrls(h: Harness, venue: HarnessVenue): Record<string, string> {
  const s = h.exchanges[venue].server;
  if (venue === 'binance')
    return {
      spot_rest_url: s.url,
      perp_rest_url: s.url,
      spot_ws_url: `${s.wsUrl}/stream/ws`, // ccxt recognises Binance spot streams by "/stream" in the URL
      perp_ws_url: `${s.wsUrl}/fws`,
    };
  if (venue === 'bybit')
    return {
      rest_url: s.url,
      public_ws_url: `${s.wsUrl}/v5/public/linear`,
      spot_ws_url: `${s.wsUrl}/v5/public/spot`,
    };
  return { rest_url: s.url, public_ws_url: `${s.wsUrl}/ws/v5/public` };
}

/**
 * Rewrites the `testnet` and `simulation` blocks of the CEX venue files in `configDir` to the local
 * servers (credentials stay `${VAR}` references), and the wallet's gas RPC to the local endpoint.
 * `extra` adds keys to every rewritten block (e.g. short timeouts).
 */
export function pointConfigAt(
  h: Harness,
  configDir: string,
  extra: Record<string, string | number | boolean> = {},
): void {
  for (const venue of HARNESS_VENUES) {
    const file = join(configDir, 'venues', `${venue}.yaml`);
    const text = readFileSync(file, 'utf8');
    const urls = { ...harnessUrls(h, venue), ...extra };
    const creds = venue === 'okx' ? ['api_key', 'secret_key', 'passphrase'] : ['api_key', 'secret_key'];
    const block = (env: string, withCreds: boolean) =>
      [
        `  ${env}:`,
        ...Object.entries(urls).map(([k, v]) => `    ${k}: ${typeof v === 'string' ? `'${v}'` : v}`),
        ...(env === 'simulation' ? ['    market_data: historical'] : []),
        ...(env === 'testnet' && venue === 'binance' ? ['    wallet_transfers: false'] : []),
        ...(withCreds ? creds.map((c) => `    ${c}: \${${`${venue}_${env}_${c}`.toUpperCase()}}`) : []),
      ].join('\n');
    const start = text.indexOf('\nenvironments:');
    const head = text.slice(0, start);
    const live = /\n {2}live:[\s\S]*?(?=\n {2}testnet:)/.exec(text.slice(start))![0];
    writeFileSync(
      file,
      `${head}\nenvironments:${live}\n${block('testnet', true)}\n${block('simulation', false)}\n`,
    );
  }
  const wallet = join(configDir, 'venues', 'wallet.yaml');
  const w = readFileSync(wallet, 'utf8');
  const next = w.replace(
    /(\n {2}simulation:[^\n]*\n(?: {4}[^\n]*\n?)*)/,
    (blk) => blk.replace(/ {4}gas_rpc_url:[^\n]*\n?/, '').trimEnd() + `\n    gas_rpc_url: '${h.rpc.url}'\n`,
  );
  writeFileSync(wallet, next);
}
