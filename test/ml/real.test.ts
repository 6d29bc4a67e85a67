/**
 * Acceptance on the real dataset (BASIS_DATA_DIR): both ML modes with the baseline model over the full
 * 5-minute coverage (2024-01 .. 2025-09). Truths from the raw files: the perp marks (5m perp candles, and
 * the documented spot × hourly-basis rule inside their 230-day hole) and the funding cash flows.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runBacktest, type SummarisedRun } from '../../src/results/run.js';
import type { TradesSummary } from '../../src/strategies/ml/index.js';
import { byTime, DATA_DIR, utc } from '../helpers/raw.js';

const real = describe.skipIf(!DATA_DIR);
const FIVE_MIN = 300_000;
const HOUR = 3_600_000;

/** The documented mark rule, from the raw files: the 5m perp open, else spot × the last hourly basis. */
function rawMarks() {
  const perp5 = byTime('cex/binance/BTCUSDT_perp_5m.csv', 'timestamp', 'open');
  const spot5 = byTime('cex/binance/BTCUSDT_spot_5m.csv', 'timestamp', 'open');
  const perp1 = byTime('cex/binance/BTCUSDT_perp_1h.csv', 'timestamp', 'open');
  return (t: number): number => {
    const own = perp5.get(t);
    if (own !== undefined) return own;
    let h = Math.floor(t / HOUR) * HOUR;
    while (!perp1.has(h)) h -= HOUR;
    return spot5.get(t)! * (perp1.get(h)! / spot5.get(h)!);
  };
}

real('ml_directional modes with the baseline on the full 5-minute dataset', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'basis-ml-real-'));
  const runs: Record<string, SummarisedRun> = {};
  const get = async (mode: string) =>
    (runs[mode] ??= await runBacktest({ mode, capital: mode.includes('btc') ? 10 : 1_000_000, cacheDir }));

  test.each(['ml_usdt_directional_usdt_margin', 'ml_btc_directional_usdt_margin'])(
    '%s: reports hit rate, APY, drawdown, Sharpe, trades and PnL by source; residual < 1e-6 × equity',
    async (mode) => {
      const r = await get(mode);
      const s = r.summary;
      expect(s.start).toBe('2024-01-01T00:00:00Z');
      expect(s.end).toBe('2025-09-26T23:00:00Z');
      expect(s.steps).toBe((utc('2025-09-26T23:00:00Z') - utc('2024-01-01')) / FIVE_MIN + 1);
      const t = (s.strategy_report as { trades: TradesSummary }).trades;
      expect(t.trades).toBeGreaterThan(500);
      expect(t.hit_rate).toBeGreaterThan(0);
      expect(t.hit_rate).toBeLessThan(1);
      expect(t.by_reason.sl + t.by_reason.tp + t.by_reason.bar_end + t.by_reason.signal).toBe(t.trades);
      for (const k of ['apy', 'max_drawdown', 'total_return'] as const)
        expect(Number.isFinite(s[k])).toBe(true);
      expect(s.sharpe).not.toBeNull();
      expect(s.pnl.attribution.trading_fees).toBeLessThan(0);
      expect(s.pnl.attribution.funding).not.toBe(0);
      const rec = r.recorder;
      let worst = 0;
      for (let i = 0; i < rec.length; i++) worst = Math.max(worst, Math.abs(rec.residual[i]) / rec.equity[i]);
      expect(worst).toBeLessThan(1e-6);
      expect(
        s.notes.some(
          (n) =>
            n.includes('66340 filled by the rule') && n.includes('2024-05-14T15:40Z .. 2024-12-30T23:55Z'),
        ),
      ).toBe(true);
    },
  );

  test('both share classes take the same trades (BTC is only the unit and the collateral)', async () => {
    const u = (await get('ml_usdt_directional_usdt_margin')).summary.strategy_report as {
      trades: TradesSummary;
    };
    const b = (await get('ml_btc_directional_usdt_margin')).summary.strategy_report as {
      trades: TradesSummary;
      signals: Record<string, unknown>;
    };
    expect(b.trades.trades).toBe(u.trades.trades);
    expect(b.trades.by_reason).toEqual(u.trades.by_reason);
    expect(b.signals.cache).toBe('hit'); // the second run reuses the trained predictions
  });

  test('perp marks: the 5m perp open where it exists, spot × (perp_1h / spot at the hour) inside the hole', async () => {
    const r = await get('ml_usdt_directional_usdt_margin');
    const mark = r.data.series.get('cex.binance.BTCUSDT.perp.price')!;
    const raw = rawMarks();
    const perp5 = byTime('cex/binance/BTCUSDT_perp_5m.csv', 'timestamp', 'open');
    let inside = 0;
    for (let i = 0; i < r.data.length; i += 97) {
      const t = r.data.timestampsMs[i];
      expect(Math.abs(mark[i] / raw(t) - 1)).toBeLessThan(1e-12);
      if (!perp5.has(t)) inside++;
    }
    expect(inside).toBeGreaterThan(500);
  });

  test('funding attribution = Σ −size × mark × rate over the funding times a position was held into', async () => {
    const r = await get('ml_usdt_directional_usdt_margin');
    const rates = byTime('cex/binance/BTCUSDT_funding.csv', 'funding_timestamp', 'funding_rate');
    const mark = rawMarks();
    const col = r.recorder.positionKeys.indexOf('binance:Perp:BTCUSDT');
    const stoppedInBar = new Set(
      r.events.filter((e) => e.type === 'bracket_fill' && !e.gap).map((e) => Date.parse(e.t)),
    );
    let truth = 0;
    let n = 0;
    for (const [t, rate] of rates) {
      const step = (t - r.data.startMs) / FIVE_MIN;
      if (step < 1 || step >= r.recorder.length || stoppedInBar.has(t)) continue;
      const size = r.recorder.positions[col][step - 1];
      if (size === 0) continue;
      truth += -size * mark(t) * rate;
      n++;
    }
    expect(n).toBeGreaterThan(10);
    expect(r.summary.pnl.attribution.funding).toBeCloseTo(truth, 6);
  });
});
