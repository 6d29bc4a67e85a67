/**
 * Results store timings for `npm run bench`: saving a full-window btc_basis run, reading its series
 * (every column at full resolution, and downsampled to 2000 points), a page of events, and rendering
 * the HTML report; on the embedded store, and on PostgreSQL when DATABASE_URL is set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBacktest } from '../src/results/run.js';
import { renderReport } from '../src/results/report/index.js';
import {
  openStore,
  runTimings,
  toRunResult,
  type ResultsStore,
  type RunRequest,
} from '../src/results/store/index.js';

const REPEAT = 5;

async function time(fn: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b)[Math.floor(REPEAT / 2)];
}

export async function benchStore(): Promise<void> {
  const run = await runBacktest({ mode: 'btc_basis', capital: 1_000_000 });
  const result = toRunResult(run);
  const request: RunRequest = {
    mode: 'btc_basis',
    start: null,
    end: null,
    capital: 1_000_000,
    deposits: [],
    withdrawals: [],
    overrides: [],
  };
  const dir = mkdtempSync(join(tmpdir(), 'basis-bench-store-'));
  const stores: [string, () => Promise<ResultsStore>][] = [
    ['embedded', () => openStore({ dir: join(dir, 'store') })],
  ];
  if (process.env.DATABASE_URL)
    stores.push(['postgres', () => openStore({ url: process.env.DATABASE_URL, schema: 'basis_bench' })]);
  const rows: string[][] = [];
  try {
    for (const [name, open] of stores) {
      const store = await open();
      try {
        let id = '';
        const save = await time(async () => {
          id = await store.saveRun('cli', request, result, runTimings(run.summary));
        });
        const full = await time(() => store.getSeries(id));
        const down = await time(() => store.getSeries(id, { points: 2000 }));
        const events = await time(() => store.getEvents(id, { types: ['fill'], limit: 100 }));
        const report = await time(() => renderReport(store, id));
        rows.push([
          name,
          String(result.summary.steps),
          String(result.columns.length),
          String(result.events.length),
          ...[save, full, down, events, report].map((x) => x.toFixed(1)),
        ]);
        for (const r of (await store.listRuns({ limit: 500 })).runs) await store.deleteRun(r.id);
      } finally {
        await store.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const header = [
    'store',
    'steps',
    'columns',
    'events',
    'save ms',
    'series ms',
    '2000 pts ms',
    'events ms',
    'report ms',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
  process.stdout.write(
    `\nresults store (median of ${REPEAT}):\n${line(header)}\n${rows.map(line).join('\n')}\n`,
  );
}
