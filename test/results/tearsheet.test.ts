/**
 * Tearsheet figures (src/results/tearsheet) on small hand-made series and events, each compared with
 * the value worked out here, then on a stored run: its volatility, Sharpe, max drawdown and APY equal the
 * engine's summary, the months compound to the total return and the trades add up to the run's PnL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ensureSampleDataset } from '../../src/data/index.js';
import { runBacktest } from '../../src/results/run.js';
import { openStore, runTimings, toRunResult } from '../../src/results/store/index.js';
import {
  buildTearsheet,
  calmar,
  compareBenchmark,
  dailyReturns,
  decisionTrades,
  fundingAprByVenue,
  maxDrawdown,
  monthlyReturns,
  pnlByVenue,
  positionTrades,
  rollingDrawdown,
  rollingSharpe,
  runTrades,
  sortino,
  tradeStats,
  tradedNotional,
  turnover,
  volatility,
  yearlyReturns,
  type EventLike,
} from '../../src/results/tearsheet/index.js';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.parse('2024-01-30T00:00:00Z');

/** 12-hourly steps over 5 days from 2024-01-30 (a month boundary on day 3). */
const ts = Float64Array.from({ length: 10 }, (_, i) => T0 + i * 12 * H);
const index = Float64Array.from([1.0, 1.01, 1.02, 0.99, 1.0, 1.03, 1.01, 1.04, 1.05, 1.02]);

describe('figures from a small series', () => {
  test('daily returns: index at the first step of the next day over the first step of the day', () => {
    const d = dailyReturns(ts, index);
    // day starts at steps 0, 2, 4, 6, 8; returns pushed at steps 2, 4, 6, 8 (the last day is unfinished)
    expect(d.t).toEqual([T0, T0 + D, T0 + 2 * D, T0 + 3 * D]);
    const want = [1.02 / 1 - 1, 1.0 / 1.02 - 1, 1.01 / 1.0 - 1, 1.05 / 1.01 - 1];
    d.r.forEach((r, i) => expect(r).toBeCloseTo(want[i], 15));
    const mean = want.reduce((a, b) => a + b) / 4;
    const sd = Math.sqrt(want.reduce((a, b) => a + (b - mean) ** 2, 0) / 3);
    expect(volatility(d.r)).toBeCloseTo(sd * Math.sqrt(365), 12);
    const down = Math.sqrt(Math.min(0, want[1]) ** 2 / 4);
    expect(sortino(d.r)).toBeCloseTo((mean / down) * Math.sqrt(365), 10);
  });

  test('max drawdown, Calmar, monthly and yearly returns', () => {
    // peak 1.02 → trough 0.99 (2.94 %), larger than 1.03 → 1.01 and 1.05 → 1.02 (2.86 %)
    expect(maxDrawdown(index)).toBeCloseTo(1 - 0.99 / 1.02, 15);
    expect(calmar(0.1, 0.05)).toBeCloseTo(2, 15);
    expect(calmar(0.1, 0)).toBeNull();
    const months = monthlyReturns(ts, index);
    // January: steps 0..3 (to 2024-01-31T12:00); February from step 4 (2024-02-01T00:00)
    expect(months.map((m) => m.month)).toEqual(['2024-01', '2024-02']);
    expect(months[0].r).toBeCloseTo(1.0 / 1 - 1, 15);
    expect(months[1].r).toBeCloseTo(1.02 / 1.0 - 1, 15);
    const total = months.reduce((g, m) => g * (1 + m.r), 1) - 1;
    expect(total).toBeCloseTo(index[9] - 1, 15);
    expect(yearlyReturns(months)).toEqual([{ year: 2024, r: expect.closeTo(0.02, 12) }]);
  });

  test('rolling Sharpe and drawdown over a trailing window of days', () => {
    const d = dailyReturns(ts, index);
    const rs = rollingSharpe(d, 2);
    expect(rs.map((p) => p.t)).toEqual([T0 + D, T0 + 2 * D, T0 + 3 * D]);
    const pair = [d.r[0], d.r[1]];
    const m = (pair[0] + pair[1]) / 2;
    const sd = Math.sqrt((pair[0] - m) ** 2 + (pair[1] - m) ** 2);
    expect(rs[0].value).toBeCloseTo((m / sd) * Math.sqrt(365), 10);
    const rd = rollingDrawdown(d, 2);
    // end-of-day indexes 1.02, 1.00, 1.01, 1.05; window of 2 days from the index before it
    expect(rd.map((p) => p.value)).toEqual([
      expect.closeTo(1 - 1.0 / 1.02, 15),
      expect.closeTo(1 - 1.01 / 1.02, 15),
      expect.closeTo(0, 15),
    ]);
  });
});

