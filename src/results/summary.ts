/** The run summary: headline figures, PnL by source with its residual, and where the files went. */
import type { ModeConfig } from '../config/schema.js';
import type { MarketData } from '../data/types.js';
import { PNL_SOURCES } from '../domain/types.js';
import type { RunFacts } from '../engine/backtest.js';
import type { RunParts } from '../engine/setup.js';
import type { StepRecorder } from '../engine/recorder.js';
import { iso } from '../engine/time.js';
import { computeMetrics } from './metrics.js';

export interface BacktestSummary {
  mode: string;
  family: string;
  share_class: string;
  start: string;
  end: string;
  initial_capital: number;
  final_equity: number;
  deposits: number;
  withdrawals: number;
  /** Time-weighted return over the window, fraction. */
  total_return: number;
  /** Compounded, annualised (365-day year) time-weighted return, fraction. */
  apy: number;
  /** Present only for a run that stopped mid-way: its figures cover the steps recorded before. */
  status?: 'failed';
  /** The error that stopped it (one line). */
  error?: string;
  /** Largest peak-to-trough fall of the time-weighted equity index from the end of the first step, fraction. */
  max_drawdown: number;
  /** Daily returns, annualised by √365, risk-free 0. */
  sharpe: number | null;
  volatility: number | null;
  pnl: {
    /** Equity change net of deposits and withdrawals, share class. */
    balance: number;
    attribution: Record<string, number>;
    /** balance − Σ attribution. */
    residual: number;
    max_abs_step_residual: number;
  };
  trades: number;
  transfers: number;
  /** Instructions a venue refused plus atomic groups that reverted. */
  failed_instructions: number;
  steps: number;
  runtime_ms: number;
  load_ms: number;
  loop_ms: number;
  hedge_weights: Record<string, number>;
  /** Per-span hedge weights (hedge_coverage_rule reallocate), when they change during the run. */
  hedge_schedule?: { from: string; weights: Record<string, number> }[];
  notes: string[];
  data: { dir: string; dataset_id: string; synthetic: boolean };
  final_positions: Record<string, number>;
  /** Family-specific results (ml_directional: `signals` and `trades` with hit rate, exits by reason). */
  strategy_report?: Record<string, unknown>;
  config: ModeConfig;
  series_file: string | null;
  events_file: string | null;
}

/** A run's series and parts with the engine's facts about it (src/engine/backtest.ts RunFacts). */
export type SummaryInput = RunFacts & {
  data: MarketData;
  recorder: StepRecorder;
  parts: RunParts;
};

export function summarise(s: SummaryInput): BacktestSummary {
  const r = s.recorder;
  const n = r.length;
  const m = computeMetrics(s.data.timestampsMs, r.equity, r.pnl, r.deposits, n);
  let deposits = 0;
  let withdrawals = 0;
  let maxRes = 0;
  for (let t = 0; t < n; t++) {
    deposits += r.deposits[t];
    withdrawals += r.deposits[t] - r.flows[t];
    if (Math.abs(r.residual[t]) > maxRes) maxRes = Math.abs(r.residual[t]);
  }
  let trades = 0;
  let transfers = 0;
  let failed = 0;
  for (const e of s.parts.ledger.events) {
    if (e.type === 'fill') {
      if (e.op === 'transfer') transfers++;
      else trades++;
    } else if (e.type === 'execution_failed' || (e.type === 'atomic_group' && e.status === 'reverted'))
      failed++;
  }
  const attribution: Record<string, number> = {};
  PNL_SOURCES.forEach((src, i) => (attribution[src] = s.parts.pnl.totalAttribution[i]));
  const notes = [...s.notes];
  if (s.data.synthetic)
    notes.unshift('SYNTHETIC sample dataset: figures illustrate the engine, not market history');
  return {
    mode: s.mode.mode,
    family: s.mode.family,
    share_class: s.mode.share_class,
    start: iso(s.data.startMs),
    end: iso(s.data.timestampsMs[n - 1]),
    initial_capital: s.initialCapital,
    final_equity: r.equity[n - 1],
    deposits: deposits - s.initialCapital,
    withdrawals,
    total_return: m.totalReturn,
    apy: m.apy,
    max_drawdown: m.maxDrawdown,
    sharpe: m.sharpe,
    volatility: m.volatility,
    pnl: {
      balance: s.parts.pnl.totalPnl,
      attribution,
      residual: s.parts.pnl.totalResidual,
      max_abs_step_residual: maxRes,
    },
    trades,
    transfers,
    failed_instructions: failed,
    steps: n,
    runtime_ms: round(s.runtimeMs),
    load_ms: round(s.loadMs),
    loop_ms: round(s.loopMs),
    hedge_weights: s.hedgeWeights,
    ...(s.hedgeSchedule && s.hedgeSchedule.length > 0
      ? { hedge_schedule: s.hedgeSchedule.map((e) => ({ from: iso(e.fromMs), weights: e.weights })) }
      : {}),
    notes,
    data: { dir: s.data.dataDir, dataset_id: s.data.datasetId, synthetic: s.data.synthetic },
    final_positions: s.parts.positions.snapshot(),
    ...(s.parts.strategy.report ? { strategy_report: s.parts.strategy.report() } : {}),
    config: s.mode,
    series_file: null,
    events_file: null,
    ...(s.error !== undefined ? { status: 'failed' as const, error: s.error } : {}),
  };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
