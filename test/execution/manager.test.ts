/**
 * ExecutionManager on a real run's parts (synthetic sample): routing by action type, atomic groups that
 * roll back every venue and the ledger, refusals that leave state unchanged, and the one retry policy per
 * instruction (a venue that owns its retries is called once; any other is retried with the mode's backoff).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { resolveMode } from '../../src/config/index.js';
import { ensureSampleDataset, loadMarketData } from '../../src/data/index.js';
import { ExecutionError, VenueError } from '../../src/domain/errors.js';
import type { Instruction } from '../../src/domain/types.js';
import { ExecutionManager } from '../../src/execution/manager.js';
import type { Ledger, Venue } from '../../src/venues/types.js';
import { seriesPlan } from '../../src/engine/requirements.js';
import { buildRun, type RunParts } from '../../src/engine/setup.js';

let parts: RunParts;
let resolved: ReturnType<typeof resolveMode>;

beforeAll(async () => {
  resolved = resolveMode('btc_basis', {
    overrides: ['execution.max_retries=4', 'execution.retry_base_ms=100', 'execution.retry_max_ms=300'],
  });
  const plan = seriesPlan(resolved.mode);
  const weights = { binance: 0.5, bybit: 0.5 };
  const data = await loadMarketData({
    dataDir: ensureSampleDataset(),
    startMs: Date.UTC(2024, 5, 1),
    endMs: Date.UTC(2024, 5, 2),
    required: [...plan.required, ...plan.hedge.binance, ...plan.hedge.bybit],
  });
  parts = buildRun({ ...resolved, mode: { ...resolved.mode, hedge_allocation: weights } }, data, weights);
  parts.wallet.credit('USDT', 100_000);
  parts.tightLoop();
});

describe('ExecutionManager', () => {
  test('an instruction sent to a venue the mode does not route its action type to is refused', async () => {
    await expect(
      parts.execution.execute({
        action: 'entry_full',
        reason: 'test',
        items: [{ op: 'spot_buy', venue: 'bybit', base: 'BTC', quote: 'USDT', amount: 0.1 }],
      }),
    ).rejects.toBeInstanceOf(ExecutionError);
  });

  test('a transfer moves the amount and charges the sender the gas', async () => {
    const before = parts.wallet.balanceOf('USDT');
    const r = await parts.execution.execute({
      action: 'entry_full',
      reason: 'test',
      items: [
        { op: 'transfer', venue: 'wallet', asset: 'USDT', amount: 50_000, from: 'wallet', to: 'binance' },
      ],
    });
    expect(r.executed).toBe(1);
    const gas = r.fills[0].fee;
    expect(gas).toBeGreaterThan(0);
    expect(parts.wallet.balanceOf('USDT')).toBeCloseTo(before - 50_000 - gas, 9);
    expect(parts.venues.get('binance')!.balanceOf('USDT')).toBeCloseTo(50_000, 9);
  });

  test('an atomic group that fails midway leaves every balance and the ledger as they were', async () => {
    const binance = parts.venues.get('binance')!;
    const usdt = binance.balanceOf('USDT');
    const btc = binance.balanceOf('BTC');
    const mark = parts.ledger.mark();
    const r = await parts.execution.execute({
      action: 'entry_partial',
      reason: 'test',
      items: [
        {
          atomic: true,
          label: 'buy then oversell',
          instructions: [
            { op: 'spot_buy', venue: 'binance', base: 'BTC', quote: 'USDT', amount: 0.1 },
            { op: 'spot_sell', venue: 'binance', base: 'BTC', quote: 'USDT', amount: 5 },
          ],
        },
      ],
    });
    expect(r.failed).toBe(1);
    expect(binance.balanceOf('USDT')).toBe(usdt);
    expect(binance.balanceOf('BTC')).toBe(btc);
    const events = parts.ledger.events.slice(mark.events);
    expect(events.map((e) => e.type)).toContain('atomic_group');
    expect(events.find((e) => e.type === 'atomic_group')!.status).toBe('reverted');
    expect(events.some((e) => e.type === 'fill')).toBe(false);
  });

  /** The run's binance venue, failing its next `failures` executions with a retryable error first. */
  function flaky(failures: number, ownsRetries: boolean): { venue: Venue; calls: Instruction[] } {
    const real = parts.venues.get('binance')!;
    const calls: Instruction[] = [];
    const venue: Venue = Object.create(real, {
      ownsRetries: { value: ownsRetries },
      execute: {
        value: (i: Instruction, ledger: Ledger) => {
          calls.push(i);
          if (calls.length <= failures)
            return Promise.reject(new VenueError('binance', 'injected rate limit', true, 'transient'));
          return real.execute(i, ledger);
        },
      },
    }) as Venue;
    return { venue, calls };
  }

  function managerWith(venue: Venue, sleeps: number[]): ExecutionManager {
    const venues = new Map(parts.venues);
    venues.set('binance', venue);
    return new ExecutionManager(
      { ...resolved.mode, hedge_allocation: { binance: 0.5, bybit: 0.5 } },
      venues,
      parts.ledger,
      parts.gas,
      () => 0,
      () => {},
      {
        sleep: (ms) => {
          sleeps.push(ms);
          return Promise.resolve();
        },
        random: () => 0.5,
      },
    );
  }

  const buy: Instruction = { op: 'spot_buy', venue: 'binance', base: 'BTC', quote: 'USDT', amount: 0.01 };

  test('a venue without its own retries: retried with backoff up to max_retries + 1 calls', async () => {
    parts.venues.get('binance')!.credit('USDT', 10_000);
    const sleeps: number[] = [];
    const { venue, calls } = flaky(3, false);
    const mark = parts.ledger.mark();
    const r = await managerWith(venue, sleeps).execute({
      action: 'entry_full',
      reason: 'test',
      items: [buy],
    });
    expect(r).toMatchObject({ executed: 1, failed: 0 });
    expect(calls).toEqual([buy, buy, buy, buy]);
    // full jitter at 0.5 of min(retry_max_ms 300, retry_base_ms 100 × 2^(n−1))
    expect(sleeps).toEqual([50, 100, 150]);
    const retries = parts.ledger.events.slice(mark.events).filter((e) => e.type === 'retry');
    expect(retries.map((e) => [e.attempt, e.delayMs])).toEqual([
      [1, 50],
      [2, 100],
      [3, 150],
    ]);

    const more = flaky(5, false);
    const failed = await managerWith(more.venue, []).execute({
      action: 'entry_full',
      reason: 'test',
      items: [buy],
    });
    expect(failed).toMatchObject({ executed: 0, failed: 1 });
    expect(more.calls).toHaveLength(5); // max_retries 4 → 5 attempts, then the instruction fails
  });

  test('a venue that owns its retries is called once per instruction; its failure is final', async () => {
    const sleeps: number[] = [];
    const { venue, calls } = flaky(1, true);
    const mark = parts.ledger.mark();
    const r = await managerWith(venue, sleeps).execute({
      action: 'entry_full',
      reason: 'test',
      items: [buy],
    });
    expect(r).toMatchObject({ executed: 0, failed: 1 });
    expect(calls).toEqual([buy]);
    expect(sleeps).toEqual([]);
    expect(parts.ledger.events.slice(mark.events).filter((e) => e.type === 'retry')).toEqual([]);
  });
});
