/**
 * Simulator ⇄ chain cross-validation: the simulated Aave (SimulatedAave on a MarketData whose indexes and
 * oracle prices are read from the chain at each step) and the real Aave V3 bytecode on the devnet go through
 * the same sequence — supply, e-mode, borrow, time passing (interest), an LST oracle report, an ETH price move,
 * partial repay and withdraw, full repay and withdraw — and must agree on collateral, debt and health factor
 * (and each reserve's supplied / borrowed amount) within 1e-9 relative after every step.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadVenue } from '../../src/config/index.js';
import type { LendingVenueConfig } from '../../src/config/schema.js';
import { SimulatedAave, SimulatedWallet } from '../../src/venues/simulated/index.js';
import { GasModel } from '../../src/venues/gas.js';
import type { MarketCursor } from '../../src/data/cursor.js';
import type { OnchainAave, OnchainVenues } from '../../src/venues/onchain/index.js';
import { RecordingLedger, market } from '../venues/fixtures.js';
import { DEVNET, onchainFixture, type OnchainFixture } from './fixture.js';

const STEPS = 16;
const ASSETS = ['WETH', 'weETH'] as const;
const REL = 1e-9;

let f: OnchainFixture;
let o: OnchainVenues;
let chain: OnchainAave;
let cursor: MarketCursor;
let sim: SimulatedAave;
let wallet: SimulatedWallet;
const ledger = new RecordingLedger();
let step = -1;

/** Puts the chain's indexes and oracle prices of the current block at the next step of the simulator's grid. */
async function nextStep(): Promise<number> {
  await o.refresh();
  step++;
  for (const a of ASSETS) {
    const { liquidityIndexRay, borrowIndexRay } = chain.indexes(a);
    cursor.series(`aave.${a}.liquidityIndex`)[step] = Number(liquidityIndexRay) / 1e27;
    cursor.series(`aave.${a}.variableBorrowIndex`)[step] = Number(borrowIndexRay) / 1e27;
    cursor.series(`oracle.${a}.usd`)[step] = chain.priceUsd(a);
  }
  cursor.step = step;
  sim.settle(step, ledger);
  return step;
}

function rel(a: number, b: number): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

function compare(label: string): void {
  const c = chain.account();
  const s = sim.account();
  const rows: [string, number, number][] = [
    ['collateralUsd', c.collateralUsd, s.collateralUsd],
    ['debtUsd', c.debtUsd, s.debtUsd],
    ['healthFactor', c.healthFactor, s.healthFactor],
    ...ASSETS.flatMap((a): [string, number, number][] => [
      [`supplied ${a}`, chain.supplied(a), sim.supplied(a)],
      [`borrowed ${a}`, chain.borrowed(a), sim.borrowed(a)],
    ]),
  ];
  for (const [what, onChain, simulated] of rows) {
    if (onChain === Infinity || simulated === Infinity) {
      expect(`${label}: ${what} ${onChain}`).toBe(`${label}: ${what} ${simulated}`);
      continue;
    }
    expect(
      rel(onChain, simulated),
      `${label}: ${what} chain ${onChain} vs simulator ${simulated}`,
    ).toBeLessThan(REL);
  }
}

/**
 * The same instruction on both sides; `amount: 'all'` is each side's own whole balance at its step (the
 * chain's debt at the block it repays in, the simulator's at the step's index).
 */
async function both(
  i: { op: 'supply' | 'withdraw' | 'borrow' | 'repay'; asset: string; amount: number | 'all' },
  label: string,
) {
  const whole = (v: { supplied(a: string): number; borrowed(a: string): number }) =>
    i.op === 'withdraw' ? v.supplied(i.asset) : v.borrowed(i.asset);
  await chain.execute(
    { ...i, venue: 'aave_v3', amount: i.amount === 'all' ? whole(chain) : i.amount },
    ledger,
  );
  await nextStep();
  await sim.execute({ ...i, venue: 'aave_v3', amount: i.amount === 'all' ? whole(sim) : i.amount }, ledger);
  compare(label);
}

