/**
 * Builds the ccxt (pro) exchange object for a venue from its resolved environment block: every REST and
 * websocket URL comes from the block (live hosts, testnet/sandbox hosts, or a local server in tests), so
 * the environment decides the endpoints in exactly one place. ccxt is loaded on first use only, so
 * backtests never pay for it.
 *
 * Block keys used (config/venues/<venue>.yaml, docs/live.md):
 * - binance: `spot_rest_url`, `perp_rest_url`, `spot_ws_url`, `perp_ws_url`
 * - bybit: `rest_url`, `public_ws_url` (linear), `spot_ws_url`
 * - okx: `rest_url`, `public_ws_url` (…/ws/v5/public), `simulated_trading_header` (demo trading)
 * - all: `api_key`, `secret_key` (OKX `passphrase`) for private endpoints; optional `timeout_ms`
 *   (request timeout, default 10 s), `recv_window_ms` (default 5 s) and `rate_limit_ms` (ccxt's spacing
 *   of requests per unit of weight; default the exchange's own).
 */
import type * as Ccxt from 'ccxt';
import type { Exchange } from 'ccxt';
import { ConfigError } from '../../domain/errors.js';
import { settingText } from '../../domain/secret.js';
import type { EnvironmentBlock } from '../../config/interpolate.js';

export const SUPPORTED_EXCHANGES = ['binance', 'bybit', 'okx'] as const;
export type SupportedExchange = (typeof SUPPORTED_EXCHANGES)[number];

/** URL keys each exchange's block must have for REST (websocket keys are optional: REST fallback). */
export const REQUIRED_URL_KEYS: Record<SupportedExchange, readonly string[]> = {
  binance: ['spot_rest_url', 'perp_rest_url'],
  bybit: ['rest_url'],
  okx: ['rest_url'],
};

export const CREDENTIAL_KEYS: Record<SupportedExchange, readonly string[]> = {
  binance: ['api_key', 'secret_key'],
  bybit: ['api_key', 'secret_key'],
  okx: ['api_key', 'secret_key', 'passphrase'],
};

export function isSupportedExchange(venue: string): venue is SupportedExchange {
  return (SUPPORTED_EXCHANGES as readonly string[]).includes(venue);
}

type CcxtModule = typeof Ccxt;
let ccxtModule: Promise<CcxtModule> | null = null;

export function loadCcxt(): Promise<CcxtModule> {
  ccxtModule ??= import('ccxt');
  return ccxtModule;
}

export interface ExchangeOptions {
  /** Whether to pass credentials (private endpoints); public market-data clients pass none. */
  authenticated: boolean;
  /** Where the block comes from, for messages: `config/venues/binance.yaml: environments.testnet`. */
  source: { file: string; path: string };
}

/** A setting's text: credentials arrive as Secrets (revealed only here, for ccxt), the rest as strings. */
function str(block: EnvironmentBlock, key: string): string | undefined {
  return settingText(block[key]);
}

function need(block: EnvironmentBlock, key: string, o: ExchangeOptions): string {
  const v = str(block, key);
  if (v === undefined)
    throw new ConfigError(o.source.file, `${o.source.path}.${key}`, 'missing (needed to reach the exchange)');
  return v.replace(/\/+$/, '');
}

/**
 * How long after it was sent a request may still be processed by the exchange, ms: the venue's
 * `recv_window_ms` (default 5 s) — sent as Binance's `recvWindow`, Bybit's `X-BAPI-RECV-WINDOW` and, on
 * order placement, OKX's `expTime` deadline; the exchange refuses a request that reaches it later.
 */
export function requestWindowMs(block: EnvironmentBlock): number {
  return typeof block.recv_window_ms === 'number' ? block.recv_window_ms : 5_000;
}