describe('figures from events', () => {
  const ev = (t: string, type: string, venue: string | null, data: Record<string, unknown>): EventLike => ({
    t,
    type,
    venue,
    data: venue ? { venue, ...data } : data,
  });
  const events: EventLike[] = [
    ev('2024-01-30T00:00:00.000Z', 'decision', null, {
      action: 'entry_full',
      reason: 'open',
      instructions: 2,
    }),
    ev('2024-01-30T00:00:00.000Z', 'booking', 'binance', { source: 'trading_fees', value: -10 }),
    ev('2024-01-30T00:00:00.000Z', 'fill', 'binance', { op: 'spot_buy', amount: 2, price: 40000 }),
    ev('2024-01-30T00:00:00.000Z', 'booking', 'bybit', { source: 'trading_fees', value: -5 }),
    ev('2024-01-30T00:00:00.000Z', 'fill', 'bybit', { op: 'perp_open', amount: -2, price: 40100 }),
    ev('2024-01-30T00:00:00.000Z', 'fill', 'wallet', { op: 'transfer', amount: 500, price: null }),
    ev('2024-01-30T08:00:00.000Z', 'funding', 'bybit', {
      symbol: 'BTCUSDT',
      size: -2,
      mark: 40000,
      rate: 0.0001,
      payment: 8,
    }),
    ev('2024-01-30T08:00:00.000Z', 'booking', 'bybit', { source: 'funding', value: 8 }),
    ev('2024-01-30T16:00:00.000Z', 'funding', 'bybit', {
      symbol: 'BTCUSDT',
      size: -2,
      mark: 50000,
      rate: -0.0002,
      payment: -20,
    }),
    ev('2024-01-30T16:00:00.000Z', 'booking', 'bybit', { source: 'funding', value: -20 }),
    ev('2024-01-31T00:00:00.000Z', 'interest', 'aave', { source: 'supply_yield', value: 3 }),
    ev('2024-02-01T00:00:00.000Z', 'decision', null, {
      action: 'exit_full',
      reason: 'close',
      instructions: 1,
    }),
    ev('2024-02-01T00:00:00.000Z', 'fill', 'binance', { op: 'spot_sell', amount: 2, price: 41000 }),
    ev('2024-02-01T00:00:00.000Z', 'booking', 'binance', { source: 'gas', value: -1.5 }),
  ];

  test('PnL by venue and source; funding APR by venue', () => {
    expect(pnlByVenue(events)).toEqual([
      { venue: 'aave', sources: { supply_yield: 3 }, total: 3 },
      { venue: 'binance', sources: { trading_fees: -10, gas: -1.5 }, total: -11.5 },
      { venue: 'bybit', sources: { trading_fees: -5, funding: -12 }, total: -17 },
    ]);
    const [f] = fundingAprByVenue(events);
    const rate = (8 - 20) / (2 * 40000 + 2 * 50000);
    expect(f).toMatchObject({ venue: 'bybit', payments: -12, periods: 2 });
    expect(f.mean_rate).toBeCloseTo(rate, 15);
    // one 8-hour gap: 3 periods a day
    expect(f.periods_per_year).toBeCloseTo(365 * 3, 9);
    expect(f.apr).toBeCloseTo(rate * 365 * 3, 12);
  });

  test('turnover: trading fills only, over the mean equity', () => {
    const n = tradedNotional(events, 'USDT');
    expect(n).toBe(2 * 40000 + 2 * 40100 + 2 * 41000);
    expect(tradedNotional(events, 'ETH')).toBe(6);
    const t = turnover(n, Float64Array.from([100000, 120000]), 0.5);
    expect(t.ratio).toBeCloseTo(n / 110000, 15);
    expect(t.annual).toBeCloseTo(n / 110000 / 0.5, 15);
  });

  test('decision trades: fees from their bookings, PnL from their step to the next decision', () => {
    const steps = Float64Array.from({ length: 6 }, (_, i) => T0 + i * 12 * H);
    const pnl = Float64Array.from([-15, 4, 6, 3, -2, 1]);
    const rows = decisionTrades(events, steps, pnl);
    expect(rows.map((r) => [r.reason, r.detail, r.entry_time, r.exit_time, r.venues])).toEqual([
      [
        'entry_full',
        'open',
        '2024-01-30T00:00:00.000Z',
        '2024-02-01T00:00:00.000Z',
        'binance, bybit, wallet',
      ],
      ['exit_full', 'close', '2024-02-01T00:00:00.000Z', '2024-02-01T12:00:00.000Z', 'binance'],
    ]);
    expect(rows.map((r) => r.fees)).toEqual([15, 1.5]);
    expect(rows.map((r) => r.notional)).toEqual([2 * 40000 + 2 * 40100, 2 * 41000]);
    // step of 2024-02-01T00:00 is 4: the first decision holds steps 0..3, the second 4..5
    expect(rows.map((r) => r.pnl)).toEqual([-15 + 4 + 6 + 3, -2 + 1]);
    const stats = tradeStats(rows);
    expect(stats).toMatchObject({ count: 2, wins: 0, hit_rate: 0, profit_factor: 0, total_fees: 16.5 });
  });

  test('ML position trades from trade events', () => {
    const rows = positionTrades([
      ev('2024-02-02T13:40:00.000Z', 'trade', null, {
        id: 1,
        side: 'long',
        entry_time: '2024-02-02T13:35:00.000Z',
        exit_time: '2024-02-02T13:40:00.000Z',
        entry_price: 100,
        exit_price: 101,
        size: 2,
        notional_usdt: 200,
        reason: 'tp',
        gap: false,
        fees_usdt: 0.5,
        net_pnl_usdt: 1.5,
        net_pnl: 1.5,
      }),
      ev('2024-02-02T14:00:00.000Z', 'trade', null, {
        id: 2,
        side: 'short',
        entry_time: '2024-02-02T13:50:00.000Z',
        exit_price: 102,
        entry_price: 101,
        size: 1,
        reason: 'sl',
        fees_usdt: 0.25,
        net_pnl: -1.25,
      }),
    ]);
    expect(rows.map((r) => [r.id, r.side, r.reason, r.fees, r.pnl, r.exit_time])).toEqual([
      [1, 'long', 'tp', 0.5, 1.5, '2024-02-02T13:40:00.000Z'],
      [2, 'short', 'sl', 0.25, -1.25, '2024-02-02T14:00:00.000Z'],
    ]);
    expect(tradeStats(rows)).toMatchObject({ hit_rate: 0.5, profit_factor: 1.5 / 1.25 });
  });

  test('benchmark: excess return and tracking error over the covered days; a clear state without one', () => {
    const d = dailyReturns(ts, index);
    const apy = new Map([
      [T0 + D, 0.1],
      [T0 + 3 * D, 0.2],
    ]);
    const c = compareBenchmark('susde', d, apy);
    // covered days: T0+D (0.1), T0+2D (carried 0.1), T0+3D (0.2)
    const b = [0.1, 0.1, 0.2].map((a) => Math.pow(1 + a, 1 / 365) - 1);
    const r = d.r.slice(1);
    const run = r.reduce((g, x) => g * (1 + x), 1) - 1;
    const bench = b.reduce((g, x) => g * (1 + x), 1) - 1;
    const diff = r.map((x, i) => x - b[i]);
    const m = diff.reduce((s, x) => s + x) / 3;
    const sd = Math.sqrt(diff.reduce((s, x) => s + (x - m) ** 2, 0) / 2);
    expect(c).toMatchObject({ available: true, from: '2024-01-31', to: '2024-02-02', days: 3 });
    expect(c.run_return).toBeCloseTo(run, 15);
    expect(c.benchmark_return).toBeCloseTo(bench, 15);
    expect(c.excess_return).toBeCloseTo(run - bench, 15);
    expect(c.tracking_error).toBeCloseTo(sd * Math.sqrt(365), 12);
    expect(compareBenchmark('susde', d, null)).toEqual({
      name: 'susde',
      label: 'Ethena sUSDe APY',
      available: false,
      reason:
        'no benchmark: this dataset has no benchmarks/ethena_susde_daily.csv (the synthetic sample ships none)',
    });
  });
});

