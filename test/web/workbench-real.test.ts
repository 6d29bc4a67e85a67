/**
 * The research workbench in Chromium on the real dataset (/work/shared/data, or BASIS_REAL_DATA_DIR;
 * skipped without it): the sUSDe benchmark figures and overlay equal what this test computes from the
 * benchmark CSV and the run's series; an ML run's trade table holds its trade events (filter by exit
 * reason, hit rate). Screenshots: test-artifacts/ui-benchmark.png, ui-ml-trades.png.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { waitForRun } from '../server/helpers.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/basis.js');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
];
const DAY = 86_400_000;
const env: NodeJS.ProcessEnv = { ...process.env };
delete env.DATABASE_URL;
delete env.BASIS_STORE_DIR;
delete env.BASIS_API_TOKEN;

/** Daily returns: index at the first step of each next UTC day over the one at the day's first step. */
function daily(t: number[], index: number[]): { day: number[]; r: number[] } {
  const day: number[] = [];
  const r: number[] = [];
  let d0 = Math.floor(t[0] / DAY);
  let base = 1;
  t.forEach((ms, i) => {
    const d = Math.floor(ms / DAY);
    if (d !== d0) {
      day.push(d0 * DAY);
      r.push(index[i] / base - 1);
      base = index[i];
      d0 = d;
    }
  });
  return { day, r };
}
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - avg(xs)) ** 2, 0) / (xs.length - 1));

const REAL = process.env.BASIS_REAL_DATA_DIR ?? '/work/shared/data';
const hasReal = existsSync(join(REAL, 'benchmarks', 'ethena_susde_daily.csv'));

