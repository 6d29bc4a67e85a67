/**
 * eth_leveraged in the `testnet` environment against the devnet, through the run's real path: the environment
 * manager plans every venue of the mode on chain (RPC URL and key from the environment, addresses from the
 * devnet deployment file), the factory builds the viem venues, buildRun wires them under the unchanged
 * StakingStrategy and ExecutionManager, and each tick fills the grid from the chain it trades on.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseEventLogs, type Address, type Hash } from 'viem';
import { resolveMode, type ResolvedMode } from '../../src/config/index.js';
import { LiveGrid } from '../../src/data/live-grid.js';
import type { AtomicGroup, Instruction, StrategyDecision } from '../../src/domain/types.js';
import { seriesPlan } from '../../src/engine/requirements.js';
import { buildRun, type RunParts } from '../../src/engine/setup.js';
import { runStep, type StepOutcome } from '../../src/engine/step.js';
import { Pricer } from '../../src/portfolio/pricing.js';
import { legOf } from '../../src/strategies/staking/strategy.js';
import type { LoopLeg } from '../../src/strategies/staking/legs.js';
import { planEnvironments, type EnvironmentPlan } from '../../src/venues/environment.js';
import { createOnchainClients } from '../../src/venues/factory.js';
import { scaledTokenAbi } from '../../src/venues/onchain/aave/abi.js';
import { leverageExecutorAbi } from '../../src/venues/onchain/executor/abi.js';
import {
  onchainSeriesRow,
  type OnchainAave,
  type OnchainStaking,
  type OnchainUniswap,
  type OnchainVenues,
} from '../../src/venues/onchain/index.js';
import { DEVNET, onchainFixture, RECEIPT_TIMEOUT_MS, type OnchainFixture } from './fixture.js';
import type { StakingMode } from '../../src/strategies/staking/params.js';

const HOUR = 3_600_000;
const LTV_TOLERANCE = 0.005; // issue 7: the entry lands at the target LTV within 0.5 %

let f: OnchainFixture;
let resolved: ResolvedMode;
let plan: EnvironmentPlan;
let chain: OnchainVenues;
let parts: RunParts;
let grid: LiveGrid;
let ids: string[];
let aave: OnchainAave;
let t0: number;

/** Every balance the executor could touch, from the chain (Aave positions scaled: they grow every block). */
async function balances(): Promise<Record<string, bigint>> {
  const pub = chain.ctx.pub;
  const d = f.devnet.deployment;
  const holders: Record<string, Address> = {
    wallet: f.address,
    executor: f.executor,
    morpho: d.morpho.morpho,
    pool: d.aave.pool,
  };
  const tokens: Record<string, Address> = {
    WETH: d.tokens.WETH,
    weETH: d.tokens.weETH,
    eETH: d.tokens.eETH,
    aweETH: d.aave.reserves.weETH.aToken,
    debtWETH: d.aave.reserves.WETH.variableDebtToken,
  };
  const out: Record<string, bigint> = {};
  for (const [h, addr] of Object.entries(holders)) {
    out[`${h}:ETH`] = await pub.getBalance({ address: addr });
    for (const [t, token] of Object.entries(tokens)) {
      const scaled = t === 'aweETH' || t === 'debtWETH';
      out[`${h}:${t}`] = await pub.readContract({
        address: token,
        abi: scaledTokenAbi,
        functionName: scaled ? 'scaledBalanceOf' : 'balanceOf',
        args: [addr],
      });
    }
  }
  return out;
}

/**
 * One wall-clock tick as the runner does it: refresh the chain views, append the grid row, then the one
 * step every environment runs (src/engine/step.ts), decisions checked as they execute.
 */
async function tick(pendingWithdrawal = 0): Promise<StrategyDecision[]> {
  const { cursor, ledger, pnl } = parts;
  await chain.refresh(ledger);
  const staking = parts.venues.get(resolved.mode.venues.staking!) as OnchainStaking;
  const dex = parts.venues.get(resolved.mode.venues.dex_swap!) as OnchainUniswap;
  const values = onchainSeriesRow({ aave, staking: [staking], dex }, ids);
  // the reference ETH price a live run reads from its CEX feed: here the chain's own oracle
  values[Pricer.referenceSeries('ETH')!] = aave.priceUsd('WETH');
  values['gas.price_gwei'] = Number(await chain.ctx.pub.getGasPrice()) / 1e9;
  const step = grid.append({ timeMs: t0 + grid.length * HOUR, values });
  if (step === 0) {
    cursor.step = 0;
    ledger.setTime(grid.timestampsMs[0]);
    parts.tightLoop();
    pnl.start(0);
  }
  const decisions: StrategyDecision[] = [];
  lastStep = await runStep(parts, step, 0, pendingWithdrawal, {
    settle: step > 0,
    unfunded: 'defer',
    record: true,
    afterExecution: (d, report) => {
      decisions.push(d);
      expect(report.failed, `${d.action}: ${d.reason}`).toBe(0);
    },
  });
  return decisions;
}
let lastStep: StepOutcome | null = null;

