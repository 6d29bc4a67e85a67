/**
 * Sweeps through the API on the synthetic sample: launch → progress → ranking equal to the runs'
 * figures, runs in the store tagged with the sweep; a caller sets parameters only (keys off the
 * allow-list and unknown venues answer 400 before anything runs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runBacktest } from '../../src/results/run.js';
import { startTestServer, type TestServer } from './helpers.js';

let srv: TestServer;
const sweepsDir = mkdtempSync(join(tmpdir(), 'basis-api-sweeps-'));
beforeAll(async () => {
  srv = await startTestServer({ sweepsDir, concurrency: 2 });
});
afterAll(async () => {
  await srv.close();
  rmSync(sweepsDir, { recursive: true, force: true });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(path: string, json?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${srv.url}${path}`, {
    method: json === undefined ? 'GET' : 'POST',
    headers: json === undefined ? {} : { 'content-type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: res.status, body: await res.json() };
}

test('a sweep launched through the API runs, ranks and stores every run', async () => {
  const r = await call('/api/sweeps', {
    modes: ['btc_basis'],
    grid: { 'strategy.perp_leverage': [2, 3], 'strategy.min_funding_rate_8h': [null, 0.0001] },
    windows: [{ start: '2024-06-01', end: '2024-07-01' }],
    constraints: ['max_drawdown<0.05'],
  });
  expect(r.status).toBe(202);
  expect(r.body.runs).toBe(4);
  const id = r.body.id as string;
  let s = await call(`/api/sweeps/${id}`);
  const end = Date.now() + 60_000;
  while (s.body.status === 'running') {
    if (Date.now() > end) throw new Error('sweep still running');
    await new Promise((res) => setTimeout(res, 50));
    s = await call(`/api/sweeps/${id}`);
  }
  expect(s.body.status).toBe('done');
  expect(s.body.progress).toEqual({ done: 4, total: 4, fraction: 1 });
  expect(s.body.runs).toHaveLength(4);
  expect(s.body.ranking).toHaveLength(4);
  const apys = s.body.runs.map((x: { apy: number }) => x.apy);
  expect(s.body.ranking[0].apy).toBe(Math.max(...apys));
  const first = s.body.runs[0];
  expect(first.params).toEqual({ 'strategy.perp_leverage': '2', 'strategy.min_funding_rate_8h': 'null' });
  const single = await runBacktest({
    mode: 'btc_basis',
    dataDir: srv.ctx.dataDir,
    startMs: Date.parse('2024-06-01T00:00:00Z'),
    endMs: Date.parse('2024-07-01T00:00:00Z'),
    overrides: ['strategy.perp_leverage=2', 'strategy.min_funding_rate_8h=null'],
  });
  expect(first.final_equity).toBe(single.summary.final_equity);
  const list = await call('/api/sweeps');
  expect(list.body.sweeps.find((x: { id: string }) => x.id === id)).toMatchObject({
    status: 'done',
    modes: ['btc_basis'],
    keys: ['strategy.perp_leverage', 'strategy.min_funding_rate_8h'],
    progress: { done: 4, total: 4 },
  });
  for (const run of s.body.runs) {
    const stored = await srv.store.getRun(run.run_id);
    expect(stored!.request.sweep).toEqual({ id, key: run.key });
    expect(stored!.summary!.apy).toBe(run.apy);
  }
});

test('a caller sets parameters only: paths, URLs and unknown names answer 400 before any run', async () => {
  const path = await call('/api/sweeps', {
    modes: ['ml_btc_directional_usdt_margin'],
    grid: { 'signals.path': ['/etc/passwd'] },
  });
  expect(path.status).toBe(400);
  expect(path.body.error).toMatch(/key signals\.path cannot be set through the API/);
  const venue = await call('/api/sweeps', {
    modes: ['btc_basis'],
    grid: { 'venues.spot': ['binance', 'evil'] },
  });
  expect(venue.status).toBe(400);
  expect(venue.body.error).toMatch(/unknown venue "evil"/);
  const typo = await call('/api/sweeps', { modes: ['btc_basis'], grid: { 'strategy.perp_levrage': [2] } });
  expect(typo.status).toBe(400);
  expect(typo.body.error).toMatch(/strategy\.perp_levrage: unknown key/);
  const extra = await call('/api/sweeps', { modes: ['btc_basis'], out: '/tmp/x' });
  expect(extra.status).toBe(400);
  expect((await call('/api/sweeps/nope')).status).toBe(404);
});
