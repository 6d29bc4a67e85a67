/**
 * The REST API over real HTTP: launch → progress → summary equal to the engine's own run, series,
 * events, comparison, modes, config validation, OpenAPI, the UI's files, and the token rules.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureSampleDataset } from '../../src/data/index.js';
import { runBacktest } from '../../src/results/run.js';
import { buildServer } from '../../src/server/app.js';
import { startTestServer, waitForRun, type TestServer } from './helpers.js';

const utc = (s: string) => Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);
let srv: TestServer;

async function call(path: string, init: RequestInit & { json?: unknown } = {}) {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${srv.url}${path}`, {
    ...init,
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: body as Record<string, any>, headers: res.headers, text }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const launch = {
  mode: 'btc_basis',
  start: '2024-06-01',
  end: '2024-08-01T12:00',
  capital: 150_000,
  deposits: [{ time: '2024-06-20', amount: 20_000 }],
  withdrawals: [{ time: '2024-07-15', amount: 10_000 }],
  overrides: ['strategy.perp_leverage=2.5'],
};
let runId = '';

beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv.close();
});

describe('backtests', () => {
  test('launch answers 202 with the id; the run ends done with the engine’s own figures', async () => {
    const r = await call('/api/backtests', { method: 'POST', json: launch });
    expect(r.status).toBe(202);
    expect(r.body.status).toBe('queued');
    runId = r.body.id;
    expect(r.headers.get('location')).toBe(`/api/backtests/${runId}`);
    const done = await waitForRun(srv.url, runId);
    expect(done.status).toBe('done');
    expect(done.progress).toEqual({ done: 1477, total: 1477, fraction: 1 });
    const direct = await runBacktest({
      mode: 'btc_basis',
      dataDir: ensureSampleDataset(),
      startMs: utc('2024-06-01'),
      endMs: utc('2024-08-01T12:00:00Z'),
      capital: 150_000,
      deposits: [{ timeMs: utc('2024-06-20'), amount: 20_000 }],
      withdrawals: [{ timeMs: utc('2024-07-15'), amount: 10_000 }],
      overrides: ['strategy.perp_leverage=2.5'],
    });
    const s = (await call(`/api/backtests/${runId}/summary`)).body;
    for (const k of [
      'final_equity',
      'total_return',
      'apy',
      'max_drawdown',
      'sharpe',
      'trades',
      'steps',
      'start',
      'end',
    ])
      expect([k, s[k]]).toEqual([k, direct.summary[k as keyof typeof direct.summary]]);
    expect(s.pnl.attribution).toEqual(direct.summary.pnl.attribution);
    expect(s.config.strategy.perp_leverage).toBe(2.5);
    expect(s.data.synthetic).toBe(true);
    expect(s.notes[0]).toMatch(/^SYNTHETIC/);
    expect((done.request as { overrides: string[] }).overrides).toEqual(['strategy.perp_leverage=2.5']);
  });

  test('series: downsampled to the asked points, names checked, levels kept', async () => {
    const r = await call(`/api/backtests/${runId}/series?names=equity,cum.pnl.funding,drawdown&points=100`);
    expect(r.status).toBe(200);
    expect(r.body.total_steps).toBe(1477);
    expect(r.body.bucket_steps).toBe(15);
    expect(r.body.t).toHaveLength(Math.ceil(1477 / 15));
    const [equity, funding, dd] = r.body.columns;
    const s = (await call(`/api/backtests/${runId}/summary`)).body;
    expect(equity.values.at(-1)).toBe(s.final_equity);
    expect(funding.values.at(-1)).toBeCloseTo(s.pnl.attribution.funding, 6);
    expect(Math.max(...dd.values)).toBe(s.max_drawdown);
    const bad = await call(`/api/backtests/${runId}/series?names=equity,nope`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^unknown series "nope"; available: equity,/);
  });

  test('events: paged and filtered, with counts per type', async () => {
    const all = await call(`/api/backtests/${runId}/events?limit=1000`);
    expect(all.status).toBe(200);
    const fills = await call(`/api/backtests/${runId}/events?type=fill&limit=5&offset=2`);
    expect(fills.body.total).toBe(all.body.types.fill);
    expect(fills.body.events.map((e: { type: string }) => e.type)).toEqual(Array(5).fill('fill'));
    expect(fills.body.events[0].seq).toBeGreaterThan(0);
    const deposits = await call(`/api/backtests/${runId}/events?type=deposit`);
    expect(
      deposits.body.events.map((e: { t: string; data: { amount: number } }) => [e.t, e.data.amount]),
    ).toEqual([
      ['2024-06-01T00:00:00.000Z', 150_000],
      ['2024-06-20T00:00:00.000Z', 20_000],
    ]);
    const day = await call(
      `/api/backtests/${runId}/events?from=2024-07-15&to=2024-07-15T23:00&type=withdrawal`,
    );
    expect(day.body.total).toBe(1);
  });

  test('history, comparison, report and delete', async () => {
    const second = await call('/api/backtests', {
      method: 'POST',
      json: { mode: 'pure_lending_usdt', start: '2024-03-01', end: '2024-04-01', capital: 50_000 },
    });
    await waitForRun(srv.url, second.body.id);
    const list = await call('/api/backtests?limit=10');
    expect(list.body.runs.map((r: { id: string }) => r.id).slice(0, 2)).toEqual([second.body.id, runId]);
    const cmp = await call(`/api/compare?ids=${runId},${second.body.id}&points=50`);
    expect(cmp.status).toBe(200);
    expect(cmp.body.runs.map((r: { mode: string }) => r.mode)).toEqual(['btc_basis', 'pure_lending_usdt']);
    const first = cmp.body.runs[0];
    expect(first.series.twr_index.at(-1) - 1).toBeCloseTo(first.summary.total_return, 12);
    const report = await call(`/api/backtests/${second.body.id}/report`);
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toMatch(/^text\/html/);
    expect(report.text).toContain(`data-run="${second.body.id}"`);
    expect((await call(`/api/backtests/${second.body.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/api/backtests/${second.body.id}`)).status).toBe(404);
  });

  test('the server keeps answering while a run is in progress, and reports its progress', async () => {
    const r = await call('/api/backtests', { method: 'POST', json: { mode: 'eth_basis', capital: 100_000 } });
    const seen: number[] = [];
    for (;;) {
      const s = await call(`/api/backtests/${r.body.id}`);
      if (s.body.status === 'running') seen.push(s.body.progress.fraction);
      if (s.body.status === 'done' || s.body.status === 'failed') break;
    }
    expect(seen.some((f) => f > 0 && f < 1)).toBe(true);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });
});

describe('modes and config', () => {
  test('modes list descriptions, availability and the data coverage', async () => {
    const r = await call('/api/modes');
    const btc = r.body.modes.find((m: { mode: string }) => m.mode === 'btc_basis');
    expect(btc.available).toBe(true);
    expect(btc.description).toMatch(/BTC/);
    expect(btc.coverage.start).toBe('2024-01-01T00:00:00Z');
    expect(r.body.data.synthetic).toBe(true);
  });

  test('resolve applies overrides; a bad override names the key', async () => {
    const ok = await call('/api/modes/btc_basis?set=strategy.perp_leverage=2&set=hedge_allocation.okx=0.3');
    expect(ok.status).toBe(200);
    expect(ok.body.config.strategy.perp_leverage).toBe(2);
    expect(ok.body.required_venues).toContain('bybit');
    const bad = await call('/api/modes/btc_basis?set=strategy.perp_levrage=2');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/strategy\.perp_levrage: unknown key \(did you mean perp_leverage\?\)/);
    expect((await call('/api/modes/nope')).status).toBe(404);
  });

  test('validate a mode, a document and the whole directory', async () => {
    const mode = await call('/api/config/validate', {
      method: 'POST',
      json: { mode: 'btc_basis', overrides: ['strategy.perp_leverage=50'] },
    });
    expect(mode.status).toBe(200);
    expect(mode.body.ok).toBe(false);
    expect(mode.body.problems[0].path).toBe('strategy.perp_leverage');
    const doc = await call('/api/config/validate', {
      method: 'POST',
      json: { document: 'mode: my_mode\nfamily: lending\n' },
    });
    expect(doc.body.ok).toBe(false);
    expect(doc.body.problems.map((p: { file: string }) => p.file)).toContain('config/modes/my_mode.yaml');
    const all = await call('/api/config/validate', { method: 'POST', json: {} });
    expect(all.body.ok).toBe(true);
    expect(all.body.checked.length).toBeGreaterThan(10);
  });
});

describe('documents, UI and security', () => {
  test('OpenAPI document and interactive docs are served locally', async () => {
    const doc = await call('/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    for (const p of [
      '/api/backtests',
      '/api/backtests/{id}',
      '/api/backtests/{id}/series',
      '/api/compare',
      '/api/modes',
    ])
      expect(Object.keys(doc.body.paths)).toContain(p);
    const post = doc.body.paths['/api/backtests'].post;
    expect(post.requestBody.content['application/json'].schema.required).toEqual(['mode']);
    const ui = await call('/docs/static/index.html');
    expect(ui.status).toBe(200);
    expect(ui.text).not.toMatch(/(src|href)=["']https?:/);
  });

  test('the UI and chart.js are served from this server', async () => {
    const index = await call('/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(index.text).toContain('/vendor/chart.umd.min.js');
    expect((await call('/vendor/chart.umd.min.js')).text).toMatch(/Chart\.js v4\.6\.1/);
    expect((await call('/js/app.js')).status).toBe(200);
    expect((await call('/js/../../package.json')).status).toBe(404);
  });

  test('requests addressed to another host name are refused (DNS rebinding)', async () => {
    // fetch may not set Host; a raw request does
    const { port } = new URL(srv.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/api/health', headers: { host: 'evil.example' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
    expect((await call('/api/health', { headers: { host: `localhost:${port}` } })).status).toBe(200);
  });

  test('bound beyond loopback: a token is required to start and to change state', async () => {
    const store = srv.store;
    await expect(buildServer({ store, host: '0.0.0.0', token: '' })).rejects.toThrow(/set BASIS_API_TOKEN/);
    await expect(buildServer({ store, host: '0.0.0.0', token: 'short' })).rejects.toThrow(/at least 16/);
    const { app, ctx } = await buildServer({
      store,
      host: '0.0.0.0',
      token: 'a-long-enough-secret',
      dataDir: ensureSampleDataset(),
    });
    const body = { mode: 'btc_basis', start: '2024-02-01', end: '2024-02-03', capital: 1000 };
    const noToken = await app.inject({ method: 'POST', url: '/api/backtests', payload: body });
    expect(noToken.statusCode).toBe(401);
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/backtests',
      payload: body,
      headers: { authorization: 'Bearer a-long-enough-secreT' },
    });
    expect(wrong.statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/health' })).json().auth_required).toBe(true);
    const ok = await app.inject({
      method: 'POST',
      url: '/api/backtests',
      payload: body,
      headers: { authorization: 'Bearer a-long-enough-secret' },
    });
    expect(ok.statusCode).toBe(202);
    await new Promise((r) => setImmediate(r));
    await ctx.queue.whenIdle();
    await app.close();
    expect((await store.getRun(ok.json().id))!.status).toBe('done');
  });
});
