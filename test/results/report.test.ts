/**
 * The HTML report: one self-contained file whose headline figures equal the run's summary, whose
 * balance sheet adds up to the final equity, and which loads nothing from anywhere.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureSampleDataset } from '../../src/data/index.js';
import { runBacktest } from '../../src/results/run.js';
import { renderReport } from '../../src/results/report/index.js';
import { MAX_REPORT_EVENTS } from '../../src/results/report/html.js';
import { buildTearsheet } from '../../src/results/tearsheet/index.js';
import { openStore, toRunResult, type ResultsStore } from '../../src/results/store/index.js';

const utc = (s: string) => Date.parse(`${s}T00:00:00Z`);
const dir = mkdtempSync(join(tmpdir(), 'basis-report-'));
let store: ResultsStore;
const ids: Record<string, string> = {};

beforeAll(async () => {
  store = await openStore({ dir: join(dir, 'store') });
  for (const [mode, capital] of [
    ['btc_basis', 250_000],
    ['pure_lending_eth', 40],
  ] as const) {
    const run = await runBacktest({
      mode,
      dataDir: ensureSampleDataset(),
      startMs: utc('2024-05-01'),
      endMs: utc('2024-08-01'),
      capital,
      deposits: [{ timeMs: utc('2024-06-01'), amount: capital / 5 }],
    });
    ids[mode] = await store.saveRun(
      'cli',
      {
        mode,
        start: '2024-05-01T00:00:00.000Z',
        end: '2024-08-01T00:00:00.000Z',
        capital,
        deposits: [{ time: '2024-06-01T00:00:00.000Z', amount: capital / 5 }],
        withdrawals: [],
        overrides: [],
      },
      toRunResult(run),
      run.summary,
    );
  }
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function figures(html: string): Record<string, { value: string; text: string }> {
  const out: Record<string, { value: string; text: string }> = {};
  const re =
    /data-figure="(\w+)" data-value="([^"]*)"><span class="label">[^<]*<\/span><span class="value">([^<]*)<\/span>/g;
  // the headline block only (the tearsheet's figures follow it)
  const from = html.indexOf('id="headline"');
  const part = html.slice(from, html.indexOf('id="tearsheet"', from));
  for (const m of part.matchAll(re)) out[m[1]] = { value: m[2], text: m[3] };
  return out;
}

function tearsheetFigures(html: string): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  const part = html.slice(html.indexOf('id="tearsheet-figures"'), html.indexOf('id="tearsheet-charts"'));
  for (const m of part.matchAll(/data-figure="(\w+)" data-value="([^"]*)"/g))
    out[m[1]] = m[2] === '' ? null : Number(m[2]);
  return out;
}

describe.each(['btc_basis', 'pure_lending_eth'])('report of %s', (mode) => {
  let html = '';
  beforeAll(async () => {
    html = await renderReport(store, ids[mode]);
  });

  test('headline figures equal the stored summary, value and text', async () => {
    const s = (await store.getRun(ids[mode]))!.summary!;
    const f = figures(html);
    expect(Object.keys(f)).toEqual([
      'final_equity',
      'total_return',
      'apy',
      'max_drawdown',
      'sharpe',
      'pnl_balance',
      'initial_capital',
      'deposits',
      'trades',
    ]);
    expect(Number(f.final_equity.value)).toBe(s.final_equity);
    expect(Number(f.total_return.value)).toBe(s.total_return);
    expect(Number(f.apy.value)).toBe(s.apy);
    expect(Number(f.max_drawdown.value)).toBe(s.max_drawdown);
    expect(Number(f.sharpe.value)).toBe(s.sharpe);
    expect(Number(f.pnl_balance.value)).toBe(s.pnl.balance);
    expect(Number(f.trades.value)).toBe(s.trades);
    expect(f.total_return.text).toBe(`${(s.total_return * 100).toFixed(2)} %`);
    expect(f.max_drawdown.text).toBe(`${(s.max_drawdown * 100).toFixed(2)} %`);
    const unit = s.share_class;
    const digits = unit === 'USDT' ? 2 : 6;
    expect(f.final_equity.text).toBe(
      `${s.final_equity.toLocaleString('en-US', { maximumFractionDigits: digits })} ${unit}`,
    );
    expect(f.deposits.text.startsWith(`${(s.initial_capital / 5).toLocaleString('en-US')} ${unit}`)).toBe(
      true,
    );
    // The embedded data the charts draw from carry the same summary
    const data = JSON.parse(
      /<script type="application\/json" id="basis-data">(.*?)<\/script>/s.exec(html)![1],
    );
    expect(data.summary).toEqual(s);
  });

  test('the tearsheet: its figures and months as the tearsheet computes them; events inlined at most 300', async () => {
    const rec = (await store.getRun(ids[mode]))!;
    const t = await buildTearsheet(store, rec);
    const f = tearsheetFigures(html);
    expect(f.volatility).toBe(t.figures.volatility);
    expect(f.volatility).toBe(rec.summary!.volatility);
    expect(f.sortino).toBe(t.figures.sortino);
    expect(f.calmar).toBe(t.figures.calmar);
    const months = [...html.matchAll(/data-month="([\d-]+)" data-value="([^"]*)"/g)].map((m) => [
      m[1],
      Number(m[2]),
    ]);
    expect(months).toEqual(t.monthly.map((m) => [m.month, m.r]));
    expect(html).toContain('id="benchmark-none"');
    const [, shown, total] = /id="events-count" data-shown="(\d+)" data-total="(\d+)"/
      .exec(html)!
      .map(Number);
    expect(shown).toBe(Math.min(total, MAX_REPORT_EVENTS));
    expect(MAX_REPORT_EVENTS).toBeLessThanOrEqual(2000);
    expect((html.match(/<tr><td class="nowrap">/g) ?? []).length).toBe(shown);
  });

  test('the balance sheet adds up to the final equity', async () => {
    const s = (await store.getRun(ids[mode]))!.summary!;
    const total = /data-figure="sheet_total">([^<]*)</.exec(html)![1];
    const digits = s.share_class === 'USDT' ? 2 : 6;
    expect(total).toBe(
      `${s.final_equity.toLocaleString('en-US', { maximumFractionDigits: digits })} ${s.share_class}`,
    );
  });

  test('self-contained: nothing is loaded from a URL, chart.js and the chart code are inlined', () => {
    expect(html).not.toMatch(
      /<(script|img|iframe|link|embed|object|audio|video|source)\b[^>]*\b(src|href)\s*=/i,
    );
    expect(html).not.toMatch(/url\(\s*['"]?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import/);
    expect(html).not.toMatch(/\bfetch\(|XMLHttpRequest|importScripts|new WebSocket|sendBeacon/);
    expect(html).toMatch(/Chart\.js v4\.6\.1/);
    expect(html).toContain('window.BasisCharts');
    expect(html).toContain("default-src 'none'");
    // Every http(s) URL in the file is inside a licence comment of chart.js, never an attribute
    for (const m of html.matchAll(/https?:\/\/[^\s"')]+/g)) {
      expect(['https://www.chartjs.org', 'https://github.com/kurkle/color#readme']).toContain(m[0]);
    }
    expect(html.length).toBeLessThan(3_000_000);
  });
});

test('a report needs a finished run', async () => {
  const id = await store.createRun({
    source: 'api',
    request: {
      mode: 'btc_basis',
      start: null,
      end: null,
      capital: 1,
      deposits: [],
      withdrawals: [],
      overrides: [],
    },
  });
  await expect(renderReport(store, id)).rejects.toThrow(`run ${id} is queued; a report needs a finished run`);
  await expect(renderReport(store, '19990101-000000-000000')).rejects.toThrow(
    'no run 19990101-000000-000000',
  );
});
