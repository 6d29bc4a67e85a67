/**
 * One suite, two backends: the embedded PGlite store and PostgreSQL (TEST_DATABASE_URL, each run in a
 * schema of its own, dropped afterwards). Runs are real backtests on the synthetic sample.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureSampleDataset } from '../../src/data/index.js';
import { PNL_SOURCES } from '../../src/domain/types.js';
import { runBacktest, type SummarisedRun } from '../../src/results/run.js';
import {
  codeVersion,
  openStore,
  toJson,
  toRunResult,
  type ResultsStore,
  type RunRequest,
} from '../../src/results/store/index.js';

const utc = (s: string) => Date.parse(`${s}T00:00:00Z`);
const PG_URL = process.env.TEST_DATABASE_URL;

interface Backend {
  name: string;
  skip: boolean;
  open(): Promise<ResultsStore>;
  cleanup(): Promise<void>;
}

const tmp = mkdtempSync(join(tmpdir(), 'basis-store-'));
const schema = `test_${process.pid}_${Date.now().toString(36)}`;
const backends: Backend[] = [
  {
    name: 'embedded (PGlite)',
    skip: false,
    open: () => openStore({ dir: join(tmp, 'store') }),
    cleanup: async () => rmSync(tmp, { recursive: true, force: true }),
  },
  {
    name: 'PostgreSQL',
    skip: !PG_URL,
    open: () => openStore({ url: PG_URL, schema }),
    cleanup: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  },
];

let basis: SummarisedRun;
let lending: SummarisedRun;
const basisRequest: RunRequest = {
  mode: 'btc_basis',
  start: '2024-05-01T00:00:00Z',
  end: '2024-07-01T00:00:00Z',
  capital: 200_000,
  deposits: [{ time: '2024-05-20T00:00:00Z', amount: 50_000 }],
  withdrawals: [{ time: '2024-06-10T00:00:00Z', amount: 30_000 }],
  overrides: ['strategy.perp_leverage=2'],
};

beforeAll(async () => {
  const dataDir = ensureSampleDataset();
  basis = await runBacktest({
    mode: 'btc_basis',
    dataDir,
    startMs: utc('2024-05-01'),
    endMs: utc('2024-07-01'),
    capital: 200_000,
    deposits: [{ timeMs: utc('2024-05-20'), amount: 50_000 }],
    withdrawals: [{ timeMs: utc('2024-06-10'), amount: 30_000 }],
    overrides: ['strategy.perp_leverage=2'],
  });
  lending = await runBacktest({
    mode: 'pure_lending_usdt',
    dataDir,
    startMs: utc('2024-02-01'),
    endMs: utc('2024-03-01'),
    capital: 100_000,
  });
});

afterAll(async () => {
  for (const b of backends) if (!b.skip) await b.cleanup();
});

describe.each(backends)('results store: $name', (backend) => {
  let store: ResultsStore;
  let basisId: string;
  let lendingId: string;

  beforeAll(async () => {
    if (backend.skip) return;
    store = await backend.open();
    basisId = await store.saveRun('cli', basisRequest, toRunResult(basis), basis.summary);
    lendingId = await store.saveRun(
      'api',
      { ...basisRequest, mode: 'pure_lending_usdt', deposits: [], withdrawals: [], overrides: [] },
      toRunResult(lending),
      lending.summary,
    );
  });
  afterAll(async () => {
    if (!backend.skip) await store.close();
  });

  test.skipIf(backend.skip)(
    'a saved run comes back whole: request, summary, config, dataset, code version',
    async () => {
      const r = (await store.getRun(basisId))!;
      expect(r.status).toBe('done');
      expect(r.source).toBe('cli');
      expect(r.request).toEqual(basisRequest);
      expect(r.summary).toEqual(JSON.parse(toJson(basis.summary)));
      expect(r.config).toEqual(JSON.parse(toJson(basis.summary.config)));
      expect((r.config as { strategy: { perp_leverage: number } }).strategy.perp_leverage).toBe(2);
      expect(r.dataset).toEqual({
        dir: basis.data.dataDir,
        dataset_id: basis.data.datasetId,
        synthetic: true,
      });
      expect(r.code_version).toEqual(codeVersion());
      expect(r.timings!.loop_ms).toBe(basis.summary.loop_ms);
      expect(r.timings!.save_ms).toBeGreaterThan(0);
      expect([r.start, r.end, r.steps]).toEqual(['2024-05-01T00:00:00Z', '2024-07-01T00:00:00Z', 1465]);
      expect([r.mode, r.family, r.share_class, r.synthetic]).toEqual(['btc_basis', 'basis', 'USDT', true]);
      expect(r.final_equity).toBe(basis.summary.final_equity);
      expect(r.total_return).toBe(basis.summary.total_return);
    },
  );

  test.skipIf(backend.skip)('series are stored bit for bit; the balance sheet sums to equity', async () => {
    const s = (await store.getSeries(basisId))!;
    const rec = basis.recorder;
    expect(s.bucket).toBe(1);
    expect(s.totalSteps).toBe(rec.length);
    expect([...s.timestamps]).toEqual([...basis.data.timestampsMs.subarray(0, rec.length)]);
    const col = (name: string) => s.columns.find((c) => c.name === name)!.values;
    expect([...col('equity')]).toEqual([...rec.equity.subarray(0, rec.length)]);
    PNL_SOURCES.forEach((src, i) =>
      expect([...col(`pnl.${src}`)]).toEqual([...rec.attribution[i].subarray(0, rec.length)]),
    );
    expect([...col('margin_ratio.binance')]).toEqual([...rec.marginRatio[0].subarray(0, rec.length)]);
    const valueCols = s.columns.filter((c) => c.group === 'value');
    expect(valueCols.map((c) => c.name)).toEqual(rec.positionKeys.map((k) => `value.${k}`));
    for (let t = 0; t < rec.length; t++) {
      const sheet = valueCols.reduce((a, c) => a + c.values[t], 0);
      expect(Math.abs(sheet - rec.equity[t])).toBeLessThan(1e-9 * rec.equity[t]);
    }
    // Derived columns agree with the summary's metrics
    expect(Math.max(...col('drawdown'))).toBeCloseTo(basis.summary.max_drawdown, 12);
    expect(col('twr_index')[rec.length - 1] - 1).toBeCloseTo(basis.summary.total_return, 12);
  });

  test.skipIf(backend.skip)(
    'downsampling keeps levels, sums flows and keeps the worst risk reading',
    async () => {
      const full = (await store.getSeries(basisId))!;
      const names = ['equity', 'pnl.funding', 'cum.pnl.funding', 'margin_ratio.bybit', 'drawdown'];
      const s = (await store.getSeries(basisId, { names, points: 100 }))!;
      const n = full.totalSteps;
      const bucket = Math.ceil(n / 100);
      expect(s.bucket).toBe(bucket);
      expect(s.timestamps.length).toBe(Math.ceil(n / bucket));
      expect(s.columns.map((c) => c.name)).toEqual(names);
      const fullCol = (name: string) => full.columns.find((c) => c.name === name)!.values;
      const [eq, funding, cum, mr, dd] = s.columns.map((c) => c.values);
      expect(eq[3]).toBe(fullCol('equity')[4 * bucket - 1]);
      expect(s.timestamps[3]).toBe(full.timestamps[4 * bucket - 1]);
      expect(eq[eq.length - 1]).toBe(fullCol('equity')[n - 1]);
      const fundingTotal = funding.reduce((a, x) => a + x, 0);
      expect(fundingTotal).toBeCloseTo(basis.summary.pnl.attribution.funding, 6);
      expect(cum[cum.length - 1]).toBeCloseTo(basis.summary.pnl.attribution.funding, 6);
      const mrFull = fullCol('margin_ratio.bybit').subarray(bucket, 2 * bucket);
      expect(mr[1]).toBe(Math.min(...mrFull));
      expect(Math.max(...dd)).toBe(Math.max(...fullCol('drawdown')));
    },
  );

  test.skipIf(backend.skip)('unknown or ill-typed series names are refused by name', async () => {
    await expect(store.getSeries(basisId, { names: ['equity', 'nope'] })).rejects.toThrow(
      /unknown series "nope"; available: equity, twr_index/,
    );
    await expect(store.getSeries(basisId, { names: ['cum.equity'] })).rejects.toThrow(
      'a running sum is only defined for per-step flows',
    );
    expect(await store.getSeries('19990101-000000-000000')).toBeNull();
  });

  test.skipIf(backend.skip)(
    'events: every one stored, paged in order, filtered by type, venue and time',
    async () => {
      const all = basis.events;
      const page = await store.getEvents(basisId, { offset: 0, limit: 1000 });
      expect(page.total).toBe(all.length);
      expect(page.events.length).toBe(Math.min(1000, all.length));
      expect(page.events[5].type).toBe(all[5].type);
      expect(Date.parse(page.events[5].t)).toBe(Date.parse(all[5].t));
      const { t: _t, type: _type, ...rest } = all[5];
      expect(page.events[5].data).toEqual(JSON.parse(toJson(rest)));
      const fills = all.filter((e) => e.type === 'fill');
      const fillPage = await store.getEvents(basisId, { types: ['fill'], limit: 10, offset: 10 });
      expect(fillPage.total).toBe(fills.length);
      expect(fillPage.events[0].data.instruction).toBe(fills[10].instruction);
      const bybit = all.filter((e) => e.venue === 'bybit');
      expect((await store.getEvents(basisId, { venue: 'bybit' })).total).toBe(bybit.length);
      const from = utc('2024-06-01');
      const to = utc('2024-06-02');
      const inDay = all.filter((e) => Date.parse(e.t) >= from && Date.parse(e.t) <= to);
      expect((await store.getEvents(basisId, { fromMs: from, toMs: to })).total).toBe(inDay.length);
      // one read of every matching event: the same as the pages, in order
      const allFills = await store.allEvents(basisId, { types: ['fill'] });
      expect(allFills.map((e) => e.seq)).toEqual(
        (await store.getEvents(basisId, { types: ['fill'], limit: 1000 })).events.map((e) => e.seq),
      );
      expect(allFills).toHaveLength(fills.length);
      expect(await store.allEvents(basisId, { venue: 'bybit' }, 3)).toHaveLength(Math.min(3, bybit.length));
      const types = await store.eventTypes(basisId);
      expect(types.fill).toBe(fills.length);
      expect(Object.values(types).reduce((a, x) => a + x, 0)).toBe(all.length);
    },
  );

  test.skipIf(backend.skip)(
    'history lists newest first, filters by mode and status, resolves id prefixes',
    async () => {
      const { total, runs } = await store.listRuns();
      expect(total).toBeGreaterThanOrEqual(2);
      expect(runs[0].id).toBe(lendingId);
      expect(runs[1].id).toBe(basisId);
      expect(runs[0].source).toBe('api');
      const byMode = await store.listRuns({ mode: 'btc_basis' });
      expect(byMode.runs.every((r) => r.mode === 'btc_basis')).toBe(true);
      expect(byMode.runs.map((r) => r.id)).toContain(basisId);
      expect(
        (await store.listRuns({ status: 'failed', limit: 5 })).runs.every((r) => r.status === 'failed'),
      ).toBe(true);
      expect(await store.resolveId(basisId)).toBe(basisId);
      expect(await store.resolveId(basisId.slice(0, 18))).toBe(basisId);
      expect(await store.resolveId('2099')).toBeNull();
      expect(await store.resolveId("x' or 1=1 --")).toBeNull();
      const prefix = basisId.slice(0, 4);
      const matching = (await store.listRuns({ limit: 500 })).runs.filter((r) => r.id.startsWith(prefix));
      const m = await store.matchIds(prefix, 2);
      expect(m.total).toBe(matching.length);
      expect(m.ids).toEqual(
        matching
          .map((r) => r.id)
          .sort()
          .reverse()
          .slice(0, 2),
      );
      expect(await store.matchIds("x' or 1=1 --")).toEqual({ total: 0, ids: [] });
    },
  );

  test.skipIf(backend.skip)(
    'lifecycle: queued → running → failed, and interrupted runs are marked failed',
    async () => {
      const id = await store.createRun({ source: 'api', request: { ...basisRequest, mode: 'eth_basis' } });
      expect((await store.getRun(id))!.status).toBe('queued');
      await store.markRunning(id);
      const running = (await store.getRun(id))!;
      expect(running.status).toBe('running');
      expect(running.started_at).not.toBeNull();
      await store.failRun(id, 'bybit: insufficient margin');
      const failed = (await store.getRun(id))!;
      expect([failed.status, failed.error, failed.summary]).toEqual([
        'failed',
        'bybit: insufficient margin',
        null,
      ]);
      const orphan = await store.createRun({ source: 'api', request: basisRequest, status: 'running' });
      expect(await store.failInterrupted('server stopped')).toBe(1);
      expect((await store.getRun(orphan))!.error).toBe('server stopped');
    },
  );

  test.skipIf(backend.skip)('delete removes the run with its series and events', async () => {
    const id = await store.saveRun('cli', basisRequest, toRunResult(lending), lending.summary);
    expect((await store.getEvents(id)).total).toBe(lending.events.length);
    expect(await store.deleteRun(id)).toBe(true);
    expect(await store.getRun(id)).toBeNull();
    expect(await store.getSeries(id)).toBeNull();
    expect((await store.getEvents(id)).total).toBe(0);
    expect(await store.deleteRun(id)).toBe(false);
  });
});

describe('embedded store on disk', () => {
  test('persists across reopening and refuses a second opener while open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basis-store-lock-'));
    try {
      const a = await openStore({ dir: join(dir, 'store') });
      const id = await a.saveRun('cli', basisRequest, toRunResult(lending), lending.summary);
      await expect(openStore({ dir: join(dir, 'store') })).rejects.toThrow('is already open in this process');
      await a.close();
      const b = await openStore({ dir: join(dir, 'store') });
      expect((await b.getRun(id))!.summary!.final_equity).toBe(lending.summary.final_equity);
      await b.close();
      // A lock held by another live process (here: our parent) is respected
      writeFileSync(join(dir, 'store.lock'), String(process.ppid));
      await expect(openStore({ dir: join(dir, 'store') })).rejects.toThrow(
        `is in use by process ${process.ppid}`,
      );
      // A lock left by a process that is gone is taken over
      writeFileSync(join(dir, 'store.lock'), '999999999');
      const c = await openStore({ dir: join(dir, 'store') });
      expect((await c.listRuns()).total).toBe(1);
      await c.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
