import { describe, expect, test } from 'vitest';
import { loadMode } from '../../src/config/index.js';
import { InputError } from '../../src/domain/errors.js';
import { checkAvailable } from '../../src/engine/backtest.js';
import { listFamilies } from '../../src/strategies/index.js';

describe('mode availability', () => {
  test('every shipped family is registered', () => {
    expect(listFamilies().map((f) => f.name)).toEqual([
      'lending',
      'basis',
      'staking',
      'ml_directional',
      'cex_dex_arb',
    ]);
  });

  test('a mode whose family is not registered fails naming the registered ones instead of running something else', () => {
    const mode = { ...loadMode('btc_basis'), mode: 'btc_options', family: 'options' };
    expect(() => checkAvailable(mode)).toThrow(InputError);
    expect(() => checkAvailable(mode)).toThrow(
      /unknown strategy family "options"; registered: lending, basis, staking, ml_directional/,
    );
  });
});
