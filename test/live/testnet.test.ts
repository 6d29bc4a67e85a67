/**
 * Testnet: the CEX venues trade on the local exchanges through the ccxt clients (signed requests, our
 * client order ids, one-way mode, cross margin and leverage set first), the wallet is simulated (preset
 * cex_testnet_onchain_simulated) and moves allocation by book transfers. The servers' books hold the
 * book the basis sizing formula gives, rounded to each exchange's lot, and the run's view equals them.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runPaths } from '../../src/engine/live/control.js';
import { LiveRunner } from '../../src/engine/live/runner.js';
import { FAST_EXECUTION, fundAccounts, liveFixture, type LiveFixture } from './setup.js';

let f: LiveFixture;
beforeAll(async () => {
  f = await liveFixture();
  fundAccounts(f.h, 1_000_000);
});
afterAll(async () => f.cleanup());

describe('testnet (local exchanges)', () => {
  test('btc_basis opens the book on the exchanges, one order per intent, and the run sees what they hold', async () => {
    const runner = await LiveRunner.open({
      mode: 'btc_basis',
      preset: 'cex_testnet_onchain_simulated',
      confirmLive: false,
      capital: 100_000,
      tickMs: 150,
      runsDir: f.runsDir,
      runId: 'testnet',
      maxTicks: 4,
      configDir: f.cfg.dir,
      overrides: FAST_EXECUTION,
      processEnv: f.env,
    });
    const summary = await runner.run();
    expect(summary.state).toBe('stopped');
    const x = f.h.exchanges;
    // Same sizing as paper (see paper.test.ts): q = (E − 3 transfers × 3.6 USDT gas) / Σ unit costs.
    const perp = 60_048;
    const denom =
      60_000 * 1.001 + perp * (0.4 * (1 / 3 + 0.0005) + 0.3 * (1 / 3 + 0.00055) + 0.3 * (1 / 3 + 0.0005));
    const q = (100_000 - 3 * 3.6) / denom;
    // Binance charges the spot purchase's fee in BTC: the account holds q(1 − 0.1 %), at its 1e-5 lot.
    const spot = x.binance.book.balance('spot', 'BTC');
    expect(spot).toBeCloseTo(Math.floor(q / 1e-5) * 1e-5 * 0.999, 9);
    const short = (v: 'binance' | 'bybit' | 'okx') =>
      -x[v].book.position('BTCUSDT').size * x[v].book.market('BTCUSDT').contractSize;
    expect(short('binance')).toBeCloseTo(Math.floor((0.4 * q) / 0.001) * 0.001, 9);
    expect(short('bybit')).toBeCloseTo(Math.floor((0.3 * q) / 0.001) * 0.001, 9);
    expect(short('okx')).toBeCloseTo(Math.floor((0.3 * q) / 0.0001) * 0.0001, 9);
    const status = summary.status as { positions: Record<string, number> };
    expect(status.positions['binance:BaseToken:BTC']).toBeCloseTo(spot, 12);
    for (const v of ['binance', 'bybit', 'okx'] as const) {
      expect(status.positions[`${v}:Perp:BTCUSDT`]).toBeCloseTo(-short(v), 12);
      expect(x[v].book.duplicateOrders()).toEqual([]);
      expect(x[v].book.resubmitted()).toEqual([]);
      expect(x[v].book.positionMode).toBe('oneway');
      expect(x[v].book.leverage.get('BTCUSDT')).toBe(3);
      expect(x[v].book.marginMode.get('BTCUSDT')).toBe('cross');
    }
    const events = readFileSync(runPaths(f.runsDir, 'testnet').events, 'utf8');
    expect(events).not.toContain('execution_failed');
    expect(events.match(/"type":"fill"/g)?.length).toBe(3 + 4); // three book transfers, four orders
  });
});
