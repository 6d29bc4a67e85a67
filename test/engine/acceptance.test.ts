/**
 * Acceptance on the real dataset (BASIS_DATA_DIR): truths computed from the raw files.
 */
import { describe, expect, test } from 'vitest';
import { runBacktest } from '../../src/results/run.js';
import { PNL_SOURCES } from '../../src/domain/types.js';
import { byTime, DATA_DIR, priceAt, utc } from '../helpers/raw.js';

const HOUR = 3_600_000;
const real = describe.skipIf(!DATA_DIR);

real('pure_lending_usdt returns the liquidityIndex ratio minus gas', () => {
  const index = byTime('aave_v3/reserves/USDT_daily.csv', 'timestamp', 'liquidityIndex');
  const gas = byTime('gas/ethereum_gas_1h.csv', 'timestamp', 'gas_price_gwei');
  const ethOpen = byTime('cex/binance/ETHUSDT_spot_5m.csv', 'timestamp', 'open');
  const windows: [string, string][] = [
    ['2024-01-01', '2025-09-26'],
    ['2024-03-15', '2024-09-15'],
    ['2024-11-02', '2025-02-27'],
    ['2025-06-01', '2025-06-08'],
  ];
  test.each(windows)('%s .. %s', async (start, end) => {
    const capital = 100_000;
    const run = await runBacktest({
      mode: 'pure_lending_usdt',
      startMs: utc(start),
      endMs: utc(end),
      capital,
    });
    const i0 = index.get(utc(start))!;
    const i1 = index.get(utc(end))!;
    // supply gas: 250,000 units × gwei × 1e-9 × ETH price, paid once at entry
    const gasUsdt = 250_000 * gas.get(utc(start))! * 1e-9 * ethOpen.get(utc(start))!;
    const truth = (capital - gasUsdt) * (i1 / i0);
    expect(Math.abs(run.summary.final_equity - truth)).toBeLessThan(1e-4 * capital);
    // and the engine's own gas figure agrees with the data
    expect(run.summary.pnl.attribution.gas).toBeCloseTo(-gasUsdt, 6);
    expect(run.summary.pnl.attribution.supply_yield).toBeCloseTo((capital - gasUsdt) * (i1 / i0 - 1), 2);
  });
});

real('btc_basis funding attribution equals Σ size × mark × rate', () => {
  test('2024-06-01 .. 2025-03-01', async () => {
    const run = await runBacktest({
      mode: 'btc_basis',
      startMs: utc('2024-06-01'),
      endMs: utc('2025-03-01'),
      capital: 1_000_000,
    });
    const venues = Object.keys(run.summary.hedge_weights);
    expect(venues.length).toBeGreaterThanOrEqual(2);
    const rec = run.recorder;
    let truth = 0;
    let events = 0;
    for (const v of venues) {
      const rates = byTime(`cex/${v}/BTCUSDT_funding.csv`, 'funding_timestamp', 'funding_rate');
      const mark = priceAt(`cex/${v}/BTCUSDT_perp_1h.csv`);
      const col = rec.positionKeys.indexOf(`${v}:Perp:BTCUSDT`);
      for (const [t, rate] of rates) {
        const step = (t - run.data.startMs) / HOUR;
        if (step < 1 || step >= rec.length) continue;
        const size = rec.positions[col][step - 1]; // held into the funding timestamp
        if (size === 0) continue;
        truth += -size * mark(t) * rate;
        events++;
      }
    }
    expect(events).toBeGreaterThan(1000);
    const funding = run.summary.pnl.attribution.funding;
    expect(Math.abs(funding - truth)).toBeLessThan(0.001 * Math.abs(truth));
    expect(truth).toBeGreaterThan(0);
  });
});

real('PnL residual stays below 1e-6 × equity at every step', () => {
  test.each(['pure_lending_usdt', 'pure_lending_eth', 'btc_basis', 'eth_basis'])(
    '%s over its full coverage',
    async (mode) => {
      const capital = mode === 'pure_lending_eth' ? 100 : 1_000_000;
      const run = await runBacktest({ mode, capital });
      const r = run.recorder;
      expect(r.length).toBeGreaterThan(10_000);
      let worst = 0;
      for (let t = 0; t < r.length; t++) worst = Math.max(worst, Math.abs(r.residual[t]) / r.equity[t]);
      expect(worst).toBeLessThan(1e-6);
      // attribution sums to balance PnL
      const sum = PNL_SOURCES.reduce((s, k) => s + run.summary.pnl.attribution[k], 0);
      expect(Math.abs(sum + run.summary.pnl.residual - run.summary.pnl.balance)).toBeLessThan(1e-6 * capital);
    },
  );
});

real('deposits and withdrawals change equity 1:1 and scale positions proportionally', () => {
  test('btc_basis with a deposit and a withdrawal', async () => {
    const run = await runBacktest({
      mode: 'btc_basis',
      startMs: utc('2024-06-01'),
      endMs: utc('2024-09-01'),
      capital: 100_000,
      deposits: [{ timeMs: utc('2024-07-01'), amount: 50_000 }],
      withdrawals: [{ timeMs: utc('2024-08-01'), amount: 60_000 }],
    });
    const r = run.recorder;
    const dStep = (utc('2024-07-01') - run.data.startMs) / HOUR;
    const wStep = (utc('2024-08-01') - run.data.startMs) / HOUR;
    for (const [step, flow] of [
      [dStep, 50_000],
      [wStep, -60_000],
    ]) {
      expect(r.flows[step]).toBeCloseTo(flow, 9);
      let attributed = 0;
      for (const a of r.attribution) attributed += a[step];
      // equity change = flow + attributed PnL (fees, gas, price over the hour)
      expect(Math.abs(r.equity[step] - r.equity[step - 1] - flow - attributed)).toBeLessThan(
        1e-6 * r.equity[step],
      );
      // positions scale with equity
      const spot = r.positionKeys.indexOf('binance:BaseToken:BTC');
      const ratio = r.positions[spot][step] / r.positions[spot][step - 1];
      const eqRatio = r.equity[step] / r.equity[step - 1];
      expect(Math.abs(ratio / eqRatio - 1)).toBeLessThan(0.01);
    }
    expect(run.summary.deposits).toBe(50_000);
    expect(run.summary.withdrawals).toBeCloseTo(60_000, 6);
  });

  test('pure_lending_usdt: a deposit is supplied, a withdrawal is taken from the supply', async () => {
    const run = await runBacktest({
      mode: 'pure_lending_usdt',
      startMs: utc('2024-06-01'),
      endMs: utc('2024-07-01'),
      capital: 100_000,
      deposits: [{ timeMs: utc('2024-06-10'), amount: 100_000 }],
      withdrawals: [{ timeMs: utc('2024-06-20'), amount: 50_000 }],
    });
    const r = run.recorder;
    const a = r.positionKeys.indexOf('aave_v3:aToken:aUSDT');
    const d = (utc('2024-06-10') - run.data.startMs) / HOUR;
    const w = (utc('2024-06-20') - run.data.startMs) / HOUR;
    expect(r.positions[a][d] / r.positions[a][d - 1]).toBeCloseTo(r.equity[d] / r.equity[d - 1], 4);
    expect(r.positions[a][w] / r.positions[a][w - 1]).toBeCloseTo(r.equity[w] / r.equity[w - 1], 4);
    expect(r.equity[d] - r.equity[d - 1]).toBeGreaterThan(100_000 - 50);
    expect(r.equity[d] - r.equity[d - 1]).toBeLessThan(100_000 + 50);
  });
});
