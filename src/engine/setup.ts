/**
 * Builds the parts of one run from a resolved mode and its market data: simulated venues, monitors,
 * ledger, PnL calculator, strategy and execution manager, wired into the tight loop.
 */
import type { ResolvedMode } from '../config/index.js';
import type { CexVenueConfig, LendingVenueConfig, VenueConfig } from '../config/schema.js';
import type { MarketData } from '../data/types.js';
import { ConfigError } from '../domain/errors.js';
import { ExecutionManager } from '../execution/manager.js';
import { ExposureMonitor } from '../portfolio/exposure.js';
import { PnlCalculator } from '../portfolio/pnl.js';
import { PositionMonitor } from '../portfolio/positions.js';
import { Pricer } from '../portfolio/pricing.js';
import { RiskMonitor } from '../risk/monitor.js';
import type { Strategy, StrategyContext, VenueDirectory } from '../strategies/base.js';
import { createStrategy } from '../strategies/index.js';
import { GasModel } from '../venues/simulated/gas.js';
import { MarketCursor } from '../venues/simulated/market.js';
import { SimulatedAave, SimulatedCex, SimulatedWallet } from '../venues/simulated/index.js';
import type { CexVenue, LendingVenue, SimulatedVenue, Venue, WalletVenue } from '../venues/types.js';
import { RunLedger } from '../portfolio/ledger.js';
import { StepRecorder } from './recorder.js';
import { buildStakingVenues, stakingWallet } from './staking-setup.js';

export interface RunParts {
  cursor: MarketCursor;
  data: MarketData;
  venues: Map<string, Venue>;
  simulated: SimulatedVenue[];
  /** The run's wallet: simulated, or the on-chain wallet (its credit / debit are refused: balances move by transactions). */
  wallet: RunWallet;
  walletAsset: string;
  cex: CexVenue[];
  lending: LendingVenue | null;
  pricer: Pricer;
  positions: PositionMonitor;
  exposure: ExposureMonitor;
  risk: RiskMonitor;
  pnl: PnlCalculator;
  ledger: RunLedger;
  strategy: Strategy;
  execution: ExecutionManager;
  gas: GasModel;
  ctx: StrategyContext;
  recorder: StepRecorder;
  /** Facts about how this run was built that its summary must state (e.g. reward data not in the dataset). */
  notes: string[];
  /** position → exposure → risk → PnL, at the cursor's step. */
  tightLoop(): void;
  record(step: number, deposit: number): void;
}

/** A run's wallet as the runners use it (deposits and withdrawals of the share class). */
export type RunWallet = WalletVenue & {
  balanceOf(asset: string): number;
  credit(asset: string, amount: number): void;
  debit(asset: string, amount: number): void;
};

/** How a run gets venues that are not simulated (wall-clock runs, src/engine/live). */
export interface BuildRunOptions {
  /**
   * The client of CEX venue `name` when it trades on a testnet or live (src/venues/factory.ts), or null
   * for a simulated venue. It reads prices from `cursor` like the simulated venue does.
   */
  cexVenue?: (
    name: string,
    config: CexVenueConfig,
    cursor: MarketCursor,
    symbols: { spot: string[]; perp: string[] },
    ledger: RunLedger,
  ) => CexVenue | null;
  /**
   * The on-chain client (src/venues/onchain, built by createOnchainClients) of the wallet, lending, staking,
   * flash-loan or DEX venue `name` when it runs on a testnet or live, or null for a simulated venue. On-chain
   * venues share one wallet: when the wallet is on chain, every such venue of the mode must be.
   */
  onchainVenue?: (name: string, config: VenueConfig) => Venue | null;
}

