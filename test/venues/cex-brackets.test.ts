/**
 * Stop-loss / take-profit brackets of the simulated CEX, resolved from hand-made bars: SL only, TP only,
 * both inside one bar (stop first), a gap through the stop (filled at the open), shorts, funding order,
 * liquidation before a stop that lies beyond the liquidation price, checkpoints.
 */
import { describe, expect, it } from 'vitest';
import type { CexVenueConfig } from '../../src/config/schema.js';
import { VenueError } from '../../src/domain/errors.js';
import { SimulatedCex } from '../../src/venues/simulated/index.js';
import { resolveBracket } from '../../src/venues/simulated/cex-brackets.js';
import { ENVIRONMENTS, RecordingLedger, market } from './fixtures.js';

const P = 'cex.binance.BTCUSDT';
const FEE = 0.0005;

function config(maxLeverage = 20): CexVenueConfig {
  return {
    venue: 'binance',
    display_name: 'binance',
    environments: ENVIRONMENTS,
    kind: 'cex',
    fees: { spot: { maker: 0.001, taker: 0.001 }, perp: { maker: 0.0002, taker: FEE } },
    perp: {
      maintenance_margin_rate: { BTCUSDT: 0.004 },
      max_leverage: maxLeverage,
      funding_interval_hours: 8,
    },
    min_order_notional_usdt: 5,
    symbols: { spot: ['BTCUSDT'], perp: ['BTCUSDT'] },
  };
}

/** Bars k = 0.. with open (the mark at step k), high, low; funding rate per step (NaN = none). */
function venue(
  bars: { open: number; high: number; low: number }[],
  funding: number[] = [],
  maxLeverage = 20,
) {
  const cursor = market(bars.length, {
    [`${P}.spot.price`]: bars.map((b) => b.open),
    [`${P}.perp.price`]: bars.map((b) => b.open),
    [`${P}.perp.high`]: bars.map((b) => b.high),
    [`${P}.perp.low`]: bars.map((b) => b.low),
    [`${P}.funding`]: bars.map((_, k) => funding[k] ?? NaN),
  });
  const v = new SimulatedCex('binance', config(maxLeverage), cursor, {
    orderType: 'taker',
    symbols: { spot: [], perp: ['BTCUSDT'] },
  });
  return { v, cursor, ledger: new RecordingLedger() };
}

const open = (side: 'long' | 'short', size: number, sl?: number, tp?: number) =>
  ({
    op: 'perp_open',
    venue: 'binance',
    symbol: 'BTCUSDT',
    side,
    size,
    ...(sl !== undefined ? { stopLossPrice: sl } : {}),
    ...(tp !== undefined ? { takeProfitPrice: tp } : {}),
  }) as const;

describe('resolveBracket (one bar)', () => {
  it.each([
    // size, stop, take, open, high, low → reason, price, gap
    ['long, stop only', 1, 98, 103, 100, 101, 97.5, 'sl', 98, false],
    ['long, take only', 1, 98, 103, 100, 103.5, 99.5, 'tp', 103, false],
    ['long, both in one bar: stop first', 1, 98, 103, 100, 104, 97, 'sl', 98, false],
    ['long, opens through the stop', 1, 98, 103, 96, 99, 95, 'sl', 96, true],
    ['long, opens through the take', 1, 98, 103, 104, 105, 103.5, 'tp', 104, true],
    ['short, stop only', -1, 102, 97, 100, 102.5, 99, 'sl', 102, false],
    ['short, both: stop first', -1, 102, 97, 100, 103, 96, 'sl', 102, false],
    ['short, take only', -1, 102, 97, 100, 101, 96.5, 'tp', 97, false],
    ['short, opens through the stop', -1, 102, 97, 105, 106, 104, 'sl', 105, true],
  ] as const)('%s', (_name, size, stop, take, o, h, l, reason, price, gap) => {
    expect(resolveBracket(size, stop, take, o, h, l)).toEqual({ reason, price, gap });
  });

  it('nothing when the bar stays inside; only the open is checked without high / low', () => {
    expect(resolveBracket(1, 98, 103, 100, 102.9, 98.1)).toBeNull();
    expect(resolveBracket(1, 98, 103, 100, NaN, NaN)).toBeNull();
    expect(resolveBracket(1, 98, 103, 97, NaN, NaN)).toEqual({ reason: 'sl', price: 97, gap: true });
    expect(resolveBracket(1, NaN, 103, 100, 104, 50)).toEqual({ reason: 'tp', price: 103, gap: false });
  });
});

