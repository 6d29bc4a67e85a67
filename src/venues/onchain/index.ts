/**
 * On-chain venues (viem): Aave V3 lending, Lido and ether.fi staking, Uniswap V3 swaps, Morpho Blue flash
 * loans through our LeverageExecutor, and the wallet, behind the same interfaces as the simulated venues
 * (src/venues/types.ts). `createOnchainVenues` builds them for a run from their resolved environment blocks
 * (testnet: any RPC URL, e.g. the devnet; live: mainnet addresses from the venue files): one chain context
 * (RPC, signer, journalled sender, token registry) and one atomic route shared by all of them.
 */
import { getAddress, type Address } from 'viem';
import type { EnvironmentBlock } from '../../config/index.js';
import type { LendingVenueConfig, VenueConfig } from '../../config/schema.js';
import { ConfigError } from '../../domain/errors.js';
import type { Ledger, Venue } from '../types.js';
import { OnchainAave } from './aave/index.js';
import type { OnchainDeps } from './base.js';
import { ChainContext } from './chain/context.js';
import type { SenderOptions } from './chain/sender.js';
import { loadSigner } from './chain/signer.js';
import { EtherFiProtocol } from './etherfi/index.js';
import { AtomicRoute } from './executor/route.js';
import { LidoProtocol } from './lido/index.js';
import { OnchainMorpho } from './morpho/index.js';
import { OnchainStaking } from './staking/index.js';
import { OnchainUniswap } from './uniswap/index.js';
import { OnchainWallet } from './wallet/index.js';

export { resolveOnchainBlock, type DeploymentFile } from './config.js';
export { isOnchainSeries, onchainSeriesRow, onchainSeriesValue } from './series.js';
export { ChainContext, TokenRegistry } from './chain/context.js';
export { decryptKeystore, encryptKeystore, KeystoreError } from './chain/keystore.js';
export { Secret } from '../../domain/secret.js';
export { loadSigner } from './chain/signer.js';
export { toBaseUnits, fromBaseUnits } from './chain/units.js';
export { OnchainAave, OnchainMorpho, OnchainStaking, OnchainUniswap, OnchainWallet, AtomicRoute };

/** `*_address` keys that name tokens, and the symbols they register. */
const TOKEN_KEYS: Record<string, string> = {
  usdt_address: 'USDT',
  weth_address: 'WETH',
  weeth_address: 'weETH',
  wsteth_address: 'wstETH',
  steth_address: 'stETH',
  eeth_address: 'eETH',
};
const REBASING = new Set(['stETH', 'eETH']);

export interface OnchainVenueSpec {
  config: VenueConfig;
  /** The resolved block (resolveOnchainBlock): addresses, rpc_url, credentials. Never log it. */
  settings: EnvironmentBlock;
}

export interface OnchainBuildOptions {
  /** The run's on-chain venues; exactly one wallet among them. */
  venues: OnchainVenueSpec[];
  /** Folder of the sender journals (e.g. `.basis/onchain`). */
  journalDir: string;
  sender?: SenderOptions;
  /** Folder relative keystore paths resolve against. */
  baseDir?: string;
}

export interface OnchainVenues {
  venues: Map<string, Venue>;
  ctx: ChainContext;
  route: AtomicRoute;
  /** Refreshes every venue's view (reads only); with a ledger, Aave interest since the last refresh is booked. */
  refresh(ledger?: Ledger): Promise<void>;
}

const file = (c: VenueConfig) => `config/venues/${c.venue}.yaml`;

function address(spec: OnchainVenueSpec, key: string, required = true): Address | null {
  const v = spec.settings[key];
  if (typeof v === 'string' && v !== '') return getAddress(v);
  if (!required) return null;
  throw new ConfigError(
    file(spec.config),
    `environments.*.${key}`,
    'missing: the on-chain client needs this address',
  );
}

