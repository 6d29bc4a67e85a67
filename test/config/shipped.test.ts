import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ENVIRONMENTS,
  listEnvironmentPresets,
  listModes,
  listVenues,
  loadEnvironmentPreset,
  loadMode,
  loadVenue,
  requiredVenues,
  resolveConfigDir,
  resolveMode,
  resolveVenueEnvironment,
  validateConfigDir,
  environmentForVenue,
} from '../../src/config/index.js';
import type { CexVenueConfig, LendingVenueConfig } from '../../src/config/index.js';
import type { StakingMode } from '../../src/strategies/staking/params.js';

const MODES = [
  'btc_basis',
  'eth_basis',
  'eth_cex_dex_arb',
  'eth_leveraged',
  'eth_staking_only',
  'ml_btc_directional_usdt_margin',
  'ml_usdt_directional_usdt_margin',
  'pure_lending_eth',
  'pure_lending_usdt',
  'usdt_eth_staking_hedged_leveraged',
  'usdt_eth_staking_hedged_simple',
];

describe('shipped config', () => {
  it('lists exactly the eleven modes, sorted', () => {
    expect(listModes()).toEqual(MODES);
  });

  it.each(MODES)('%s resolves with every required venue loaded', (name) => {
    const resolved = resolveMode(name);
    expect(resolved.mode.mode).toBe(name);
    expect(resolved.modeFile).toBe(`config/modes/${name}.yaml`);
    expect(Object.keys(resolved.venues).sort()).toEqual(resolved.requiredVenues);
    expect(resolved.shareClass.share_class).toBe(resolved.mode.share_class);
    expect(resolved.mode.description.length).toBeGreaterThan(40);
  });

  it('validateConfigDir reports no problems and checks every file', () => {
    const report = validateConfigDir();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checked).toContain('config/modes/btc_basis.yaml');
    expect(report.checked).toContain('config/venues/aave_v3.yaml');
    expect(report.checked).toContain('config/share_classes/btc.yaml');
    expect(report.checked).toContain('config/environments/cex_testnet_onchain_simulated.yaml');
    expect(report.checked).toHaveLength(MODES.length + listVenues().length + 3 + 4);
  });

  it('derives required venues', () => {
    expect(requiredVenues(loadMode('btc_basis'))).toEqual(['binance', 'bybit', 'okx', 'wallet']);
    const leveraged = requiredVenues(loadMode('eth_leveraged'));
    expect(leveraged).toEqual(expect.arrayContaining(['aave_v3', 'etherfi', 'morpho', 'wallet']));
    expect(requiredVenues(loadMode('pure_lending_usdt'))).toEqual(['aave_v3', 'wallet']);
    expect(requiredVenues(loadMode('ml_usdt_directional_usdt_margin'))).toEqual(['binance', 'wallet']);
  });

  it('hedged staking sizes the stake so the margin backs the hedge: s = L / (1 + L)', () => {
    for (const name of ['usdt_eth_staking_hedged_simple', 'usdt_eth_staking_hedged_leveraged']) {
      const { strategy } = loadMode(name) as StakingMode;
      const s = strategy.stake_allocation_percentage ?? NaN;
      expect((1 - s) * strategy.perp_leverage).toBeCloseTo(s, 12);
    }
  });

  it('CEX fees and tier-1 maintenance margin match mechanics.md §4.2 / §4.4', () => {
    const fees = Object.fromEntries(
      ['binance', 'bybit', 'okx'].map((v) => [v, (loadVenue(v) as CexVenueConfig).fees]),
    );
    expect(fees.binance).toEqual({
      spot: { maker: 0.001, taker: 0.001 },
      perp: { maker: 0.0002, taker: 0.0005 },
    });
    expect(fees.bybit).toEqual({
      spot: { maker: 0.001, taker: 0.001 },
      perp: { maker: 0.0002, taker: 0.00055 },
    });
    expect(fees.okx).toEqual({
      spot: { maker: 0.0008, taker: 0.001 },
      perp: { maker: 0.0002, taker: 0.0005 },
    });
    expect((loadVenue('binance') as CexVenueConfig).perp.maintenance_margin_rate).toEqual({
      BTCUSDT: 0.004,
      ETHUSDT: 0.005,
    });
  });

  it('Aave e-mode is the ETH-correlated category 1 (93 % / 95 % / 1 %)', () => {
    const aave = loadVenue('aave_v3') as LendingVenueConfig;
    expect(aave.emode).toMatchObject({
      category_id: 1,
      ltv: 0.93,
      liquidation_threshold: 0.95,
      liquidation_bonus: 0.01,
    });
    expect(aave.emode?.assets).toEqual(expect.arrayContaining(['WETH', 'weETH', 'wstETH']));
    expect(aave.environments.live.pool_address).toBe('0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2');
  });

  const snapshot = join(
    process.env.BASIS_DATA_DIR ?? '/work/shared/data',
    'aave_v3/params_mainnet_snapshot.csv',
  );
  it.skipIf(!existsSync(snapshot))('Aave reserves match the parameter snapshot CSV', () => {
    const rows = readFileSync(snapshot, 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    const header = rows[0];
    const row = (label: string): string[] => rows.find((r) => r[0] === label) ?? [];
    const pct = (label: string, asset: string): number => {
      const cell = row(label)[header.indexOf(asset)];
      return Number((Number.parseFloat(cell) / 100).toFixed(6));
    };
    const aave = loadVenue('aave_v3') as LendingVenueConfig;
    for (const [asset, r] of Object.entries(aave.reserves)) {
      expect(r.ltv, `${asset} ltv`).toBe(pct('LTV', asset));
      expect(r.liquidation_threshold, `${asset} LT`).toBe(pct('Liquidation Threshold', asset));
      expect(r.liquidation_bonus, `${asset} bonus`).toBe(pct('Liquidation Bonus', asset));
    }
  });

  it('simulation environments resolve with an empty process environment; live needs the keys', () => {
    for (const name of listVenues()) {
      const venue = loadVenue(name);
      expect(resolveVenueEnvironment(venue, 'simulation', {})).toMatchObject({ market_data: 'historical' });
    }
    expect(() => resolveVenueEnvironment(loadVenue('binance'), 'live', {})).toThrow(/BINANCE_LIVE_API_KEY/);
  });

  it('environment presets choose an environment per venue', () => {
    expect(listEnvironmentPresets()).toEqual([
      'all_live',
      'all_simulation',
      'all_testnet',
      'cex_testnet_onchain_simulated',
    ]);
    const mixed = loadEnvironmentPreset('cex_testnet_onchain_simulated');
    expect(environmentForVenue(mixed, 'binance')).toBe('testnet');
    expect(environmentForVenue(mixed, 'aave_v3')).toBe('simulation');
    for (const preset of listEnvironmentPresets()) {
      expect(ENVIRONMENTS).toContain(loadEnvironmentPreset(preset).default);
    }
  });

  it('resolveConfigDir: explicit dir, then BASIS_CONFIG_DIR, then <package root>/config', () => {
    const saved = process.env.BASIS_CONFIG_DIR;
    try {
      delete process.env.BASIS_CONFIG_DIR;
      const dir = resolveConfigDir();
      expect(dir.endsWith('/config')).toBe(true);
      expect(existsSync(join(dir, 'modes', 'btc_basis.yaml'))).toBe(true);
      process.env.BASIS_CONFIG_DIR = '/tmp/elsewhere';
      expect(resolveConfigDir()).toBe('/tmp/elsewhere');
      expect(resolveConfigDir('/tmp/given')).toBe('/tmp/given');
    } finally {
      if (saved === undefined) delete process.env.BASIS_CONFIG_DIR;
      else process.env.BASIS_CONFIG_DIR = saved;
    }
  });
});
