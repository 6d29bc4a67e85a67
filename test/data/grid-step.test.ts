/**
 * Grids other than hourly (LoadRequest.stepMs) and the perp mark rule for 5-minute grids where the
 * perp's own 5-minute candles are missing.
 */
import { describe, expect, it } from 'vitest';
import { loadMarketDataSync } from '../../src/data/index.js';
import { composePerpMarks, perpMarkSeries } from '../../src/data/perp-marks.js';
import { FIVE_MIN, HOUR, T0, pathBars, writeHandDataset } from '../ml/fixtures.js';

function prices(n: number): number[] {
  const p = [50_000];
  for (let k = 0; k < n; k++) p.push(p[k] * (1 + 0.001 * Math.sin(k / 3)));
  return p;
}

const N = 6 * 12 + 1; // six hours of 5-minute bars
const spot = pathBars(prices(N));
const perp = spot.map((b) => ({
  open: b.open * 1.002,
  high: b.high * 1.002,
  low: b.low * 1.002,
  close: b.close * 1.002,
}));

describe('a 5-minute grid', () => {
  const ds = writeHandDataset({ spot, fundingRate: (t) => (t - T0) / 1e12 });

  it('aligns candles, bar extremes and funding events on 5-minute steps', () => {
    const md = loadMarketDataSync({
      dataDir: ds.dir,
      cacheDir: ds.cacheDir,
      startMs: T0,
      endMs: T0 + (N - 1) * FIVE_MIN,
      stepMs: FIVE_MIN,
      required: [
        'cex.binance.BTCUSDT.spot.price',
        'cex.binance.BTCUSDT.spot.high',
        'cex.binance.BTCUSDT.spot.low',
        'cex.binance.BTCUSDT.funding',
      ],
    });
    expect(md.stepMs).toBe(FIVE_MIN);
    expect(md.length).toBe(N);
    expect(md.timestampsMs[7]).toBe(T0 + 7 * FIVE_MIN);
    const px = md.series.get('cex.binance.BTCUSDT.spot.price')!;
    const hi = md.series.get('cex.binance.BTCUSDT.spot.high')!;
    for (const k of [0, 1, 13, 40]) {
      expect(px[k]).toBe(spot[k].open);
      expect(hi[k]).toBe(spot[k].high);
    }
    const funding = md.series.get('cex.binance.BTCUSDT.funding')!;
    expect(funding[0]).toBe(0); // the 00:00 event on step 0; no other event inside 6 h
    expect([...funding.subarray(1)].every(Number.isNaN)).toBe(true);
  });

  it('refuses steps that do not divide a day and windows off the grid, each in one line', () => {
    const base = { dataDir: ds.dir, cacheDir: ds.cacheDir, required: ['cex.binance.BTCUSDT.spot.price'] };
    expect(() => loadMarketDataSync({ ...base, startMs: T0, endMs: T0 + HOUR, stepMs: 7 * 60_000 })).toThrow(
      'grid step 420000 ms is not a whole number of minutes dividing a day',
    );
    expect(() =>
      loadMarketDataSync({ ...base, startMs: T0 + 60_000, endMs: T0 + HOUR, stepMs: FIVE_MIN }),
    ).toThrow('window start 2024-01-01T00:01:00.000Z (1704067260000 ms) is not on the 5 min grid');
    expect(() => loadMarketDataSync({ ...base, startMs: T0 + FIVE_MIN, endMs: T0 + HOUR })).toThrow(
      'is not a whole UTC hour: the grid is hourly',
    );
  });
});

describe('perp marks on a 5-minute grid (perp 5m candles, else spot × hourly basis)', () => {
  // the 5m perp is spot × 1.002; the hourly perp of hour h is that × (1 − 0.001 (h + 1))
  const missing = (k: number) => k >= 20 && k < 50; // 01:40 .. 04:05
  const ds = writeHandDataset({
    spot,
    perp,
    perpMissing: missing,
    hourlyBasis: (h) => -0.001 * (h + 1),
    hourMissing: (h) => h === 3,
  });
  const ids = perpMarkSeries('binance', 'BTCUSDT', FIVE_MIN);
  const md = loadMarketDataSync({
    dataDir: ds.dir,
    cacheDir: ds.cacheDir,
    startMs: T0,
    endMs: T0 + (N - 1) * FIVE_MIN,
    stepMs: FIVE_MIN,
    required: ids.required,
    optional: ids.optional,
  });
  const report = composePerpMarks(md, 'binance', 'BTCUSDT');
  const mark = md.series.get('cex.binance.BTCUSDT.perp.price')!;
  const high = md.series.get('cex.binance.BTCUSDT.perp.high')!;
  const low = md.series.get('cex.binance.BTCUSDT.perp.low')!;

  it('takes the perp candle where it exists and fills the hole from spot × the basis at the hour', () => {
    for (let k = 0; k < N; k++) {
      if (!missing(k)) {
        expect(mark[k]).toBe(perp[k].open);
        expect(high[k]).toBe(perp[k].high);
        continue;
      }
      // hour 3 has no hourly perp candle: the basis measured at the open of hour 2 carries over
      const h = Math.floor(k / 12) === 3 ? 2 : Math.floor(k / 12);
      const f = (perp[h * 12].open * (1 - 0.001 * (h + 1))) / spot[h * 12].open;
      expect(f - 1).toBeCloseTo(1.002 * (1 - 0.001 * (h + 1)) - 1, 12);
      expect(mark[k]).toBeCloseTo(spot[k].open * f, 9);
      expect(high[k]).toBeCloseTo(spot[k].high * f, 9);
      expect(low[k]).toBeCloseTo(spot[k].low * f, 9);
    }
  });

  it('reports how many steps came from where, the longest filled run and the carried hours', () => {
    expect(report).toMatchObject({ steps: N, fromCandles: N - 30, filled: 30, basisCarriedHours: 1 });
    expect(report.longestFilled[0]).toEqual({
      fromMs: T0 + 20 * FIVE_MIN,
      toMs: T0 + 49 * FIVE_MIN,
      steps: 30,
    });
    expect(report.note).toBe(
      "perp marks binance BTCUSDT on the 5 min grid: 43 of 73 steps from the perp's own candles (cex/binance/BTCUSDT_perp_5m.csv), " +
        '30 filled by the rule mark = spot 5 min candle × (perp/spot at the open of the hour, hourly perp candles) ' +
        '(longest: 2024-01-01T01:40Z .. 2024-01-01T04:05Z 30 steps); basis carried forward over 1 hours without an hourly perp candle',
    );
  });
});
