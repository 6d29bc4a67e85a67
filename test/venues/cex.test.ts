import { describe, expect, it } from 'vitest';
import type { CexVenueConfig } from '../../src/config/schema.js';
import { VenueError } from '../../src/domain/errors.js';
import { SimulatedCex } from '../../src/venues/simulated/index.js';
import type { MarketCursor } from '../../src/data/cursor.js';
import { ENVIRONMENTS, HOUR, RecordingLedger, T0, market } from './fixtures.js';

function config(venue = 'binance'): CexVenueConfig {
  return {
    venue,
    display_name: venue,
    environments: ENVIRONMENTS,
    kind: 'cex',
    fees: { spot: { maker: 0.0008, taker: 0.001 }, perp: { maker: 0.0002, taker: 0.0005 } },
    perp: { maintenance_margin_rate: { BTCUSDT: 0.004 }, max_leverage: 20, funding_interval_hours: 8 },
    min_order_notional_usdt: 5,
    symbols: { spot: ['BTCUSDT'], perp: ['BTCUSDT'] },
  };
}

function cex(cursor: MarketCursor, venue = 'binance') {
  return new SimulatedCex(venue, config(venue), cursor, {
    orderType: 'taker',
    symbols: { spot: ['BTCUSDT'], perp: ['BTCUSDT'] },
  });
}

const P = 'cex.binance.BTCUSDT';
const open = (side: 'long' | 'short', size: number) =>
  ({ op: 'perp_open', venue: 'binance', symbol: 'BTCUSDT', side, size }) as const;
const close = (side: 'long' | 'short', size: number) =>
  ({ op: 'perp_close', venue: 'binance', symbol: 'BTCUSDT', side, size }) as const;
const spot = (o: 'spot_buy' | 'spot_sell', amount: number) =>
  ({ op: o, venue: 'binance', base: 'BTC', quote: 'USDT', amount }) as const;

function tradingMarket() {
  return market(4, {
    [`${P}.spot.price`]: [60_000, 61_000, 62_000, 62_000],
    [`${P}.perp.price`]: [60_000, 61_000, 62_000, 62_000],
    [`${P}.perp.high`]: [61_000, 62_000, 62_000, 62_000],
    [`${P}.perp.low`]: [59_000, 60_000, 61_000, 61_000],
    [`${P}.funding`]: [NaN, 0.0001, NaN, NaN],
  });
}

describe('SimulatedCex — spot', () => {
  it('buys and sells at the spot price with the taker fee booked as trading_fees', async () => {
    const cursor = tradingMarket();
    const v = cex(cursor);
    const ledger = new RecordingLedger();
    expect(v.positionKeys).toEqual([
      'binance:BaseToken:USDT',
      'binance:BaseToken:BTC',
      'binance:Perp:BTCUSDT',
    ]);
    v.credit('USDT', 50_000);
    const buy = await v.execute(spot('spot_buy', 0.5), ledger);
    expect(buy).toMatchObject({ price: 60_000, amount: 0.5, feeAsset: 'USDT' });
    expect(buy.fee).toBeCloseTo(30, 10);
    expect(v.balanceOf('USDT')).toBeCloseTo(50_000 - 30_030, 9);
    expect(v.balanceOf('BTC')).toBe(0.5);
    await v.execute(spot('spot_sell', 0.2), ledger);
    expect(v.balanceOf('USDT')).toBeCloseTo(50_000 - 30_030 + 11_988, 9);
    expect(v.balanceOf('BTC')).toBeCloseTo(0.3, 15);
    expect(ledger.total('trading_fees', 'USDT')).toBeCloseTo(-42, 10);
    await expect(v.execute(spot('spot_sell', 1), ledger)).rejects.toThrow(/insufficient BTC balance/);
    await expect(v.execute(spot('spot_buy', 1), ledger)).rejects.toThrow(/insufficient USDT balance/);
    expect(v.balanceOf('BTC')).toBeCloseTo(0.3, 15);
  });

  it('trades at the Binance spot price when the venue has no spot series (OKX), funding from the event series', async () => {
    const cursor = market(
      2,
      {
        'cex.binance.BTCUSDT.spot.price': [60_000, 60_500],
        'cex.okx.BTCUSDT.perp.price': [60_100, 60_600],
      },
      { 'cex.okx.BTCUSDT.funding': { t: [T0 + HOUR], v: [0.0002] } },
    );
    const v = cex(cursor, 'okx');
    expect(v.spotPrice('BTCUSDT')).toBe(60_000);
    expect(v.markPrice('BTCUSDT')).toBe(60_100);
    const ledger = new RecordingLedger();
    v.credit('USDT', 10_000);
    await v.execute({ ...open('short', 0.1), venue: 'okx' }, ledger);
    cursor.step = 1;
    v.settle(1, ledger);
    expect(ledger.total('funding', 'USDT')).toBeCloseTo(0.1 * 60_600 * 0.0002, 12);
  });
});

