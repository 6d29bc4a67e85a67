/**
 * A strategy family written the registry's way from a test fixture (test/fixtures/families/hold): once
 * registered, its modes validate with its own parameter schema, API callers may set its parameters, and
 * runs plan, build and trade through it — nothing in src/ names it.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerOverrideKeys } from '../../src/config/caller.js';
import { loadMode } from '../../src/config/index.js';
import { runBacktest } from '../../src/results/run.js';
import { listFamilies, registerFamily } from '../../src/strategies/index.js';
import { holdFamily } from '../fixtures/families/hold/index.js';
import { DATA_DIR, priceAt, utc } from '../helpers/raw.js';

const ROOT = join(import.meta.dirname, '..', '..');
let cfg = '';

function holdMode(strategy: string): string {
  // btc_basis's file with its family, strategy block and hedges replaced
  const basis = readFileSync(join(ROOT, 'config/modes/btc_basis.yaml'), 'utf8');
  const head = basis.slice(0, basis.indexOf('hedge_allocation:'));
  return (
    head
      .replace(/^mode: btc_basis\b.*$/m, 'mode: btc_hold')
      .replace(/^family: basis\b.*$/m, 'family: hold')
      .replace(/^market_neutral: true\b.*$/m, 'market_neutral: false') + `strategy:\n${strategy}`
  );
}

beforeAll(() => {
  registerFamily(holdFamily);
  cfg = mkdtempSync(join(tmpdir(), 'basis-family-'));
  cpSync(join(ROOT, 'config'), cfg, { recursive: true });
  writeFileSync(join(cfg, 'modes/btc_hold.yaml'), holdMode('  hold_fraction: 0.4\n'));
});
afterAll(() => rmSync(cfg, { recursive: true, force: true }));

describe('a family registered from outside src/', () => {
  it('is listed after the built-in ones and its modes validate with its own schema', () => {
    expect(listFamilies().map((f) => f.name)).toEqual([
      'lending',
      'basis',
      'staking',
      'ml_directional',
      'cex_dex_arb',
      'hold',
    ]);
    expect(loadMode('btc_hold', { configDir: cfg }).strategy).toEqual({ hold_fraction: 0.4 });
    writeFileSync(join(cfg, 'modes/btc_hold.yaml'), holdMode('  hold_fraction: 2\n'));
    expect(() => loadMode('btc_hold', { configDir: cfg })).toThrow(/strategy\.hold_fraction/);
    // another family's parameter is not one of its keys
    writeFileSync(join(cfg, 'modes/btc_hold.yaml'), holdMode('  perp_leverage: 2\n'));
    expect(() => loadMode('btc_hold', { configDir: cfg })).toThrow(/strategy\.perp_leverage: unknown key/);
    writeFileSync(join(cfg, 'modes/btc_hold.yaml'), holdMode('  hold_fraction: 0.4\n'));
    expect(callerOverrideKeys()).toContain('strategy.hold_fraction');
  });

  it.skipIf(!DATA_DIR)(
    'runs: after the buy, equity moves by the quantity held times the raw price change',
    async () => {
      const run = await runBacktest({
        mode: 'btc_hold',
        configDir: cfg,
        dataDir: DATA_DIR,
        startMs: utc('2024-03-01'),
        endMs: utc('2024-03-08'),
        capital: 100_000,
      });
      const r = run.recorder;
      const slot = run.parts.positions.slots.findIndex((s) => s.key === 'binance:BaseToken:BTC');
      expect(slot).toBeGreaterThanOrEqual(0);
      const qty = r.positions[slot];
      const first = qty.findIndex((q) => q > 0);
      expect(first).toBeGreaterThanOrEqual(0);
      const price = priceAt('cex/binance/BTCUSDT_spot_5m.csv');
      const t = run.data.timestampsMs;
      // bought 0.4 of the cash moved (100,000 less the transfer gas) at the step's price plus the taker fee
      expect(qty[first] * price(t[first])).toBeGreaterThan(0.39 * 100_000);
      expect(qty[first] * price(t[first])).toBeLessThan(0.4 * 100_000);
      for (let i = first + 1; i < r.length; i++) {
        expect(qty[i]).toBe(qty[first]);
        const expected = qty[first] * (price(t[i]) - price(t[i - 1]));
        expect(r.equity[i] - r.equity[i - 1]).toBeCloseTo(expected, 6);
      }
    },
  );
});
