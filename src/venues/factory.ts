/**
 * Venue client factory: from an environment plan (environment.ts) and the series a run reads, builds
 * exactly the clients the run needs — a ccxt exchange API per venue that trades on a testnet or live,
 * a market-data feed per exchange whose prices the run reads (the trading client's own endpoints, or
 * the public endpoints of the venue's `simulation` block for paper trading and reference prices), and
 * the gas-price feed of a simulated wallet. Nothing here decides what to trade.
 */
import { dirname, join } from 'node:path';
import { loadVenue, resolveConfigDir } from '../config/load.js';
import { resolveVenueEnvironment, type EnvironmentBlock } from '../config/interpolate.js';
import { DataError, InputError } from '../domain/errors.js';
import { withRetry } from '../domain/retry.js';
import { BinanceApi } from './cex/binance.js';
import { BybitApi } from './cex/bybit.js';
import { createExchange, isSupportedExchange, type SupportedExchange } from './cex/exchange.js';
import { OkxApi } from './cex/okx.js';
import type { CcxtApiBase } from './cex/api-base.js';
import type { CexApi, OrderVenue } from './cex/types.js';
import { LiveCex, type LiveCexOptions } from './cex/client.js';
import type { RealCexRequest } from './build.js';
import type { EnvironmentPlan } from './environment.js';
import { CexFeed, type FeedOptions } from './feeds/cex-feed.js';
import { GasPriceFeed } from './feeds/gas-feed.js';
import { feedPlan } from './feeds/market-source.js';
import type { SenderOptions } from './onchain/chain/sender.js';
import { createOnchainVenues, isOnchainSeries, type OnchainVenues } from './onchain/index.js';

export interface VenueClients {
  /** Exchange APIs of the venues that trade on a testnet or live. */
  apis: Map<string, CexApi>;
  feeds: Map<string, CexFeed>;
  gas: GasPriceFeed | null;
  /** The on-chain venues (viem) of the venues planned `onchain`, connected by `init()`; null before or without. */
  onchain: OnchainVenues | null;
  /**
   * The exchange client of a venue that trades on a testnet or live (undefined when it is simulated): a
   * LiveCex on the venue's API, taking over the allocation of `carry` (its previous client) when a run's
   * parts are rebuilt.
   */
  cexClient(
    req: RealCexRequest,
    o: Omit<LiveCexOptions, 'orderType' | 'symbols'> & { carry?: OrderVenue },
  ): OrderVenue | undefined;
  /** Loads every exchange's markets (the first network calls), then starts the price streams. */
  init(): Promise<void>;
  close(): Promise<void>;
}

export interface FactoryOptions {
  configDir?: string;
  feed: FeedOptions;
  /** Folder of the on-chain sender journals (default `.basis/onchain`). */
  journalDir?: string;
  sender?: SenderOptions;
}

/**
 * Builds and connects the on-chain venues of the venues planned `onchain` (one wallet, one chain; reads the
 * chain id, token decimals, reserves and pools), or null when the plan has none.
 */
export async function createOnchainClients(
  plan: EnvironmentPlan,
  o: Pick<FactoryOptions, 'configDir' | 'journalDir' | 'sender'> = {},
): Promise<OnchainVenues | null> {
  const planned = plan.venues.filter((v) => v.client === 'onchain');
  if (planned.length === 0) return null;
  const root = dirname(resolveConfigDir(o.configDir));
  return createOnchainVenues({
    venues: planned.map((v) => ({ config: loadVenue(v.venue, o.configDir), settings: v.settings })),
    journalDir: o.journalDir ?? join(root, '.basis', 'onchain'),
    sender: o.sender,
    baseDir: root,
  });
}

type ExchangeApi = CexApi & CcxtApiBase;

function api(
  venue: SupportedExchange,
  ex: Awaited<ReturnType<typeof createExchange>>,
  settings: EnvironmentBlock,
): ExchangeApi {
  if (venue === 'binance') return new BinanceApi(venue, ex, settings.wallet_transfers === true);
  if (venue === 'bybit') return new BybitApi(venue, ex);
  return new OkxApi(venue, ex);
}

