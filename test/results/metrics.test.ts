import { describe, expect, test } from 'vitest';
import { computeMetrics } from '../../src/results/metrics.js';

const DAY = 86_400_000;

describe('computeMetrics', () => {
  const ts = Float64Array.from([0, 1, 2, 3], (d) => Date.UTC(2024, 0, 1) + d * DAY);
  const equity = Float64Array.from([100, 110, 99, 121]);
  const pnl = Float64Array.from([0, 10, -11, 22]);
  const deposits = Float64Array.from([100, 0, 0, 0]);
  const m = computeMetrics(ts, equity, pnl, deposits, 4);

  test('time-weighted return chains step returns', () => {
    expect(m.totalReturn).toBeCloseTo(0.21, 12);
  });
  test('APY compounds over a 365-day year', () => {
    expect(m.apy).toBeCloseTo(Math.pow(1.21, 365 / 3) - 1, 0);
    expect(m.apy / (Math.pow(1.21, 365 / 3) - 1)).toBeCloseTo(1, 12);
  });
  test('max drawdown is the largest peak-to-trough fall', () => {
    expect(m.maxDrawdown).toBeCloseTo(0.1, 12);
  });
  test('Sharpe from daily returns, sample sd, √365', () => {
    // daily returns 0.1, −0.1, 22/99: mean 0.0740741, sd 0.1626690
    expect(m.sharpe).toBeCloseTo(8.699820940459645, 9);
    expect(m.volatility).toBeCloseTo(3.1077693692864172, 9);
  });

  test('a deposit is not performance', () => {
    // 100 → 105 by PnL, then +100 deposited, then +2 PnL
    const e = Float64Array.from([100, 105, 205, 207]);
    const p = Float64Array.from([0, 5, 0, 2]);
    const d = Float64Array.from([100, 0, 100, 0]);
    const r = computeMetrics(ts, e, p, d, 4);
    expect(r.totalReturn).toBeCloseTo(1.05 * (1 + 2 / 205) - 1, 12);
    expect(r.maxDrawdown).toBe(0);
  });
});
