/** Saving a CLI backtest into the results store, with the request as the user gave it. */
import type { SummarisedRun } from '../../results/run.js';
import { parseFlow } from '../../engine/flows.js';
import { parseTime } from '../../engine/time.js';
import { runTimings, toRunResult, type ResultsStore, type RunRequest } from '../../results/store/index.js';

interface BacktestOptionsText {
  mode: string;
  start?: string;
  end?: string;
  capital?: string;
  set: string[];
  deposit: string[];
  withdraw: string[];
}

const isoOf = (ms: number) => new Date(ms).toISOString();

export function cliRequest(o: BacktestOptionsText, capital: number): RunRequest {
  const flows = (list: string[], what: string) =>
    list.map((d) => {
      const f = parseFlow(d, what);
      return { time: isoOf(f.timeMs), amount: f.amount };
    });
  return {
    mode: o.mode,
    start: o.start === undefined ? null : isoOf(parseTime(o.start, '--start')),
    end: o.end === undefined ? null : isoOf(parseTime(o.end, '--end')),
    capital,
    deposits: flows(o.deposit, '--deposit'),
    withdrawals: flows(o.withdraw, '--withdraw'),
    overrides: [...o.set],
  };
}

/** Saves the run and closes the store; returns the run id and where it went. */
export async function saveCliRun(
  store: ResultsStore,
  o: BacktestOptionsText,
  run: SummarisedRun,
  failed?: string,
): Promise<{ id: string; location: string }> {
  try {
    const id = await store.saveRun(
      'cli',
      cliRequest(o, run.summary.initial_capital),
      toRunResult(run),
      runTimings(run.summary),
      failed,
    );
    return { id, location: store.location };
  } finally {
    await store.close();
  }
}
