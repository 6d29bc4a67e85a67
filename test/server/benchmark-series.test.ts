/**
 * The tearsheet's benchmark by name (`?benchmark=`): a dataset price series and an index series give
 * the excess return, tracking error, information ratio and overlay this test computes from the raw CSVs
 * and the run's own twr_index (real dataset: BASIS_DATA_DIR, skipped when unset); a path or an unknown id
 * is a 400 with a one-line error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, waitForRun, type TestServer } from './helpers.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const DAY = 86_400_000;
const REAL = process.env.BASIS_DATA_DIR;
let srv: TestServer;

beforeAll(async () => {
  srv = await startTestServer(REAL ? { dataDir: REAL } : {});
});
afterAll(async () => {
  await srv?.close();
});

const get = async (path: string) => {
  const r = await fetch(`${srv.url}${path}`);
  return { status: r.status, body: (await r.json()) as any };
};

describe('benchmark names', () => {
  test('a path, an unknown id and a rate series are refused with one line', async () => {
    const id = '20240101-000000-abcdef';
    for (const name of ['../etc/passwd', 'cex.binance.NOPEUSDT.spot.volume', 'aave.USDT.liquidityRate']) {
      const r = await get(`/api/backtests/${id}/tearsheet?benchmark=${encodeURIComponent(name)}`);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(/^unknown benchmark "/);
      expect(r.body.error).not.toContain('\n');
    }
  });

  test('GET /api/benchmarks lists susde and series ids', async () => {
    const r = await get('/api/benchmarks');
    expect(r.status).toBe(200);
    expect(r.body.benchmarks).toContain('susde');
    expect(r.body.benchmarks).toContain('cex.binance.BTCUSDT.spot.price');
  });
});

/** Daily returns: value at the first step of each next UTC day over the one at the day's first step. */
function daily(t: number[], value: (ms: number) => number, first: number): { day: number[]; r: number[] } {
  const day: number[] = [];
  const r: number[] = [];
  let d0 = Math.floor(t[0] / DAY);
  let base = first;
  for (const ms of t) {
    const d = Math.floor(ms / DAY);
    if (d !== d0) {
      day.push(d0 * DAY);
      r.push(value(ms) / base - 1);
      base = value(ms);
      d0 = d;
    }
  }
  return { day, r };
}
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - avg(xs)) ** 2, 0) / (xs.length - 1));

/** column `col` of a dataset CSV keyed by its timestamp (ISO or unix seconds) in ms. */
function csvColumn(file: string, col: string): Map<number, number> {
  const lines = readFileSync(join(REAL!, file), 'utf8').trim().split('\n');
  const head = lines[0].split(',');
  const ti = head.indexOf('timestamp');
  const ci = head.indexOf(col);
  const out = new Map<number, number>();
  for (const l of lines.slice(1)) {
    const c = l.split(',');
    const ts = /^\d+$/.test(c[ti]) ? Number(c[ti]) * 1000 : Date.parse(c[ti]);
    out.set(ts, Number(c[ci]));
  }
  return out;
}

describe.skipIf(!REAL)('series benchmarks on the real dataset', () => {
  let id = '';
  let t: number[] = [];
  let index: number[] = [];

  beforeAll(async () => {
    const r = await fetch(`${srv.url}/api/backtests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'btc_basis', start: '2024-03-01', end: '2024-03-21' }),
    });
    id = ((await r.json()) as any).id;
    expect((await waitForRun(srv.url, id)).status).toBe('done');
    const s = (await get(`/api/backtests/${id}/series?names=twr_index&points=1000000`)).body;
    t = s.t;
    index = s.columns[0].values;
  }, 120_000);

  const cases = [
    {
      name: 'cex.binance.BTCUSDT.spot.price',
      // the 5-minute candle opening at the day's first step
      file: 'cex/binance/BTCUSDT_spot_5m.csv',
      col: 'open',
    },
    {
      name: 'aave.USDT.liquidityIndex',
      // the daily snapshot stamped at 00:00 UTC
      file: 'aave_v3/reserves/USDT_daily.csv',
      col: 'liquidityIndex',
    },
  ];
  for (const c of cases) {
    test(`${c.name}: figures equal those computed from the CSV`, async () => {
      const values = csvColumn(c.file, c.col);
      const at = (ms: number) => values.get(ms)!;
      const run = daily(t, (ms) => index[t.indexOf(ms)], 1);
      const bench = daily(t, at, at(t[0]));
      expect(bench.r.every(Number.isFinite)).toBe(true);
      const runRet = run.r.reduce((g, x) => g * (1 + x), 1) - 1;
      const benchRet = bench.r.reduce((g, x) => g * (1 + x), 1) - 1;
      const diff = run.r.map((x, i) => x - bench.r[i]);

      const r = await get(`/api/backtests/${id}/tearsheet?benchmark=${c.name}`);
      expect(r.status).toBe(200);
      const b = r.body.benchmark;
      expect(b).toMatchObject({ name: c.name, available: true, days: run.day.length });
      expect(b.from).toBe(new Date(run.day[0]).toISOString().slice(0, 10));
      expect(b.run_return).toBeCloseTo(runRet, 12);
      expect(b.benchmark_return).toBeCloseTo(benchRet, 12);
      expect(b.excess_return).toBeCloseTo(runRet - benchRet, 12);
      expect(b.tracking_error).toBeCloseTo(sd(diff) * Math.sqrt(365), 10);
      expect(b.information_ratio).toBeCloseTo((avg(diff) / sd(diff)) * Math.sqrt(365), 8);
      expect(b.series.benchmark.at(-1)).toBeCloseTo(1 + benchRet, 12);
      expect(b.series.t).toEqual(run.day);
    });
  }
});
