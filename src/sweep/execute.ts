/** One run of a sweep, the same in the main thread, a worker thread and a queue worker. */
import { BasisError } from '../domain/errors.js';
import { partialRunOf, runBacktest, type SummarisedRun as BacktestRun } from '../results/run.js';
import type { BacktestSummary } from '../results/summary.js';
import { runTimings, toRunResult } from '../results/store/columns.js';
import type { RunResult, RunTimings } from '../results/store/types.js';
import type { SignalSandbox } from '../signals/types.js';
import type { DataLoader, SharedData } from './data.js';
import type { SweepRun } from './spec.js';

export interface RunTask {
  run: SweepRun;
  dataDir?: string;
  configDir?: string;
  cacheDir?: string;
  /** Runs started for an API caller: where a signal source may read and connect (docs/security.md). */
  sandbox?: SignalSandbox;
  /** Return the series and events too (for the results store). */
  withResult: boolean;
  /** The window's data, loaded once in the main thread (shared memory); a worker without it loads it. */
  shared?: SharedData;
}

export interface RunAnswer {
  key: string;
  /** Summary of the run (of the steps before it stopped when it failed mid-way), or null. */
  summary: BacktestSummary | null;
  error: string | null;
  /** A fault of ours rather than the run's inputs (not a BasisError). */
  internal?: boolean;
  result?: RunResult;
  timings?: RunTimings;
}

export async function executeRun(task: RunTask, loader: DataLoader): Promise<RunAnswer> {
  const { run } = task;
  const answer = (r: BacktestRun, error: string | null): RunAnswer => ({
    key: run.key,
    summary: r.summary,
    error,
    ...(task.withResult ? { result: ownResult(r), timings: runTimings(r.summary) } : {}),
  });
  try {
    const r = await runBacktest({
      mode: run.mode,
      overrides: run.overrides,
      startMs: run.window.start === null ? undefined : Date.parse(run.window.start),
      endMs: run.window.end === null ? undefined : Date.parse(run.window.end),
      capital: run.capital,
      dataDir: task.dataDir,
      configDir: task.configDir,
      cacheDir: task.cacheDir,
      sandbox: task.sandbox,
      loadData: loader,
    });
    return answer(r, null);
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    const partial = partialRunOf(err);
    if (partial) return answer(partial, message);
    return { key: run.key, summary: null, error: message, internal: !(err instanceof BasisError) };
  }
}

/** The store's shape of a run, with its own copy of the grid's timestamps (the data is shared). */
function ownResult(r: BacktestRun): RunResult {
  const result = toRunResult(r);
  return { ...result, timestampsMs: result.timestampsMs.slice() };
}
