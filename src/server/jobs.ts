/**
 * The job queue for backtests launched through the API: bounded concurrency (default one run at a
 * time), a bounded queue, progress per run. Each run computes in a worker thread of a tinypool pool
 * (src/server/worker.ts), so the server's event loop keeps answering requests while runs compute; the
 * store (on the main thread) saves the result. The store holds each run's status; the queue holds only
 * what is in flight.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import Tinypool from 'tinypool';
import type { BacktestOptions } from '../engine/backtest.js';
import { packageRoot } from '../results/store/version.js';
import type { ResultsStore, RunRequest, RunResult, RunTimings } from '../results/store/index.js';
import { HttpError } from './errors.js';
import type { WorkerAnswer, WorkerResultMessage, WorkerTask } from './worker.js';

/**
 * The compiled worker: beside this file when it runs from dist/, else the package's dist/ (the tests
 * run the sources; `npm test` builds first).
 */
export function workerFile(): string {
  const here = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (existsSync(here)) return here;
  const built = join(packageRoot(), 'dist/src/server/worker.js');
  if (existsSync(built)) return built;
  throw new Error(`the backtest worker ${built} is missing: run npm run build`);
}

export interface JobProgress {
  /** Steps done and in total; 0/0 until the data is loaded. */
  done: number;
  total: number;
  /** done / total, 0 before the loop starts, 1 when finished. */
  fraction: number;
}

interface Job {
  id: string;
  options: BacktestOptions;
  progress: JobProgress;
  state: 'queued' | 'running';
}

export interface JobQueueOptions {
  /** Runs at a time; default 1. */
  concurrency?: number;
  /** Runs waiting at most; beyond it a launch answers 429. Default 100. */
  maxQueued?: number;
  /** Called when a run ends, with its id and the error message if it failed. */
  onFinished?: (id: string, error: string | null) => void;
  /** Takes server paths out of a failed run's error before it is stored (src/server/redact.ts). */
  redact?: (text: string) => string;
}

export class JobQueue {
  private readonly jobs = new Map<string, Job>();
  private readonly waiting: Job[] = [];
  private running = 0;
  private closing = false;
  private idle: (() => void)[] = [];
  readonly concurrency: number;
  readonly maxQueued: number;
  private pool: Tinypool | null = null;

  constructor(
    private readonly store: ResultsStore,
    private readonly opts: JobQueueOptions = {},
  ) {
    this.concurrency = Math.max(1, opts.concurrency ?? 1);
    this.maxQueued = Math.max(0, opts.maxQueued ?? 100);
  }

  /** Records the run as queued in the store and schedules it; returns its id. */
  async submit(request: RunRequest, options: Omit<BacktestOptions, 'onProgress'>): Promise<string> {
    if (this.closing) throw new HttpError(503, 'the server is shutting down; no new runs are accepted');
    if (this.waiting.length >= this.maxQueued) {
      throw new HttpError(
        429,
        `the queue is full (${this.maxQueued} runs waiting); try again when some have finished`,
      );
    }
    const id = await this.store.createRun({ source: 'api', request });
    const job: Job = { id, options, progress: { done: 0, total: 0, fraction: 0 }, state: 'queued' };
    this.jobs.set(id, job);
    this.waiting.push(job);
    setImmediate(() => this.pump());
    return id;
  }

  /** In-flight state of a run, or undefined when it is not queued or running here. */
  get(
    id: string,
  ): { state: 'queued' | 'running'; progress: JobProgress; position: number | null } | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    const i = this.waiting.indexOf(job);
    return { state: job.state, progress: { ...job.progress }, position: i < 0 ? null : i + 1 };
  }

  counts(): { running: number; queued: number } {
    return { running: this.running, queued: this.waiting.length };
  }

  private pump(): void {
    while (!this.closing && this.running < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.running++;
      void this.execute(job).finally(() => {
        this.running--;
        this.jobs.delete(job.id);
        if (this.running === 0 && this.waiting.length === 0) for (const f of this.idle.splice(0)) f();
        this.pump();
      });
    }
  }

  private workers(): Tinypool {
    this.pool ??= new Tinypool({
      filename: workerFile(),
      minThreads: 0,
      maxThreads: this.concurrency,
      // a warm worker keeps its modules and data cache between runs for a minute
      idleTimeout: 60_000,
    });
    return this.pool;
  }

  private async execute(job: Job): Promise<void> {
    let error: string | null = null;
    const channel = new MessageChannel();
    try {
      job.state = 'running';
      await this.store.markRunning(job.id);
      // progress, then the result with its arrays moved (not copied) to this thread
      const result = new Promise<WorkerResultMessage>((resolve) => {
        channel.port1.on(
          'message',
          (m: { type: 'progress'; done: number; total: number } | WorkerResultMessage) => {
            if (m.type === 'result') resolve(m);
            else
              job.progress = { done: m.done, total: m.total, fraction: m.total > 0 ? m.done / m.total : 0 };
          },
        );
      });
      const task: WorkerTask = { options: job.options, progress: channel.port2 };
      const answer = (await this.workers().run(task, { transferList: [channel.port2] })) as WorkerAnswer;
      if (!answer.ok) throw new WorkerRunError(answer.message, answer.domain, answer.partial);
      const done = await result;
      const { total } = job.progress;
      if (total > 0) job.progress = { done: total, total, fraction: 1 };
      await this.store.completeRun(job.id, done.result, done.timings);
    } catch (err) {
      error =
        err instanceof WorkerRunError && err.domain
          ? err.message
          : `internal error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
      if (this.opts.redact) error = this.opts.redact(error);
      try {
        await this.store.failRun(job.id, error, err instanceof WorkerRunError ? err.partial : undefined);
      } catch {
        // the store is gone (shutting down); the run stays as it was and is marked interrupted next start
      }
    } finally {
      channel.port1.close();
    }
    this.opts.onFinished?.(job.id, error);
  }

  /** Resolves when nothing is running or waiting. */
  whenIdle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Stops taking runs: waiting runs are marked failed, running ones are allowed to finish. */
  async close(): Promise<void> {
    this.closing = true;
    for (const job of this.waiting.splice(0)) {
      this.jobs.delete(job.id);
      await this.store.failRun(job.id, 'the server stopped before this run started').catch(() => undefined);
    }
    if (this.running > 0) await this.whenIdle();
    await this.pool?.destroy();
    this.pool = null;
  }
}

/** A run that failed in its worker: `domain` when the error was a BasisError (the caller's to read). */
class WorkerRunError extends Error {
  constructor(
    message: string,
    readonly domain: boolean,
    readonly partial?: { result: RunResult; timings: RunTimings },
  ) {
    super(message);
  }
}
