/**
 * The ml_directional trading rules through the whole engine on hand-made bars: entry at the open with
 * SL / TP from the clamped sd, hold while the signal repeats, exits by stop / take / bar end / opposite
 * signal, risk override, withdrawals, other bar intervals, and the configuration checks.
 */
import { describe, expect, it } from 'vitest';
import { resolveMode } from '../../src/config/index.js';
import { runBacktest } from '../../src/results/run.js';
import { FIVE_MIN, HOUR, T0, pathBars, type Bar, writeHandDataset, writePredictions } from './fixtures.js';

type Row = { signal: string; confidence: number; sd: number };
type Flow = { timeMs: number; amount: number };

async function run(
  bars: Bar[],
  rows: Row[],
  extra: string[] = [],
  opts: { mode?: string; capital?: number; withdrawals?: Flow[]; deposits?: Flow[] } = {},
) {
  const ds = writeHandDataset({ spot: bars });
  const preds = writePredictions(
    ds.dir,
    rows.map((r, k) => ({ t: T0 + k * FIVE_MIN, ...r })),
  );
  return runBacktest({
    mode: opts.mode ?? 'ml_usdt_directional_usdt_margin',
    capital: opts.capital ?? 100_000,
    startMs: T0,
    endMs: T0 + (bars.length - 1) * FIVE_MIN,
    dataDir: ds.dir,
    cacheDir: ds.cacheDir,
    withdrawals: opts.withdrawals,
    deposits: opts.deposits,
    overrides: ['signals.source=file', `signals.path=${preds}`, ...extra],
  });
}

/** 13 flat bars at 100 (one hour plus the closing bar), with bar k replaced by `custom[k]`. */
function flat(custom: Record<number, Bar> = {}, n = 13): Bar[] {
  return Array.from({ length: n }, (_, k) => custom[k] ?? { open: 100, high: 100, low: 100, close: 100 });
}

const trades = (r: Awaited<ReturnType<typeof run>>) => r.events.filter((e) => e.type === 'trade');
const L = (confidence = 0.9, sd = 0.01): Row => ({ signal: 'long', confidence, sd });
const S = (confidence = 0.9, sd = 0.01): Row => ({ signal: 'short', confidence, sd });
const NONE: Row = { signal: 'neutral', confidence: 0, sd: 0.01 };