/**
 * Checks that every series has a live source (before any network call) and builds the clients without
 * connecting. `ids`: the grid series the run reads.
 */
export async function createVenueClients(
  plan: EnvironmentPlan,
  ids: readonly string[],
  o: FactoryOptions,
): Promise<VenueClients> {
  // With on-chain venues, their series (Aave indexes, oracles, pegs, pool prices) are read from the chain.
  const chain = plan.venues.some((v) => v.client === 'onchain');
  const fp = feedPlan(chain ? ids.filter((id) => !isOnchainSeries(id)) : ids);
  if (fp.unsupported.length > 0)
    throw new InputError(
      `series ${fp.unsupported.join(', ')} ${fp.unsupported.length > 1 ? 'have' : 'has'} no live source in this version (on-chain market data); this mode cannot run on a wall clock yet`,
    );
  const apis = new Map<string, ExchangeApi>();
  const feedApis: ExchangeApi[] = [];
  const feeds = new Map<string, CexFeed>();
  const byName = new Map(plan.venues.map((v) => [v.venue, v]));

  for (const v of plan.venues) {
    if (v.client !== 'ccxt') continue;
    if (!isSupportedExchange(v.venue)) throw new InputError(`no exchange client for ${v.venue}`);
    const ex = await createExchange(v.venue, v.settings, { authenticated: true, source: v.source });
    apis.set(v.venue, api(v.venue, ex, v.settings));
  }
  for (const [venue, symbols] of fp.venues) {
    if (!isSupportedExchange(venue)) throw new InputError(`no market-data client for ${venue}`);
    let feedApi = apis.get(venue);
    if (!feedApi) {
      // Paper trading and reference prices: public endpoints of the venue's simulation block.
      const planned = byName.get(venue);
      const file = `config/venues/${venue}.yaml`;
      const settings =
        planned?.settings ?? resolveVenueEnvironment(loadVenue(venue, o.configDir), 'simulation', {}, file);
      const ex = await createExchange(venue, settings, {
        authenticated: false,
        source: { file, path: 'environments.simulation' },
      });
      feedApi = api(venue, ex, settings);
    }
    feedApis.push(feedApi);
    feeds.set(venue, new CexFeed(venue, feedApi, feedApi.ex, symbols, o.feed));
  }
  let gas: GasPriceFeed | null = null;
  if (fp.gas) {
    const wallet = plan.venues.find((v) => v.kind === 'wallet');
    // an on-chain wallet prices gas on its own chain
    const url = wallet?.client === 'onchain' ? wallet.settings.rpc_url : wallet?.settings.gas_rpc_url;
    if (typeof url !== 'string' || url.length === 0)
      throw new DataError(
        "gas.price_gwei needs the wallet's gas_rpc_url (environments.simulation)",
        'gas.price_gwei',
      );
    gas = new GasPriceFeed(url);
  }
  const all = [...new Set([...apis.values(), ...feedApis])];
  const clients: VenueClients = {
    apis,
    feeds,
    gas,
    onchain: null,
    cexClient(req, o) {
      const api = apis.get(req.name);
      if (!api) return undefined;
      const client = new LiveCex(req.name, req.config, req.cursor, api, {
        orderType: req.orderType,
        symbols: req.symbols,
        bookTransfers: o.bookTransfers,
        fundingPollMs: o.fundingPollMs,
        now: o.now,
      });
      if (o.carry) client.restoreState(o.carry.state());
      return client;
    },
    async init() {
      clients.onchain = await createOnchainClients(plan, o);
      // Loading markets is idempotent: transient failures are retried (a run must not die of one 5xx).
      const policy = { attempts: 8, baseMs: 100, maxMs: 5_000 };
      await Promise.all(all.map((a) => withRetry(() => a.init(), policy, { sleep: o.feed.sleep })));
      for (const f of feeds.values()) f.start();
    },
    async close() {
      await Promise.allSettled([...feeds.values()].map((f) => f.stop()));
      await Promise.allSettled(all.map((a) => a.close()));
    },
  };
  return clients;
}
