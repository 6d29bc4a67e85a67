/**
 * Tiered maintenance margin (perp.maintenance_margin_tiers): MM = notional × rate − cum of the position's
 * bracket, cum_n = cum_{n−1} + floor_n × (rate_n − rate_{n−1}) (Binance's published rule), used by the
 * account's maintenance margin, the liquidation price and the liquidation itself. Brackets: Binance BTCUSDT,
 * announcement of 2021-03-18 (0.40 % to 50k, 0.50 % to 250k, 1 % to 1M, 2.5 % to 10M).
 */
import { describe, expect, it } from 'vitest';
import { CexVenueSchema, type CexVenueConfig } from '../../src/config/schema.js';
import { venueFileIssues } from '../../src/config/venueChecks.js';
import { SimulatedCex } from '../../src/venues/simulated/index.js';
import { ENVIRONMENTS, RecordingLedger, market } from './fixtures.js';

const P = 'cex.binance.BTCUSDT';
const FEE = 0.0005;
const TIERS = [
  { max_notional_usdt: 50_000, rate: 0.004 },
  { max_notional_usdt: 250_000, rate: 0.005 },
  { max_notional_usdt: 1_000_000, rate: 0.01 },
  { max_notional_usdt: 10_000_000, rate: 0.025 },
];

function config(tiered = true): CexVenueConfig {
  return CexVenueSchema.parse({
    venue: 'binance',
    display_name: 'binance',
    environments: ENVIRONMENTS,
    kind: 'cex',
    fees: { spot: { maker: 0.001, taker: 0.001 }, perp: { maker: 0.0002, taker: FEE } },
    perp: {
      maintenance_margin_rate: { BTCUSDT: 0.004 },
      ...(tiered ? { maintenance_margin_tiers: { BTCUSDT: TIERS } } : {}),
      max_leverage: 125,
    },
    symbols: { spot: [], perp: ['BTCUSDT'] },
  });
}

/** MM by hand from the published rule. */
function mmByHand(notional: number): number {
  let cum = 0;
  for (let i = 0; i < TIERS.length; i++) {
    if (i > 0) cum += TIERS[i - 1].max_notional_usdt * (TIERS[i].rate - TIERS[i - 1].rate);
    if (notional <= TIERS[i].max_notional_usdt || i === TIERS.length - 1)
      return notional * TIERS[i].rate - cum;
  }
  throw new Error('unreachable');
}

function venue(marks: number[], tiered = true) {
  const cursor = market(marks.length, {
    [`${P}.spot.price`]: marks,
    [`${P}.perp.price`]: marks,
    [`${P}.perp.high`]: marks,
    [`${P}.perp.low`]: marks,
    [`${P}.funding`]: marks.map(() => NaN),
  });
  const v = new SimulatedCex('binance', config(tiered), cursor, {
    orderType: 'taker',
    symbols: { spot: [], perp: ['BTCUSDT'] },
  });
  return { v, cursor, ledger: new RecordingLedger() };
}

const short = (size: number) =>
  ({ op: 'perp_open', venue: 'binance', symbol: 'BTCUSDT', side: 'short', size }) as const;

describe('tiered maintenance margin', () => {
  it.each([10_000, 50_000, 100_000, 250_000, 400_000, 2_000_000])(
    'a %d USDT short needs notional × rate − cum of its bracket',
    async (notional) => {
      const { v, ledger } = venue([100_000]);
      v.credit('USDT', notional);
      await v.execute(short(notional / 100_000), ledger);
      expect(v.account().maintenanceMarginUsdt).toBeCloseTo(mmByHand(notional), 6);
      expect(v.perpPosition('BTCUSDT').maintenanceMargin).toBeCloseTo(mmByHand(notional), 6);
    },
  );

  it('is continuous at each bracket edge (cum)', () => {
    for (const t of TIERS.slice(0, -1)) {
      expect(mmByHand(t.max_notional_usdt)).toBeCloseTo(mmByHand(t.max_notional_usdt + 1e-6), 4);
    }
  });

  it('the liquidation price is where margin balance = maintenance margin, in the bracket at that price', async () => {
    // a 4 BTC short at 100,000 (400k notional: bracket 1 %) with 20,000 USDT of margin
    const { v, ledger } = venue([100_000, 100_000]);
    v.credit('USDT', 20_000);
    await v.execute(short(4), ledger);
    const wallet = v.account().walletBalanceUsdt; // after the opening fee
    const lp = v.perpPosition('BTCUSDT').liquidationPrice;
    // at LP: wallet − 4 (LP − entry) = MM(4 LP), with the entry at the fill price of the open
    const entry = v.perpPosition('BTCUSDT').entryPrice;
    expect(wallet - 4 * (lp - entry)).toBeCloseTo(mmByHand(4 * lp), 4);
    // without tiers the same book would be liquidated later (tier 1: 0.4 % at every notional)
    const flat = venue([100_000, 100_000], false);
    flat.v.credit('USDT', 20_000);
    await flat.v.execute(short(4), flat.ledger);
    expect(flat.v.perpPosition('BTCUSDT').liquidationPrice).toBeGreaterThan(lp);
    // a mark just above LP liquidates; just below does not
    const above = venue([100_000, lp * 1.0001]);
    above.v.credit('USDT', 20_000);
    await above.v.execute(short(4), above.ledger);
    above.cursor.step = 1;
    above.v.settle(1, above.ledger);
    expect(above.v.lastTrigger('BTCUSDT')?.reason).toBe('liquidation');
    const below = venue([100_000, lp * 0.9999]);
    below.v.credit('USDT', 20_000);
    await below.v.execute(short(4), below.ledger);
    below.cursor.step = 1;
    below.v.settle(1, below.ledger);
    expect(below.v.perpPosition('BTCUSDT').size).toBe(-4);
  });

  it('brackets out of order, or a first rate other than the tier-1 rate, are config errors naming the key', () => {
    const source = { file: 'config/venues/binance.yaml', lineOf: () => undefined };
    // the margin keys' problems (the fixture's environments are placeholders)
    const issues = (c: CexVenueConfig) =>
      venueFileIssues(c, source)
        .filter((i) => i.path.startsWith('perp.'))
        .map((i) => `${i.path}: ${i.problem}`);
    expect(issues(config())).toEqual([]);
    const swapped = {
      ...config(),
      perp: { ...config().perp, maintenance_margin_tiers: { BTCUSDT: [TIERS[0], TIERS[2], TIERS[1]] } },
    };
    expect(issues(swapped)).toEqual([
      'perp.maintenance_margin_tiers.BTCUSDT.2.max_notional_usdt: expected brackets in ascending notional',
      "perp.maintenance_margin_tiers.BTCUSDT.2.rate: expected a rate at least the previous bracket's",
    ]);
    const first = {
      ...config(),
      perp: { ...config().perp, maintenance_margin_tiers: { BTCUSDT: TIERS.slice(1) } },
    };
    expect(issues(first)).toEqual([
      'perp.maintenance_margin_tiers.BTCUSDT.0.rate: expected 0.004 (perp.maintenance_margin_rate.BTCUSDT), received 0.005',
    ]);
  });
});