describe('SimulatedCex — perps', () => {
  it('opens, averages the entry, closes with realised PnL and fees', async () => {
    const cursor = tradingMarket();
    const v = cex(cursor);
    const ledger = new RecordingLedger();
    v.credit('USDT', 10_000);
    const f = await v.execute(open('short', 1), ledger);
    expect(f).toMatchObject({ op: 'perp_open', amount: 1, price: 60_000, fee: 30 });
    expect(v.balanceOf('USDT')).toBe(9970);

    cursor.step = 1;
    v.settle(1, ledger); // funding: short 1 × 61,000 × 0.0001 received
    expect(ledger.total('funding')).toBeCloseTo(6.1, 10);
    expect(ledger.events.find((e) => e.type === 'funding')?.data).toMatchObject({
      size: -1,
      mark: 61_000,
      rate: 0.0001,
    });
    expect(v.balanceOf('USDT')).toBeCloseTo(9976.1, 9);

    await v.execute(open('short', 1), ledger); // fee 30.5
    const pos = v.perpPosition('BTCUSDT');
    expect(pos.size).toBe(-2);
    expect(pos.entryPrice).toBe(60_500);
    expect(pos.unrealizedPnl).toBe(-1000);
    expect(pos.maintenanceMargin).toBeCloseTo(2 * 61_000 * 0.004, 9);

    cursor.step = 2;
    v.settle(2, ledger);
    await v.execute(close('short', 1.5), ledger); // realised −1.5 × (62,000 − 60,500) = −2,250; fee 46.5
    expect(v.balanceOf('USDT')).toBeCloseTo(9976.1 - 30.5 - 2250 - 46.5, 9);
    expect(v.perpPosition('BTCUSDT')).toMatchObject({ size: -0.5, entryPrice: 60_500 });
    expect(ledger.total('trading_fees')).toBeCloseTo(-(30 + 30.5 + 46.5), 10);

    await expect(v.execute(close('short', 1), ledger)).rejects.toThrow(/exceeds/);
    await expect(v.execute(close('long', 0.1), ledger)).rejects.toThrow(/no long position/);
    await expect(v.execute(open('long', 0.1), ledger)).rejects.toThrow(/one-way/);

    const acc = v.account();
    expect(acc.unrealizedPnlUsdt).toBe(-750);
    expect(acc.marginBalanceUsdt).toBeCloseTo(v.balanceOf('USDT') - 750, 9);
    expect(acc.positionNotionalUsdt).toBe(31_000);
    expect(acc.maintenanceMarginUsdt).toBeCloseTo(124, 9);
    expect(acc.marginRatio).toBeCloseTo(acc.marginBalanceUsdt / 31_000, 12);

    await v.execute(close('short', 0.5), ledger);
    expect(v.perpPosition('BTCUSDT')).toMatchObject({ size: 0, unrealizedPnl: 0 });
    expect(v.account().marginRatio).toBe(Infinity);
  });

  it('a long pays positive funding: −size × mark × rate', async () => {
    const cursor = tradingMarket();
    const v = cex(cursor);
    const ledger = new RecordingLedger();
    v.credit('USDT', 10_000);
    await v.execute(open('long', 2), ledger);
    cursor.step = 1;
    v.settle(1, ledger);
    expect(ledger.total('funding')).toBeCloseTo(-2 * 61_000 * 0.0001, 10);
  });

  it('refuses an open beyond the initial margin and leaves the state unchanged', async () => {
    const cursor = tradingMarket();
    const v = cex(cursor);
    const ledger = new RecordingLedger();
    v.credit('USDT', 1000);
    const cp = v.checkpoint();
    // 1 BTC × 60,000 / 20 = 3,000 initial margin > 1,000 − 30 fee
    await expect(v.execute(open('short', 1), ledger)).rejects.toThrow(VenueError);
    await expect(v.execute(open('short', 1), ledger)).rejects.toThrow(/insufficient margin/);
    expect(v.checkpoint()).toEqual(cp);
    expect(ledger.books).toEqual([]);
    // the margin in use cannot leave the account
    await v.execute(open('short', 0.3), ledger); // IM 900, fee 9
    expect(v.withdrawableUsdt()).toBeCloseTo(991 - 900, 9);
    expect(() => v.debit('USDT', 200)).toThrow(/margin in use/);
    expect(v.balanceOf('USDT')).toBe(991);
  });

  it('checkpoint / restore round-trips balances, sizes and entries', async () => {
    const cursor = tradingMarket();
    const v = cex(cursor);
    const ledger = new RecordingLedger();
    v.credit('USDT', 50_000);
    await v.execute(spot('spot_buy', 0.2), ledger);
    await v.execute(open('short', 0.2), ledger);
    const cp = v.checkpoint();
    const before = new Float64Array(3);
    v.readPositions(before, 0);
    cursor.step = 1;
    await v.execute(open('short', 0.5), ledger);
    await v.execute(spot('spot_sell', 0.1), ledger);
    v.restore(cp);
    cursor.step = 0;
    const after = new Float64Array(3);
    v.readPositions(after, 0);
    expect(after).toEqual(before);
    expect(v.perpPosition('BTCUSDT').entryPrice).toBe(60_000);
  });
});

