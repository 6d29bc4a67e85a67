/**
 * Acceptance: the same mode file runs in a backtest and in simulation (paper trading: simulated venues
 * fed by live market data from the local exchanges' public endpoints, no keys), through the same
 * strategy class, whose code has no branch on the environment. In both, the book opened at the first
 * step is the one the basis sizing formula gives for the prices that run saw.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadVenue, resolveMode } from '../../src/config/index.js';
import type { CexVenueConfig } from '../../src/config/index.js';
import { runBacktest } from '../../src/results/run.js';
import { runPaths } from '../../src/engine/live/control.js';
import { FileJournal } from '../../src/engine/live/journal.js';
import { LiveRunner } from '../../src/engine/live/runner.js';
import { ROOT } from './bundle.js';
import { FAST_EXECUTION, liveFixture, type LiveFixture } from './setup.js';
import type { BasisMode } from '../../src/strategies/basis/params.js';

let f: LiveFixture;
beforeAll(async () => {
  f = await liveFixture();
});
afterAll(async () => f.cleanup());

/** Spot quantity the basis strategy opens with: (E − transfer gas × hedge venues) / Σ costs per unit. */
function basisQuantity(
  E: number,
  gasUsdt: number,
  spot: number,
  perp: Record<string, number>,
  configDir?: string,
): number {
  const mode = resolveMode('btc_basis', { configDir }).mode as BasisMode;
  const L = mode.strategy.perp_leverage;
  const fee = (v: string, m: 'spot' | 'perp') => (loadVenue(v, configDir) as CexVenueConfig).fees[m].taker;
  let denom = spot * (1 + fee('binance', 'spot'));
  for (const [v, w] of Object.entries(mode.hedge_allocation ?? {}))
    denom += w * perp[v] * (1 / L + fee(v, 'perp'));
  return (E - gasUsdt * Object.keys(perp).length) / denom;
}

describe('one mode file, backtest and paper', () => {
  test('btc_basis in a backtest (synthetic sample) opens the book the formula gives', async () => {
    const run = await runBacktest({
      mode: 'btc_basis',
      capital: 100_000,
      startMs: Date.UTC(2024, 5, 1),
      endMs: Date.UTC(2024, 5, 3),
      dataDir: undefined,
    });
    const d = run.data;
    const at = (id: string) => d.series.get(id)![0];
    const gas = 100_000 * at('gas.price_gwei') * 1e-9 * at('cex.binance.ETHUSDT.spot.price');
    const perp = Object.fromEntries(
      Object.keys(run.summary.hedge_weights ?? { binance: 0, bybit: 0, okx: 0 }).map((v) => [
        v,
        at(`cex.${v}.BTCUSDT.perp.price`),
      ]),
    );
    const q = basisQuantity(100_000, gas, at('cex.binance.BTCUSDT.spot.price'), perp);
    const spot = run.recorder.positions[run.recorder.positionKeys.indexOf('binance:BaseToken:BTC')][0];
    expect(spot / q - 1).toBeCloseTo(0, 9);
    expect(run.parts.strategy.constructor.name).toBe('BasisStrategy');
  });

  test('btc_basis paper trading opens the book the formula gives for the live prices, and holds it', async () => {
    const runner = await LiveRunner.open({
      mode: 'btc_basis',
      environment: 'simulation',
      confirmLive: false,
      capital: 100_000,
      tickMs: 100,
      runsDir: f.runsDir,
      runId: 'paper',
      maxTicks: 4,
      configDir: f.cfg.dir,
      overrides: FAST_EXECUTION,
      processEnv: {},
    });
    expect(runner.s.parts!.strategy.constructor.name).toBe('BasisStrategy');
    const summary = await runner.run();
    expect(summary.state).toBe('stopped');
    const status = summary.status as { positions: Record<string, number>; equity: number };
    const gas = 100_000 * 12 * 1e-9 * 3_000; // local RPC 12 gwei, ETH 3000 on the local exchanges
    const perp = { binance: 60_048, bybit: 60_048, okx: 60_048 };
    const q = basisQuantity(100_000, gas, 60_000, perp, f.cfg.dir);
    const spot = status.positions['binance:BaseToken:BTC'];
    expect(spot / q - 1).toBeCloseTo(0, 9);
    const mode = resolveMode('btc_basis', { configDir: f.cfg.dir }).mode;
    for (const [v, w] of Object.entries(mode.hedge_allocation ?? {}))
      expect(status.positions[`${v}:Perp:BTCUSDT`]).toBeCloseTo(-w * q, 9);
    const j = FileJournal.open(runPaths(f.runsDir, 'paper').journal);
    const ticks = j.records().filter((r) => r.type === 'tick_end');
    j.close();
    expect(ticks.map((t) => t.decisions)).toEqual([2, 0, 0, 0]);
    expect(readFileSync(runPaths(f.runsDir, 'paper').events, 'utf8')).toContain('"type":"fill"');
    // Market data came from the exchanges' public endpoints only: no private endpoint was called.
    for (const e of Object.values(f.h.exchanges))
      expect(
        e.server.log.filter((l) => /account|position|order|wallet-balance|balance/.test(l.path)),
      ).toEqual([]);
  });

  test('a run cannot resume in another environment', async () => {
    await expect(
      LiveRunner.open({
        mode: 'btc_basis',
        preset: 'cex_testnet_onchain_simulated',
        confirmLive: false,
        tickMs: 100,
        runsDir: f.runsDir,
        runId: 'paper',
        configDir: f.cfg.dir,
        processEnv: f.env,
      }),
    ).rejects.toThrow(
      'run paper runs binance in simulation, bybit in simulation, okx in simulation; it cannot resume in another environment (use another --run-id)',
    );
  });

  test('strategy code has no branch on the environment', () => {
    const dir = join(ROOT, 'src/strategies');
    for (const file of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const code = readFileSync(join(dir, file), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/[^\n]*/g, '');
      expect(code, file).not.toMatch(
        /\b(testnet|simulation|paper|isLive|EnvironmentName|ENVIRONMENT|planEnvironments)\b|['"](live|testnet|simulation)['"]|process\.env|ccxt/,
      );
    }
  });
});
