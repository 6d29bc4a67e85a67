/** Simulated staking issuer: minting at the oracle rate, the withdrawal queue, reward distributions. */
import { describe, expect, test } from 'vitest';
import type { RewardPeriod } from '../../src/data/rewards.js';
import { VenueError } from '../../src/domain/errors.js';
import { GasModel } from '../../src/venues/gas.js';
import { StakingVenueSchema, type StakingVenueConfig } from '../../src/config/schema.js';
import { SimulatedStaking } from '../../src/venues/simulated/staking.js';
import { SimulatedWallet } from '../../src/venues/simulated/wallet.js';
import { ENVIRONMENTS, HOUR, market, RecordingLedger, T0 } from './fixtures.js';

const GWEI = 10;
const config = (params: Record<string, string | number> = {}): StakingVenueConfig =>
  StakingVenueSchema.parse({
    venue: 'etherfi',
    kind: 'staking',
    display_name: 'ether.fi',
    environments: ENVIRONMENTS,
    params: {
      lst_symbol: 'weETH',
      route: 'mint',
      exit_route: 'dex',
      unstake_delay_hours: 3,
      min_stake_eth: 0.01,
      ...params,
    },
    gas_units: { stake: 150_000, unstake: 200_000, wrap: 120_000 },
  });

function setup(rates: number[], opts: ConstructorParameters<typeof SimulatedStaking>[4] = {}) {
  const n = rates.length;
  const cursor = market(n, { 'oracle.weETH.eth': rates, 'gas.price_gwei': Array(n).fill(GWEI) });
  const gas = new GasModel(cursor, {
    etherfi: config().gas_units,
    wallet: { wrap: 45_000, transfer: 100_000 },
  });
  const wallet = new SimulatedWallet('wallet', cursor, gas, ['ETH', 'WETH', 'weETH', 'EIGEN']);
  const venue = new SimulatedStaking('etherfi', config(), cursor, wallet, opts);
  return { cursor, wallet, venue, ledger: new RecordingLedger() };
}

const gasEth = (units: number) => units * GWEI * 1e-9;

