/** Float ↔ base units at the chain boundary: shortest decimal string through parseUnits, truncated. */
import { describe, expect, test } from 'vitest';
import { decimalString, fromBaseUnits, toBaseUnits } from '../../src/venues/onchain/chain/units.js';

describe('base units', () => {
  test('decimal strings without exponents', () => {
    expect(decimalString(1e-7)).toBe('0.0000001');
    expect(decimalString(1.5e-12)).toBe('0.0000000000015');
    expect(decimalString(1.5e21)).toBe('1500000000000000000000');
    expect(decimalString(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(() => decimalString(NaN)).toThrow('not a finite amount: NaN');
  });

  test('token units to base units, truncated at the decimals', () => {
    expect(toBaseUnits(1.5, 6)).toBe(1_500_000n);
    expect(toBaseUnits(1.1, 18)).toBe(1_100_000_000_000_000_000n);
    expect(BigInt(Math.floor(1.1 * 10 ** 18))).toBe(1_100_000_000_000_000_128n); // what not to do
    expect(toBaseUnits(0.1 + 0.2, 6)).toBe(300_000n); // truncated, never rounded up past the amount
    expect(toBaseUnits(1e-7, 6)).toBe(0n);
    expect(toBaseUnits(1e-7, 18)).toBe(100_000_000_000n);
    expect(toBaseUnits(123456789.12345679, 18)).toBe(123456789123456790000000000n);
    expect(() => toBaseUnits(-1, 18)).toThrow('amount must be a non-negative number, received -1');
  });

  test('base units to token units', () => {
    expect(fromBaseUnits(1_500_000n, 6)).toBe(1.5);
    expect(fromBaseUnits(10n ** 18n + 10n ** 6n, 18)).toBe(1.000000000001);
    expect(fromBaseUnits(toBaseUnits(2.718281828459045, 18), 18)).toBe(2.718281828459045);
  });
});
