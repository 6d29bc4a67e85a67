/**
 * The research workbench in Chromium (playwright-core, Debian's /usr/bin/chromium) against a real
 * `basis serve` (compiled, bin/basis.js): the tearsheet's figures and monthly table equal what this test
 * computes from the run's series, PnL by venue equals the funding events summed here, the equity toggle,
 * the underwater curve, the no-benchmark state, the trade table (filter, sort, CSV), a `basis backtest`
 * run while the server runs showing in the runs table with its overrides, the compare page's config
 * diff, and an ML run without a health-factor panel. Screenshots go to test-artifacts/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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
const YEAR_MS = 365 * DAY;

const work = mkdtempSync(join(tmpdir(), 'basis-workbench-ui-'));
const env: NodeJS.ProcessEnv = { ...process.env, BASIS_DATA_DIR: '' };
delete env.DATABASE_URL;
delete env.BASIS_STORE_DIR;
delete env.BASIS_API_TOKEN;

// ---- the figures, computed here from the series (independently of src/results/tearsheet) ----------

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

function monthly(t: number[], index: number[]): Map<string, number> {
  const out = new Map<string, number>();
  const key = (ms: number) => new Date(ms).toISOString().slice(0, 7);
  let m = key(t[0]);
  let base = 1;
  t.forEach((ms, i) => {
    if (key(ms) !== m) {
      out.set(m, index[i] / base - 1);
      base = index[i];
      m = key(ms);
    }
  });
  out.set(m, index[index.length - 1] / base - 1);
  return out;
}

let server: ChildProcess;
let url = '';
let context: BrowserContext;
let page: Page;
let userDir = '';
const pageErrors: string[] = [];
let basisId = '';
let cliId = '';

async function get(path: string): Promise<any> {
  return (await fetch(`${url}${path}`)).json();
}
async function launch(body: unknown): Promise<string> {
  const r = await fetch(`${url}/api/backtests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const id = ((await r.json()) as any).id as string;
  expect((await waitForRun(url, id)).status).toBe('done');
  return id;
}

async function values(selector: string): Promise<Record<string, number>> {
  return page.$$eval(selector, (els: any[]) =>
    Object.fromEntries(els.map((e) => [e.dataset.figure ?? e.dataset.month, Number(e.dataset.value)])),
  );
}

describe.skipIf(!existsSync(CHROMIUM))('research workbench in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { cwd: work, env });
    url = await new Promise<string>((res, rej) => {
      let buf = '';
      server.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = /serving (http:\/\/127\.0\.0\.1:\d+)\//.exec(buf);
        if (m && buf.includes('results store:')) res(m[1]);
      });
      server.on('exit', (code) => rej(new Error(`serve exited ${code}`)));
    });
    userDir = mkdtempSync(join(tmpdir(), 'basis-chromium-'));
    context = await chromium.launchPersistentContext(userDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1300, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    basisId = await launch({
      mode: 'btc_basis',
      start: '2024-02-01',
      end: '2024-05-31T23:00',
      deposits: [{ time: '2024-03-15', amount: 40000 }],
      overrides: ['strategy.perp_leverage=2'],
    });
  });
  afterAll(async () => {
    await context?.close();
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((res) => server.once('exit', res));
    }
    if (userDir) rmSync(userDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  test('tearsheet figures and monthly returns equal those computed from the series', async () => {
    const series = await get(`/api/backtests/${basisId}/series?names=twr_index,equity&points=1000000`);
    const s = await get(`/api/backtests/${basisId}/summary`);
    const t: number[] = series.t;
    const index: number[] = series.columns[0].values;
    const { r } = daily(t, index);
    const vol = sd(r) * Math.sqrt(365);
    const sharpe = (avg(r) / sd(r)) * Math.sqrt(365);
    const down = Math.sqrt(r.reduce((a, x) => a + Math.min(0, x) ** 2, 0) / r.length);
    const sortino = (avg(r) / down) * Math.sqrt(365);
    let peak = 0;
    let mdd = 0;
    for (const x of index) {
      peak = Math.max(peak, x);
      mdd = Math.max(mdd, 1 - x / peak);
    }
    const apy = Math.pow(index.at(-1)!, YEAR_MS / (t.at(-1)! - t[0])) - 1;

    await page.goto(`${url}/#/runs/${basisId}`);
    await page.waitForSelector('#tearsheet-figures');
    const f = await values('#tearsheet-figures .figure');
    expect(f.volatility).toBeCloseTo(vol, 12);
    expect(f.volatility).toBe(s.volatility);
    expect(f.sharpe).toBeCloseTo(sharpe, 10);
    expect(f.sortino).toBeCloseTo(sortino, 10);
    expect(f.calmar).toBeCloseTo(apy / mdd, 8);
    expect(f.best_day).toBe(Math.max(...r));
    expect(f.worst_day).toBe(Math.min(...r));
    const months = await values('#monthly td[data-month]');
    const want = monthly(t, index);
    expect(Object.keys(months)).toEqual([...want.keys()]);
    for (const [m, x] of want) expect(months[m]).toBeCloseTo(x, 12);
    expect(await page.textContent('#monthly td[data-month="2024-03"]')).toBe(
      `${(want.get('2024-03')! * 100).toFixed(2)} %`,
    );
    // synthetic sample: a clear no-benchmark state
    expect(await page.textContent('#benchmark-none')).toMatch(
      /^no benchmark: this dataset has no benchmarks\/ethena_susde_daily\.csv/,
    );
    expect(await page.$$('[data-chart="benchmark"]')).toHaveLength(0);
  });

  test('PnL by venue equals the funding events summed per venue; funding APR shown per venue', async () => {
    const ev = await get(`/api/backtests/${basisId}/events?type=funding&limit=1000`);
    expect(ev.total).toBeLessThanOrEqual(1000);
    const byVenue = new Map<string, number>();
    const notional = new Map<string, number>();
    for (const e of ev.events) {
      byVenue.set(e.venue, (byVenue.get(e.venue) ?? 0) + e.data.payment);
      notional.set(e.venue, (notional.get(e.venue) ?? 0) + Math.abs(e.data.size * e.data.mark));
    }
    const cells = await page.$$eval('#venue-pnl tbody tr', (trs: any[]) =>
      trs.map((tr) => [
        tr.dataset.venue,
        Number(tr.querySelector('td[data-source="funding"]')?.dataset.value ?? 0),
      ]),
    );
    const shown = Object.fromEntries(cells);
    for (const [venue, pay] of byVenue) expect(shown[venue]).toBeCloseTo(pay, 6);
    const apr = await page.$$eval('#funding-apr tbody tr', (trs: any[]) =>
      trs.map((tr) => [tr.dataset.venue, Number(tr.lastElementChild.dataset.value)]),
    );
    expect(apr.map(([v]) => v).sort()).toEqual([...byVenue.keys()].sort());
    for (const [venue, x] of apr) {
      // 8-hour funding: 1095 periods a year
      expect(x).toBeCloseTo((byVenue.get(venue as string)! / notional.get(venue as string)!) * 1095, 8);
    }
  });

  test('charts: equity toggle (time-weighted, log, with deposits), underwater, rolling; margin lines apart', async () => {
    const s = await get(`/api/backtests/${basisId}/summary`);
    await page.waitForFunction(
      () => (globalThis as any).document.querySelectorAll('#tearsheet-charts canvas').length >= 4,
    );
    const chart = (key: string) =>
      page.$eval(`[data-chart="${key}"] canvas`, (c: any) => {
        const ch = (globalThis as any).Chart.getChart(c);
        const d = ch.data.datasets[0].data;
        return {
          type: ch.options.scales.y.type,
          last: d[d.length - 1].y,
          min: Math.min(...d.map((p: any) => p.y)),
        };
      });
    const twr = await chart('equity_view');
    expect(twr.last).toBeCloseTo(s.initial_capital * (1 + s.total_return), 6);
    await page.selectOption('#equity-view', 'log');
    expect((await chart('equity_view')).type).toBe('logarithmic');
    await page.selectOption('#equity-view', 'raw');
    const raw = await chart('equity_view');
    expect([raw.type, raw.last]).toEqual(['linear', s.final_equity]);
    await page.selectOption('#equity-view', 'twr');
    expect((await chart('underwater')).min).toBe(-s.max_drawdown);
    expect(await page.$$('[data-chart="rolling_sharpe"] canvas')).toHaveLength(1);
    expect(await page.$$('[data-chart="rolling_drawdown"] canvas')).toHaveLength(1);
    const styles = await page.$eval('[data-chart="margin_ratio"] canvas', (c: any) =>
      (globalThis as any).Chart.getChart(c)
        .data.datasets.filter((d: any) => !/^(warning|critical)/.test(d.label))
        .map((d: any) => `${d.borderWidth}/${JSON.stringify(d.borderDash ?? [])}`),
    );
    expect(new Set(styles).size).toBe(styles.length);
    expect(styles.length).toBe(Object.keys(s.hedge_weights).length);
    expect(await page.$$('[data-chart="health_factor"]')).toHaveLength(0);
    await page.screenshot({ path: join(ARTIFACTS, 'ui-tearsheet.png'), fullPage: true });
    await (await page.$('#tearsheet'))!.screenshot({ path: join(ARTIFACTS, 'ui-tearsheet-section.png') });
  });

  test('trade table: filter, sort, CSV export', async () => {
    const tj = await get(`/api/backtests/${basisId}/trades`);
    const s = await get(`/api/backtests/${basisId}/summary`);
    expect(tj.trades.reduce((a: number, x: any) => a + x.pnl, 0)).toBeCloseTo(s.pnl.balance, 6);
    const info = async () =>
      page.$eval('#trade-info', (e: any) => [Number(e.dataset.count), Number(e.dataset.pnl)]);
    expect((await info())[0]).toBe(tj.trades.length);
    const reason = tj.trades[0].reason as string;
    await page.selectOption('#trade-reason', reason);
    const only = tj.trades.filter((x: any) => x.reason === reason);
    const [n, pnl] = await info();
    expect(n).toBe(only.length);
    expect(pnl).toBeCloseTo(
      only.reduce((a: number, x: any) => a + x.pnl, 0),
      6,
    );
    await page.selectOption('#trade-reason', '');
    await page.click('#trade-table th[data-key="pnl"]');
    const firstPnl = await page.$eval('#trade-table tbody tr', (tr: any) => Number(tr.dataset.trade));
    const best = [...tj.trades].sort((a: any, b: any) => b.pnl - a.pnl || a.id - b.id)[0];
    expect(firstPnl).toBe(best.id);
    const href = await page.getAttribute('#trades-csv', 'href');
    const csv = await (await fetch(`${url}${href}`)).text();
    expect(csv.trim().split('\n')).toHaveLength(tj.trades.length + 1);
    await (await page.$('#trades'))!.screenshot({ path: join(ARTIFACTS, 'ui-trades.png') });
  });

  test('the event table exports what its filters show as CSV', async () => {
    const types = (await get(`/api/backtests/${basisId}/events?limit=1`)).types;
    await page.selectOption('#event-type', 'fill');
    await page.waitForFunction(
      (n) => (globalThis as any).document.querySelector('#event-info')?.textContent?.endsWith(`of ${n}`),
      types.fill,
    );
    const href = (await page.getAttribute('#events-filtered-csv', 'href'))!;
    expect(href).toBe(`/api/backtests/${basisId}/events?type=fill&format=csv`);
    const rows = (await (await fetch(`${url}${href}`)).text()).trim().split('\n');
    expect(rows).toHaveLength(types.fill + 1);
    expect(rows.slice(1).every((r) => r.split(',')[2] === 'fill')).toBe(true);
  });

  test('`basis backtest` while `basis serve` runs: the run shows in the runs table with its overrides', async () => {
    const r = spawnSync(
      process.execPath,
      [
        BIN,
        'backtest',
        '--mode',
        'btc_basis',
        '--start',
        '2024-02-01',
        '--end',
        '2024-05-31T23:00',
        '--deposit',
        '2024-03-15=40000',
        '--set',
        'strategy.perp_leverage=3',
        '--quiet',
      ],
      { cwd: work, env, encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const list = await get('/api/backtests');
    cliId = list.runs.find((x: any) => x.source === 'cli').id;
    await page.goto(`${url}/#/runs`);
    await page.waitForSelector(`#history tr[data-run="${cliId}"]`);
    const cells = await page.$$eval(`#history tr[data-run="${cliId}"] td`, (tds: any[]) =>
      tds.map((td) => td.textContent),
    );
    expect(cells).toContain('cli');
    expect(cells).toContain('strategy.perp_leverage=3');
    // the table scrolls inside its card instead of overflowing it
    const overflow = await page.$eval('#history', (t: any) => {
      const card = t.closest('.card');
      return card.scrollWidth - card.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'ui-runs-cli.png'), fullPage: true });
  });

  test('compare: overrides and a config diff of the two runs', async () => {
    await page.check(`#history tr[data-run="${basisId}"] input[type=checkbox]`);
    await page.check(`#history tr[data-run="${cliId}"] input[type=checkbox]`);
    await page.click('#compare-selected');
    await page.waitForSelector('#config-diff-table');
    const rows = await page.$$eval('#config-diff-table tbody tr', (trs: any[]) =>
      trs.map((tr) => [
        tr.dataset.key,
        ...[...tr.querySelectorAll('td.detail')].map((td: any) => td.textContent),
      ]),
    );
    const heads = await page.$$eval('#config-diff-table thead th[data-run]', (ths: any[]) =>
      ths.map((t) => t.dataset.run),
    );
    const lev = rows.find((x) => x[0] === 'strategy.perp_leverage')!;
    expect(lev.slice(1)).toEqual(heads.map((id: string) => (id === basisId ? '2' : '3')));
    expect(rows).toHaveLength(1);
    await page.screenshot({ path: join(ARTIFACTS, 'ui-compare-diff.png'), fullPage: true });
  });

  test('an ML run: no health-factor panel, trades section, figures', async () => {
    const id = await launch({
      mode: 'ml_usdt_directional_usdt_margin',
      start: '2024-03-01',
      end: '2024-03-04',
    });
    await page.goto(`${url}/#/runs/${id}`);
    await page.waitForSelector('#tearsheet-figures');
    await page.waitForFunction(
      () => (globalThis as any).document.querySelectorAll('#charts canvas').length >= 3,
    );
    expect(await page.$$('[data-chart="health_factor"]')).toHaveLength(0);
    expect(await page.textContent('#results')).not.toMatch(/Health factor/);
    await page.screenshot({ path: join(ARTIFACTS, 'ui-ml-results.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
