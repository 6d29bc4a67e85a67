/** Staking target arithmetic against hand-computed reference values. */
import { describe, expect, test } from 'vitest';
import {
  deriveTargetLtv,
  hedgedLongSize,
  loopDecrease,
  loopIncreaseFlash,
} from '../../src/strategies/staking/targets.js';

describe('target LTV', () => {
  test('derived from the e-mode LTV and the spread move: 0.93 × (1 − 0.0225) = 0.909075', () => {
    expect(deriveTargetLtv(null, 0.93, 0.0225)).toBeCloseTo(0.909075, 12);
    // an adverse move of that size in the LST rate takes the LTV exactly to the e-mode limit
    const t = deriveTargetLtv(null, 0.93, 0.0225);
    expect(t / (1 - 0.0225)).toBeCloseTo(0.93, 12);
    expect(deriveTargetLtv(0.8, 0.93, 0.0225)).toBe(0.8);
  });
});

describe('loop sizing', () => {
  test('entry: supply = E / (1 − t), debt = t E / (1 − t), flash = debt', () => {
    // E = 10 ETH at t = 0.9: collateral 100, debt 90
    const f = loopIncreaseFlash({ collateralEth: 0, debtEth: 0 }, 10, 1, 0.9, 0);
    expect(f).toBeCloseTo(90, 10);
    expect(f / (10 + f)).toBeCloseTo(0.9, 12);
  });

  test('a flash-loan premium is borrowed too and keeps the LTV on target', () => {
    const fee = 0.0005;
    const f = loopIncreaseFlash({ collateralEth: 0, debtEth: 0 }, 10, 1, 0.9, fee);
    expect((f * (1 + fee)) / (10 + f)).toBeCloseTo(0.9, 12);
    expect(f).toBeCloseTo((0.9 * 10) / (1 + fee - 0.9), 10);
  });

  test('lever up an existing loop at unchanged equity, with a DEX route buying more than par', () => {
    const book = { collateralEth: 100, debtEth: 85 }; // LTV 0.85, equity 15
    const k = 1.0006; // LST bought below its oracle rate
    const f = loopIncreaseFlash(book, 0, k, 0.9, 0);
    expect((book.debtEth + f) / (book.collateralEth + k * f)).toBeCloseTo(0.9, 12);
  });

  test('unwind releases exactly X and leaves the loop at tAfter', () => {
    const book = { collateralEth: 110, debtEth: 100 };
    const q = 0.9985; // ETH per ETH of collateral sold (market discount and fee)
    const d = loopDecrease(book, 2, q, 0.9, 0.0005);
    expect(d.releasedEth).toBeCloseTo(2, 10);
    expect(d.debtEth / d.collateralEth).toBeCloseTo(0.9, 12);
    expect(d.sellEth).toBeCloseTo(110 - d.collateralEth, 12);
    expect(d.repayEth).toBeCloseTo(100 - d.debtEth, 12);
    expect(d.full).toBe(false);
  });

  test('deleverage at unchanged equity (X = 0) and a full unwind', () => {
    const book = { collateralEth: 110, debtEth: 100 }; // LTV 0.909
    const d = loopDecrease(book, 0, 1, 0.8, 0);
    expect(d.debtEth / d.collateralEth).toBeCloseTo(0.8, 12);
    expect(d.collateralEth - d.debtEth).toBeCloseTo(10, 10); // equity kept at q = 1, no fee
    const all = loopDecrease(book, Infinity, 0.999, 0.9, 0);
    expect(all).toMatchObject({ full: true, collateralEth: 0, debtEth: 0, repayEth: 100, sellEth: 110 });
    expect(all.releasedEth).toBeCloseTo(110 * 0.999 - 100, 12);
  });
});

describe('hedged long size', () => {
  test('s = L / (1 + L): the basis sizing, long share s of the spend', () => {
    const legs = [
      { weight: 0.6, mark: 2000, perpFee: 0 },
      { weight: 0.4, mark: 2000, perpFee: 0 },
    ];
    const q = hedgedLongSize(1_000_000, 2000, 0, legs, 0.75);
    expect(q * 2000).toBeCloseTo(750_000, 6);
    // with fees the spend (long + fee + margin + perp fee) is the investable equity
    const legsFee = legs.map((l) => ({ ...l, perpFee: 0.0005 }));
    const qf = hedgedLongSize(1_000_000, 2000, 0.001, legsFee, 0.75);
    const spend = qf * 2000 * 1.001 + qf * 2000 * (1 / 3 + 0.0005);
    expect(spend).toBeCloseTo(1_000_000, 6);
  });
});
