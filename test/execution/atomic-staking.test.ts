/**
 * Flash-loan atomic groups on a real eth_leveraged run's parts (synthetic sample): all-or-nothing, the
 * failure reported as an event, a flash loan that is not repaid within its group fails the group.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { resolveMode } from '../../src/config/index.js';
import { ensureSampleDataset, loadMarketData } from '../../src/data/index.js';
import { ExecutionError } from '../../src/domain/errors.js';
import type { Instruction } from '../../src/domain/types.js';
import { seriesPlan } from '../../src/engine/requirements.js';
import { buildRun, type RunParts } from '../../src/engine/setup.js';
import type { LendingVenue, StakingVenue } from '../../src/venues/types.js';

let parts: RunParts;

beforeAll(async () => {
  const resolved = resolveMode('eth_leveraged');
  const plan = seriesPlan(resolved.mode);
  const data = await loadMarketData({
    dataDir: ensureSampleDataset(),
    startMs: Date.UTC(2024, 5, 1),
    endMs: Date.UTC(2024, 5, 2),
    required: plan.required,
    optional: plan.optional,
  });
  parts = buildRun(resolved, data, {});
  parts.wallet.credit('ETH', 100);
  parts.tightLoop();
});

function state() {
  parts.positions.refresh();
  return { amounts: [...parts.positions.amounts], mark: parts.ledger.mark() };
}

function loopGroup(borrowLtv: number, repay = true): Instruction[] {
  const rate = (parts.venues.get('etherfi') as StakingVenue).rate();
  const flash = 900;
  const staked = 999; // 900 WETH + 99 ETH; gas from the remaining ETH
  const group: Instruction[] = [
    { op: 'flash_borrow', venue: 'morpho', asset: 'WETH', amount: flash },
    { op: 'stake', venue: 'etherfi', asset: 'WETH', amount: staked },
    { op: 'supply', venue: 'aave_v3', asset: 'weETH', amount: staked / rate },
    { op: 'borrow', venue: 'aave_v3', asset: 'WETH', amount: staked * borrowLtv },
  ];
  if (repay) group.push({ op: 'flash_repay', venue: 'morpho', asset: 'WETH', amount: flash });
  return group;
}

describe('flash-loan atomic groups', () => {
  test('a borrow beyond the e-mode LTV fails the group: every balance unchanged, the failure an event', async () => {
    const before = state();
    const r = await parts.execution.execute({
      action: 'entry_full',
      reason: 'test',
      items: [{ atomic: true, label: 'loop beyond LTV', instructions: loopGroup(0.95) }],
    });
    expect(r.failed).toBe(1);
    expect(r.executed).toBe(0);
    const after = state();
    expect(after.amounts).toEqual(before.amounts);
    expect(parts.wallet.balanceOf('ETH')).toBe(100);
    expect(parts.wallet.balanceOf('WETH')).toBe(0);
    expect((parts.lending as LendingVenue).supplied('weETH')).toBe(0);
    const events = parts.ledger.events.slice(before.mark.events);
    expect(events.map((e) => e.type)).toEqual(['decision', 'atomic_group']);
    expect(events[1]).toMatchObject({ label: 'loop beyond LTV', status: 'reverted' });
    expect(String(events[1].error)).toMatch(/borrow .* WETH .* exceeds available borrows/);
    // nothing booked survives (gas of the instructions that ran was rolled back)
    expect(after.mark.bookings).toBe(before.mark.bookings);
  });

  test('a flash loan left unrepaid at the end of its group fails the group', async () => {
    const before = state();
    const r = await parts.execution.execute({
      action: 'entry_full',
      reason: 'test',
      items: [{ atomic: true, label: 'no repayment', instructions: loopGroup(0.9, false) }],
    });
    expect(r.failed).toBe(1);
    expect(state().amounts).toEqual(before.amounts);
    const last = parts.ledger.events.at(-1)!;
    expect(last).toMatchObject({ type: 'atomic_group', status: 'reverted' });
    expect(String(last.error)).toMatch(/morpho: flash loan not repaid within the atomic group: 900 WETH/);
  });

  test('a flash loan outside an atomic group is refused and changes nothing', async () => {
    const before = state();
    const r = await parts.execution.execute({
      action: 'entry_full',
      reason: 'test',
      items: [{ op: 'flash_borrow', venue: 'morpho', asset: 'WETH', amount: 10 }],
    });
    expect(r.failed).toBe(1);
    expect(state().amounts).toEqual(before.amounts);
  });

  test('flash-loan instructions go only to the mode’s flash_loan / unwind venues', async () => {
    await expect(
      parts.execution.execute({
        action: 'entry_full',
        reason: 'test',
        items: [{ op: 'flash_borrow', venue: 'instadapp', asset: 'WETH', amount: 10 }],
      }),
    ).rejects.toBeInstanceOf(ExecutionError);
  });

  test('the same group within the LTV commits: collateral, debt and LTV as built', async () => {
    const r = await parts.execution.execute({
      action: 'entry_full',
      reason: 'test',
      items: [{ atomic: true, label: 'loop', instructions: loopGroup(0.9) }],
    });
    expect(r.failed).toBe(0);
    expect(r.executed).toBe(5);
    const aave = parts.lending as LendingVenue;
    expect(aave.borrowed('WETH')).toBeCloseTo(999 * 0.9, 9);
    expect(aave.account().ltv).toBeCloseTo(0.9, 9);
    // the 899.1 borrowed repaid 900 of flash loan: 0.9 WETH came from the wallet's ETH (wrapped)
    expect(parts.wallet.balanceOf('WETH')).toBe(0);
    expect(parts.venues.get('morpho')!.checkpoint()).toMatchObject({ inGroup: false });
    expect(parts.ledger.events.at(-1)).toMatchObject({ type: 'atomic_group', status: 'committed' });
  });
});
