/**
 * Runs a sweep's pending runs on this machine: in this thread (`workers: 0`) or on a tinypool pool of
 * worker threads, each loading a window's data once for all the runs it does (src/sweep/worker.ts).
 * Every finished run is saved to the results store (tagged with the sweep id) and appended to the
 * journal as it finishes, so a killed sweep restarted with the same id does only what is left.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../results/store/version.js';
import type { ResultsStore } from '../results/store/types.js';
import type { SignalSandbox } from '../signals/types.js';
import { runBacktest } from '../results/run.js';
import { cachedLoader, loadKey, toShared, type SharedData } from './data.js';
import { executeRun, type RunAnswer, type RunTask } from './execute.js';
import type { RunRecord, SweepJournal } from './journal.js';
import type { SweepRun } from './spec.js';

/** The compiled worker: beside this file in dist/, else the package's dist/ (tests run the sources). */
export function sweepWorkerFile(): string {
  const here = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (existsSync(here)) return here;
  const built = join(packageRoot(), 'dist/src/sweep/worker.js');
  if (existsSync(built)) return built;
  throw new Error(`the sweep worker ${built} is missing: run npm run build`);
}

export interface LocalOptions {
  /** Worker threads; 0 runs everything in this thread. */
  workers: number;
  dataDir?: string;
  configDir?: string;
  cacheDir?: string;
  sandbox?: SignalSandbox;
  /** Where each finished run is saved (with series and events); null = journal only. */
  store: ResultsStore | null;
  sweepId: string;
  /** Called after each run is recorded. */
  onRun?: (rec: RunRecord, done: number, total: number) => void;
  /** Worker threads read each window's data from one copy loaded here (default true); false: each loads its own. */
  shareData?: boolean;
  /** Aborting stops launching runs; the ones in flight finish and are recorded. */
  signal?: AbortSignal;
}

const CAPTURED = new Error('data captured');

/**
 * The data of a run's window, loaded here once into shared memory for every worker thread (the run
 * itself is not done: loading is where it stops); undefined when the run fails before loading.
 */
async function shareData(run: SweepRun, opts: LocalOptions): Promise<SharedData | undefined> {
  let shared: SharedData | undefined;
  try {
    await runBacktest({
      mode: run.mode,
      overrides: run.overrides,
      startMs: run.window.start === null ? undefined : Date.parse(run.window.start),
      endMs: run.window.end === null ? undefined : Date.parse(run.window.end),
      capital: run.capital,
      dataDir: opts.dataDir,
      configDir: opts.configDir,
      cacheDir: opts.cacheDir,
      sandbox: opts.sandbox,
      loadData: async (req, load) => {
        shared = { key: loadKey(req), loaded: toShared(await load()) };
        throw CAPTURED;
      },
    });
  } catch (err) {
    if (err !== CAPTURED) return undefined; // its worker reports the error
  }
  return shared;
}

/** Saves one answer (store first, then the journal line) and returns the record. */
export async function recordAnswer(
  run: SweepRun,
  answer: RunAnswer,
  journal: SweepJournal,
  store: ResultsStore | null,
  sweepId: string,
  worker?: string,
): Promise<RunRecord> {
  let runId: string | null = null;
  if (store && answer.result && answer.timings && answer.summary) {
    runId = await store.saveRun(
      'cli',
      {
        mode: run.mode,
        start: answer.summary.start,
        end: answer.summary.end,
        capital: answer.summary.initial_capital,
        deposits: [],
        withdrawals: [],
        overrides: [...run.overrides],
        sweep: { id: sweepId, key: run.key },
      },
      answer.result,
      answer.timings,
      answer.error ?? undefined,
    );
  }
  const rec: RunRecord = {
    ...run,
    summary: answer.summary,
    error: answer.error,
    run_id: runId,
    finished_at: new Date().toISOString(),
    ...(worker ? { worker } : {}),
  };
  journal.append(rec);
  return rec;
}

/** Runs what the journal has not recorded; returns how many runs were executed now. */
export async function runLocal(runs: SweepRun[], journal: SweepJournal, opts: LocalOptions): Promise<number> {
  const pending = runs.filter((r) => !journal.done.has(r.key));
  const total = runs.length;
  let executed = 0;
  // store and journal writes one at a time, in finishing order
  let chain: Promise<unknown> = Promise.resolve();
  const finish = (run: SweepRun, answer: RunAnswer): Promise<void> => {
    const p = chain.then(async () => {
      // a fault of ours in one run is that run's result (recorded, marked), not the end of the sweep
      const recorded = answer.internal ? { ...answer, error: `internal error: ${answer.error}` } : answer;
      const rec = await recordAnswer(run, recorded, journal, opts.store, opts.sweepId);
      executed++;
      opts.onRun?.(rec, journal.done.size, total);
    });
    chain = p.catch(() => undefined);
    return p;
  };
  const task = (run: SweepRun): RunTask => ({
    run,
    dataDir: opts.dataDir,
    configDir: opts.configDir,
    cacheDir: opts.cacheDir,
    sandbox: opts.sandbox,
    withResult: opts.store !== null,
  });

  if (opts.workers <= 0) {
    const loader = cachedLoader();
    for (const run of pending) {
      if (opts.signal?.aborted) break;
      await finish(run, await executeRun(task(run), loader));
    }
    return executed;
  }

  const { default: Tinypool } = await import('tinypool');
  const pool = new Tinypool({
    filename: sweepWorkerFile(),
    minThreads: opts.workers,
    maxThreads: opts.workers,
    idleTimeout: 10_000,
  });
  // one load per mode and window, shared by the threads (a run whose overrides need other series loads its own)
  const sharing = new Map<string, Promise<SharedData | undefined>>();
  const sharedFor = (run: SweepRun): Promise<SharedData | undefined> => {
    const k = JSON.stringify([run.mode, run.window.start, run.window.end]);
    let p = sharing.get(k);
    if (!p) {
      p = shareData(run, opts);
      sharing.set(k, p);
    }
    return p;
  };
  try {
    // at most two tasks per thread in flight: an abort leaves little running, memory stays flat
    let next = 0;
    const inFlight = new Set<Promise<void>>();
    let failure: unknown = null;
    const launch = (): void => {
      while (
        failure === null &&
        !opts.signal?.aborted &&
        next < pending.length &&
        inFlight.size < opts.workers * 2
      ) {
        const run = pending[next++];
        const p: Promise<void> = (opts.shareData === false ? Promise.resolve(undefined) : sharedFor(run))
          .then((shared) => pool.run({ ...task(run), shared }) as Promise<RunAnswer>)
          .then((answer) => finish(run, answer))
          .catch((err: unknown) => {
            failure ??= err;
          })
          .finally(() => {
            inFlight.delete(p);
            launch();
          });
        inFlight.add(p);
      }
    };
    launch();
    while (inFlight.size > 0) await Promise.race(inFlight);
    if (failure !== null) throw failure;
  } finally {
    await pool.destroy();
  }
  return executed;
}
