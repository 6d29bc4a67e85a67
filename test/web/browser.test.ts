/**
 * The web UI in a real browser (Debian's Chromium through playwright-core): launch a backtest from the
 * form, wait for it, check the figures on the page against the API's summary and the charts drawn,
 * filter events, compare two runs, and open the HTML report offline. Screenshots go to test-artifacts/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, waitForRun, type TestServer } from '../server/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(__dirname, '../../test-artifacts');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/* eslint-disable @typescript-eslint/no-explicit-any */
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const money = (x: number, u: string) =>
  `${x.toLocaleString('en-US', { maximumFractionDigits: u === 'USDT' ? 2 : 6 })} ${u}`;

// Callbacks below run in the page (evaluated over CDP, so the UI's CSP allows them): its DOM types are
// not in this project's lib, hence `any`
async function figuresOn(page: Page): Promise<Record<string, { value: string; text: string }>> {
  return page.$$eval('#headline .figure', (els: any[]) =>
    Object.fromEntries(
      els.map((e) => [
        e.dataset.figure,
        { value: e.dataset.value, text: e.querySelector('.value').textContent },
      ]),
    ),
  );
}

/** Chart keys with a chart.js chart that has painted pixels. */
async function drawnCharts(page: Page): Promise<string[]> {
  return page.$$eval('#charts [data-chart] canvas, #compare-charts [data-chart] canvas', (canvases: any[]) =>
    canvases
      .filter((cv) => {
        const px = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
        let painted = 0;
        for (let i = 3; i < px.length; i += 4 * 7) if (px[i] > 0) painted++;
        return painted > 200 && (globalThis as any).Chart.getChart(cv) !== undefined;
      })
      .map((cv) => cv.parentElement.dataset.chart),
  );
}