describe('SimulatedCex brackets', () => {
  it('stop-loss only: filled at the stop; fee and the fill-vs-mark difference are booked', async () => {
    const { v, cursor, ledger } = venue([
      { open: 100, high: 101, low: 97.5 },
      { open: 99, high: 99, low: 99 },
    ]);
    v.credit('USDT', 1000);
    await v.execute(open('long', 2, 98, 103), ledger);
    expect(v.perpPosition('BTCUSDT')).toMatchObject({ size: 2, stopLossPrice: 98, takeProfitPrice: 103 });
    cursor.step = 1;
    v.settle(1, ledger);
    expect(v.perpPosition('BTCUSDT').size).toBe(0);
    expect(v.perpPosition('BTCUSDT').stopLossPrice).toBeNaN();
    // 1000 − open fee 0.1 + 2 × (98 − 100) − close fee 2 × 98 × 0.0005
    expect(v.balanceOf('USDT')).toBeCloseTo(1000 - 0.1 - 4 - 0.098, 12);
    expect(ledger.total('trading_fees')).toBeCloseTo(-0.198, 12);
    expect(ledger.total('price')).toBeCloseTo(2 * (98 - 99), 12);
    expect(v.lastTrigger('BTCUSDT')).toMatchObject({ reason: 'sl', price: 98, size: 2, gap: false });
    expect(ledger.events.find((e) => e.type === 'bracket_fill')?.data).toMatchObject({
      reason: 'sl',
      price: 98,
    });
  });

  it('take-profit only: filled at the take', async () => {
    const { v, cursor, ledger } = venue([
      { open: 100, high: 103.5, low: 99.5 },
      { open: 103.2, high: 104, low: 103 },
    ]);
    v.credit('USDT', 1000);
    await v.execute(open('long', 1, 98, 103), ledger);
    cursor.step = 1;
    v.settle(1, ledger);
    expect(v.lastTrigger('BTCUSDT')).toMatchObject({ reason: 'tp', price: 103 });
    expect(v.balanceOf('USDT')).toBeCloseTo(1000 - 0.05 + 3 - 103 * FEE, 12);
  });

  it('both levels inside one bar: the stop is assumed first', async () => {
    const { v, cursor, ledger } = venue([
      { open: 100, high: 104, low: 97 },
      { open: 101, high: 101, low: 101 },
    ]);
    v.credit('USDT', 1000);
    await v.execute(open('long', 1, 98, 103), ledger);
    cursor.step = 1;
    v.settle(1, ledger);
    expect(v.lastTrigger('BTCUSDT')).toMatchObject({ reason: 'sl', price: 98, gap: false });
    expect(v.balanceOf('USDT')).toBeCloseTo(1000 - 0.05 - 2 - 98 * FEE, 12);
  });

  it('a bar that opens through the stop fills at that open (gap), after the funding of its open', async () => {
    const { v, cursor, ledger } = venue(
      [
        { open: 100, high: 101, low: 99 }, // inside the bracket
        { open: 95, high: 96, low: 94 }, // opens below the stop of 98
        { open: 95, high: 95, low: 95 },
      ],
      [NaN, 0.001],
    );
    v.credit('USDT', 1000);
    await v.execute(open('long', 1, 98, 103), ledger);
    cursor.step = 1;
    v.settle(1, ledger);
    const t = v.lastTrigger('BTCUSDT');
    expect(t).toMatchObject({ reason: 'sl', price: 95, gap: true, barMs: cursor.data.timestampsMs[1] });
    // held into the funding time at the open: the long pays 1 × 95 × 0.001
    expect(ledger.total('funding')).toBeCloseTo(-0.095, 12);
    expect(v.balanceOf('USDT')).toBeCloseTo(1000 - 0.05 - 0.095 - 5 - 95 * FEE, 12);
    expect(ledger.total('price')).toBe(0); // filled at the mark
  });

  it('a stop hit inside the bar closes before the funding at the bar end', async () => {
    const { v, cursor, ledger } = venue(
      [
        { open: 100, high: 100, low: 97 },
        { open: 97.5, high: 98, low: 97 },
      ],
      [NaN, 0.001],
    );
    v.credit('USDT', 1000);
    await v.execute(open('long', 1, 98, 103), ledger);
    cursor.step = 1;
    v.settle(1, ledger);
    expect(ledger.total('funding')).toBe(0);
    expect(v.lastTrigger('BTCUSDT')).toMatchObject({ reason: 'sl', price: 98 });
  });

  it('shorts mirror: the stop is above; partial closes keep the bracket, a full close cancels it', async () => {
    const { v, cursor, ledger } = venue([
      { open: 100, high: 101, low: 99 },
      { open: 100, high: 102.5, low: 99 },
      { open: 101, high: 101, low: 101 },
    ]);
    v.credit('USDT', 1000);
    await v.execute(open('short', 2, 102, 97), ledger);
    await v.execute(
      { op: 'perp_close', venue: 'binance', symbol: 'BTCUSDT', side: 'short', size: 1 },
      ledger,
    );
    expect(v.perpPosition('BTCUSDT')).toMatchObject({ size: -1, stopLossPrice: 102 });
    cursor.step = 1;
    v.settle(1, ledger);
    expect(v.perpPosition('BTCUSDT').size).toBe(-1);
    cursor.step = 2;
    v.settle(2, ledger);
    expect(v.lastTrigger('BTCUSDT')).toMatchObject({ reason: 'sl', price: 102, size: -1 });
  });

  it('refuses a bracket already crossed; checkpoint and restore carry the bracket', async () => {
    const { v, ledger } = venue([{ open: 100, high: 100, low: 100 }]);
    v.credit('USDT', 1000);
    await expect(v.execute(open('long', 1, 101, 103), ledger)).rejects.toThrow(
      'stop-loss 101 must be below the mark 100 for a long',
    );
    await expect(v.execute(open('short', 1, 102, 100.5), ledger)).rejects.toThrow(VenueError);
    expect(v.perpPosition('BTCUSDT').size).toBe(0);
    const cp = v.checkpoint();
    await v.execute(open('long', 1, 98, 103), ledger);
    v.restore(cp);
    expect(v.perpPosition('BTCUSDT')).toMatchObject({ size: 0 });
    expect(v.perpPosition('BTCUSDT').stopLossPrice).toBeNaN();
  });

  it('a liquidation price between the open and the stop is hit first', async () => {
    const { v, cursor, ledger } = venue([
      { open: 100, high: 100, low: 80 },
      { open: 85, high: 85, low: 85 },
    ]);
    v.credit('USDT', 6); // LP = (100 − 5.95) / 0.996 ≈ 94.4, above the stop of 90
    await v.execute(open('long', 1, 90, 120), ledger);
    cursor.step = 1;
    v.settle(1, ledger);
    expect(v.lastTrigger('BTCUSDT')?.reason).toBe('liquidation');
    expect(ledger.events.some((e) => e.type === 'bracket_fill')).toBe(false);
  });
});
