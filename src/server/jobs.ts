/**
 * In-process job queue for backtests launched through the API: bounded concurrency (default one run
 * at a time: a backtest is CPU-bound on the event loop's thread, which it yields about 100 times per
 * run so requests keep being answered), a bounded queue, progress per run. The store holds each run's
 * status; the queue holds only what is in flight.
 */
import { BasisError } from '../domain/errors.js';
import { runBacktest, type BacktestOptions } from '../engine/backtest.js';
import { runTimings, toRunResult, type ResultsStore, type RunRequest } from '../results/store/index.js';
import { HttpError } from './errors.js';

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

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class JobQueue {
  private readonly jobs = new Map<string, Job>();
  private readonly waiting: Job[] = [];
  private running = 0;
  private closing = false;
  private idle: (() => void)[] = [];
  readonly concurrency: number;
  readonly maxQueued: number;

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

  private async execute(job: Job): Promise<void> {
    let error: string | null = null;
    try {
      job.state = 'running';
      await this.store.markRunning(job.id);
      const run = await runBacktest({
        ...job.options,
        onProgress: (done, total) => {
          job.progress = { done, total, fraction: total > 0 ? done / total : 0 };
          return yieldToEventLoop();
        },
      });
      await this.store.completeRun(job.id, toRunResult(run), runTimings(run.summary));
    } catch (err) {
      error =
        err instanceof BasisError
          ? err.message.split('\n')[0]
          : `internal error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
      if (this.opts.redact) error = this.opts.redact(error);
      try {
        await this.store.failRun(job.id, error);
      } catch {
        // the store is gone (shutting down); the run stays as it was and is marked interrupted next start
      }
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
  }
}
