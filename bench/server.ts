/**
 * The API while a backtest computes, for `npm run bench`: `basis serve` in a child process (embedded
 * store in a temp dir, the bench's dataset), rounds of 200 concurrent `GET /api/backtests` and a
 * `GET /api/health` sampler every 20 ms, first idle, then while a full-window ML backtest launched
 * through the API computes. Targets: no health request waits more than 300 ms, list p95 < 50 ms.
 * `BENCH_SERVER_ROOT=<checkout>` measures another checkout's server (before/after).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../src/results/store/version.js';

const CLIENTS = 200;
const HEALTH_EVERY_MS = 20;
const ML_MODE = 'ml_usdt_directional_usdt_margin';

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function timed(url: string, init?: RequestInit): Promise<{ ms: number; body: string }> {
  const t0 = performance.now();
  const res = await fetch(url, init);
  const body = await res.text();
  return { ms: performance.now() - t0, body };
}

function startServer(root: string, storeDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [join(root, 'bin/basis.js'), 'serve', '--port', '0', '--store', storeDir],
    { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((res, rej) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /basis serving (http:\/\/[^/\s]+)\//.exec(out);
      if (m) res({ child, url: m[1] });
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => rej(new Error(`basis serve exited ${code}: ${err.trim()}`)));
  });
}

/** Rounds of CLIENTS concurrent list requests from a worker thread, until `stopped` resolves. */
async function listLoad(url: string, stopped: Promise<unknown>): Promise<number[]> {
  const w = new Worker(new URL('./server-load.js', import.meta.url), {
    workerData: { url, path: '/api/backtests?limit=20', clients: CLIENTS },
  });
  const result = new Promise<number[]>((res, rej) => {
    w.once('message', (m: number[]) => res(m));
    w.once('error', rej);
  });
  await stopped;
  w.postMessage('stop');
  const ms = await result;
  await w.terminate();
  return ms;
}

async function healthSampler(url: string, until: () => boolean): Promise<number[]> {
  const ms: number[] = [];
  while (!until()) {
    const t0 = performance.now();
    ms.push((await timed(`${url}/api/health`)).ms);

    const wait = HEALTH_EVERY_MS - (performance.now() - t0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return ms;
}

export async function benchServer(): Promise<void> {
  const root = resolve(process.env.BENCH_SERVER_ROOT ?? packageRoot());
  const storeDir = mkdtempSync(join(tmpdir(), 'basis-bench-server-'));
  const { child, url } = await startServer(root, storeDir);
  try {
    // idle: two seconds of list load, with the health sampler beside it
    const idleHealth: number[] = [];
    let idleDone = false;
    const idleStop = new Promise((r) => setTimeout(r, 2000)).then(() => (idleDone = true));
    const [idleList] = await Promise.all([
      listLoad(url, idleStop),
      healthSampler(url, () => idleDone).then((ms) => idleHealth.push(...ms)),
    ]);

    // busy: a full-window ML backtest launched through the API
    const t0 = performance.now();
    const launch = await fetch(`${url}/api/backtests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: ML_MODE, capital: 1_000_000 }),
    });
    const { id } = (await launch.json()) as { id: string };
    if (!id) throw new Error(`launch failed: HTTP ${launch.status}`);
    let finished = false;
    let status = 'queued';
    let markFinished = () => undefined as void;
    const whenFinished = new Promise<void>((r) => (markFinished = r));
    const watcher = (async () => {
      while (!finished) {
        const r = JSON.parse((await timed(`${url}/api/backtests/${id}`)).body) as { status: string };
        status = r.status;

        if (status === 'done' || status === 'failed') finished = true;
        else await new Promise((res) => setTimeout(res, 100));
      }
      markFinished();
    })();
    const [busyHealth, busyList] = await Promise.all([
      healthSampler(url, () => finished),
      listLoad(url, whenFinished),
      watcher,
    ]);
    const runMs = performance.now() - t0;

    const f = (x: number) => x.toFixed(1);
    const healthMax = Math.max(...busyHealth);
    const listP95 = pct(busyList, 95);
    process.stdout.write(
      [
        '',
        `API while a full-window ${ML_MODE} backtest computes (run ${status} in ${(runMs / 1000).toFixed(1)} s; server ${root === packageRoot() ? 'this checkout' : root}):`,
        `  idle: GET /api/health p95 ${f(pct(idleHealth, 95))} ms, max ${f(Math.max(...idleHealth))} ms; rounds of ${CLIENTS} concurrent GET /api/backtests: ${idleList.length} requests, p50 ${f(pct(idleList, 50))} ms, p95 ${f(pct(idleList, 95))} ms`,
        `  busy: GET /api/health every ${HEALTH_EVERY_MS} ms: ${busyHealth.length} samples, p95 ${f(pct(busyHealth, 95))} ms, max ${f(healthMax)} ms  ${healthMax <= 300 ? 'ok (≤ 300 ms)' : 'MISSED (300 ms)'}`,
        `  busy: rounds of ${CLIENTS} concurrent GET /api/backtests: ${busyList.length} requests, p50 ${f(pct(busyList, 50))} ms, p95 ${f(listP95)} ms  ${listP95 < 50 ? 'ok (< 50 ms)' : 'MISSED (50 ms)'}`,
        '',
      ].join('\n'),
    );
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(storeDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]).endsWith(join('bench', 'server.js'))) {
  benchServer().catch((err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