/** Builds and connects the on-chain venues (reads the chain id, token decimals, reserve and pool addresses). */
export async function createOnchainVenues(o: OnchainBuildOptions): Promise<OnchainVenues> {
  const wallets = o.venues.filter((v) => v.config.kind === 'wallet');
  if (wallets.length !== 1)
    throw new ConfigError(
      'config/venues',
      '',
      `on-chain venues need exactly one wallet, received ${wallets.length}`,
    );
  const w = wallets[0];
  const rpcUrl = w.settings.rpc_url;
  if (typeof rpcUrl !== 'string' || rpcUrl === '')
    throw new ConfigError(file(w.config), 'environments.*.rpc_url', 'missing');
  for (const v of o.venues) {
    if (v.settings.rpc_url !== rpcUrl) {
      throw new ConfigError(
        file(v.config),
        'environments.*.rpc_url',
        `differs from the wallet's: on-chain venues of a run share one chain`,
      );
    }
  }
  const account = loadSigner(w.settings, { file: file(w.config), path: 'environments', baseDir: o.baseDir });
  const chainId = typeof w.settings.chain_id === 'number' ? w.settings.chain_id : undefined;
  const ctx = await ChainContext.connect({
    rpcUrl,
    account,
    journalDir: o.journalDir,
    expectedChainId: chainId,
    sender: o.sender,
  });
  for (const v of o.venues) {
    for (const [key, symbol] of Object.entries(TOKEN_KEYS)) {
      const a = address(v, key, false);
      if (a) ctx.tokens.add(symbol, a);
    }
  }
  await ctx.tokens.load(ctx.pub);
  const route = new AtomicRoute();
  const deps: OnchainDeps = { ctx, route };
  const held = ctx.tokens.symbols().filter((s) => !REBASING.has(s));

  const venues = new Map<string, Venue>();
  const wallet = new OnchainWallet(w.config.venue, deps, held);
  venues.set(wallet.name, wallet);
  let aave: OnchainAave | null = null;
  const staking = new Map<string, OnchainStaking>();
  let dex: OnchainUniswap | null = null;
  const morphos: OnchainMorpho[] = [];
  for (const v of o.venues) {
    const c = v.config;
    if (c.kind === 'lending') {
      const cfg = c as LendingVenueConfig;
      const assets = Object.keys(cfg.reserves).filter((a) => ctx.tokens.has(a));
      aave = new OnchainAave(
        c.venue,
        deps,
        cfg,
        { pool: address(v, 'pool_address')!, oracle: address(v, 'oracle_address')! },
        assets,
      );
      await aave.init();
      venues.set(c.venue, aave);
    } else if (c.kind === 'staking') {
      const lst = c.params.lst_symbol;
      const protocol =
        lst === 'wstETH'
          ? new LidoProtocol(
              address(v, 'steth_address')!,
              address(v, 'wsteth_address')!,
              address(v, 'withdrawal_queue_address')!,
            )
          : lst === 'weETH'
            ? new EtherFiProtocol(
                address(v, 'liquidity_pool_address')!,
                address(v, 'eeth_address')!,
                address(v, 'weeth_address')!,
                address(v, 'withdraw_request_nft_address')!,
              )
            : null;
      if (!protocol)
        throw new ConfigError(
          file(c),
          'params.lst_symbol',
          `no on-chain client for ${String(lst)} (wstETH, weETH)`,
        );
      const s = new OnchainStaking(c.venue, deps, c, protocol);
      staking.set(c.venue, s);
      venues.set(c.venue, s);
    } else if (c.kind === 'dex') {
      const v1 = address(v, 'swap_router_address', false);
      const router = v1 ?? address(v, 'swap_router_02_address')!;
      dex = new OnchainUniswap(
        c.venue,
        deps,
        c,
        {
          factory: address(v, 'factory_address')!,
          quoterV2: address(v, 'quoter_v2_address')!,
          router,
          routerKind: v1 ? 'v1' : '02',
        },
        held.filter((s) => s !== 'ETH'),
      );
      await dex.init();
      venues.set(c.venue, dex);
    } else if (c.kind === 'flash_loan') {
      if (!('morpho_address' in v.settings)) {
        throw new ConfigError(
          file(c),
          'environments',
          `${c.venue} has no on-chain client (the Morpho executor route is the default; see docs/onchain.md)`,
        );
      }
      const m = new OnchainMorpho(
        c.venue,
        deps,
        c,
        address(v, 'morpho_address')!,
        address(v, 'leverage_executor_address', false),
      );
      morphos.push(m);
      venues.set(c.venue, m);
    } else if (c.kind !== 'wallet') {
      throw new ConfigError(file(c), 'kind', `${c.kind} venues have no on-chain client`);
    }
  }
  for (const m of morphos) {
    if (aave) m.attach({ aave, staking, dex, wallet });
  }
  const refresh = async (ledger?: Ledger) => {
    await Promise.all([...venues.values()].map((v) => (v === aave ? aave.refresh(ledger) : v.refresh?.())));
  };
  deps.refreshAll = refresh;
  await refresh();
  return { venues, ctx, route, refresh };
}