const txEvents = (from: number) =>
  parts.ledger.events.slice(from).filter((e) => e.type === 'transaction') as unknown as {
    op: string;
    hash: string;
  }[];

beforeAll(async () => {
  if (!DEVNET) return;
  f = await onchainFixture({ ETH: 20 });
  resolved = resolveMode('eth_leveraged');
  plan = planEnvironments({
    resolved,
    environment: 'testnet',
    confirmLive: false,
    processEnv: f.env,
    deploymentFile: f.addressesFile,
  });
  chain = (await createOnchainClients(plan, {
    journalDir: `${f.dir}/journal`,
    sender: { pollIntervalMs: 5, receiptTimeoutMs: RECEIPT_TIMEOUT_MS },
  }))!;
  const sp = seriesPlan(resolved.mode);
  // the on-chain wallet also reports the chain's other LST (wstETH): its valuation series comes from the chain
  const lsts = ['weETH', 'wstETH'].filter((t) => chain.ctx.tokens.has(t)).map((t) => `oracle.${t}.eth`);
  ids = [...new Set([...sp.required, ...(sp.optional ?? []), ...lsts])];
  t0 = Date.UTC(2026, 0, 1);
  grid = new LiveGrid(ids, 16, HOUR, t0);
  parts = buildRun(resolved, grid, {}, { real: () => ({ onchain: (name) => chain.venues.get(name) }) });
  aave = parts.lending as OnchainAave;
});

afterAll(async () => {
  if (!DEVNET) return;
  await f?.stop();
});

describe('on-chain venues in the environment manager', () => {
  const mode = () => resolveMode('eth_leveraged');
  test('a mode whose on-chain venues are split between environments is refused before any read', () => {
    expect(() =>
      planEnvironments({
        resolved: mode(),
        environment: 'testnet',
        overrides: { aave_v3: 'simulation' },
        confirmLive: false,
        processEnv: {},
      }),
    ).toThrow(
      'on-chain venues share one chain and wallet: run aave_v3, etherfi, morpho, uniswap, wallet in one environment (received aave_v3=simulation, etherfi=testnet, morpho=testnet, uniswap=testnet, wallet=testnet)',
    );
  });
  test('a missing deployment file is named with the key that points at it', () => {
    expect(() =>
      planEnvironments({
        resolved: mode(),
        environment: 'testnet',
        confirmLive: false,
        processEnv: {},
        deploymentFile: '/nonexistent/addresses.json',
      }),
    ).toThrow(
      'config/venues/wallet.yaml: environments.testnet.deployment_file: /nonexistent/addresses.json does not exist: start the devnet (basis devnet up) or fill in the addresses',
    );
  });
  test('live still needs --confirm-live', () => {
    expect(() =>
      planEnvironments({ resolved: mode(), environment: 'live', confirmLive: false, processEnv: {} }),
    ).toThrow(/environment live trades real money on .*aave_v3.*: pass --confirm-live to proceed/);
  });
});