describe.skipIf(!existsSync(CHROMIUM) || !hasReal)('workbench on the real dataset in Chromium', () => {
  let realServer: ChildProcess;
  let realUrl = '';
  const realWork = mkdtempSync(join(tmpdir(), 'basis-workbench-real-'));
  let ctx: BrowserContext;
  let p: Page;
  let dir = '';

  beforeAll(async () => {
    realServer = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', REAL], {
      cwd: realWork,
      env,
    });
    realUrl = await new Promise<string>((res, rej) => {
      let buf = '';
      realServer.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = /serving (http:\/\/127\.0\.0\.1:\d+)\//.exec(buf);
        if (m && buf.includes('results store:')) res(m[1]);
      });
      realServer.on('exit', (code) => rej(new Error(`serve exited ${code}`)));
    });
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'basis-chromium-'));
    ctx = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1300, height: 900 },
    });
    p = ctx.pages()[0] ?? (await ctx.newPage());
  });
  afterAll(async () => {
    await ctx?.close();
    if (realServer && realServer.exitCode === null) {
      realServer.kill('SIGTERM');
      await new Promise((res) => realServer.once('exit', res));
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    rmSync(realWork, { recursive: true, force: true });
  });

  async function realRun(body: unknown): Promise<string> {
    const r = await fetch(`${realUrl}/api/backtests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const id = ((await r.json()) as any).id as string;
    expect((await waitForRun(realUrl, id)).status).toBe('done');
    return id;
  }

  test('sUSDe benchmark: excess return and tracking error equal those computed from the CSV', async () => {
    const id = await realRun({ mode: 'pure_lending_usdt', start: '2024-03-01', end: '2024-05-31T23:00' });
    const series = (await (
      await fetch(`${realUrl}/api/backtests/${id}/series?names=twr_index&points=1000000`)
    ).json()) as any;
    const { day, r } = daily(series.t, series.columns[0].values);
    const lines = readFileSync(join(REAL, 'benchmarks', 'ethena_susde_daily.csv'), 'utf8')
      .trim()
      .split('\n');
    const head = lines[0].split(',');
    const apy = new Map(
      lines.slice(1).map((l) => {
        const c = l.split(',');
        return [Date.parse(`${c[head.indexOf('date')]}T00:00:00Z`), Number(c[head.indexOf('apy_decimal')])];
      }),
    );
    // the file covers 2024-02-16 .. 2025-09-18; a day it lacks takes the day before's APY
    const apyOn = (d: number): number => apy.get(d) ?? apyOn(d - DAY);
    const b = day.map((d) => Math.pow(1 + apyOn(d), 1 / 365) - 1);
    const runRet = r.reduce((g, x) => g * (1 + x), 1) - 1;
    const benchRet = b.reduce((g, x) => g * (1 + x), 1) - 1;
    const diff = r.map((x, i) => x - b[i]);
    await p.goto(`${realUrl}/#/runs/${id}`);
    await p.waitForSelector('#benchmark-figures');
    const f = await p.$$eval('#benchmark-figures .figure', (els: any[]) =>
      Object.fromEntries(els.map((e) => [e.dataset.figure, Number(e.dataset.value)])),
    );
    expect(f.run_return).toBeCloseTo(runRet, 12);
    expect(f.benchmark_return).toBeCloseTo(benchRet, 12);
    expect(f.excess_return).toBeCloseTo(runRet - benchRet, 12);
    expect(f.tracking_error).toBeCloseTo(sd(diff) * Math.sqrt(365), 10);
    await p.waitForSelector('[data-chart="benchmark"] canvas');
    const last = await p.$eval('[data-chart="benchmark"] canvas', (c: any) =>
      (globalThis as any).Chart.getChart(c).data.datasets.map((d: any) => d.data[d.data.length - 1].y),
    );
    expect(last[0]).toBeCloseTo(runRet, 12);
    expect(last[1]).toBeCloseTo(benchRet, 12);
    await (await p.$('#tearsheet'))!.screenshot({ path: join(ARTIFACTS, 'ui-benchmark.png') });
  });

  test('benchmark picker: a dataset price series, figures equal those computed from its CSV', async () => {
    const id = await realRun({ mode: 'pure_lending_usdt', start: '2024-03-01', end: '2024-03-15T23:00' });
    const series = (await (
      await fetch(`${realUrl}/api/backtests/${id}/series?names=twr_index&points=1000000`)
    ).json()) as any;
    const { day, r } = daily(series.t, series.columns[0].values);
    // BTC spot: the open of the 5-minute candle at each day's first step (00:00 UTC)
    const lines = readFileSync(join(REAL, 'cex/binance/BTCUSDT_spot_5m.csv'), 'utf8').trim().split('\n');
    const open = new Map(lines.slice(1).map((l) => [Date.parse(l.split(',')[0]), Number(l.split(',')[1])]));
    const b = day.map((d) => open.get(d + DAY)! / open.get(d)! - 1);
    const runRet = r.reduce((g, x) => g * (1 + x), 1) - 1;
    const benchRet = b.reduce((g, x) => g * (1 + x), 1) - 1;
    const diff = r.map((x, i) => x - b[i]);
    await p.goto(`${realUrl}/#/runs/${id}`);
    await p.waitForSelector('#benchmark-pick');
    await p.selectOption('#benchmark-pick', 'cex.binance.BTCUSDT.spot.price');
    await p.waitForFunction(() =>
      (globalThis as any).document
        .querySelector('#benchmark-figures [data-figure="benchmark_return"]')
        ?.textContent?.includes('BTCUSDT'),
    );
    const f = await p.$$eval('#benchmark-figures .figure', (els: any[]) =>
      Object.fromEntries(els.map((e) => [e.dataset.figure, Number(e.dataset.value)])),
    );
    expect(f.run_return).toBeCloseTo(runRet, 12);
    expect(f.benchmark_return).toBeCloseTo(benchRet, 12);
    expect(f.excess_return).toBeCloseTo(runRet - benchRet, 12);
    expect(f.tracking_error).toBeCloseTo(sd(diff) * Math.sqrt(365), 10);
    const last = await p.$eval('[data-chart="benchmark"] canvas', (c: any) =>
      (globalThis as any).Chart.getChart(c).data.datasets.map((d: any) => d.data[d.data.length - 1].y),
    );
    expect(last[1]).toBeCloseTo(benchRet, 12);
    await (await p.$('#tearsheet'))!.screenshot({ path: join(ARTIFACTS, 'ui-benchmark-series.png') });
  });

  test('ML trades: one row per trade event, side and exit reason, PnL summed', async () => {
    const id = await realRun({
      mode: 'ml_usdt_directional_usdt_margin',
      start: '2024-02-01',
      end: '2024-02-10',
    });
    const ev = (await (
      await fetch(`${realUrl}/api/backtests/${id}/events?type=trade&limit=1000`)
    ).json()) as any;
    expect(ev.total).toBeGreaterThan(0);
    await p.goto(`${realUrl}/#/runs/${id}`);
    await p.waitForSelector('#trade-table');
    const [count, pnl] = await p.$eval('#trade-info', (e: any) => [
      Number(e.dataset.count),
      Number(e.dataset.pnl),
    ]);
    expect(count).toBe(ev.total);
    expect(pnl).toBeCloseTo(
      ev.events.reduce((a: number, e: any) => a + e.data.net_pnl, 0),
      6,
    );
    const heads = await p.$$eval('#trade-table th', (ths: any[]) => ths.map((t) => t.dataset.key));
    expect(heads).toEqual([
      'id',
      'entry_time',
      'exit_time',
      'side',
      'reason',
      'detail',
      'venues',
      'entry_price',
      'exit_price',
      'fees',
      'pnl',
    ]);
    const stop = ev.events.filter((e: any) => e.data.reason === 'sl').length;
    await p.selectOption('#trade-reason', 'sl');
    expect(await p.$eval('#trade-info', (e: any) => Number(e.dataset.count))).toBe(stop);
    const hit = ev.events.filter((e: any) => e.data.net_pnl > 0).length / ev.total;
    const shown = await p.$eval('#tearsheet-figures [data-figure="hit_rate"]', (e: any) =>
      Number(e.dataset.value),
    );
    expect(shown).toBeCloseTo(hit, 15);
    // the same as the CLI's trade summary (the engine's strategy report)
    const s = (await (await fetch(`${realUrl}/api/backtests/${id}/summary`)).json()) as any;
    expect(shown).toBeCloseTo(s.strategy_report.trades.hit_rate, 15);
    const pf = await p.$eval('#tearsheet-figures [data-figure="profit_factor"]', (e: any) =>
      Number(e.dataset.value),
    );
    expect(pf).toBeCloseTo(s.strategy_report.trades.profit_factor, 12);
    expect(await p.$$('[data-chart="health_factor"]')).toHaveLength(0);
    await (await p.$('#trades'))!.screenshot({ path: join(ARTIFACTS, 'ui-ml-trades.png') });
  });
});