describe.skipIf(!existsSync(CHROMIUM))('web UI in Chromium', () => {
  let srv: TestServer;
  let context: BrowserContext;
  let page: Page;
  let userDir: string;
  let runId = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    srv = await startTestServer();
    userDir = mkdtempSync(join(tmpdir(), 'basis-chromium-'));
    context = await chromium.launchPersistentContext(userDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1300, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });
  afterAll(async () => {
    await context?.close();
    await srv?.close();
    if (userDir) rmSync(userDir, { recursive: true, force: true });
  });

  test('launch a backtest from the form; the page shows the API summary and every chart', async () => {
    await page.goto(`${srv.url}/#/new`);
    await page.waitForSelector('#mode option[value="btc_basis"]', { state: 'attached' });
    await page.selectOption('#mode', 'btc_basis');
    expect(await page.textContent('#mode-description')).toMatch(/BTC spot/);
    expect(await page.getAttribute('#start', 'min')).toBe('2024-01-01');
    await page.fill('#start', '2024-03-01');
    await page.fill('#end', '2024-05-31');
    await page.fill('#capital', '250000');
    await page.click('text=+ add deposit');
    await page.fill('.flow-date', '2024-04-01');
    await page.fill('.flow-amount', '50000');
    await page.fill('#overrides', 'strategy.perp_leverage=2');
    await page.click('#launch');
    await page.waitForURL(/#\/runs\/\d{8}-\d{6}-[0-9a-f]{6}$/);
    runId = page.url().split('/').pop()!;
    await page.waitForSelector('#results', { timeout: 60_000 });

    const s = (await (await fetch(`${srv.url}/api/backtests/${runId}/summary`)).json()) as any;
    expect([s.start, s.end, s.deposits, s.config.strategy.perp_leverage]).toEqual([
      '2024-03-01T00:00:00Z',
      '2024-05-31T23:00:00Z',
      50000,
      2,
    ]);
    const f = await figuresOn(page);
    expect(Number(f.final_equity.value)).toBe(s.final_equity);
    expect(Number(f.total_return.value)).toBe(s.total_return);
    expect(Number(f.apy.value)).toBe(s.apy);
    expect(Number(f.max_drawdown.value)).toBe(s.max_drawdown);
    expect(Number(f.sharpe.value)).toBe(s.sharpe);
    expect(Number(f.pnl_balance.value)).toBe(s.pnl.balance);
    expect(f.final_equity.text).toBe(money(s.final_equity, 'USDT'));
    expect(f.total_return.text).toBe(pct(s.total_return));
    expect(f.apy.text).toBe(pct(s.apy));
    expect(f.max_drawdown.text).toBe(pct(s.max_drawdown));
    expect(f.trades.text).toBe(`${s.trades} / ${s.transfers}`);
    expect(await page.textContent('#results .badge.synthetic')).toBe('SYNTHETIC');

    await page.waitForFunction(
      () => (globalThis as any).document.querySelectorAll('[data-chart] canvas').length >= 6,
    );
    expect((await drawnCharts(page)).sort()).toEqual([
      'balance',
      'drawdown',
      'equity',
      'margin_ratio',
      'net_delta',
      'pnl',
    ]);
    // no lending venue: no health-factor panel at all (test/web/workbench.test.ts checks the rest)
    expect(await page.$$('[data-chart="health_factor"]')).toHaveLength(0);
    const labels = await page.$eval('[data-chart="margin_ratio"] canvas', (c) =>
      (globalThis as any).Chart.getChart(c).data.datasets.map((d: { label: string }) => d.label),
    );
    expect(labels).toEqual([
      ...Object.keys(s.hedge_weights),
      `warning ${s.config.risk.margin_ratio_warning}`,
      `critical ${s.config.risk.margin_ratio_critical}`,
    ]);
    const sheetTotal = await page.textContent('#balance-sheet tr.total td:last-child');
    expect(sheetTotal).toBe(money(s.final_equity, 'USDT'));
    await page.screenshot({ path: join(ARTIFACTS, 'ui-results.png'), fullPage: true });
  });

  test('the event table filters by type and pages', async () => {
    const types = ((await (await fetch(`${srv.url}/api/backtests/${runId}/events?limit=1`)).json()) as any)
      .types;
    await page.selectOption('#event-type', 'fill');
    const n = types.fill as number;
    await page.waitForFunction(
      (text) => (globalThis as any).document.querySelector('#event-info')?.textContent === text,
      `1–${Math.min(50, n)} of ${n}`,
    );
    const shown = await page.$$eval('#events tbody tr td:nth-child(2)', (tds) => [
      ...new Set(tds.map((t) => t.textContent)),
    ]);
    expect(shown).toEqual(['fill']);
  });

  test('compare two runs picked in the history', async () => {
    const r = await fetch(`${srv.url}/api/backtests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        mode: 'pure_lending_usdt',
        start: '2024-03-01',
        end: '2024-05-31T23:00',
        capital: 250000,
      }),
    });
    const other = ((await r.json()) as { id: string }).id;
    await waitForRun(srv.url, other);
    await page.goto(`${srv.url}/#/runs`);
    await page.waitForSelector(`#history tr[data-run="${other}"]`);
    await page.check(`#history tr[data-run="${runId}"] input[type=checkbox]`);
    await page.check(`#history tr[data-run="${other}"] input[type=checkbox]`);
    await page.click('#compare-selected');
    await page.waitForSelector('#compare-table');
    const heads = await page.$$eval('#compare-table thead th[data-run]', (ths) =>
      ths.map((t: any) => t.dataset.run as string),
    );
    expect([...heads].sort()).toEqual([runId, other].sort());
    await page.waitForFunction(
      () => (globalThis as any).document.querySelectorAll('#compare-charts canvas').length === 2,
    );
    expect((await drawnCharts(page)).sort()).toEqual(['compare_drawdown', 'compare_return']);
    const finals = await page.$$eval('#compare-table tbody tr', (trs: any[]) =>
      trs
        .filter((tr) => tr.firstElementChild.textContent === 'final equity')
        .flatMap((tr) => [...tr.querySelectorAll('td.num')].map((td: any) => td.textContent as string)),
    );
    const summaries = await Promise.all(
      heads.map(
        async (id) =>
          ((await (await fetch(`${srv.url}/api/backtests/${id}/summary`)).json()) as any).final_equity,
      ),
    );
    expect(finals).toEqual(summaries.map((x: number) => money(x, 'USDT')));
    await page.screenshot({ path: join(ARTIFACTS, 'ui-compare.png'), fullPage: true });
  });

  test('the HTML report opens offline with the same figures and its charts', async () => {
    const html = await (await fetch(`${srv.url}/api/backtests/${runId}/report`)).text();
    const file = join(ARTIFACTS, 'report.html');
    writeFileSync(file, html);
    const s = (await (await fetch(`${srv.url}/api/backtests/${runId}/summary`)).json()) as any;
    const report = await context.newPage();
    const requests: string[] = [];
    report.on('request', (req) => requests.push(req.url()));
    await context.setOffline(true);
    try {
      await report.goto(`file://${file}`);
      await report.waitForFunction(
        () => (globalThis as any).document.querySelectorAll('[data-chart] canvas').length >= 6,
      );
      expect((await drawnCharts(report)).sort()).toEqual([
        'balance',
        'drawdown',
        'equity',
        'margin_ratio',
        'net_delta',
        'pnl',
      ]);
      const f = await figuresOn(report);
      expect(Number(f.final_equity.value)).toBe(s.final_equity);
      expect(f.total_return.text).toBe(pct(s.total_return));
      expect(f.max_drawdown.text).toBe(pct(s.max_drawdown));
      await report.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    } finally {
      await context.setOffline(false);
      await report.close();
    }
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
