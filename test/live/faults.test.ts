/**
 * Acceptance: with 20 % of all requests to the exchanges failing at random (seeded: 429s, 5xx, timeouts
 * after and before processing, unknown outcomes, order rejects, partial fills) and websockets dropped now
 * and then, a testnet run of several hundred decisions — prices moving, deposits and withdrawals arriving
 * — ends with the positions the strategy targets and not one order placed twice (checked on the
 * servers' books).
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RunControl, runPaths } from '../../src/engine/live/control.js';
import { FileJournal } from '../../src/engine/live/journal.js';
import { LiveRunner } from '../../src/engine/live/runner.js';
import { seededRandom } from '../../src/domain/retry.js';
import { basisBook, FAST_EXECUTION, fundAccounts, liveFixture, type LiveFixture } from './setup.js';

let f: LiveFixture;
const SEED = 20_240_601;
beforeAll(async () => {
  // recv_window_ms: an order of unknown outcome is given up only once the exchange can no longer process
  // it; a short window keeps that wait short on these 20 ms ticks.
  f = await liveFixture({ fundingIntervalMs: 3_000 }, { recv_window_ms: 1_000 });
  // hundreds of lost answers: each closes its connection, so the client learns at once that the outcome is
  // unknown (a never-answered request would cost the client its whole timeout; policy.test.ts has those)
  for (const e of Object.values(f.h.exchanges)) e.server.lostAnswer = 'reset';
  fundAccounts(f.h, 1_000_000);
});
afterAll(async () => f.cleanup());

describe('fault injection', () => {
  test('20 % failed requests: several hundred decisions, book at target, no order twice', async () => {
    const random = seededRandom(SEED);
    // every kind of fault; lost answers at half the weight of the others
    for (const [i, e] of Object.values(f.h.exchanges).entries())
      e.server.faults.randomly({
        rate: 0.2,
        seed: SEED + i,
        weights: { timeout: 0.5, timeout_unprocessed: 0.5 },
      });
    const runner = await LiveRunner.open({
      mode: 'btc_basis',
      preset: 'cex_testnet_onchain_simulated',
      confirmLive: false,
      capital: 100_000,
      tickMs: 20,
      runsDir: f.runsDir,
      runId: 'faults',
      configDir: f.cfg.dir,
      // 20 % random failures are noise, not an outage: a breaker threshold of 10 consecutive failures
      // keeps the breakers closed through it (the breaker itself is tested in policy.test.ts).
      overrides: [
        ...FAST_EXECUTION,
        'execution.max_retries=6',
        'execution.breaker_threshold=10',
        'strategy.position_deviation_threshold=0.005',
      ],
      processEnv: f.env,
      seed: SEED,
      log: () => {},
    });
    const ctl = new RunControl(runPaths(f.runsDir, 'faults'));
    let price = 60_000;
    const events = () =>
      (existsSync(runPaths(f.runsDir, 'faults').events)
        ? readFileSync(runPaths(f.runsDir, 'faults').events, 'utf8')
        : ''
      )
        .trim()
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as { type: string });
    for (let t = 0; t < 180; t++) {
      price *= 1 + (random() - 0.5) * 0.004;
      f.h.setPrice('BTCUSDT', price, 0.0008);
      f.h.setPrice('ETHUSDT', price / 20, 0.0008);
      if (t % 2 === 0) ctl.send({ command: 'deposit', amount: 2_000 + Math.floor(random() * 3_000) });
      else ctl.send({ command: 'withdraw', amount: 1_000 + Math.floor(random() * 2_500) });
      if (random() < 0.05) for (const e of Object.values(f.h.exchanges)) e.server.hub.dropAll();
      await runner.tick();
    }
    // Faults stay on: tick until the strategy has had nothing to do for three ticks in a row.
    let quiet = 0;
    for (let t = 0; t < 60 && quiet < 3; t++) {
      const r = await runner.tick();
      quiet = r.decisions === 0 && r.healthy && !r.skipped ? quiet + 1 : 0;
    }
    runner.requestStop('test done');
    const summary = await runner.run();
    expect(summary.state).toBe('stopped');

    const all = events();
    const decisions = all.filter((e) => e.type === 'decision').length;
    const injected = Object.values(f.h.exchanges).reduce(
      (n, e) => n + [...e.server.faults.injected.values()].reduce((a, b) => a + b, 0),
      0,
    );
    const requests = Object.values(f.h.exchanges).reduce((n, e) => n + e.server.log.length, 0);
    process.stdout.write(
      `fault test: ${decisions} decisions, ${requests} requests, ${injected} injected faults\n`,
    );
    expect(decisions).toBeGreaterThanOrEqual(300);
    expect(injected / requests).toBeGreaterThan(0.15);
    expect(all.some((e) => e.type === 'fate_lookup')).toBe(true);
    expect(all.some((e) => e.type === 'partial_fill')).toBe(true);
    expect(all.some((e) => e.type === 'retry')).toBe(true);

    // No order twice: one accepted order per client id, no client id ever resent after it was accepted.
    const journal = FileJournal.open(runPaths(f.runsDir, 'faults').journal);
    const intents = new Set(
      journal
        .records()
        .filter((r) => r.type === 'intent')
        .map((r) => (r.intent as { id: string }).id),
    );
    journal.close();
    for (const e of Object.values(f.h.exchanges)) {
      expect(e.book.duplicateOrders(), e.venue).toEqual([]);
      expect(e.book.resubmitted(), e.venue).toEqual([]);
      for (const o of e.book.orders)
        expect(intents.has(o.clientId), `${e.venue} order ${o.clientId} journaled`).toBe(true);
    }

    // Positions equal the targets: hedged and split by weight within the mode's deviation threshold (the
    // band inside which the strategy does not trade, 0.5 % of equity here), and sized to the equity —
    // within 3 % of a fresh re-target, since deposits and withdrawals scale the book as it stands.
    const status = summary.status as { equity: number; positions: Record<string, number> };
    const book = basisBook(f.h, status.equity);
    expect(book.driftUsdt).toBeLessThanOrEqual(0.005 * status.equity);
    expect(Math.abs(book.spot / book.q - 1)).toBeLessThan(0.03);
    for (const [v, short] of Object.entries(book.shorts))
      expect(status.positions[`${v}:Perp:BTCUSDT`], `run's view of ${v}`).toBeCloseTo(-short, 9);
    expect(status.positions['binance:BaseToken:BTC']).toBeCloseTo(book.spot, 9);
  });
});