describe('ml_directional rules on hand-made bars', () => {
  it('stop-loss inside a bar: entry at the open, SL = entry × (1 − 2 sd), exit reason sl at the stop', async () => {
    // bar 1 trades down to 97: the stop of a long entered at 100 with sd 1 % sits at 98
    const r = await run(
      flat({
        1: { open: 100, high: 100.5, low: 97, close: 99 },
        2: { open: 99, high: 99, low: 99, close: 99 },
      }),
      [NONE, L(), L(), L(), ...Array(9).fill(NONE)],
    );
    const [t] = trades(r);
    expect(t).toMatchObject({
      side: 'long',
      reason: 'sl',
      entry_price: 100,
      stop_loss: 98,
      take_profit: 102,
      exit_price: 98,
      gap: false,
      bars: 1,
    });
    expect(t.entry_time).toBe('2024-01-01T00:05:00.000Z');
    expect(t.exit_time).toBe('2024-01-01T00:10:00.000Z');
    // the stop-loss fill at 98 is booked against the mark at the bar end (99): price PnL = size × (98 − 100)
    expect(t.gross_pnl_usdt).toBeCloseTo((t.size as number) * -2, 9);
    expect(r.summary.pnl.max_abs_step_residual).toBeLessThan(1e-9);
    // re-entry at the next open: the signal is still long and the book is flat
    expect(trades(r)).toHaveLength(2);
    expect(trades(r)[1]).toMatchObject({ side: 'long', entry_price: 99, reason: 'bar_end' });
  });

  it('take-profit, the sd clamp (floor 10 bp, cap 1000 bp) and a bar that reaches both levels (stop first)', async () => {
    const bars = flat({
      1: { open: 100, high: 100.25, low: 100, close: 100 }, // sd 0.0001 → floor 0.001: TP 100.2 hit
      3: { open: 100, high: 125, low: 75, close: 100 }, // sd 0.5 → cap 0.1: SL 80 and TP 120 both inside: SL
    });
    const r = await run(bars, [NONE, L(0.9, 0.0001), NONE, L(0.9, 0.5), ...Array(9).fill(NONE)]);
    const [tp, sl] = trades(r);
    expect(tp).toMatchObject({
      reason: 'tp',
      take_profit: 100.2,
      stop_loss: 99.8,
      sd: 0.001,
      exit_price: 100.2,
    });
    expect(sl).toMatchObject({ reason: 'sl', take_profit: 120, stop_loss: 80, sd: 0.1, exit_price: 80 });
  });

  it('a gap through the stop fills at the open; holding while the signal repeats; bar_end and signal exits', async () => {
    const bars = flat({
      4: { open: 90, high: 91, low: 89, close: 90 },
      5: { open: 90, high: 90, low: 90, close: 90 },
    });
    // short from bar 1 (SL 102): holds bars 1–2; at bar 3 the long signal reverses it; the long's stop (98)
    // is gapped through by bar 4 opening at 90
    const r = await run(bars, [NONE, S(), S(), L(), NONE, NONE, S(), S(0.55), ...Array(5).fill(NONE)]);
    const t = trades(r);
    expect(t.map((x) => [x.side, x.reason, x.bars])).toEqual([
      ['short', 'signal', 2],
      ['long', 'sl', 1],
      ['short', 'bar_end', 1], // the 0.55 confidence of bar 7 is below the 0.6 threshold: no signal
    ]);
    expect(t[1]).toMatchObject({ exit_price: 90, gap: true });
    expect(
      r.events.filter((e) => e.type === 'fill' && String(e.instruction).includes('perp_open')),
    ).toHaveLength(3);
    expect((r.summary.strategy_report as { trades: { by_reason: object } }).trades.by_reason).toMatchObject({
      signal: 1,
      sl: 1,
      bar_end: 1,
    });
  });

  it('a withdrawal while a position is open cuts it to max_position_size × (equity − withdrawal) and pays out; a deposit moves to the venue without a resize', async () => {
    const bars = flat({}, 25);
    const r = await run(bars, [...Array(24).fill(L()), NONE], [], {
      withdrawals: [{ timeMs: T0 + 10 * FIVE_MIN, amount: 40_000 }],
      deposits: [{ timeMs: T0 + 5 * FIVE_MIN, amount: 10_000 }],
    });
    const k = 10;
    const col = r.recorder.positionKeys.indexOf('binance:Perp:BTCUSDT');
    const before = r.recorder.positions[col][k - 1];
    const after = r.recorder.positions[col][k];
    // flat prices: the equity the cut is sized on is the previous step's
    expect((after * 100) / (r.recorder.equity[k - 1] - 40_000)).toBeCloseTo(1, 12);
    expect(after / before).toBeGreaterThan(0.69); // 100k notional on ~110k equity → ~70k
    expect(after / before).toBeLessThan(0.71);
    expect(r.summary.withdrawals).toBe(40_000);
    expect(r.summary.pnl.max_abs_step_residual).toBeLessThan(1e-9);
    expect(r.events.some((e) => e.type === 'decision' && String(e.reason).includes('withdrawal'))).toBe(true);
    // the deposit at step 5 goes to the venue (no resize); the trade's PnL is net of that transfer
    expect(r.recorder.positions[col][5]).toBe(r.recorder.positions[col][4]);
    const usdt = r.recorder.positionKeys.indexOf('binance:BaseToken:USDT');
    expect(r.recorder.positions[usdt][5] - r.recorder.positions[usdt][4]).toBeGreaterThan(9_990);
    const [t] = trades(r);
    expect(t.reason).toBe('bar_end');
    expect(Math.abs(t.other_usdt as number)).toBeLessThan(1e-6);
  });

  it('a risk override (margin ratio below critical) cuts a short by reduce_fraction during a rally', async () => {
    const prices = [100];
    for (let k = 0; k < 60; k++) prices.push(prices[k] * 1.01);
    const bars = pathBars([...prices, prices[60]]);
    const r = await run(
      bars,
      [NONE, ...Array(60).fill(S(0.9, 0.1))],
      ['strategy.stop_loss_sd=9', 'strategy.take_profit_sd=9'],
    );
    const cuts = r.events.filter((e) => e.type === 'decision' && e.reason === 'risk');
    expect(cuts.length).toBeGreaterThan(0);
    const col = r.recorder.positionKeys.indexOf('binance:Perp:BTCUSDT');
    const step = (Date.parse(cuts[0].t) - T0) / FIVE_MIN;
    expect(r.recorder.positions[col][step] / r.recorder.positions[col][step - 1]).toBeCloseTo(0.75, 9);
    expect(r.recorder.marginRatio[0][step - 1]).toBeGreaterThan(0.3);
  });

  it('runs on hourly bars by config (bar_interval 1h): one step per hour', async () => {
    const bars = flat({}, 12 * 24 + 1);
    const ds = writeHandDataset({ spot: bars });
    const preds = writePredictions(
      ds.dir,
      Array.from({ length: 25 }, (_, h) => ({
        t: T0 + h * HOUR,
        signal: h % 2 ? 'long' : 'short',
        confidence: 0.9,
        sd: 0.01,
      })),
    );
    const r = await runBacktest({
      mode: 'ml_usdt_directional_usdt_margin',
      capital: 1000,
      startMs: T0,
      endMs: T0 + 24 * HOUR,
      dataDir: ds.dir,
      cacheDir: ds.cacheDir,
      overrides: ['strategy.bar_interval=1h', 'signals.source=file', `signals.path=${preds}`],
    });
    expect(r.data.stepMs).toBe(HOUR);
    expect(r.summary.steps).toBe(25);
    expect(trades(r).length).toBe(24);
  });
});

describe('ml_directional configuration', () => {
  it('BTC share class needs multi-assets margin; signals belong to ML modes; bar_interval must fit the data', () => {
    expect(() =>
      resolveMode('ml_btc_directional_usdt_margin', { overrides: ['strategy.margin_mode=usdt'] }),
    ).toThrow('strategy.margin_mode: expected multi_assets for share class BTC');
    expect(() => resolveMode('btc_basis', { overrides: ['signals.source=baseline'] })).toThrow(
      'signals: not used: only ml_directional modes read signals',
    );
    expect(() =>
      resolveMode('ml_usdt_directional_usdt_margin', { overrides: ['strategy.bar_interval=7m'] }),
    ).toThrow('strategy.bar_interval: expected a multiple of 5m that divides a day');
    expect(() =>
      resolveMode('ml_usdt_directional_usdt_margin', { overrides: ['signals.source=file'] }),
    ).toThrow('signals.path: required when source is file');
  });
});