describe('SimulatedStaking', () => {
  test('stake mints ETH / rate of the LST and pays stake + wrap gas in ETH', async () => {
    const { wallet, venue, ledger } = setup([1.05, 1.05]);
    wallet.credit('ETH', 11);
    const fill = await venue.execute({ op: 'stake', venue: 'etherfi', asset: 'ETH', amount: 10 }, ledger);
    expect(wallet.balanceOf('weETH')).toBeCloseTo(10 / 1.05, 12);
    expect(wallet.balanceOf('ETH')).toBeCloseTo(1 - gasEth(270_000), 12);
    expect(fill.price).toBe(1.05);
    expect(ledger.total('gas', 'ETH')).toBeCloseTo(-gasEth(270_000), 15);
  });

  test('WETH is taken first when asked and unwrapped at the wallet wrap gas; the rest comes as ETH', async () => {
    const { wallet, venue, ledger } = setup([1.05]);
    wallet.credit('ETH', 1);
    wallet.credit('WETH', 9);
    await venue.execute({ op: 'stake', venue: 'etherfi', asset: 'WETH', amount: 9.5 }, ledger);
    expect(wallet.balanceOf('WETH')).toBe(0);
    expect(wallet.balanceOf('ETH')).toBeCloseTo(0.5 - gasEth(270_000 + 45_000), 12);
    expect(wallet.balanceOf('weETH')).toBeCloseTo(9.5 / 1.05, 12);
  });

  test('refusals leave the wallet unchanged', async () => {
    const { wallet, venue, ledger } = setup([1.05]);
    wallet.credit('ETH', 1);
    await expect(
      venue.execute({ op: 'stake', venue: 'etherfi', asset: 'ETH', amount: 0.001 }, ledger),
    ).rejects.toThrow(/below the minimum of 0.01 ETH/);
    await expect(
      venue.execute({ op: 'stake', venue: 'etherfi', asset: 'ETH', amount: 1 }, ledger),
    ).rejects.toBeInstanceOf(VenueError); // no ETH left for gas
    await expect(
      venue.execute({ op: 'stake', venue: 'etherfi', asset: 'USDT', amount: 1 }, ledger),
    ).rejects.toThrow(/takes ETH or WETH/);
    expect(wallet.balanceOf('ETH')).toBe(1);
    expect(wallet.balanceOf('weETH')).toBe(0);
    expect(ledger.books).toHaveLength(0);
  });

  test('unstake queues amount × rate ETH, reported as a position, paid to the wallet after the delay', async () => {
    const { cursor, wallet, venue, ledger } = setup([1.04, 1.05, 1.06, 1.07, 1.08, 1.09]);
    wallet.credit('ETH', 1);
    wallet.credit('weETH', 5);
    cursor.step = 1;
    await venue.execute({ op: 'unstake', venue: 'etherfi', asset: 'weETH', amount: 5 }, ledger);
    expect(wallet.balanceOf('weETH')).toBe(0);
    const out = new Float64Array(1);
    venue.readPositions(out, 0);
    expect(out[0]).toBeCloseTo(5 * 1.05, 12); // fixed at the request: no yield while queued
    expect(venue.positionKeys).toEqual(['etherfi:BaseToken:ETH']);
    for (const step of [2, 3]) {
      cursor.step = step;
      venue.settle(step, ledger);
      expect(venue.queuedEth()).toBeCloseTo(5.25, 12);
    }
    cursor.step = 4; // requested at step 1 + 3 h
    venue.settle(4, ledger);
    expect(venue.queuedEth()).toBe(0);
    expect(wallet.balanceOf('ETH')).toBeCloseTo(1 - gasEth(200_000) + 5.25, 12);
    expect(ledger.events.map((e) => e.type)).toEqual(['gas', 'unstake_requested', 'unstake_claimed']);
  });

  test('rewards accrue per hour on eETH held and are paid (and booked) at the payment time', () => {
    const period: RewardPeriod = {
      token: 'EIGEN',
      startMs: T0 + HOUR,
      endMs: T0 + 8 * HOUR,
      perEeth: 0.7,
      payMs: T0 + 10 * HOUR,
      source: 'test',
    };
    let held = 100;
    let payable = false;
    const { cursor, wallet, venue, ledger } = setup(Array(14).fill(1.05), {
      rewards: [period],
      rewardBase: () => held,
      payable: () => payable,
    });
    for (let step = 1; step < 14; step++) {
      cursor.step = step;
      if (step === 6) held = 50; // holdings halve for the hours ending at 6..8
      if (step === 12) payable = true; // the token can be valued from step 12 on
      venue.settle(step, ledger);
      if (step === 11) expect(wallet.balanceOf('EIGEN')).toBe(0);
    }
    // hours ending at 2..5 with 105 eETH, at 6..8 with 52.5 eETH; 0.7 per eETH over 7 h
    const truth = (4 * 105 + 3 * 52.5) * (0.7 / 7);
    expect(wallet.balanceOf('EIGEN')).toBeCloseTo(truth, 12);
    expect(ledger.total('rewards', 'EIGEN')).toBeCloseTo(truth, 12);
    expect(ledger.events.filter((e) => e.type === 'reward')).toHaveLength(1);
  });

  test('checkpoint and restore bring back the queue and the accruals', async () => {
    const { wallet, venue, ledger } = setup([1.05, 1.05]);
    wallet.credit('ETH', 1);
    wallet.credit('weETH', 2);
    const c = venue.checkpoint();
    await venue.execute({ op: 'unstake', venue: 'etherfi', asset: 'weETH', amount: 2 }, ledger);
    expect(venue.queuedEth()).toBeGreaterThan(0);
    venue.restore(c);
    expect(venue.queuedEth()).toBe(0);
  });

  test('bad params are refused by the venue schema, naming the key', () => {
    const bad = StakingVenueSchema.safeParse({
      ...config(),
      params: { ...config().params, route: 'bridge' },
    });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(['params.route']);
    const unknown = StakingVenueSchema.safeParse({ ...config(), params: { ...config().params, fee: 1 } });
    expect(unknown.error!.issues.map((i) => i.path.join('.'))).toEqual(['params']);
  });
});