beforeAll(async () => {
  if (!DEVNET) return;
  f = await onchainFixture({ ETH: 100, WETH: 10, weETH: 50 });
  o = await f.build({ venues: ['wallet', 'aave_v3'] });
  chain = o.venues.get('aave_v3') as OnchainAave;
  const series: Record<string, number[]> = { 'gas.price_gwei': new Array(STEPS).fill(0) };
  for (const a of ASSETS) {
    for (const id of [`aave.${a}.liquidityIndex`, `aave.${a}.variableBorrowIndex`, `oracle.${a}.usd`])
      series[id] = [];
  }
  cursor = market(STEPS, series);
  const cfg = loadVenue('aave_v3') as LendingVenueConfig;
  const gas = GasModel.fromConfigs(cursor, [cfg, loadVenue('wallet') as LendingVenueConfig]);
  wallet = new SimulatedWallet('wallet', cursor, gas, ['ETH', 'WETH', 'weETH']);
  wallet.credit('ETH', 100);
  wallet.credit('WETH', 10);
  wallet.credit('weETH', 50);
  sim = new SimulatedAave('aave_v3', cfg, cursor, wallet, gas, [...ASSETS]);
  await nextStep();
});

afterAll(async () => {
  if (!DEVNET) return;
  await f?.stop();
});

describe.skipIf(!DEVNET)('simulated Aave ⇄ Aave V3 on the devnet', () => {
  test('agree within 1e-9 on collateral, debt and health factor at every step', async () => {
    compare('start');
    await both({ op: 'supply', asset: 'weETH', amount: 40 }, 'supply 40 weETH');
    expect(chain.account().collateralUsd).toBeGreaterThan(100_000);

    chain.setEmode(true);
    await chain.applyEmode(ledger);
    await nextStep();
    sim.setEmode(true, ledger);
    expect(chain.emodeCategory).toBe(1);
    expect(chain.account().liquidationThreshold).toBe(0.95);
    compare('e-mode on');

    await both({ op: 'borrow', asset: 'WETH', amount: 30 }, 'borrow 30 WETH');
    const hf0 = chain.account().healthFactor;
    expect(hf0).toBeGreaterThan(1.3);
    expect(hf0).toBeLessThan(1.4);

    // 30 days of interest: the WETH borrow index grows, the health factor falls
    await f.devnet.increaseTime(30 * 86_400);
    await nextStep();
    compare('30 days later');
    expect(chain.borrowed('WETH')).toBeGreaterThan(30);
    expect(chain.account().healthFactor).toBeLessThan(hf0);

    // ether.fi oracle report: weETH/ETH 1.056 → 1.0575 moves the collateral
    await f.devnet.setLstRate('weETH', 1.0575);
    await nextStep();
    compare('weETH rate step');

    // ETH/USD 3000 → 3300: both legs move, the health factor does not
    const hfBefore = chain.account().healthFactor;
    await f.devnet.setEthUsd(3300);
    await nextStep();
    compare('ETH price step');
    expect(rel(chain.account().healthFactor, hfBefore)).toBeLessThan(1e-9);

    await f.devnet.increaseTime(10 * 86_400);
    await nextStep();
    compare('10 more days');

    await both({ op: 'repay', asset: 'WETH', amount: 10 }, 'repay 10 WETH');
    await both({ op: 'withdraw', asset: 'weETH', amount: 5 }, 'withdraw 5 weETH');
    await both({ op: 'repay', asset: 'WETH', amount: 'all' }, 'repay all WETH');
    expect(chain.borrowed('WETH')).toBe(0);
    await both({ op: 'withdraw', asset: 'weETH', amount: 'all' }, 'withdraw all weETH');
    expect(chain.supplied('weETH')).toBe(0);
    expect(chain.account().healthFactor).toBe(Infinity);
  });
});
