/**
 * Builds the parts of one run from a resolved mode and its market data: venues (src/venues/build.ts, the
 * one venue factory), monitors, ledger, PnL calculator, strategy and execution manager, wired into the
 * tight loop.
 */
import type { ResolvedMode } from '../config/index.js';
import { MarketCursor } from '../data/cursor.js';
import type { MarketData } from '../data/types.js';
import { ExecutionManager } from '../execution/manager.js';
import { ExposureMonitor } from '../portfolio/exposure.js';
import { RunLedger } from '../portfolio/ledger.js';
import { PnlCalculator } from '../portfolio/pnl.js';
import { PositionMonitor } from '../portfolio/positions.js';
import { Pricer } from '../portfolio/pricing.js';
import { RiskMonitor } from '../risk/monitor.js';
import type { Strategy, StrategyContext, VenueDirectory } from '../strategies/base.js';
import { familyOf } from '../strategies/index.js';
import { buildVenues, type RealVenues, type RunWallet } from '../venues/build.js';
import { GasModel } from '../venues/gas.js';
import type { CexVenue, LendingVenue, SimulatedVenue, Venue } from '../venues/types.js';
import { StepRecorder } from './recorder.js';

export type { RunWallet } from '../venues/build.js';

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
  /**
   * Replaces the strategy with one trading the hedge venues at `weights` (a venue at 0 is closed and its
   * margin returned): the per-span coverage rule and a wall-clock run's venue fallback.
   */
  reweigh(weights: Record<string, number>): void;
  record(step: number, deposit: number): void;
}

/** How a run gets venues that are not simulated (wall-clock runs, src/engine/live). */
export interface BuildRunOptions {
  /** The real clients of the venues that run on a testnet or live (src/venues/build.ts); `ledger` is the run's. */
  real?: (ledger: RunLedger) => RealVenues;
}

export function buildRun(
  resolved: ResolvedMode,
  data: MarketData,
  hedgeWeights: Record<string, number>,
  opts: BuildRunOptions = {},
): RunParts {
  const { mode } = resolved;
  const family = familyOf(mode.family);
  const cursor = new MarketCursor(data);
  const spotVenue = mode.venues.spot ?? 'binance';
  const pricer = new Pricer(cursor, mode.share_class, spotVenue);
  const ledger = new RunLedger(pricer);
  const gas = GasModel.fromConfigs(
    cursor,
    Object.values(resolved.venues) as { venue: string; gas_units?: Record<string, number> }[],
  );

  const walletAsset = mode.share_class;
  const built = buildVenues(
    family.venues(resolved, cursor, hedgeWeights),
    resolved.venues,
    cursor,
    gas,
    (a) => pricer.usdt(a),
    opts.real?.(ledger),
  );
  const { venues, ordered, simulated, wallet, cex, lending, notes } = built;
  const positions = new PositionMonitor(ordered);
  const exposure = new ExposureMonitor(positions, pricer, cursor);
  const assetPrice = () => pricer.inShareClass(mode.asset === 'USDT' ? 'USDT' : mode.asset);
  const risk = new RiskMonitor(mode, cex, lending, exposure, ledger, assetPrice);
  const pnl = new PnlCalculator(positions, exposure, ledger);
  const strategy = family.create(mode, { hedgeWeights, venueConfigs: resolved.venues });

  const tightLoop = () => {
    positions.refresh();
    exposure.update(cursor.step);
    risk.update();
    pnl.update(cursor.step);
  };

  const ethInWalletAsset = () => (built.gasInEth ? 1 : pricer.usdt('ETH'));
  const execution = new ExecutionManager(
    mode,
    venues,
    ledger,
    gas,
    (asset) =>
      gas.gasEth(wallet.name, 'transfer') *
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

  const reweigh = (weights: Record<string, number>) => {
    result.strategy = family.create(mode, { hedgeWeights: weights, venueConfigs: resolved.venues });
  };
  const result: RunParts = {
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
    reweigh,
  };
  return result;
}
