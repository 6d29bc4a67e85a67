/**
 * Data-quality rules on the real dataset (BASIS_DATA_DIR), truths recomputed from the raw files:
 * derived perp marks in the Binance perp holes, corrupt rows, duplicate conflicts, missing funding.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runBacktest } from '../../src/results/run.js';
import { byTime, DATA_DIR, utc } from '../helpers/raw.js';

const HOUR = 3_600_000;
const real = describe.skipIf(!DATA_DIR);

real('perp marks inside the Binance perp holes', () => {
  test('the withdrawal of 2024-03-22 15:00 closes the Binance short at spot × the basis of the hole start', async () => {
    const run = await runBacktest({
      mode: 'btc_basis',
      startMs: utc('2024-03-01'),
      endMs: utc('2024-04-15'),
      capital: 1_000_000,
      withdrawals: [{ timeMs: utc('2024-03-22T15:00'), amount: 300_000 }],
    });
    const perpOpen = byTime('cex/binance/BTCUSDT_perp_1h.csv', 'timestamp', 'open');
    const perpClose = byTime('cex/binance/BTCUSDT_perp_1h.csv', 'timestamp', 'close');
    const spotOpen = byTime('cex/binance/BTCUSDT_spot_5m.csv', 'timestamp', 'open');
    const t = utc('2024-03-22T15:00');
    expect(perpOpen.has(t)).toBe(false); // inside a hole of the hourly perp file
    let h = t;
    while (!perpOpen.has(h)) h -= HOUR; // the last hour with a perp candle: the hole's start
    expect(h).toBe(utc('2024-03-22T00:00'));
    const truth = spotOpen.get(t)! * (perpOpen.get(h)! / spotOpen.get(h)!);
    const fill = run.events.find(
      (e) =>
        e.type === 'fill' &&
        e.venue === 'binance' &&
        e.op === 'perp_close' &&
        e.t === new Date(t).toISOString(),
    ) as unknown as { price: number } | undefined;
    expect(fill).toBeDefined();
    expect(fill!.price).toBeCloseTo(truth, 6);
    expect(Math.abs(fill!.price - 62_777)).toBeLessThan(5);
    // the carried-forward close of the last bar (the old fill, 65,843.8) is not used
    expect(Math.abs(fill!.price - perpClose.get(h)!)).toBeGreaterThan(2_000);
    expect(
      run.summary.notes.some((n) => n.startsWith('perp marks binance BTCUSDT on the 1 h grid: 1058 of 1081')),
    ).toBe(true);
  });

  test('btc_basis 2024-01-15 .. 2024-05-10 max drawdown is no longer inflated by the holes', async () => {
    const run = await runBacktest({
      mode: 'btc_basis',
      startMs: utc('2024-01-15'),
      endMs: utc('2024-05-10'),
      capital: 1_000_000,
    });
    // 2.37 % with the carried-forward close; ~0.15 % with derived marks
    expect(run.summary.max_drawdown).toBeLessThan(0.003);
  });
});

real('corrupt rows and duplicate conflicts are errors, never coverage gaps', () => {
  /** A dataset of links to the real files, with one file replaced by `text`. */
  function datasetWith(file: string, text: string): string {
    const root = mkdtempSync(join(tmpdir(), 'basis-dq-'));
    const link = (rel: string) => {
      const src = join(DATA_DIR!, rel);
      for (const name of readdirSync(src, { withFileTypes: true })) {
        const r = join(rel, name.name);
        if (file.startsWith(`${r}/`)) {
          mkdirSync(join(root, r), { recursive: true });
          link(r);
        } else if (r === file) writeFileSync(join(root, r), text);
        else symlinkSync(join(DATA_DIR!, r), join(root, r));
      }
    };
    link('');
    return root;
  }

  test('`abc` in a Bybit price column fails the run naming file, line, column and value', async () => {
    const file = 'cex/bybit/BTCUSDT_perp_1h.csv';
    const lines = readFileSync(join(DATA_DIR!, file), 'utf8').split('\n');
    const f = lines[100].split(',');
    f[4] = 'abc'; // close
    lines[100] = f.join(',');
    const dataDir = datasetWith(file, lines.join('\n'));
    await expect(
      runBacktest({
        mode: 'btc_basis',
        startMs: utc('2024-03-01'),
        endMs: utc('2024-03-10'),
        capital: 1e6,
        dataDir,
      }),
    ).rejects.toThrow(`${file} line 101: column close: "abc" is not a number`);
  });

  test('OKX funding conflicts fail without a policy, naming both values', async () => {
    await expect(
      runBacktest({
        mode: 'btc_basis',
        startMs: utc('2025-01-01'),
        endMs: utc('2025-03-01'),
        capital: 1e6,
        overrides: ['data_policy.conflicting_duplicates=fail'],
      }),
    ).rejects.toThrow(
      'cex/okx/BTCUSDT_funding.csv line 882: timestamp 2025-03-29T00:00Z repeats with different funding_rate: ' +
        '0.0001 (line 881) vs -0.0000291725644984 (line 882); 210 such timestamps in the file',
    );
  });
});

