import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/domain/errors.js';
import { applyOverrides, loadMode, parseOverride, resolveMode } from '../../src/config/index.js';
import { thrown } from './tempConfig.js';

describe('parseOverride', () => {
  it.each([
    ['strategy.perp_leverage=2', ['strategy', 'perp_leverage'], 2],
    ['hedge_allocation.okx=0', ['hedge_allocation', 'okx'], 0],
    ['strategy.min_funding_rate_8h=0.0001', ['strategy', 'min_funding_rate_8h'], 0.0001],
    ['market_neutral=false', ['market_neutral'], false],
    ['strategy.target_ltv=null', ['strategy', 'target_ltv'], null],
    ['execution.order_type=maker', ['execution', 'order_type'], 'maker'],
    ["strategy.bar_interval='15m'", ['strategy', 'bar_interval'], '15m'],
    ['description=a=b', ['description'], 'a=b'],
    ["strategy.lending_asset='2'", ['strategy', 'lending_asset'], '2'],
  ])('%s', (text, path, value) => {
    expect(parseOverride(text)).toEqual({ text, path, value });
  });

  it.each([
    ['strategy.perp_leverage', /expected key\.path=value \(no "=" found\)/],
    ['=3', /empty key path/],
    ['strategy..perp_leverage=3', /empty key in path/],
    ['strategy.perp_leverage=', /empty value/],
    ['hedge_allocation={binance: 1}', /value must be a scalar/],
    ['strategy.__proto__.x=1', /not allowed/],
  ])('malformed %s', (text, problem) => {
    const err = thrown(() => parseOverride(text));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.file).toBe('--set');
    expect(err.path).toBe(text);
    expect(err.message.startsWith(`--set: ${text}: `)).toBe(true);
    expect(err.message).toMatch(problem);
  });
});

describe('applyOverrides', () => {
  it('returns a copy with values set and missing mappings created', () => {
    const raw = { strategy: { perp_leverage: 3 }, hedge_allocation: { binance: 0.4, okx: 0.3 } };
    const out = applyOverrides(raw, [
      'strategy.perp_leverage=2',
      'hedge_allocation.okx=0',
      'risk.reduce_fraction=0.5',
    ]);
    expect(out).toEqual({
      strategy: { perp_leverage: 2 },
      hedge_allocation: { binance: 0.4, okx: 0 },
      risk: { reduce_fraction: 0.5 },
    });
    expect(raw.strategy.perp_leverage).toBe(3);
  });

  it('later overrides win; setting below a scalar fails', () => {
    expect(applyOverrides({ a: 1 }, ['a=2', 'a=3'])).toEqual({ a: 3 });
    expect(() => applyOverrides({ a: 1 }, ['a.b=2'])).toThrow('--set: a.b=2: a is not a mapping');
  });
});

describe('overrides through loadMode / resolveMode', () => {
  it('change values before validation', () => {
    const mode = loadMode('btc_basis', {
      overrides: ['strategy.perp_leverage=2', 'hedge_allocation.okx=0', 'hedge_allocation.binance=0.7'],
    });
    expect(mode.strategy.perp_leverage).toBe(2);
    expect(mode.hedge_allocation).toEqual({ binance: 0.7, bybit: 0.3, okx: 0 });
    const resolved = resolveMode('btc_basis', {
      overrides: ['hedge_allocation.okx=0', 'hedge_allocation.binance=0.7'],
    });
    expect(resolved.requiredVenues).toEqual(['binance', 'bybit', 'wallet']);
  });

  it('a wrong type fails naming the key and the override', () => {
    const err = thrown(() => loadMode('btc_basis', { overrides: ['strategy.perp_leverage=three'] }));
    expect(err.path).toBe('strategy.perp_leverage');
    expect(err.message).toBe(
      'config/modes/btc_basis.yaml: strategy.perp_leverage: expected number, received string "three" (from --set strategy.perp_leverage=three)',
    );
  });

  it('an unknown key fails', () => {
    expect(() => loadMode('btc_basis', { overrides: ['strategy.perp_levrage=2'] })).toThrow(
      /strategy\.perp_levrage: unknown key \(did you mean perp_leverage\?\)/,
    );
  });

  it('an override can break a cross-file rule', () => {
    expect(() => resolveMode('btc_basis', { overrides: ['hedge_allocation.okx=0'] })).toThrow(
      /weights sum to 0\.7/,
    );
  });
});