export function buildRun(
  resolved: ResolvedMode,
  data: MarketData,
  hedgeWeights: Record<string, number>,
  opts: BuildRunOptions = {},
): RunParts {
  const { mode } = resolved;
  const cursor = new MarketCursor(data);
  const spotVenue = mode.venues.spot ?? 'binance';
  const pricer = new Pricer(cursor, mode.share_class, spotVenue);
  const ledger = new RunLedger(pricer);
  const gas = GasModel.fromConfigs(
    cursor,
    Object.values(resolved.venues) as { venue: string; gas_units?: Record<string, number> }[],
  );

  const walletAsset = mode.share_class;
  const walletName = mode.venues.wallet_transfer ?? 'wallet';
  const onchain = (name: string): Venue | null => {
    const cfg = resolved.venues[name];
    return cfg ? (opts.onchainVenue?.(name, cfg) ?? null) : null;
  };
  const chainWallet = onchain(walletName) as RunWallet | null;
  const simWallet = chainWallet
    ? null
    : mode.family === 'staking'
      ? stakingWallet(walletName, mode, cursor, gas)
      : new SimulatedWallet(walletName, cursor, gas, [walletAsset]);
  const wallet: RunWallet = chainWallet ?? simWallet!;
  const venues = new Map<string, Venue>([[walletName, wallet]]);
  const simulated: SimulatedVenue[] = simWallet ? [simWallet] : [];
  const ordered: Venue[] = [wallet];
  const needSimWallet = (name: string): SimulatedWallet => {
    if (simWallet) return simWallet;
    throw new ConfigError(
      `config/venues/${name}.yaml`,
      'environments',
      `${name} is simulated but the wallet ${walletName} is on chain: run every on-chain venue of the mode in one environment`,
    );
  };

  let lending: LendingVenue | null = null;
  const chainLending = mode.venues.lending ? (onchain(mode.venues.lending) as LendingVenue | null) : null;
  if (chainLending) {
    // leveraged staking loops in e-mode: on chain it is set before the venue's first action
    if (mode.family === 'staking' && mode.lst_type !== null) chainLending.setEmode(true);
    lending = chainLending;
    venues.set(chainLending.name, chainLending);
    ordered.push(chainLending);
  } else if (mode.venues.lending) {
    const cfg = venueConfig<LendingVenueConfig>(resolved, mode.venues.lending, 'lending');
    const asset = mode.strategy.lending_asset ?? mode.share_class;
    const staking = mode.family === 'staking' && mode.lst_type !== null;
    const aave = new SimulatedAave(
      cfg.venue,
      cfg,
      cursor,
      needSimWallet(cfg.venue),
      gas,
      staking ? [mode.lst_type!, 'WETH'] : [asset],
    );
    // leveraged staking loops in e-mode, set once when the account is opened (no gas charged)
    if (staking) aave.setEmode(true);
    lending = aave;
    venues.set(aave.name, aave);
    simulated.push(aave);
    ordered.push(aave);
  }

  const cex: CexVenue[] = [];
  const symbol = `${mode.asset}USDT`;
  const cexNames = [
    ...new Set([...(mode.venues.spot ? [mode.venues.spot] : []), ...Object.keys(hedgeWeights)]),
  ];
  for (const name of cexNames) {
    const cfg = venueConfig<CexVenueConfig>(resolved, name, 'cex');
    const symbols = {
      spot: name === mode.venues.spot ? [symbol] : [],
      perp: name in hedgeWeights ? [symbol] : [],
    };
    const real = opts.cexVenue?.(name, cfg, cursor, symbols, ledger) ?? null;
    // ml_directional with margin_mode multi_assets: the share-class asset at the perp venue is collateral
    const collateral =
      mode.strategy.margin_mode === 'multi_assets' && name in hedgeWeights
        ? cfg.perp.collateral_ratio
        : undefined;
    const v =
      real ??
      new SimulatedCex(name, cfg, cursor, { orderType: mode.execution.order_type, symbols, collateral });
    cex.push(v);
    venues.set(name, v);
    if (!real) simulated.push(v as SimulatedCex);
    ordered.push(v);
  }

  const notes: string[] = [];
  const chainNames = [mode.venues.staking, mode.venues.flash_loan, mode.venues.unwind, mode.venues.dex_swap];
  if (mode.family === 'staking' && chainWallet) {
    for (const name of new Set(chainNames)) {
      if (!name) continue;
      const v = onchain(name);
      if (!v) needSimWallet(name);
      venues.set(name, v!);
      ordered.push(v!);
    }
  } else if (mode.family === 'staking') {
    const extra = buildStakingVenues(resolved, cursor, needSimWallet(walletName), lending, (a) =>
      pricer.usdt(a),
    );
    notes.push(...extra.notes);
    for (const v of extra.venues) {
      venues.set(v.name, v);
      simulated.push(v);
      ordered.push(v);
    }
  }

  const positions = new PositionMonitor(ordered);
  const exposure = new ExposureMonitor(positions, pricer, cursor);
  const assetPrice = () => pricer.inShareClass(mode.asset === 'USDT' ? 'USDT' : mode.asset);
  const risk = new RiskMonitor(mode, cex, lending, exposure, ledger, assetPrice);
  const pnl = new PnlCalculator(positions, exposure, ledger);
  const strategy = createStrategy(mode, { hedgeWeights, venueConfigs: resolved.venues });

  const tightLoop = () => {
    positions.refresh();
    exposure.update(cursor.step);
    risk.update();
    pnl.update(cursor.step);
  };

  const ethInWalletAsset = () => (!simWallet || simWallet.gasAsset === 'ETH' ? 1 : pricer.usdt('ETH'));
  const execution = new ExecutionManager(
    mode,
    venues,
    ledger,
    gas,
    (asset) =>
      gas.gasEth(walletName, 'transfer') *
      (asset === 'ETH' || asset === 'WETH' ? 1 : pricer.usdt('ETH') / pricer.usdt(asset)),
    tightLoop,
  );

  const directory: VenueDirectory = {
    wallet,
    get: (name) => {
      const v = venues.get(name);
      if (!v) throw new Error(`venue ${name} is not part of this run`);
      return v;
    },
    lending: (name) => directory.get(name) as LendingVenue,
    cex: (name) => directory.get(name) as CexVenue,
  };
  const ctx: StrategyContext = {
    step: 0,
    timeMs: data.startMs,
    equity: 0,
    pendingWithdrawal: 0,
    pass: 0,
    positions,
    exposure,
    risk,
    pricer,
    venues: directory,
    gasCost: (venue, op) => gas.gasEth(venue, op) * ethInWalletAsset(),
    series: (id) => cursor.series(id),
  };

  const recorder = new StepRecorder(
    data.length,
    positions.slots.map((s) => s.key),
    cex.map((c) => c.name),
    lending !== null,
    mode.asset,
  );
  const record = (step: number, deposit: number) => {
    recorder.equity[step] = exposure.equity;
    recorder.flows[step] = pnl.stepFlows;
    recorder.deposits[step] = deposit;
    recorder.pnl[step] = pnl.stepPnl;
    recorder.residual[step] = pnl.stepResidual;
    for (let i = 0; i < recorder.attribution.length; i++)
      recorder.attribution[i][step] = pnl.stepAttribution[i];
    for (let i = 0; i < recorder.positions.length; i++) recorder.positions[i][step] = positions.amounts[i];
    for (let i = 0; i < recorder.marginRatio.length; i++) recorder.marginRatio[i][step] = risk.marginRatio[i];
    recorder.healthFactor[step] = risk.healthFactor;
    recorder.ltv[step] = risk.ltv;
    recorder.deltaDrift[step] = risk.deltaDrift;
    risk.measureLiquidationDistance();
    recorder.liqDistanceAsset[step] = risk.liqDistanceAsset;
    recorder.liqDistanceLst[step] = risk.liqDistanceLst;
    recorder.netDelta[step] = mode.asset === 'USDT' ? 0 : exposure.delta(mode.asset);
    for (let i = 0; i < recorder.positionValues.length; i++)
      recorder.positionValues[i][step] = exposure.values[i];
    recorder.grossExposure[step] = exposure.grossExposure;
    recorder.length = step + 1;
  };

  return {
    cursor,
    data,
    venues,
    simulated,
    wallet,
    walletAsset,
    cex,
    lending,
    pricer,
    positions,
    exposure,
    risk,
    pnl,
    ledger,
    strategy,
    execution,
    gas,
    ctx,
    recorder,
    notes,
    tightLoop,
    record,
  };
}

function venueConfig<T>(resolved: ResolvedMode, name: string, kind: string): T {
  const cfg = resolved.venues[name];
  if (!cfg) throw new ConfigError(resolved.modeFile, `venues`, `venue ${name} has no configuration`);
  if (cfg.kind !== kind)
    throw new ConfigError(`config/venues/${name}.yaml`, 'kind', `expected ${kind}, received ${cfg.kind}`);
  return cfg as T;
}
