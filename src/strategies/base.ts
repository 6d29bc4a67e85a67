/**
 * What every strategy sees and returns. Strategies read the monitors and venue views, decide one of the
 * five wrapper actions and return instructions as data; they never act (execution does) and never
 * branch on the environment.
 */
import type { ModeConfig } from '../config/schema.js';
import type { MarketData } from '../data/types.js';
import type { PredictionSet, SignalSandbox } from '../signals/types.js';
import type { ActionType, Instruction, StrategyDecision, WrapperAction } from '../domain/types.js';
import type { ExposureMonitor } from '../portfolio/exposure.js';
import type { PositionMonitor } from '../portfolio/positions.js';
import type { Pricer } from '../portfolio/pricing.js';
import type { RiskMonitor } from '../risk/monitor.js';
import type { CexVenue, LendingVenue, Venue } from '../venues/types.js';

export interface VenueDirectory {
  wallet: Venue;
  lending(name: string): LendingVenue;
  cex(name: string): CexVenue;
  get(name: string): Venue;
}

export interface StrategyContext {
  step: number;
  timeMs: number;
  /** Equity in share-class units after the last tight loop. */
  equity: number;
  /** Share-class amount the engine will withdraw from the wallet at the end of this step. */
  pendingWithdrawal: number;
  /** 0 for the first decision pass of a step, then 1, 2, ... */
  pass: number;
  positions: PositionMonitor;
  exposure: ExposureMonitor;
  risk: RiskMonitor;
  pricer: Pricer;
  venues: VenueDirectory;
  /** Gas of one on-chain operation at this step, in units of the wallet's asset. */
  gasCost(venue: string, op: string): number;
  /** Grid series by id (for signals such as funding history). */
  series(id: string): Float64Array;
}

/** What a strategy may prepare from before the first step (signals, models). */
export interface StrategyEnvironment {
  data: MarketData;
  /** The run's event log. */
  events: { event(type: string, data: Record<string, unknown>): void };
  /** Mode file, for configuration errors. */
  modeFile: string;
  /** Predictions that replace the mode's signal source (benchmarks, tests). */
  signals?: PredictionSet;
  /** Limits on the signal source of a run started for an API caller (src/signals/index.ts). */
  sandbox?: SignalSandbox;
  /** Progress of long preparation (model training), shown by the CLI. */
  onPhase?: (phase: string, done: number, total: number) => void;
  cacheDir?: string;
}

export interface Strategy {
  readonly mode: ModeConfig;
  /** Called once before the first step (may load signals or train a model); returns notes for the run. */
  prepare?(env: StrategyEnvironment): Promise<string[]>;
  /** Called once per step before the first pass. */
  beginStep?(ctx: StrategyContext): void;
  decide(ctx: StrategyContext): StrategyDecision | null;
  /** Family-specific results for the run's summary (e.g. the trades of ml_directional). */
  report?(): Record<string, unknown>;
}

/** Venue a mode maps an action type to; throws if the mode has none. */
export function route(mode: ModeConfig, action: Exclude<ActionType, 'hedge'>): string {
  const v = mode.venues[action];
  if (!v) throw new Error(`mode ${mode.mode} maps no venue to action type ${action}`);
  return v;
}

export function decision(
  action: WrapperAction,
  reason: string,
  items: Instruction[],
): StrategyDecision | null {
  return items.length === 0 ? null : { action, reason, items };
}