describe('the tearsheet of a stored run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'basis-tearsheet-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('agrees with the summary; months compound to the total return; trades add up', async () => {
    const run = await runBacktest({
      mode: 'btc_basis',
      dataDir: ensureSampleDataset(),
      startMs: Date.parse('2024-02-10T00:00:00Z'),
      endMs: Date.parse('2024-04-20T00:00:00Z'),
      deposits: [{ timeMs: Date.parse('2024-03-05T00:00:00Z'), amount: 30000 }],
    });
    const store = await openStore({ dir: join(dir, 'store') });
    try {
      const id = await store.saveRun(
        'cli',
        {
          mode: 'btc_basis',
          start: null,
          end: null,
          capital: 100000,
          deposits: [],
          withdrawals: [],
          overrides: [],
        },
        toRunResult(run),
        runTimings(run.summary),
      );
      const rec = (await store.getRun(id))!;
      const s = run.summary;
      const t = await buildTearsheet(store, rec, { dataDir: ensureSampleDataset() });
      expect(t.figures.volatility).toBe(s.volatility);
      expect(t.figures.sharpe).toBe(s.sharpe);
      expect(t.figures.max_drawdown).toBe(s.max_drawdown);
      expect(t.figures.apy).toBeCloseTo(s.apy, 14);
      expect(t.figures.total_return).toBeCloseTo(s.total_return, 14);
      expect(t.monthly.map((m) => m.month)).toEqual(['2024-02', '2024-03', '2024-04']);
      expect(t.monthly.reduce((g, m) => g * (1 + m.r), 1) - 1).toBeCloseTo(s.total_return, 12);
      for (const [k, v] of Object.entries(s.pnl.attribution)) expect(t.pnl.by_source[k]).toBeCloseTo(v, 6);
      // the venues' funding bookings are all of the funding PnL
      const funding = t.pnl.by_venue.reduce((a, v) => a + (v.sources.funding ?? 0), 0);
      expect(funding).toBeCloseTo(s.pnl.attribution.funding, 6);
      expect(t.pnl.unattributed.funding).toBeCloseTo(0, 6);
      expect(t.funding.map((f) => f.venue).sort()).toEqual(Object.keys(s.hedge_weights).sort());
      expect(Math.min(...t.curves.underwater)).toBe(-s.max_drawdown);
      expect(t.curves.twr_equity.at(-1)).toBeCloseTo(s.initial_capital * (1 + s.total_return), 6);
      expect(t.benchmark.available).toBe(false);
      const trades = await runTrades(store, id);
      expect(trades.length).toBe(t.trades.count);
      expect(trades[0].entry_time).toBe('2024-02-10T00:00:00.000Z');
      // the first decision is at the first step: the trades hold all of the run's PnL
      expect(trades.reduce((a, r) => a + r.pnl, 0)).toBeCloseTo(s.pnl.balance, 6);
      expect(trades.length).toBeGreaterThanOrEqual(1);
    } finally {
      await store.close();
    }
  });
});
