/**
 * A worker thread of a local sweep (tinypool, src/sweep/local.ts): runs one backtest per task over data
 * it loaded once for all its tasks (the loader lives as long as the thread).
 */
import { cachedLoader } from './data.js';
import { executeRun, type RunAnswer, type RunTask } from './execute.js';

const loader = cachedLoader();

export default async function runSweepTask(task: RunTask): Promise<RunAnswer> {
  return executeRun(task, loader);
}