describe.skipIf(!DEVNET)(
  'eth_leveraged in the testnet environment (environment manager → factory → engine)',
  () => {
    test('a credential missing from the environment is named, never its value', () => {
      const { WALLET_TESTNET_PRIVATE_KEY: _key, ...rest } = f.env;
      void _key;
      expect(() =>
        planEnvironments({
          resolved,
          environment: 'testnet',
          confirmLive: false,
          processEnv: rest,
          deploymentFile: f.addressesFile,
        }),
      ).toThrow(/WALLET_TESTNET_PRIVATE_KEY is not set/);
      expect(() =>
        planEnvironments({
          resolved,
          environment: 'testnet',
          confirmLive: false,
          processEnv: { ...f.env, ALCHEMY_TESTNET_RPC_URL: undefined },
          deploymentFile: f.addressesFile,
        }),
      ).toThrow(/ALCHEMY_TESTNET_RPC_URL is not set/);
    });

    test('every venue of the mode is planned on chain and built by the factory', () => {
      expect(plan.describe().map((v) => [v.venue, v.environment, v.client])).toEqual(
        resolved.requiredVenues.map((v) => [v, 'testnet', 'onchain']),
      );
      // the executor of the devnet file is the wallet's own, picked by the signer's address
      const morpho = plan.venues.find((v) => v.venue === 'morpho')!;
      expect(String(morpho.settings.leverage_executor_address).toLowerCase()).toBe(f.executor.toLowerCase());
      // secrets never leave the plan's description
      expect(JSON.stringify(plan.describe())).not.toContain(f.key.slice(2));
      for (const name of resolved.requiredVenues) expect(parts.venues.get(name)).toBe(chain.venues.get(name));
      expect(parts.simulated).toHaveLength(0);
    });

    test('the strategy opens the loop at the target LTV in ONE executor transaction', async () => {
      const from = parts.ledger.events.length;
      const decisions = await tick();
      const entries = decisions.filter((d) => d.items.some((i) => 'atomic' in i && i.atomic));
      expect(entries).toHaveLength(1);
      const txs = txEvents(from);
      const opens = txs.filter((t) => t.op === 'leverage_open');
      expect(opens).toHaveLength(1);
      // everything else sent is the owner's one-time setup (e-mode, credit delegation, approvals)
      expect(txs.filter((t) => t.op !== 'leverage_open').every((t) => /emode|approve/i.test(t.op))).toBe(
        true,
      );
      const receipt = await chain.ctx.pub.getTransactionReceipt({ hash: opens[0].hash as Hash });
      expect(receipt.status).toBe('success');
      expect(receipt.to?.toLowerCase()).toBe(f.executor.toLowerCase());
      expect(
        parseEventLogs({ abi: leverageExecutorAbi, logs: receipt.logs, eventName: 'Opened' }),
      ).toHaveLength(1);

      const target = 0.93 * (1 - 0.0225); // e-mode LTV less the mode's max_stake_spread_move
      const ltv = aave.account().ltv;
      expect(Math.abs(ltv / target - 1)).toBeLessThan(LTV_TOLERANCE);
      expect(parts.risk.ltv).toBeCloseTo(ltv, 9);
      expect(aave.borrowed('WETH')).toBeGreaterThan(0);
      // a second tick on an unchanged chain decides nothing more
      expect(await tick()).toEqual([]);
    });

    test('a forced failure inside the executor reverts with every balance unchanged', async () => {
      // the strategy's own increase group, with the borrow pushed above the e-mode LTV
      const { execution, ledger } = parts;
      // the strategy kept the wallet's gas reserve in ETH: half of it is the forced group's equity
      expect(parts.wallet.balanceOf('ETH')).toBeGreaterThan(0);
      const before = await balances();
      const sent = chain.ctx.sender.sentCount;
      const leg = legOf(resolved.mode as StakingMode, resolved.venues) as LoopLeg;
      const [g] = leg.increase(parts.ctx, parts.wallet.balanceOf('ETH') / 2) as AtomicGroup[];
      expect(g.atomic).toBe(true);
      const flash = (g.instructions[0] as Instruction & { amount: number }).amount;
      // borrow the flash loan plus the whole open debt again: far above the e-mode LTV, so Aave refuses it inside
      // the executor and the whole group must revert
      const borrow = flash + aave.borrowed('WETH');
      const items: AtomicGroup = {
        ...g,
        instructions: g.instructions.map((i) =>
          i.op === 'borrow' || i.op === 'flash_repay' ? { ...i, amount: borrow } : i,
        ),
      };
      const report = await execution.execute({
        action: 'entry_partial',
        reason: 'forced failure',
        items: [items],
      });
      expect(report.failed).toBe(1);
      const failed = ledger.events.filter((e) => e.type === 'atomic_group').at(-1)!;
      expect(failed.status).toBe('reverted');
      expect(String(failed.error)).toContain('COLLATERAL_CANNOT_COVER_NEW_BORROW');
      expect(chain.ctx.sender.sentCount).toBe(sent);
      expect(await balances()).toEqual(before);
    });

    test('a full withdrawal unwinds the loop in ONE executor transaction', async () => {
      const from = parts.ledger.events.length;
      const equity = parts.exposure.equity;
      await tick(equity * 0.999);
      const closes = txEvents(from).filter((t) => t.op === 'leverage_close');
      expect(closes).toHaveLength(1);
      const receipt = await chain.ctx.pub.getTransactionReceipt({ hash: closes[0].hash as Hash });
      expect(receipt.status).toBe('success');
      expect(aave.borrowed('WETH')).toBe(0);
      expect(aave.supplied(resolved.mode.lst_type!)).toBeLessThan(1e-9);
      expect(await chain.ctx.pub.getBalance({ address: f.executor })).toBe(0n);
      // the equity comes back as ETH less the DEX exit (1 bp fee and the impact of selling the LST) and gas:
      // paid out if it covers the withdrawal, else held in the wallet (a wall clock defers it)
      const back = parts.wallet.balanceOf('ETH') + lastStep!.withdrawn;
      expect(back).toBeGreaterThan(equity * 0.95);
      expect(back).toBeLessThan(equity);
    });
  },
);
