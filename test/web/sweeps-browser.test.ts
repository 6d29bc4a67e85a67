/**
 * The sweeps pages in a real browser (Debian's Chromium through playwright-core; skipped without it):
 * launch a 2 × 2 sweep from the form, watch it finish, read the heatmap and the ranking against the API,
 * sort the runs table by a metric, and open a run of the sweep. Screenshot in test-artifacts/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../server/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(__dirname, '../../test-artifacts');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
];
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/* eslint-disable @typescript-eslint/no-explicit-any */
describe.skipIf(!existsSync(CHROMIUM))('sweeps in Chromium', () => {
  let srv: TestServer;
  let context: BrowserContext;
  let page: Page;
  let userDir: string;
  const sweepsDir = mkdtempSync(join(tmpdir(), 'basis-ui-sweeps-'));
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    srv = await startTestServer({ sweepsDir, concurrency: 2 });
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
    rmSync(sweepsDir, { recursive: true, force: true });
  });

  test('launch, heatmap, ranking, sortable runs, open a run', async () => {
    await page.goto(`${srv.url}/#/sweeps`);
    await page.waitForSelector('#sweep-mode option[value="btc_basis"]', { state: 'attached' });
    await page.selectOption('#sweep-mode', 'btc_basis');
    await page.fill('#sweep-grid', 'strategy.perp_leverage=2,4\nstrategy.min_funding_rate_8h=null,0.0001');
    await page.fill('#sweep-windows', '2024-06-01..2024-07-01');
    await page.click('#sweep-launch');
    await page.waitForURL(/#\/sweeps\/sw-[0-9-]+-[0-9a-f]{4}$/);
    const id = page.url().split('/').pop()!;
    await page.waitForFunction(
      () => (globalThis as any).document.querySelector('#sweep-status')?.textContent === 'done',
      undefined,
      { timeout: 60_000 },
    );
    const s = (await (await fetch(`${srv.url}/api/sweeps/${id}`)).json()) as any;
    expect(s.progress).toEqual({ done: 4, total: 4, fraction: 1 });

    // heatmap: one cell per grid point, the set's objective (APY) in it
    const cells = await page.$$eval('#sweep-heatmap td.cell', (els: any[]) =>
      els.map((e) => ({ x: e.dataset.x, y: e.dataset.y, text: e.textContent })),
    );
    expect(cells).toHaveLength(4);
    for (const c of cells) {
      const set = s.ranking.find(
        (r: any) =>
          r.params['strategy.perp_leverage'] === c.x && r.params['strategy.min_funding_rate_8h'] === c.y,
      );
      expect(c.text).toBe(pct(set.objective));
    }
    const firstRank = await page.$eval('#sweep-ranking tbody tr td:nth-child(2)', (e: any) => e.textContent);
    const best = s.ranking[0];
    expect(firstRank).toBe(
      `strategy.perp_leverage=${best.params['strategy.perp_leverage']} strategy.min_funding_rate_8h=${best.params['strategy.min_funding_rate_8h']}`,
    );
    expect(await page.$$eval('[data-chart="sweep-scatter"] canvas', (c: any[]) => c.length)).toBe(1);

    // the runs table: sorted by the objective, then by max_drawdown when its header is clicked
    const keysInOrder = () =>
      page.$$eval('#sweep-runs tbody tr', (rows: any[]) => rows.map((r) => r.dataset.key));
    const byApy = [...s.runs].sort((a: any, b: any) => b.apy - a.apy).map((r: any) => r.key);
    expect(await keysInOrder()).toEqual(byApy);
    await page.click('#sweep-runs th[data-sort="max_drawdown"]');
    const byDd = [...s.runs].sort((a: any, b: any) => b.max_drawdown - a.max_drawdown).map((r: any) => r.key);
    expect(await keysInOrder()).toEqual(byDd);
    await page.click('#sweep-runs th[data-sort="max_drawdown"]');
    expect(await keysInOrder()).toEqual([...byDd].reverse());
    await page.screenshot({ path: join(ARTIFACTS, 'sweep.png'), fullPage: true });

    // a run of the sweep opens as any stored run
    await page.click(`#sweep-runs tr[data-key="${s.runs[0].key}"] a`);
    await page.waitForURL(new RegExp(`#/runs/${s.runs[0].run_id}$`));
    await page.waitForSelector('#results', { timeout: 60_000 });
    expect(pageErrors).toEqual([]);
  });
});
