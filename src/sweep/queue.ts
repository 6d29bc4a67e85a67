/**
 * Distributed sweeps on BullMQ (Redis): `basis sweep --queue URL` puts each pending run on the queue
 * `basis-sweep` as a job whose id is the sweep id and the run key (adding it again is a no-op, so a
 * resumed sweep never queues a run twice) and records the results as the queue reports them;
 * `basis worker --queue URL` processes the jobs on any number of machines, each loading a window's data
 * once for all its jobs. A worker that dies mid-job stops renewing its job's lock: after the lock
 * duration another worker's stalled check puts the job back and it runs elsewhere. A run that fails on
 * its inputs is a result (recorded with its error); only our own faults are retried (3 attempts).
 */
import { hostname } from 'node:os';
import { Queue, QueueEvents, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { InputError } from '../domain/errors.js';
import { cachedLoader } from './data.js';
import { executeRun, type RunAnswer } from './execute.js';
import type { RunRecord, SweepJournal } from './journal.js';
import { recordAnswer } from './local.js';
import type { SweepRun } from './spec.js';

export const QUEUE_NAME = 'basis-sweep';

interface JobData {
  sweepId: string;
  run: SweepRun;
}

interface JobResult {
  answer: RunAnswer;
  worker: string;
}

/** `redis://[user:password@]host:port[/db]` → connection options (refuses other schemes). */
export function redisConnection(url: string): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InputError(`--queue ${url.slice(0, 80)} is not a URL; expected redis://host:port`);
  }
  if (u.protocol !== 'redis:')
    throw new InputError(`--queue ${u.protocol}// is not supported; expected redis://host:port`);
  const db = u.pathname.replace(/^\//, '');
  return {
    host: u.hostname,
    port: u.port === '' ? 6379 : Number(u.port),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db !== '' ? { db: Number(db) } : {}),
    maxRetriesPerRequest: null,
  };
}

export const jobIdOf = (sweepId: string, key: string): string => `${sweepId}__${key}`;

export interface QueueRunOptions {
  url: string;
  sweepId: string;
  onRun?: (rec: RunRecord, done: number, total: number) => void;
  /** Aborting stops waiting (the queued jobs stay; resume with the same id). */
  signal?: AbortSignal;
}

