/**
 * The one venue factory of a run: from what the run needs (`RunVenueSpec`, derived from the mode by its
 * strategy family) and which venues are real (`RealVenues`: the clients factory.ts made for the
 * environment plan — a LiveCex on a ccxt exchange API, the viem venues of src/venues/onchain), builds
 * every venue of the run behind the interfaces of types.ts, simulated where no real client is given. The
 * engine receives the venues and never learns their kind. Real clients are built by factory.ts, loaded
 * only by wall-clock runs, so a backtest loads no exchange or chain code.
 */
import type { CexVenueConfig, LendingVenueConfig, VenueConfig } from '../config/schema.js';
import type { MarketCursor } from '../data/cursor.js';
import { loadEtherfiRewards } from '../data/rewards.js';
import { ConfigError } from '../domain/errors.js';
import type { OrderVenue } from './cex/types.js';
import type { GasModel } from './gas.js';
import { SimulatedAmm } from './simulated/amm.js';
import { SimulatedDex } from './simulated/dex.js';
import { SimulatedFlashLoan } from './simulated/flashloan.js';
import { SimulatedAave, SimulatedCex, SimulatedWallet } from './simulated/index.js';
import { SimulatedStaking } from './simulated/staking.js';
import type { AmmCurve, CexVenue, LendingVenue, SimulatedVenue, Venue, WalletVenue } from './types.js';

/** Tokens ether.fi distributes to weETH holders, priced on their WETH pools. */
export const ETHERFI_REWARD_TOKENS = ['EIGEN', 'ETHFI'] as const;

/** The venues a run needs and what each holds: the family's side of the build (strategies/registry.ts). */
export interface RunVenueSpec {
  /** Where venue configs come from, for messages. */
  modeFile: string;
  wallet: { name: string; assets: string[]; gasAsset?: 'ETH' | 'USDT' };
  /** The lending venue, the assets it supplies or borrows, and whether the account loops in e-mode. */
  lending: { name: string; assets: string[]; emode: boolean } | null;
  cex: {
    name: string;
    symbols: { spot: string[]; perp: string[] };
    /** Multi-assets margin: the share-class asset held at the venue is collateral (`perp.collateral_ratio`). */
    collateral: boolean;
  }[];
  orderType: 'taker' | 'maker';
  /** The LST issuer (with ether.fi's reward distributions for weETH). */
  staking: { name: string; lst: 'weETH' | 'wstETH' } | null;
  /** Flash lenders (entry and unwind). */
  flashLoans: string[];
  dex: string | null;
  /** The DEX venue's pool follows this liquidity model (./simulated/amm.ts) instead of fee-only fills. */
  dexCurve?: AmmCurve;
}

/** The real clients of the venues the environment plan runs on a testnet or live. */
export interface RealVenues {
  /**
   * The exchange client (ccxt) of a CEX venue that trades on a testnet or live, or undefined for a
   * simulated one: `VenueClients.cexClient` of factory.ts, which reads prices from `cursor` like the
   * simulated venue does.
   */
  cex?: (venue: RealCexRequest) => OrderVenue | undefined;
  /** The policy around a real CEX client (retries, breaker: src/execution/resilient.ts). */
  wrapCex?: (venue: OrderVenue) => CexVenue;
  /**
   * The on-chain client (src/venues/onchain) of a wallet, lending, staking, flash-loan or DEX venue that runs
   * on a testnet or live; absent = simulated. On-chain venues share one wallet: when the wallet is on chain,
   * every such venue of the mode must be.
   */
  onchain?: (name: string) => Venue | undefined;
}

/** What a real CEX client is built for. */
export interface RealCexRequest {
  name: string;
  config: CexVenueConfig;
  cursor: MarketCursor;
  symbols: { spot: string[]; perp: string[] };
  orderType: 'taker' | 'maker';
}

/** A run's wallet as the runners use it (deposits and withdrawals of the share class). */
export type RunWallet = WalletVenue & {
  balanceOf(asset: string): number;
  credit(asset: string, amount: number): void;
  debit(asset: string, amount: number): void;
};

export interface RunVenues {
  /** Every venue by name. */
  venues: Map<string, Venue>;
  /** In position order: wallet, lending, CEX venues, then staking / flash / DEX venues. */
  ordered: Venue[];
  simulated: SimulatedVenue[];
  wallet: RunWallet;
  /** Whether the wallet pays gas in ETH (true for an on-chain wallet). */
  gasInEth: boolean;
  cex: CexVenue[];
  lending: LendingVenue | null;
  notes: string[];
}

