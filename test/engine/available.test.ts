import { describe, expect, test } from 'vitest';
import { loadMode } from '../../src/config/index.js';
import { InputError } from '../../src/domain/errors.js';
import { checkAvailable, IMPLEMENTED_FAMILIES } from '../../src/engine/backtest.js';

describe('mode availability', () => {
  test('every shipped family is implemented', () => {
    for (const f of ['lending', 'basis', 'staking', 'ml_directional'])
      expect(IMPLEMENTED_FAMILIES.has(f)).toBe(true);
  });

  test('a mode whose family is not implemented fails with "not available yet" instead of running something else', () => {
    const mode = { ...loadMode('btc_basis'), mode: 'btc_options', family: 'options' as never };
    expect(() => checkAvailable(mode)).toThrow(InputError);
    expect(() => checkAvailable(mode)).toThrow(
      /mode btc_options is not available yet: the options strategy family/,
    );
  });
});
