/**
 * Multi-assets margin of the simulated CEX: BTC held at the venue counts as perp margin at 95 % of its
 * value; the liquidation price folds the BTC collateral in; collateral leaves only while margin remains;
 * a liquidation covers a negative USDT balance by selling collateral.
 */
import { describe, expect, it } from 'vitest';
import type { CexVenueConfig } from '../../src/config/schema.js';
import { SimulatedCex } from '../../src/venues/simulated/index.js';
import { ENVIRONMENTS, RecordingLedger, market } from './fixtures.js';

const P = 'cex.binance.BTCUSDT';
const MMR = 0.004;
const R = 0.95;

function config(): CexVenueConfig {
  return {
    venue: 'binance',
    display_name: 'binance',
    environments: ENVIRONMENTS,
    kind: 'cex',
    fees: { spot: { maker: 0.001, taker: 0.001 }, perp: { maker: 0.0002, taker: 0.0005 } },
    perp: {
      maintenance_margin_rate: { BTCUSDT: MMR },
      max_leverage: 20,
      funding_interval_hours: 8,
      collateral_ratio: { BTC: R },
    },
    min_order_notional_usdt: 5,
    symbols: { spot: ['BTCUSDT'], perp: ['BTCUSDT'] },
  };
}

function venue(prices: number[], lows: number[] = prices, highs: number[] = prices) {
  const cursor = market(prices.length, {
    [`${P}.spot.price`]: prices,
    [`${P}.perp.price`]: prices,
    [`${P}.perp.high`]: highs,
    [`${P}.perp.low`]: lows,
    [`${P}.funding`]: prices.map(() => NaN),
  });
  const cfg = config();
  const v = new SimulatedCex('binance', cfg, cursor, {
    orderType: 'taker',
    symbols: { spot: ['BTCUSDT'], perp: ['BTCUSDT'] },
    collateral: cfg.perp.collateral_ratio,
  });
  return { v, cursor, ledger: new RecordingLedger() };
}

const perp = (op: 'perp_open' | 'perp_close', side: 'long' | 'short', size: number) =>
  ({ op, venue: 'binance', symbol: 'BTCUSDT', side, size }) as const;

describe('SimulatedCex multi-assets margin', () => {
  it('BTC at the venue is margin at 95 % of its value; the USDT balance may go negative', async () => {
    const { v, ledger } = venue([100, 110]);
    v.credit('BTC', 1);
    expect(v.account()).toMatchObject({ walletBalanceUsdt: 0, collateralUsdt: 95, marginBalanceUsdt: 95 });
    await v.execute(perp('perp_open', 'long', 1), ledger);
    const a = v.account();
    expect(a.walletBalanceUsdt).toBeCloseTo(-0.05, 12); // the fee is owed in USDT
    expect(a.marginBalanceUsdt).toBeCloseTo(94.95, 12);
    expect(a.marginRatio).toBeCloseTo(94.95 / 100, 12);
  });

  it('the liquidation price moves with the BTC collateral (long and short)', async () => {
    const { v, ledger } = venue([100]);
    v.credit('BTC', 1);
    await v.execute(perp('perp_open', 'long', 1), ledger);
    const w = -0.05;
    // W + c·R·LP + q(LP − EP) = q·LP·MMR  →  LP = (q·EP − W) / (q(1 − MMR) + c·R)
    const lp = (100 - w) / (1 - MMR + R);
    expect(v.perpPosition('BTCUSDT').liquidationPrice).toBeCloseTo(lp, 9);
    expect(w + R * lp + (lp - 100)).toBeCloseTo(lp * MMR, 9);
    await v.execute(perp('perp_close', 'long', 1), ledger);
    await v.execute(perp('perp_open', 'short', 1), ledger);
    const w2 = v.balanceOf('USDT');
    // W + c·R·LP − q(LP − EP) = q·LP·MMR  →  LP = (W + q·EP) / (q(1 + MMR) − c·R)
    expect(v.perpPosition('BTCUSDT').liquidationPrice).toBeCloseTo((w2 + 100) / (1 + MMR - R), 6);
    v.credit('BTC', 1); // c·R = 1.9 > q(1 + MMR): a rally can no longer liquidate the short
    expect(v.perpPosition('BTCUSDT').liquidationPrice).toBe(Infinity);
  });

  it('collateral leaves only while the margin balance covers the open perps and a negative USDT balance', async () => {
    const { v, ledger } = venue([100]);
    v.credit('BTC', 1);
    await v.execute(perp('perp_open', 'long', 1), ledger);
    await v.execute(perp('perp_close', 'long', 1), ledger); // flat, USDT −0.1
    const limit = (-0.1 + 95) / 95;
    expect(() => v.debit('BTC', limit * 1.001)).toThrow('insufficient free BTC collateral');
    v.debit('BTC', limit * 0.999);
    expect(v.balanceOf('BTC')).toBeCloseTo(1 - limit * 0.999, 12);
    // a spot sale of collateral to cover the USDT balance is always allowed
    await v.execute(
      { op: 'spot_sell', venue: 'binance', base: 'BTC', quote: 'USDT', amount: 0.0005 },
      ledger,
    );
    expect(v.balanceOf('USDT')).toBeCloseTo(-0.1 + 0.05 * 0.999, 12);
  });

  it('a liquidation sells collateral to cover the negative USDT balance and books the loss against equity', async () => {
    // long 3 BTC on 1 BTC of collateral; the bar falls through the liquidation price
    const { v, cursor, ledger } = venue([100, 60], [50, 60]);
    v.credit('BTC', 1);
    await v.execute(perp('perp_open', 'long', 3), ledger);
    const lp = v.perpPosition('BTCUSDT').liquidationPrice;
    expect(lp).toBeGreaterThan(50);
    expect(lp).toBeLessThan(100);
    cursor.step = 1;
    const before = v.balanceOf('USDT') + 3 * (60 - 100) + v.balanceOf('BTC') * 60;
    v.settle(1, ledger);
    expect(v.perpPosition('BTCUSDT').size).toBe(0);
    expect(v.lastTrigger('BTCUSDT')).toMatchObject({ reason: 'liquidation', price: lp });
    expect(v.balanceOf('USDT')).toBeGreaterThanOrEqual(0);
    const after = v.balanceOf('USDT') + v.balanceOf('BTC') * 60;
    expect(ledger.total('liquidation')).toBeCloseTo(after - before, 9);
    expect(v.balanceOf('BTC')).toBeLessThan(1);
  });
});
