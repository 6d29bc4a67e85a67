/**
 * ExecutionManager on a real run's parts (synthetic sample): routing by action type, atomic groups that
 * roll back every venue and the ledger, and refusals that leave state unchanged.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { resolveMode } from '../../src/config/index.js';
import { ensureSampleDataset, loadMarketData } from '../../src/data/index.js';
import { ExecutionError } from '../../src/domain/errors.js';
import { seriesPlan } from '../../src/engine/requirements.js';
import { buildRun, type RunParts } from '../../src/engine/setup.js';

let parts: RunParts;

beforeAll(async () => {
  const resolved = resolveMode('btc_basis');
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
});
