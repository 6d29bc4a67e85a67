import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  SECONDS_PER_YEAR,
  alignBarExtreme,
  alignCandle,
  alignEvents,
  alignLevel,
} from '../../src/data/align.js';
import { loadMarketDataSync } from '../../src/data/load.js';

const H = 3_600_000;
const D = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
const f64 = (xs: number[]) => Float64Array.from(xs);

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function dataset(files: Record<string, string>): { dataDir: string; cacheDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'basis-align-'));
  roots.push(root);
  const dataDir = join(root, 'data');
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dataDir, rel)), { recursive: true });
    writeFileSync(join(dataDir, rel), text);
  }
  mkdirSync(dataDir, { recursive: true });
  return { dataDir, cacheDir: join(root, 'cache') };
}

describe('Aave index fill rule', () => {
  // three daily snapshots: (index, rate) for supply and borrow
  const snaps = [
    { t: T0, liq: 1.03, lr: 0.08, debt: 1.05, br: 0.1 },
    { t: T0 + D, liq: 1.0302257534246575, lr: 0.06, debt: 1.0502877, br: 0.09 },
    { t: T0 + 2 * D, liq: 1.0304, lr: 0.05, debt: 1.0505, br: 0.07 },
  ];
  const header =
    'targetDate,timestamp,blockNumber,reserve,symbol,liquidityIndex,currentLiquidityRate,variableBorrowIndex,' +
    'currentVariableBorrowRate,currentStableBorrowRate,totalAToken,totalStableDebt,totalVariableDebt,price,date\n';
  const body = snaps
    .map((s) => `x,${s.t / 1000},1,0xabc,USDT,${s.liq},${s.lr},${s.debt},${s.br},0.1,,0.0,,1.0,x`)
    .join('\n');
  const d = dataset({ 'aave_v3/reserves/USDT_daily.csv': `${header}${body}\n` });
  const ids = [
    'aave.USDT.liquidityIndex',
    'aave.USDT.variableBorrowIndex',
    'aave.USDT.liquidityRate',
    'aave.USDT.borrowRate',
  ];
  const md = loadMarketDataSync({
    ...d,
    startMs: T0 - 2 * H,
    endMs: T0 + 2 * D + 2 * H,
    required: [],
    optional: ids,
  });
  const at = (id: string, t: number) => md.series.get(id)![(t - md.startMs) / H];

  it('meets every snapshot exactly', () => {
    for (const s of snaps) {
      expect(at('aave.USDT.liquidityIndex', s.t)).toBe(s.liq);
      expect(at('aave.USDT.variableBorrowIndex', s.t)).toBe(s.debt);
    }
  });

  it('accrues at the rate that meets the next snapshot: linear supply index, geometric borrow index', () => {
    for (let k = 0; k < 2; k++) {
      const s = snaps[k];
      const next = snaps[k + 1];
      for (const h of [1, 12, 23]) {
        const f = h / 24;
        const liq = at('aave.USDT.liquidityIndex', s.t + h * H);
        expect(Math.abs(liq / (s.liq + (next.liq - s.liq) * f) - 1)).toBeLessThan(1e-15);
        const debt = at('aave.USDT.variableBorrowIndex', s.t + h * H);
        expect(Math.abs(debt / (s.debt * (next.debt / s.debt) ** f) - 1)).toBeLessThan(1e-15);
      }
      // the snapshot's own rate is not used: snapshot 1 accrued a day at its 6 % misses snapshot 2
      expect(
        Math.abs(snaps[1].liq * (1 + (snaps[1].lr * 86_400) / SECONDS_PER_YEAR) - snaps[2].liq),
      ).toBeGreaterThan(1e-6);
    }
  });

  it('never steps down between snapshots (no artificial drawdown)', () => {
    for (const id of ['aave.USDT.liquidityIndex', 'aave.USDT.variableBorrowIndex']) {
      const s = md.series.get(id)!;
      for (let i = 1; i < s.length; i++)
        if (s[i] === s[i] && s[i - 1] === s[i - 1]) expect(s[i]).toBeGreaterThanOrEqual(s[i - 1]);
    }
  });

  it('gives the rate of the snapshot in force, NaN before the first and after the last snapshot', () => {
    expect(at('aave.USDT.liquidityRate', T0 + 5 * H)).toBe(0.08);
    expect(at('aave.USDT.borrowRate', T0 + D + 23 * H)).toBe(0.09);
    expect(at('aave.USDT.borrowRate', T0 + 2 * D)).toBe(0.07);
    for (const id of ids) {
      expect(at(id, T0 - H)).toBeNaN();
      expect(at(id, T0 + 2 * D + H)).toBeNaN();
    }
  });
});

describe('price fill rule (candles)', () => {
  const g = { startMs: T0 - H, stepMs: H, length: 6 };
  // hourly bars at 00, 01, 03 (02 missing)
  const ts = f64([T0, T0 + H, T0 + 3 * H]);
  const open = f64([100, 101, 103]);
  const close = f64([100.5, 101.5, 103.5]);

  it('uses the open at t, the last close when the bar at t is missing, NaN before the first bar', () => {
    const v = alignCandle(ts, open, close, H, g);
    expect([...v]).toEqual([NaN, 100, 101, 101.5, 103, 103.5]);
  });

  it('takes the hour open from a 5-minute file, and the 5-minute close when that bar is missing', () => {
    const fiveTs: number[] = [];
    const o: number[] = [];
    const c: number[] = [];
    for (let k = 0; k < 12; k++) {
      fiveTs.push(T0 + k * 300_000);
      o.push(200 + k);
      c.push(200.5 + k);
    }
    fiveTs.push(T0 + 2 * H + 300_000); // 02:05 present, 02:00 missing
    o.push(300);
    c.push(301);
    const v = alignCandle(f64(fiveTs), f64(o), f64(c), 300_000, { startMs: T0, stepMs: H, length: 4 });
    expect([...v]).toEqual([200, 211.5, 211.5, 301]);
  });

  it('high/low describe the bar opening at t; NaN when it is missing', () => {
    const hi = alignBarExtreme(ts, f64([110, 111, 113]), g, 'max');
    const lo = alignBarExtreme(ts, f64([90, 91, 93]), g, 'min');
    expect([...hi]).toEqual([NaN, 110, 111, NaN, 113, NaN]);
    expect([...lo]).toEqual([NaN, 90, 91, NaN, 93, NaN]);
  });

  it('levels carry the last value at or before t', () => {
    const v = alignLevel(f64([T0 + 30 * 60_000, T0 + 2 * H]), f64([7, 8]), {
      startMs: T0,
      stepMs: H,
      length: 4,
    });
    expect([...v]).toEqual([NaN, 7, 8, 8]);
  });
});

describe('funding events', () => {
  it('keeps events in [start, end] and marks their steps, rounding off-hour events down', () => {
    const ts = f64([T0 - 8 * H, T0, T0 + 8 * H + 1_800_000, T0 + 16 * H, T0 + 24 * H]);
    const vals = f64([1, 2, 3, 4, 5]);
    const { events, grid } = alignEvents(ts, vals, { startMs: T0, stepMs: H, length: 17 }, T0 + 16 * H);
    expect([...events.timestampsMs]).toEqual([T0, T0 + 8 * H + 1_800_000, T0 + 16 * H]);
    expect([...events.values]).toEqual([2, 3, 4]);
    expect(grid[0]).toBe(2);
    expect(grid[8]).toBe(3);
    expect(grid[16]).toBe(4);
    expect(grid.filter((x) => !Number.isNaN(x)).length).toBe(3);
  });
});