export function buildVenues(
  spec: RunVenueSpec,
  configs: Record<string, VenueConfig>,
  cursor: MarketCursor,
  gas: GasModel,
  usdt: (asset: string) => number,
  real: RealVenues = {},
): RunVenues {
  const config = <K extends VenueConfig['kind']>(
    name: string,
    kind: K,
  ): Extract<VenueConfig, { kind: K }> => {
    const cfg = configs[name];
    if (!cfg) throw new ConfigError(spec.modeFile, 'venues', `venue ${name} has no configuration`);
    if (cfg.kind !== kind)
      throw new ConfigError(`config/venues/${name}.yaml`, 'kind', `expected ${kind}, received ${cfg.kind}`);
    return cfg as Extract<VenueConfig, { kind: K }>;
  };
  const onchain = (name: string): Venue | null => (configs[name] ? (real.onchain?.(name) ?? null) : null);

  const walletName = spec.wallet.name;
  const chainWallet = onchain(walletName) as RunWallet | null;
  const simWallet = chainWallet
    ? null
    : new SimulatedWallet(walletName, cursor, gas, spec.wallet.assets, { gasAsset: spec.wallet.gasAsset });
  const wallet: RunWallet = chainWallet ?? simWallet!;
  const venues = new Map<string, Venue>([[walletName, wallet]]);
  const simulated: SimulatedVenue[] = simWallet ? [simWallet] : [];
  const ordered: Venue[] = [wallet];
  const add = (v: Venue, sim: boolean) => {
    venues.set(v.name, v);
    ordered.push(v);
    if (sim) simulated.push(v as SimulatedVenue);
  };
  const needSimWallet = (name: string): SimulatedWallet => {
    if (simWallet) return simWallet;
    throw new ConfigError(
      `config/venues/${name}.yaml`,
      'environments',
      `${name} is simulated but the wallet ${walletName} is on chain: run every on-chain venue of the mode in one environment`,
    );
  };

  let lending: LendingVenue | null = null;
  if (spec.lending) {
    const { name, assets, emode } = spec.lending;
    const chainLending = onchain(name) as LendingVenue | null;
    if (chainLending) {
      // on chain, e-mode is set before the venue's first action
      if (emode) chainLending.setEmode(true);
      lending = chainLending;
      add(chainLending, false);
    } else {
      const cfg: LendingVenueConfig = config(name, 'lending');
      const aave = new SimulatedAave(cfg.venue, cfg, cursor, needSimWallet(cfg.venue), gas, assets);
      // e-mode is set once when the account is opened (no gas charged)
      if (emode) aave.setEmode(true);
      lending = aave;
      add(aave, true);
    }
  }

  const cex: CexVenue[] = [];
  for (const c of spec.cex) {
    const cfg: CexVenueConfig = config(c.name, 'cex');
    const client = real.cex?.({
      name: c.name,
      config: cfg,
      cursor,
      symbols: c.symbols,
      orderType: spec.orderType,
    });
    let v: CexVenue;
    if (client) {
      v = real.wrapCex ? real.wrapCex(client) : client;
    } else {
      v = new SimulatedCex(c.name, cfg, cursor, {
        orderType: spec.orderType,
        symbols: c.symbols,
        collateral: c.collateral ? cfg.perp.collateral_ratio : undefined,
      });
    }
    cex.push(v);
    add(v, !client);
  }

  const notes: string[] = [];
  const extra = [spec.staking?.name, ...spec.flashLoans, spec.dex].filter((n): n is string => !!n);
  if (chainWallet) {
    for (const name of new Set(extra)) {
      const v = onchain(name);
      if (!v) needSimWallet(name);
      add(v!, false);
    }
  } else {
    const w = simWallet!;
    if (spec.staking) {
      const { name, lst } = spec.staking;
      const opts: ConstructorParameters<typeof SimulatedStaking>[4] = {};
      if (lst === 'weETH') {
        const schedule = loadEtherfiRewards(cursor.data.dataDir);
        for (const f of schedule.missing)
          notes.push(`ether.fi rewards: ${f} is not in the dataset; its distributions are not modelled`);
        const held = ETHERFI_REWARD_TOKENS.filter((t) => w.holds(t));
        for (const t of ETHERFI_REWARD_TOKENS)
          if (!held.includes(t) && schedule.periods.some((p) => p.token === t))
            notes.push(
              `ether.fi rewards: no dex.${t}WETH.price series to value ${t}; its distributions are not paid`,
            );
        opts.rewards = schedule.periods.filter((p) => held.includes(p.token as (typeof held)[number]));
        opts.rewardBase = () => w.balanceOf(lst) + (lending ? lending.supplied(lst) : 0);
        opts.payable = (token) => w.holds(token) && usdt(token) > 0;
      }
      add(new SimulatedStaking(name, config(name, 'staking'), cursor, w, opts), true);
    }
    for (const name of new Set(spec.flashLoans))
      add(new SimulatedFlashLoan(name, config(name, 'flash_loan'), w), true);
    if (spec.dex && spec.dexCurve)
      add(new SimulatedAmm(spec.dex, config(spec.dex, 'dex'), cursor, w, spec.dexCurve, usdt), true);
    else if (spec.dex) add(new SimulatedDex(spec.dex, config(spec.dex, 'dex'), cursor, w, usdt), true);
  }

  return {
    venues,
    ordered,
    simulated,
    wallet,
    gasInEth: !simWallet || simWallet.gasAsset === 'ETH',
    cex,
    lending,
    notes,
  };
}
