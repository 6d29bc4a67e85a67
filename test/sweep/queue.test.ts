/**
 * Distributed sweeps on a real Redis (TEST_REDIS_URL, started by .ci/run; skipped when unset): two
 * `basis worker` processes share a sweep with no run done twice, and a worker killed mid-job has its job
 * retried by another (BullMQ's stalled-job check, with a 1 s lock). Waits are on output lines and the
 * journal, polled with generous deadlines; no sleeps.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { ensureSampleDataset } from '../../src/data/index.js';
import { buildSpec } from '../../src/sweep/cli-spec.js';
import { SweepJournal, type RunRecord } from '../../src/sweep/journal.js';
import { Queue } from 'bullmq';
import { QUEUE_NAME, jobIdOf, redisConnection, runOnQueue } from '../../src/sweep/queue.js';
import { prepareSweep } from '../../src/sweep/sweep.js';
import { until } from '../helpers/until.js';

const REDIS = process.env.TEST_REDIS_URL ?? '';
const BIN = resolve(__dirname, '../../bin/basis.js');
const HANGING = resolve(__dirname, 'fixtures/hanging-worker.mjs');
const work = mkdtempSync(join(tmpdir(), 'basis-queue-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const tag = `${process.pid}-${Date.now().toString(36)}`;

interface Proc {
  child: ChildProcess;
  lines: string[];
}
const started: Proc[] = [];
afterEach(() => {
  for (const p of started.splice(0))
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
});

function start(args: string[], dataDir: string): Proc {
  const child = spawn(process.execPath, args, {
    cwd: work,
    env: { ...process.env, BASIS_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const p: Proc = { child, lines: [] };
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    p.lines.push(...parts);
  });
  child.stderr!.on('data', (d: Buffer) => p.lines.push(`stderr: ${d.toString().trim()}`));
  started.push(p);
  return p;
}

const exited = (p: Proc) =>
  new Promise<number | null>((res) => {
    if (p.child.exitCode !== null) res(p.child.exitCode);
    else p.child.once('exit', (code) => res(code));
  });

const doneJobs = (procs: Proc[]) =>
  procs.flatMap((p) => p.lines.filter((l) => l.startsWith('done ')).map((l) => l.split(' ')[1]));

describe.skipIf(!REDIS)('distributed sweeps on a real Redis (TEST_REDIS_URL; skipped when unset)', () => {
  const dataDir = process.env.BASIS_DATA_DIR || ensureSampleDataset();
  const texts = {
    mode: ['btc_basis'],
    grid: ['strategy.perp_leverage=2,3,4', 'strategy.min_funding_rate_8h=null,0.0001'],
    range: [],
    seed: '1',
    set: [],
    objective: 'apy',
    constraint: [],
    windows: '2024-06-01..2024-06-20',
  };

  test('two basis worker processes share a sweep; every run is done exactly once', async () => {
    // every worker of the queue takes part in the stalled-job check: all of them check often here
    const workers = ['w1', 'w2'].map((name) =>
      start([BIN, 'worker', '--queue', REDIS, '--name', name, '--stalled-ms', '300'], dataDir),
    );
    for (const w of workers)
      await until('a worker to start', () => w.lines.some((l) => l.startsWith('worker ')));
    const id = `two-${tag}`;
    const sweep = start(
      [
        BIN,
        'sweep',
        ...texts.mode.flatMap((m) => ['--mode', m]),
        ...texts.grid.flatMap((g) => ['--grid', g]),
      ].concat(['--windows', texts.windows, '--queue', REDIS, '--id', id, '--json', 'two.json', '--quiet']),
      dataDir,
    );
    expect(await exited(sweep)).toBe(0);
    const doc = JSON.parse(readFileSync(join(work, 'two.json'), 'utf8'));
    expect(doc.runs_done).toBe(6);
    const journal = readFileSync(join(work, 'results/sweeps', id, 'runs.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const records = journal.map((l) => JSON.parse(l) as RunRecord);
    expect(records).toHaveLength(6);
    expect(new Set(records.map((r) => r.key)).size).toBe(6);
    for (const r of records) {
      expect(['w1', 'w2']).toContain(r.worker);
      expect(r.error).toBeNull();
      expect(r.summary!.start).toBe('2024-06-01T00:00:00Z');
    }
    // the workers' own logs: each of the six jobs finished once, by the worker the journal names
    const done = doneJobs(workers);
    expect(done.sort()).toEqual(records.map((r) => jobIdOf(id, r.key)).sort());
    for (const r of records) {
      const w = workers[r.worker === 'w1' ? 0 : 1];
      expect(w.lines).toContain(`done ${jobIdOf(id, r.key)}`);
    }
  });

  test('a coordinator that stopped: its restart records the runs finished meanwhile, queueing none twice', async () => {
    const id = `restart-${tag}`;
    const spec = buildSpec({ ...texts, grid: ['strategy.perp_leverage=2,3'] });
    const runs = prepareSweep(spec, { dataDir });
    const stopped = new AbortController();
    stopped.abort(); // queues the runs, then stops waiting at once
    expect(
      await runOnQueue(runs, SweepJournal.open(join(work, 'sweeps'), id, spec, runs), {
        url: REDIS,
        sweepId: id,
        signal: stopped.signal,
      }),
    ).toBe(0);
    const w = start([BIN, 'worker', '--queue', REDIS, '--name', 'alone', '--stalled-ms', '300'], dataDir);
    const jobIds = runs.map((r) => jobIdOf(id, r.key)).sort();
    await until('the worker to finish both jobs', () => jobIds.every((j) => w.lines.includes(`done ${j}`)));
    w.child.kill('SIGTERM');
    await exited(w);
    const journal = SweepJournal.open(join(work, 'sweeps'), id, spec, runs);
    expect(journal.done.size).toBe(0);
    expect(await runOnQueue(runs, journal, { url: REDIS, sweepId: id })).toBe(2);
    expect([...journal.done.values()].map((r) => r.worker)).toEqual(['alone', 'alone']);
    expect(doneJobs([w]).sort()).toEqual(jobIds);
    // queued again by the restart: a no-op, each job is still the one completed (nothing waits)
    const queue = new Queue(QUEUE_NAME, { connection: redisConnection(REDIS) });
    try {
      for (const j of jobIds) expect(await queue.getJobState(j)).toBe('completed');
    } finally {
      await queue.close();
    }
  });

  test('a worker killed mid-job: its job is retried by another worker and finishes once', async () => {
    const victim = start([HANGING, REDIS, 'victim'], dataDir);
    await until('the hanging worker to start', () => victim.lines.some((l) => l.startsWith('worker ')));
    const id = `kill-${tag}`;
    const spec = buildSpec({ ...texts, grid: ['strategy.perp_leverage=2,3,4'] });
    const runs = prepareSweep(spec, { dataDir });
    const journal = SweepJournal.open(join(work, 'sweeps'), id, spec, runs);
    const coordinator = runOnQueue(runs, journal, { url: REDIS, sweepId: id });
    await until('the victim to take a job', () => victim.lines.some((l) => l.startsWith('hang ')));
    const hung = victim.lines.find((l) => l.startsWith('hang '))!.split(' ')[1];
    victim.child.kill('SIGKILL');
    await exited(victim);
    const healthy = start(
      [BIN, 'worker', '--queue', REDIS, '--name', 'healthy', '--lock-ms', '1000', '--stalled-ms', '300'],
      dataDir,
    );
    expect(await coordinator).toBe(3);
    expect(journal.done.size).toBe(3);
    const rec = [...journal.done.values()].find((r) => jobIdOf(id, r.key) === hung)!;
    expect(rec.worker).toBe('healthy');
    expect(rec.error).toBeNull();
    expect(victim.lines.filter((l) => l.startsWith('done '))).toEqual([]);
    expect(doneJobs([healthy]).sort()).toEqual(runs.map((r) => jobIdOf(id, r.key)).sort());
    expect(healthy.lines).toContain(`done ${hung}`);
  });
});