/** ccxt constructor settings (URLs, keys, options) for a venue; pure, no I/O. */
export function exchangeSettings(
  venue: SupportedExchange,
  block: EnvironmentBlock,
  o: ExchangeOptions,
): Record<string, unknown> {
  const timeout = typeof block.timeout_ms === 'number' ? block.timeout_ms : 10_000;
  const recvWindow = requestWindowMs(block);
  const settings: Record<string, unknown> = {
    enableRateLimit: true,
    timeout,
    has: { fetchCurrencies: false },
  };
  if (typeof block.rate_limit_ms === 'number') settings.rateLimit = block.rate_limit_ms;
  if (o.authenticated) {
    for (const key of CREDENTIAL_KEYS[venue]) need(block, key, o);
    settings.apiKey = str(block, 'api_key');
    settings.secret = str(block, 'secret_key');
    if (venue === 'okx') settings.password = str(block, 'passphrase');
  }
  if (venue === 'binance') {
    const spot = need(block, 'spot_rest_url', o);
    const perp = need(block, 'perp_rest_url', o);
    const ws: Record<string, string> = {};
    const spotWs = str(block, 'spot_ws_url');
    const perpWs = str(block, 'perp_ws_url');
    if (spotWs) ws.spot = ws.margin = spotWs;
    if (perpWs) ws.future = perpWs;
    settings.urls = {
      api: {
        public: `${spot}/api/v3`,
        private: `${spot}/api/v3`,
        v1: `${spot}/api/v1`,
        sapi: `${spot}/sapi/v1`,
        sapiV2: `${spot}/sapi/v2`,
        sapiV3: `${spot}/sapi/v3`,
        fapiPublic: `${perp}/fapi/v1`,
        fapiPublicV2: `${perp}/fapi/v2`,
        fapiPublicV3: `${perp}/fapi/v3`,
        fapiPrivate: `${perp}/fapi/v1`,
        fapiPrivateV2: `${perp}/fapi/v2`,
        fapiPrivateV3: `${perp}/fapi/v3`,
        fapiData: `${perp}/futures/data`,
        ws,
      },
    };
    settings.options = {
      fetchMarkets: { types: ['spot', 'linear'] },
      fetchCurrencies: false,
      fetchMargins: false,
      recvWindow,
      defaultType: 'spot',
    };
  } else if (venue === 'bybit') {
    const rest = need(block, 'rest_url', o);
    const pub: Record<string, string> = {};
    const linearWs = str(block, 'public_ws_url');
    const spotWs = str(block, 'spot_ws_url');
    if (linearWs) pub.linear = linearWs;
    if (spotWs) pub.spot = spotWs;
    settings.urls = {
      api: { spot: rest, futures: rest, v2: rest, public: rest, private: rest, ws: { public: pub } },
    };
    settings.options = {
      fetchMarkets: { types: ['spot', 'linear'] },
      enableUnifiedAccount: true,
      enableUnifiedMargin: false,
      unifiedMarginStatus: 6,
      recvWindow,
      defaultType: 'swap',
    };
  } else {
    const rest = need(block, 'rest_url', o);
    const api: Record<string, string> = { rest };
    const ws = str(block, 'public_ws_url');
    if (ws) api.ws = ws.replace(/\/+$/, '').replace(/\/public$/, '');
    settings.urls = { api };
    settings.options = { fetchMarkets: { types: ['spot', 'swap'] }, defaultType: 'spot' };
    if (block.simulated_trading_header === true) settings.headers = { 'x-simulated-trading': '1' };
  }
  return settings;
}

/** A ccxt pro exchange (REST and websocket) for the venue. */
export async function createExchange(
  venue: SupportedExchange,
  block: EnvironmentBlock,
  o: ExchangeOptions,
): Promise<Exchange> {
  const settings = exchangeSettings(venue, block, o);
  const ccxt = await loadCcxt();
  const Ctor = ccxt.pro[venue] as unknown as new (config: Record<string, unknown>) => Exchange;
  const ex = new Ctor(settings);
  if (venue === 'okx') withOrderDeadline(ex, requestWindowMs(block));
  // ccxt needs an http agent for plain ws:// streams (a local server); wss:// needs none.
  if (Object.values(block).some((v) => typeof v === 'string' && v.startsWith('ws://')))
    await ex.loadHttpProxyAgent();
  return ex;
}

/**
 * OKX order placement carries an `expTime` header (the request's deadline, ms since the epoch; not part of
 * the signature): a placement that reaches the exchange after it is refused, not processed late.
 */
function withOrderDeadline(ex: Exchange, windowMs: number): void {
  type Sign = (...args: unknown[]) => { url: string; method: string; body?: unknown; headers?: unknown };
  const sign = (ex.sign as unknown as Sign).bind(ex);
  (ex as unknown as { sign: Sign }).sign = (...args: unknown[]) => {
    const out = sign(...args);
    const [path, api, method] = args;
    if (api === 'private' && method === 'POST' && path === 'trade/order')
      out.headers = { ...(out.headers as Record<string, string>), expTime: String(Date.now() + windowMs) };
    return out;
  };
}
