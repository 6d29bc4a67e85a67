/**
 * A backtest with its summary: the engine runs it (src/engine/backtest.ts), results computes the summary
 * (summary.ts). What the CLI, the API's workers, sweeps and tests call.
 */
import {
  executeBacktest,
  partialExecutionOf,
  type BacktestOptions,
  type BacktestRun,
} from '../engine/backtest.js';
import { summarise, type BacktestSummary } from './summary.js';

export interface SummarisedRun extends BacktestRun {
  summary: BacktestSummary;
}

export function summariseRun(run: BacktestRun): SummarisedRun {
  return {
    ...run,
    summary: summarise({ ...run.facts, data: run.data, recorder: run.recorder, parts: run.parts }),
  };
}

export async function runBacktest(opts: BacktestOptions): Promise<SummarisedRun> {
  return summariseRun(await executeBacktest(opts));
}

/**
 * The steps a failed run recorded before it stopped, summarised with `status: 'failed'` and the error, or
 * undefined when it failed before its first step. CLI and API write it as a failed run.
 */
export function partialRunOf(err: unknown): SummarisedRun | undefined {
  const run = partialExecutionOf(err);
  return run && summariseRun(run);
}
