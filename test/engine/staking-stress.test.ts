/**
 * ETH-denominated stress of the eth_leveraged loop on real data with one synthetic series (an LST depeg or
 * a WETH debt-index jump): Aave liquidates exactly when the health factor crosses 1, with the v3.3 close
 * factor and the e-mode bonus; a shock short of that triggers the risk override (exit_partial) instead.
 */
import { describe, expect, test } from 'vitest';
import { resolveMode } from '../../src/config/index.js';
import { loadMarketData } from '../../src/data/index.js';
import type { MarketData } from '../../src/data/types.js';
import { PNL_SOURCE_INDEX } from '../../src/domain/types.js';
import { runLoop } from '../../src/engine/backtest.js';
import { seriesPlan } from '../../src/engine/requirements.js';
import { buildRun, type RunParts } from '../../src/engine/setup.js';
import { DATA_DIR, utc } from '../helpers/raw.js';

const real = describe.skipIf(!DATA_DIR);
const K = 100; // the shock's first step
const RATE = 'oracle.weETH.eth';
const LIQ = 'aave.weETH.liquidityIndex';
const BORROW = 'aave.WETH.variableBorrowIndex';

/** Runs eth_leveraged over 2024-06-01 .. 06-08 with `shock(i)` multiplying series `id` at step i. */
async function stressed(id: string, shock: (i: number) => number, overrides: string[] = []) {
  const resolved = resolveMode('eth_leveraged', { overrides });
  const plan = seriesPlan(resolved.mode);
  const base = await loadMarketData({
    dataDir: DATA_DIR,
    startMs: utc('2024-06-01'),
    endMs: utc('2024-06-08'),
    required: plan.required,
    optional: plan.optional,
  });
  const series = new Map(base.series);
  const shocked = series.get(id)!.slice();
  for (let i = 0; i < shocked.length; i++) shocked[i] *= shock(i);
  series.set(id, shocked);
  const data: MarketData = { ...base, series };
  const parts = buildRun(resolved, data, {});
  const deposits = new Float64Array(data.length);
  deposits[0] = 100;
  await runLoop(parts, deposits, new Float64Array(data.length));
  return { parts, data };
}

/** Health factor at step k before settlement: positions of step k − 1 at the indexes and rate of step k. */
function hfBefore(parts: RunParts, data: MarketData, k: number): number {
  const r = parts.recorder;
  const coll = r.positions[r.positionKeys.indexOf('aave_v3:aToken:aweETH')][k - 1];
  const debt = r.positions[r.positionKeys.indexOf('aave_v3:debtToken:debtWETH')][k - 1];
  const li = data.series.get(LIQ)!;
  const bi = data.series.get(BORROW)!;
  const rate = data.series.get(RATE)![k];
  return (coll * (li[k] / li[k - 1]) * rate * 0.95) / (debt * (bi[k] / bi[k - 1]));
}

function liquidations(parts: RunParts) {
  return parts.ledger.events.filter((e) => e.type === 'liquidation');
}

real('eth_leveraged under a synthetic shock', () => {
  test.each([
    ['a 5 % LST depeg', RATE, 0.95],
    ['a 6 % WETH debt-index jump', BORROW, 1.06],
  ] as const)('%s liquidates at the step HF crosses 1, with the e-mode bonus', async (_, id, factor) => {
    const { parts, data } = await stressed(id, (i) => (i >= K ? factor : 1));
    const r = parts.recorder;
    const hf = hfBefore(parts, data, K);
    expect(r.healthFactor[K - 1]).toBeGreaterThan(1.04);
    expect(hf).toBeLessThan(1);
    const events = liquidations(parts);
    expect(events.length).toBeGreaterThan(0);
    const at = new Date(data.timestampsMs[K]).toISOString();
    expect(events.every((e) => e.t === at)).toBe(true);
    const first = events[0];
    expect(first.healthFactorBefore as number).toBeCloseTo(hf, 9);
    // v3.3: 50 % of the debt when HF > 0.95 and both sides ≥ $2,000; collateral = debt × price ratio × 1.01
    expect(first).toMatchObject({
      closeFactor: 0.5,
      bonus: 0.01,
      collateralAsset: 'weETH',
      debtAsset: 'WETH',
    });
    const rate = data.series.get(RATE)![K];
    const covered = first.debtCovered as number;
    expect(first.collateralSeized as number).toBeCloseTo((covered / rate) * 1.01, 9);
    expect(first.healthFactorAfter as number).toBeGreaterThan(1);
    // the borrower's loss is the bonus, attributed to `liquidation` (ETH share class)
    const lossEth = events.reduce((s, e) => s + (e.loss as number) * rate, 0);
    expect(lossEth).toBeCloseTo(covered * 0.01, 9);
    expect(r.attribution[PNL_SOURCE_INDEX.liquidation][K]).toBeCloseTo(-lossEth, 9);
    expect(Math.abs(r.residual[K])).toBeLessThan(1e-6 * r.equity[K]);
  });

  test('a falling LST rate liquidates at the first step whose health factor is below 1, not before', async () => {
    // no reaction: the override only below HF 1 and no deviation rebalancing
    const { parts, data } = await stressed(RATE, (i) => (i >= K ? 1 - 0.002 * (i - K + 1) : 1), [
      'risk.health_factor_warning=1.0001',
      'risk.health_factor_critical=1',
      'strategy.position_deviation_threshold=1',
    ]);
    let first = -1;
    for (let k = K; k < data.length && first < 0; k++) if (hfBefore(parts, data, k) < 1) first = k;
    expect(first).toBeGreaterThan(K + 5);
    const events = liquidations(parts);
    expect(events.length).toBeGreaterThan(0);
    expect(events[0].t).toBe(new Date(data.timestampsMs[first]).toISOString());
    expect(events[0].healthFactorBefore as number).toBeCloseTo(hfBefore(parts, data, first), 9);
    expect(parts.recorder.healthFactor[first - 1]).toBeGreaterThanOrEqual(1);
  });

  test('a 4 % depeg stops short of 1: the risk override deleverages (exit_partial), no liquidation', async () => {
    const { parts, data } = await stressed(RATE, (i) => (i >= K ? 0.96 : 1));
    const hf = hfBefore(parts, data, K);
    expect(hf).toBeGreaterThan(1);
    expect(hf).toBeLessThan(1.02);
    expect(liquidations(parts)).toHaveLength(0);
    const at = new Date(data.timestampsMs[K]).toISOString();
    const decisions = parts.ledger.events.filter((e) => e.type === 'decision' && e.t === at);
    expect(decisions[0]).toMatchObject({ action: 'exit_partial' });
    expect(String(decisions[0].reason)).toMatch(/risk override/);
    expect(decisions.some((d) => String(d.action).startsWith('entry'))).toBe(false);
    expect(parts.recorder.healthFactor[K]).toBeGreaterThan(1.03);
  });
});