real('missing funding events inside an allowed gap are reported, or fail by policy', () => {
  const start = utc('2024-11-01');
  const end = utc('2024-12-01');
  // truth: 8-hourly events missing in the raw OKX file inside the window
  const raw = [...byTime('cex/okx/BTCUSDT_funding.csv', 'funding_timestamp', 'funding_rate').keys()].sort(
    (a, b) => a - b,
  );
  let missing = 0;
  for (let i = 1; i < raw.length; i++)
    for (let t = raw[i - 1] + 8 * HOUR; t < raw[i]; t += 8 * HOUR) if (t >= start && t <= end) missing++;

  test('skip: counted in the notes, and OKX still hedges', async () => {
    expect(missing).toBeGreaterThan(0);
    const run = await runBacktest({ mode: 'btc_basis', startMs: start, endMs: end, capital: 1e6 });
    expect(run.summary.hedge_weights).toEqual({ binance: 0.4, bybit: 0.3, okx: 0.3 });
    const note = run.summary.notes.find((n) => n.startsWith('series cex.okx.BTCUSDT.funding'));
    expect(note).toContain(`: ${missing} funding events missing inside the window`);
    expect(note).toContain('(data_policy.missing_funding: skip)');
  });

  test('fail: the run does not start', async () => {
    await expect(
      runBacktest({
        mode: 'btc_basis',
        startMs: start,
        endMs: end,
        capital: 1e6,
        overrides: ['data_policy.missing_funding=fail'],
      }),
    ).rejects.toThrow(`${missing} funding events missing inside the window`);
  });
});

real('lending accrual between daily snapshots', () => {
  test.each(['pure_lending_usdt', 'pure_lending_eth'])(
    '%s over its full coverage: no step loses value after entry, max drawdown < 1e-6, snapshots met',
    async (mode) => {
      const run = await runBacktest({ mode });
      expect(run.summary.max_drawdown).toBeLessThan(1e-6);
      const r = run.recorder;
      for (let i = 1; i < r.length; i++) expect(r.pnl[i]).toBeGreaterThanOrEqual(0);
      // between two snapshots the supply index grows linearly to the next one (raw file)
      const asset = mode === 'pure_lending_usdt' ? 'USDT' : 'WETH';
      const index = byTime(`aave_v3/reserves/${asset}_daily.csv`, 'timestamp', 'liquidityIndex');
      const grid = run.data.series.get(`aave.${asset}.liquidityIndex`)!;
      const times = [...index.keys()].sort((a, b) => a - b);
      const k = times.findIndex((t) => t >= run.data.startMs + 30 * 86_400_000);
      const [t0, t1] = [times[k], times[k + 1]];
      const at = (t: number) => grid[(t - run.data.startMs) / HOUR];
      expect(at(t0)).toBe(index.get(t0));
      expect(at(t1)).toBe(index.get(t1));
      const f = (7 * HOUR) / (t1 - t0);
      expect(at(t0 + 7 * HOUR)).toBeCloseTo(index.get(t0)! + (index.get(t1)! - index.get(t0)!) * f, 14);
    },
  );
});
