import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/domain/errors.js';
import {
  ConfigValidationError,
  loadEnvironmentPreset,
  loadMode,
  loadShareClass,
  loadVenue,
  resolveMode,
  validateConfigDir,
} from '../../src/config/index.js';
import { lineOf, tempConfig, thrown } from './tempConfig.js';
import type { TempConfig } from './tempConfig.js';

let cfg: TempConfig;
beforeEach(() => {
  cfg = tempConfig();
});
afterEach(() => cfg.cleanup());

const BASIS = 'modes/btc_basis.yaml';

describe('mode file errors', () => {
  it('malformed YAML names the file and the line', () => {
    cfg.write(BASIS, 'mode: btc_basis\ndescription: x\nfamily: basis\nvenues: [binance\nasset: BTC\n');
    const err = thrown(() => loadMode('btc_basis', { configDir: cfg.dir }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/^config\/modes\/btc_basis\.yaml: line 5: \S/);
    expect(err.message).not.toContain('\n');
    expect(err.line).toBe(5);
  });

  it('duplicate keys are a YAML error with their line', () => {
    cfg.write(BASIS, `${cfg.read(BASIS)}\nasset: ETH\n`);
    const err = thrown(() => loadMode('btc_basis', { configDir: cfg.dir }));
    expect(err.message).toMatch(/^config\/modes\/btc_basis\.yaml: line \d+: Map keys must be unique/);
  });

  it('a wrong type names file, key path, expected and received, and the line', () => {
    cfg.replace(BASIS, 'perp_leverage: 3', 'perp_leverage: three');
    const err = thrown(() => loadMode('btc_basis', { configDir: cfg.dir }));
    expect(err).toBeInstanceOf(ConfigValidationError);
    expect(err.message).toBe(
      'config/modes/btc_basis.yaml: strategy.perp_leverage: expected number, received string "three"',
    );
    expect(err.file).toBe('config/modes/btc_basis.yaml');
    expect(err.path).toBe('strategy.perp_leverage');
    expect(err.line).toBe(lineOf(cfg.read(BASIS), 'perp_leverage:'));
  });

  it('an out-of-range value says the bound', () => {
    cfg.replace(BASIS, 'perp_leverage: 3', 'perp_leverage: 50');
    expect(() => loadMode('btc_basis', { configDir: cfg.dir })).toThrow(
      'config/modes/btc_basis.yaml: strategy.perp_leverage: expected a number <= 20, received number 50',
    );
  });

  it('an unknown key is rejected with a suggestion', () => {
    cfg.replace(BASIS, 'perp_leverage: 3', 'perp_levrage: 3');
    const err = thrown(() => loadMode('btc_basis', { configDir: cfg.dir }));
    expect(err.message).toBe(
      'config/modes/btc_basis.yaml: strategy.perp_levrage: unknown key (did you mean perp_leverage?)',
    );
  });

  it('only the first problem is in the message; all are attached', () => {
    cfg.replace(BASIS, 'family: basis', 'family: basiss');
    cfg.replace(BASIS, 'market_neutral: true', 'market_neutral: "yes"');
    const err = thrown(() =>
      loadMode('btc_basis', { configDir: cfg.dir }),
    ) as unknown as ConfigValidationError;
    expect(err.message).toBe(
      'config/modes/btc_basis.yaml: family: unknown strategy family "basiss"; registered: lending, basis, staking, ml_directional, cex_dex_arb',
    );
    expect(err.issues.map((i) => i.path)).toEqual(['family', 'market_neutral']);
  });

  it('an unknown mode lists the available ones', () => {
    const err = thrown(() => loadMode('foo', { configDir: cfg.dir }));
    expect(err.message).toMatch(
      /unknown mode "foo"; available: btc_basis, eth_basis, eth_cex_dex_arb, eth_leveraged, /,
    );
    expect(() => loadMode('../venues/binance', { configDir: cfg.dir })).toThrow(/unknown mode/);
  });

  it('the mode key must equal the file name', () => {
    cfg.replace(BASIS, 'mode: btc_basis', 'mode: eth_basis');
    expect(() => loadMode('btc_basis', { configDir: cfg.dir })).toThrow(
      'config/modes/btc_basis.yaml: mode: expected "btc_basis" (the file name), received string "eth_basis"',
    );
  });

  it("the mode's share class file must exist", () => {
    cfg.remove('share_classes/usdt.yaml');
    expect(() => loadMode('btc_basis', { configDir: cfg.dir })).toThrow(
      'config/modes/btc_basis.yaml: share_class: share class USDT has no file config/share_classes/usdt.yaml',
    );
  });
});

describe('resolveMode cross-file checks', () => {
  it('hedge_allocation must sum to 1 (with the line of the key)', () => {
    cfg.replace(BASIS, 'okx: 0.3', 'okx: 0.2');
    const err = thrown(() => resolveMode('btc_basis', { configDir: cfg.dir }));
    expect(err.message).toBe(
      'config/modes/btc_basis.yaml: hedge_allocation: weights sum to 0.9; expected 1 (±1e-9)',
    );
    expect(err.line).toBe(lineOf(cfg.read(BASIS), 'hedge_allocation:'));
  });

  it('a missing venue file names the venue, the key and the file', () => {
    cfg.replace(BASIS, 'okx: 0.3', 'kraken: 0.3');
    const err = thrown(() => resolveMode('btc_basis', { configDir: cfg.dir }));
    expect(err.path).toBe('hedge_allocation.kraken');
    expect(err.message).toBe(
      'config/modes/btc_basis.yaml: hedge_allocation.kraken: mode btc_basis needs venue "kraken" but config/venues/kraken.yaml does not exist',
    );
  });

  it('a venue of the wrong kind for its action type', () => {
    cfg.replace(BASIS, 'spot: binance', 'spot: aave_v3');
    expect(() => resolveMode('btc_basis', { configDir: cfg.dir })).toThrow(
      'config/modes/btc_basis.yaml: venues.spot: venue "aave_v3" is a lending venue, but venues.spot (action spot) needs a cex venue',
    );
    cfg.replace('modes/eth_leveraged.yaml', 'flash_loan: morpho', 'flash_loan: uniswap');
    expect(() => resolveMode('eth_leveraged', { configDir: cfg.dir })).toThrow(
      /venues\.flash_loan: venue "uniswap" is a dex venue/,
    );
  });

  it('a hedge venue must list the perp symbol, a spot venue the spot symbol', () => {
    cfg.replace('venues/okx.yaml', 'perp: [BTCUSDT, ETHUSDT]', 'perp: [ETHUSDT]');
    cfg.replace('venues/okx.yaml', /\n {4}BTCUSDT: 0\.004/, '');
    expect(() => resolveMode('btc_basis', { configDir: cfg.dir })).toThrow(
      'config/modes/btc_basis.yaml: hedge_allocation.okx: venue "okx" does not list perp BTCUSDT (symbols.perp: ETHUSDT)',
    );
    cfg.replace('venues/binance.yaml', 'spot: [BTCUSDT, ETHUSDT]', 'spot: [BTCUSDT]');
    expect(() => resolveMode('eth_basis', { configDir: cfg.dir })).toThrow(
      /venues\.spot: venue "binance" does not list spot ETHUSDT/,
    );
  });

  it('a broken venue file is reported against that file', () => {
    cfg.replace('venues/bybit.yaml', 'taker: 0.00055', 'taker: high');
    expect(() => resolveMode('btc_basis', { configDir: cfg.dir })).toThrow(
      'config/venues/bybit.yaml: fees.perp.taker: expected number, received string "high"',
    );
  });

  it('family requirements: lending asset must be a reserve', () => {
    cfg.replace('modes/pure_lending_usdt.yaml', 'lending_asset: USDT', 'lending_asset: DAI');
    expect(() => resolveMode('pure_lending_usdt', { configDir: cfg.dir })).toThrow(
      'config/modes/pure_lending_usdt.yaml: strategy.lending_asset: "DAI" is not a reserve of aave_v3 (reserves: USDT, WETH, weETH, wstETH)',
    );
  });

  it('family requirements: leveraged staking needs an e-mode covering the LST and WETH', () => {
    cfg.replace('venues/aave_v3.yaml', 'assets: [WETH, weETH, wstETH]', 'assets: [WETH, wstETH]');
    expect(() => resolveMode('eth_leveraged', { configDir: cfg.dir })).toThrow(
      'config/modes/eth_leveraged.yaml: venues.lending: emode "ETH correlated" of venue "aave_v3" does not cover weETH',
    );
  });

  it('family requirements: the staking venue must issue the LST', () => {
    cfg.replace('modes/eth_staking_only.yaml', 'lst_type: weETH', 'lst_type: wstETH');
    expect(() => resolveMode('eth_staking_only', { configDir: cfg.dir })).toThrow(
      'config/modes/eth_staking_only.yaml: venues.staking: expected "lido", the issuer of wstETH, received "etherfi"',
    );
  });

  it('family requirements: the hedge margin must back the staked amount', () => {
    cfg.replace(
      'modes/usdt_eth_staking_hedged_simple.yaml',
      'stake_allocation_percentage: 0.75',
      'stake_allocation_percentage: 0.8',
    );
    expect(() => resolveMode('usdt_eth_staking_hedged_simple', { configDir: cfg.dir })).toThrow(
      /strategy\.stake_allocation_percentage: expected at most 0\.75: the remaining 0\.2 of equity at perp_leverage 3 backs a 0\.6 hedge/,
    );
  });

  it('family requirements: ML parameters are required', () => {
    cfg.replace('modes/ml_usdt_directional_usdt_margin.yaml', /\n {2}stop_loss_sd: 2[^\n]*/, '');
    expect(() => resolveMode('ml_usdt_directional_usdt_margin', { configDir: cfg.dir })).toThrow(
      'config/modes/ml_usdt_directional_usdt_margin.yaml: strategy.stop_loss_sd: required for family ml_directional',
    );
  });

  it('risk limits: critical must be below warning', () => {
    cfg.replace(BASIS, 'margin_ratio_critical: 0.1', 'margin_ratio_critical: 0.2');
    expect(() => resolveMode('btc_basis', { configDir: cfg.dir })).toThrow(
      'config/modes/btc_basis.yaml: risk.margin_ratio_critical: expected less than risk.margin_ratio_warning (0.15), received 0.2',
    );
  });
});

describe('venue, share class and preset files', () => {
  it('an unquoted 0x address (read by YAML as a number) is rejected', () => {
    cfg.replace(
      'venues/morpho.yaml',
      "morpho_address: '0xBBBBBbbBBb9cC5e90e3b3Af64bdAF62C37EEFFCb'",
      'morpho_address: 0xBBBBBbbBBb9cC5e90e3b3Af64bdAF62C37EEFFCb',
    );
    expect(() => loadVenue('morpho', cfg.dir)).toThrow(
      /environments\.live\.morpho_address: expected a quoted 0x-prefixed 20-byte address/,
    );
  });

  it('an unknown venue kind lists the kinds', () => {
    cfg.replace('venues/uniswap.yaml', 'kind: dex', 'kind: amm');
    expect(() => loadVenue('uniswap', cfg.dir)).toThrow(
      'config/venues/uniswap.yaml: kind: expected one of cex, lending, wallet, staking, flash_loan, dex, received string "amm"',
    );
  });

  it('credentials must follow {VENUE}_{ENVIRONMENT}_{FIELD}', () => {
    cfg.replace('venues/bybit.yaml', '${BYBIT_LIVE_API_KEY}', '${BYBIT_KEY}');
    expect(() => loadVenue('bybit', cfg.dir)).toThrow(
      'config/venues/bybit.yaml: environments.live.api_key: expected ${BYBIT_LIVE_API_KEY}, received ${BYBIT_KEY}',
    );
  });

  it('a simulation block must not reference environment variables', () => {
    cfg.replace(
      'venues/okx.yaml',
      /(\n {4}market_data: historical[^\n]*)/,
      '$1\n    extra_url: ${OKX_SIM_URL}',
    );
    expect(() => loadVenue('okx', cfg.dir)).toThrow(
      /environments\.simulation\.extra_url: simulation must not need environment variables/,
    );
  });

  it('${VAR} outside environments is an error', () => {
    cfg.replace('venues/uniswap.yaml', 'display_name: Uniswap V3', 'display_name: ${UNI_NAME}');
    expect(() => loadVenue('uniswap', cfg.dir)).toThrow(
      /display_name: \$\{UNI_NAME\} is only interpolated inside environments/,
    );
  });

  it('share class and preset names must match their files; presets name existing venues', () => {
    cfg.replace('share_classes/eth.yaml', 'share_class: ETH', 'share_class: BTC');
    expect(() => loadShareClass('ETH', cfg.dir)).toThrow(/share_class: expected "ETH" \(the file name\)/);
    cfg.replace('environments/cex_testnet_onchain_simulated.yaml', 'okx: testnet', 'kraken: testnet');
    expect(() => loadEnvironmentPreset('cex_testnet_onchain_simulated', cfg.dir)).toThrow(
      'config/environments/cex_testnet_onchain_simulated.yaml: venues.kraken: no venue file config/venues/kraken.yaml',
    );
  });

  it('validateConfigDir reports one line per problem and does not throw', () => {
    cfg.replace(BASIS, 'okx: 0.3', 'okx: 0.2');
    cfg.replace('venues/uniswap.yaml', 'kind: dex', 'kind: amm');
    const report = validateConfigDir(cfg.dir);
    expect(report.ok).toBe(false);
    expect(report.problems).toContain(
      'config/modes/btc_basis.yaml: hedge_allocation: weights sum to 0.9; expected 1 (±1e-9)',
    );
    expect(report.problems).toContain(
      'config/venues/uniswap.yaml: kind: expected one of cex, lending, wallet, staking, flash_loan, dex, received string "amm"',
    );
    expect(report.problems.every((p) => !p.includes('\n'))).toBe(true);
    expect(new Set(report.problems).size).toBe(report.problems.length);
  });
});
