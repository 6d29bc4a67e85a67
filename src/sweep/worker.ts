/**
 * A worker thread of a local sweep (tinypool, src/sweep/local.ts): runs one backtest per task over data
 * loaded once for all its tasks: handed over by the main thread in shared memory, else loaded here (the
 * loader lives as long as the thread).
 */
import { cachedLoader } from './data.js';
import { executeRun, type RunAnswer, type RunTask } from './execute.js';

const loader = cachedLoader();

export default async function runSweepTask(task: RunTask): Promise<RunAnswer> {
  if (task.shared) loader.seed(task.shared);
  return executeRun({ ...task, shared: undefined }, loader);
}