describe('SimulatedCex — liquidation', () => {
  // short 1 BTC at 60,000 with 3,000 USDT of wallet after the fee: LP = (3,000 + 60,000) / (1 × 1.004)
  const LP = 63_000 / 1.004;

  async function shortAccount(cursor: MarketCursor) {
    const v = cex(cursor);
    const ledger = new RecordingLedger();
    v.credit('USDT', 3030);
    await v.execute(open('short', 1), ledger);
    expect(v.balanceOf('USDT')).toBe(3000);
    return { v, ledger };
  }

  it('computes the cross liquidation price of a single short by hand', async () => {
    const cursor = tradingMarket();
    const { v } = await shortAccount(cursor);
    expect(v.perpPosition('BTCUSDT').liquidationPrice).toBeCloseTo(LP, 9);
    expect(LP).toBeCloseTo(62_749.00398406375, 8);
  });

  it('liquidates when the previous bar high crosses LP, not before', async () => {
    const cursor = market(3, {
      [`${P}.spot.price`]: [60_000, 61_000, 62_000],
      [`${P}.perp.price`]: [60_000, 61_000, 62_000],
      [`${P}.perp.high`]: [62_700, 62_800, NaN],
      [`${P}.perp.low`]: [59_000, 60_000, NaN],
      [`${P}.funding`]: [],
    });
    const { v, ledger } = await shortAccount(cursor);
    cursor.step = 1;
    v.settle(1, ledger); // bar 0 → 1 high 62,700 < LP
    expect(v.perpPosition('BTCUSDT').size).toBe(-1);
    expect(ledger.events.some((e) => e.type === 'liquidation')).toBe(false);

    cursor.step = 2;
    v.settle(2, ledger); // bar 1 → 2 high 62,800 ≥ LP
    expect(v.perpPosition('BTCUSDT').size).toBe(0);
    expect(v.balanceOf('USDT')).toBe(0);
    // equity at the mark would have been 3,000 + (60,000 − 62,000) = 1,000; all of it is lost
    expect(ledger.total('liquidation', 'USDT')).toBeCloseTo(-1000, 8);
    const ev = ledger.events.find((e) => e.type === 'liquidation')?.data;
    expect(ev).toMatchObject({ trigger: 'bar_high', equityAtMark: 1000 });
    expect(ev?.liquidationPrice).toBeCloseTo(LP, 9);
    expect(ev?.forfeited).toBeCloseTo(LP * 0.004, 8); // the MM at LP
  });

  it('liquidates at the mark when the margin balance falls to the maintenance margin', async () => {
    const cursor = market(2, {
      [`${P}.spot.price`]: [60_000, 62_900],
      [`${P}.perp.price`]: [60_000, 62_900],
      [`${P}.funding`]: [],
    });
    const { v, ledger } = await shortAccount(cursor);
    cursor.step = 1; // equity 100 ≤ MM 251.6
    v.settle(1, ledger);
    expect(v.perpPosition('BTCUSDT').size).toBe(0);
    expect(v.balanceOf('USDT')).toBe(0);
    expect(ledger.total('liquidation')).toBeCloseTo(-100, 8);
    expect(ledger.events.find((e) => e.type === 'liquidation')?.data.trigger).toBe('margin');
  });
});
