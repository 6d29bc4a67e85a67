/**
 * A worker thread of the server's backtest pool (tinypool, src/server/jobs.ts): runs one backtest off
 * the server's event loop and sends back the result the store saves. Progress goes over the task's
 * MessagePort; an error comes back as a value (a class does not survive the thread boundary), so the
 * queue can tell a caller's problem (a BasisError, shown as is) from a fault of ours.
 */
import type { MessagePort } from 'node:worker_threads';
import { BasisError } from '../domain/errors.js';
import { type BacktestOptions } from '../engine/backtest.js';
import { partialRunOf, runBacktest } from '../results/run.js';
import { runTimings, toRunResult } from '../results/store/columns.js';
import type { RunResult, RunTimings } from '../results/store/types.js';

export interface WorkerTask {
  options: Omit<BacktestOptions, 'onProgress'>;
  /** Receives `{done, total}` about 100 times per run. */
  progress: MessagePort;
}

/** The result goes over the task's port with its typed arrays transferred (moved, not copied). */
export interface WorkerResultMessage {
  type: 'result';
  result: RunResult;
  timings: RunTimings;
}

export type WorkerAnswer =
  | { ok: true }
  | {
      ok: false;
      message: string;
      domain: boolean;
      /** What a run that stopped mid-way recorded before it stopped. */
      partial?: { result: RunResult; timings: RunTimings };
    };

export default async function runInWorker(task: WorkerTask): Promise<WorkerAnswer> {
  try {
    const run = await runBacktest({
      ...task.options,
      onProgress: (done, total) => task.progress.postMessage({ type: 'progress', done, total }),
    });
    const result = toRunResult(run);
    const buffers = new Set<ArrayBuffer>();
    for (const a of [result.timestampsMs, ...result.columns.map((c) => c.values)])
      if (a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
    const message: WorkerResultMessage = { type: 'result', result, timings: runTimings(run.summary) };
    task.progress.postMessage(message, [...buffers]);
    return { ok: true };
  } catch (err) {
    const partial = partialRunOf(err);
    return {
      ok: false,
      message: err instanceof Error ? err.message.split('\n')[0] : String(err),
      domain: err instanceof BasisError,
      ...(partial ? { partial: { result: toRunResult(partial), timings: runTimings(partial.summary) } } : {}),
    };
  } finally {
    task.progress.close();
  }
}