/** Queues the runs the journal has not recorded and records each result as it arrives; returns how many. */
export async function runOnQueue(
  runs: SweepRun[],
  journal: SweepJournal,
  opts: QueueRunOptions,
): Promise<number> {
  const connection = redisConnection(opts.url);
  const queue = new Queue<JobData, JobResult>(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection });
  const byJob = new Map<string, SweepRun>();
  for (const r of runs) if (!journal.done.has(r.key)) byJob.set(jobIdOf(opts.sweepId, r.key), r);
  let executed = 0;
  try {
    await events.waitUntilReady();
    let resolveAll!: () => void;
    let rejectAll!: (e: unknown) => void;
    const all = new Promise<void>((res, rej) => {
      resolveAll = res;
      rejectAll = rej;
    });
    let chain: Promise<unknown> = Promise.resolve();
    const settle = (jobId: string, result: JobResult | null, failedReason?: string): void => {
      const run = byJob.get(jobId);
      if (!run) return;
      byJob.delete(jobId);
      chain = chain
        .then(async () => {
          const answer: RunAnswer = result?.answer ?? {
            key: run.key,
            summary: null,
            error: `failed on every attempt: ${failedReason ?? 'unknown error'}`,
          };
          const rec = await recordAnswer(run, answer, journal, null, opts.sweepId, result?.worker);
          executed++;
          opts.onRun?.(rec, journal.done.size, runs.length);
          if (byJob.size === 0) resolveAll();
        })
        .catch(rejectAll);
    };
    events.on('completed', ({ jobId, returnvalue }) => {
      const value = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as JobResult;
      settle(jobId, value);
    });
    events.on('failed', ({ jobId, failedReason }) => {
      // a failure with attempts left is retried (delayed, then waiting): only a job left failed settles
      void queue
        .getJobState(jobId)
        .then((state) => {
          if (state === 'failed') settle(jobId, null, failedReason);
        })
        .catch(rejectAll);
    });
    if (byJob.size === 0) return 0;
    await queue.addBulk(
      [...byJob.entries()].map(([jobId, run]) => ({
        name: 'run',
        data: { sweepId: opts.sweepId, run },
        opts: {
          jobId,
          attempts: 3,
          backoff: { type: 'fixed', delay: 1000 },
          removeOnComplete: { age: 7 * 86_400 },
          removeOnFail: { age: 7 * 86_400 },
        },
      })),
    );
    // runs finished while no coordinator listened (a resumed sweep)
    for (const jobId of [...byJob.keys()]) {
      const job = await queue.getJob(jobId);
      if (!job) continue;
      const state = await job.getState();
      if (state === 'completed') settle(jobId, job.returnvalue);
      else if (state === 'failed') settle(jobId, null, job.failedReason);
    }
    const aborted = new Promise<void>((resolve) => {
      if (opts.signal?.aborted) resolve();
      opts.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([all, aborted]);
    await chain;
    return executed;
  } finally {
    await events.close();
    await queue.close();
  }
}

/** How many of a sweep's jobs are waiting, active, completed and failed on the queue. */
export async function queueCounts(url: string): Promise<Record<string, number>> {
  const queue = new Queue(QUEUE_NAME, { connection: redisConnection(url) });
  try {
    return await queue.getJobCounts('wait', 'active', 'completed', 'failed', 'delayed');
  } finally {
    await queue.close();
  }
}

export interface QueueWorkerOptions {
  url: string;
  concurrency?: number;
  /** Recorded with each run; default host:pid. */
  name?: string;
  dataDir?: string;
  configDir?: string;
  cacheDir?: string;
  /** Default 30 s: a worker that stops renewing its lock this long has its job retried elsewhere. */
  lockDurationMs?: number;
  /** Default 30 s. */
  stalledIntervalMs?: number;
  log?: (line: string) => void;
  /** Called when a job starts, before its backtest (tests stop a worker mid-job here). */
  beforeRun?: (jobId: string) => Promise<void>;
}

export async function startQueueWorker(opts: QueueWorkerOptions): Promise<Worker<JobData, JobResult>> {
  const name = opts.name ?? `${hostname()}:${process.pid}`;
  const loader = cachedLoader();
  const worker = new Worker<JobData, JobResult>(
    QUEUE_NAME,
    async (job: Job<JobData, JobResult>) => {
      const id = job.id ?? '';
      opts.log?.(`start ${id} attempt ${job.attemptsMade + 1}`);
      await opts.beforeRun?.(id);
      const answer = await executeRun(
        {
          run: job.data.run,
          dataDir: opts.dataDir,
          configDir: opts.configDir,
          cacheDir: opts.cacheDir,
          withResult: false,
        },
        loader,
      );
      if (answer.internal) throw new Error(answer.error ?? 'internal error');
      opts.log?.(`done ${id}${answer.error ? ` (run failed: ${answer.error})` : ''}`);
      return { answer, worker: name };
    },
    {
      connection: redisConnection(opts.url),
      concurrency: opts.concurrency ?? 1,
      lockDuration: opts.lockDurationMs ?? 30_000,
      stalledInterval: opts.stalledIntervalMs ?? 30_000,
      maxStalledCount: 2,
      autorun: true,
    },
  );
  worker.on('error', (err) => opts.log?.(`worker error: ${err.message.split('\n')[0]}`));
  await worker.waitUntilReady();
  opts.log?.(`worker ${name} on ${QUEUE_NAME} (${opts.url.replace(/\/\/[^@]*@/, '//')})`);
  return worker;
}
