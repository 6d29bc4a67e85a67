/**
 * hedge_coverage_rule reallocate is per span: a hedge venue without data for part of the window holds
 * nothing there (its weight spread over the others) and trades at its weight elsewhere — it is not dropped
 * for the whole run. Real case: OKX BTCUSDT funding starts 2024-05-01 and has a hole in August 2024; the
 * spans are found in the raw file by the test.
 */
import { describe, expect, test } from 'vitest';
import { runBacktest } from '../../src/results/run.js';
import { DATA_DIR, byTime, utc } from '../helpers/raw.js';

const HOUR = 3_600_000;

describe.skipIf(!DATA_DIR)('per-span hedge reallocation', () => {
  test('btc_basis 2024-03-01 .. 2024-10-01: OKX flat without funding data, at 0.3 of the shorts with it', async () => {
    const times = [...byTime('cex/okx/BTCUSDT_funding.csv', 'funding_timestamp', 'funding_rate').keys()].sort(
      (a, b) => a - b,
    );
    const first = times[0];
    // the hole longer than 48 h inside the window, from the raw timestamps
    let hole: [number, number] | null = null;
    for (let i = 1; i < times.length; i++)
      if (
        times[i] - times[i - 1] > 48 * HOUR &&
        times[i - 1] < utc('2024-10-01') &&
        times[i] > utc('2024-03-01')
      )
        hole = [times[i - 1], times[i]];
    expect(first).toBe(utc('2024-05-01T00:00:00Z'));
    expect(hole).not.toBeNull();
    const [holeFrom, holeTo] = hole!;

    const run = await runBacktest({
      mode: 'btc_basis',
      startMs: utc('2024-03-01'),
      endMs: utc('2024-10-01'),
      capital: 1_000_000,
    });
    const r = run.recorder;
    const t = run.data.timestampsMs;
    const col = (v: string) => r.positionKeys.indexOf(`${v}:Perp:BTCUSDT`);
    const [okx, binance, bybit] = ['okx', 'binance', 'bybit'].map(col);
    expect(okx).toBeGreaterThanOrEqual(0);
    const out = (ms: number) => ms < first || (ms >= holeFrom && ms < holeTo);
    let inShare = 0;
    let counted = 0;
    for (let i = 1; i < r.length; i++) {
      const sizes = [r.positions[okx][i], r.positions[binance][i], r.positions[bybit][i]];
      const shorts = -(sizes[0] + sizes[1] + sizes[2]);
      if (out(t[i])) {
        expect(sizes[0]).toBe(0);
        // the others split the whole hedge 0.4 : 0.3
        if (shorts > 0) expect(sizes[1] / (sizes[1] + sizes[2])).toBeCloseTo(0.4 / 0.7, 2);
      } else if (t[i] >= first + 24 * HOUR && !(t[i] >= holeTo && t[i] < holeTo + 24 * HOUR)) {
        inShare += -sizes[0] / shorts;
        counted++;
      }
    }
    // with data, OKX carries its 0.3 of the shorts (re-hedged within the drift band)
    expect(counted).toBeGreaterThan(1000);
    expect(inShare / counted).toBeCloseTo(0.3, 2);
    const reweights = run.events.filter((e) => e.type === 'hedge_reweight').map((e) => e.t);
    expect(reweights).toEqual([
      new Date(utc('2024-03-01')).toISOString(),
      new Date(first).toISOString(),
      new Date(holeFrom).toISOString(),
      new Date(holeTo).toISOString(),
    ]);
    expect(run.summary.failed_instructions).toBe(0);
    expect(
      run.summary.notes.filter((n) => n.startsWith('hedge venue okx (weight 0.3) has no data')),
    ).toHaveLength(2);
  });
});
