/**
 * Accounting invariants on the synthetic sample, for every available mode, with flows:
 * equity = initial + deposits − withdrawals + PnL, and attribution + residual = balance PnL.
 */
import { describe, expect, test } from 'vitest';
import { PNL_SOURCES } from '../../src/domain/types.js';
import { runBacktest } from '../../src/results/run.js';
import { ensureSampleDataset } from '../../src/data/index.js';

const utc = (s: string) => Date.parse(`${s}T00:00:00Z`);

describe('value is conserved', () => {
  test.each(['pure_lending_usdt', 'pure_lending_eth', 'btc_basis', 'eth_basis'])('%s', async (mode) => {
    const capital = mode === 'pure_lending_eth' ? 50 : 200_000;
    const run = await runBacktest({
      mode,
      dataDir: ensureSampleDataset(),
      startMs: utc('2024-05-01'),
      endMs: utc('2024-09-01'),
      capital,
      deposits: [{ timeMs: utc('2024-06-15'), amount: capital / 2 }],
      withdrawals: [{ timeMs: utc('2024-08-01'), amount: capital / 4 }],
    });
    const s = run.summary;
    expect(s.data.synthetic).toBe(true);
    expect(s.final_equity).toBeCloseTo(capital + capital / 2 - capital / 4 + s.pnl.balance, 6);
    const attributed = PNL_SOURCES.reduce((a, k) => a + s.pnl.attribution[k], 0);
    expect(attributed + s.pnl.residual).toBeCloseTo(s.pnl.balance, 6);
    expect(Math.abs(s.pnl.residual)).toBeLessThan(1e-6 * capital);
    const r = run.recorder;
    let cum = 0;
    for (let t = 0; t < r.length; t++) {
      cum += r.flows[t] + r.pnl[t];
      expect(Math.abs(r.equity[t] - cum)).toBeLessThan(1e-6 * capital);
    }
    expect(s.trades).toBeGreaterThan(0);
  });
});

describe('basis cash management', () => {
  test('small withdrawals are funded and no venue USDT balance goes negative', async () => {
    const run = await runBacktest({
      mode: 'btc_basis',
      dataDir: ensureSampleDataset(),
      startMs: utc('2024-03-01'),
      endMs: utc('2024-05-31'),
      capital: 10_000,
      deposits: [{ timeMs: utc('2024-03-15'), amount: 5_000 }],
      withdrawals: [
        { timeMs: utc('2024-04-01'), amount: 5 },
        { timeMs: utc('2024-04-15'), amount: 50 },
      ],
    });
    expect(run.summary.withdrawals).toBeCloseTo(55, 9);
    const r = run.recorder;
    r.positionKeys.forEach((k, i) => {
      if (!k.endsWith(':BaseToken:USDT')) return;
      let min = Infinity;
      for (let t = 0; t < r.length; t++) min = Math.min(min, r.positions[i][t]);
      expect(min, k).toBeGreaterThanOrEqual(-1e-9);
    });
  });
});
