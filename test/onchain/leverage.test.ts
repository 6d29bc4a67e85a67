/**
 * The eth_leveraged loop on the devnet through the real pieces: the staking strategy's LoopLeg builds the
 * atomic groups (target LTV derived from the Aave e-mode LTV like the mode does), the ExecutionManager runs
 * them on the on-chain venues, and the LeverageExecutor contract turns each group into ONE transaction.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { maxUint256, parseEventLogs, type Address, type Hash } from 'viem';
import { loadVenue, resolveMode, type ResolvedMode } from '../../src/config/index.js';
import type { VenueConfig } from '../../src/config/schema.js';
import { VenueError } from '../../src/domain/errors.js';
import type { AtomicGroup, Instruction } from '../../src/domain/types.js';
import { RunLedger } from '../../src/portfolio/ledger.js';
import { ExecutionManager } from '../../src/execution/manager.js';
import type { Pricer } from '../../src/portfolio/pricing.js';
import type { StrategyContext } from '../../src/strategies/base.js';
import { legOf } from '../../src/strategies/staking/strategy.js';
import type { LoopLeg } from '../../src/strategies/staking/legs.js';
import { scaledTokenAbi } from '../../src/venues/onchain/aave/abi.js';
import { leverageExecutorAbi } from '../../src/venues/onchain/executor/abi.js';
import type {
  OnchainAave,
  OnchainMorpho,
  OnchainStaking,
  OnchainVenues,
} from '../../src/venues/onchain/index.js';
import type { LendingVenue, Venue } from '../../src/venues/types.js';
import { DEVNET, onchainFixture, type OnchainFixture } from './fixture.js';
import type { StakingMode } from '../../src/strategies/staking/params.js';

let f: OnchainFixture;
let o: OnchainVenues;
let resolved: ResolvedMode;
let leg: LoopLeg;
let ctx: StrategyContext;
let ledger: RunLedger;
let execution: ExecutionManager;
let aave: OnchainAave;
let morpho: OnchainMorpho;

const EQUITY = 10;

/** Every balance the executor could touch, read from the chain (not from a view); Aave positions scaled. */
async function balances(): Promise<Record<string, bigint>> {
  const pub = o.ctx.pub;
  const d = f.devnet.deployment;
  const out: Record<string, bigint> = {};
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
  for (const [h, addr] of Object.entries(holders)) {
    out[`${h}:ETH`] = await pub.getBalance({ address: addr });
    for (const [t, token] of Object.entries(tokens)) {
      // Aave positions in scaled units: their balanceOf grows with every block's interest
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

function groupOf(items: ReturnType<LoopLeg['increase']>): AtomicGroup {
  expect(items).toHaveLength(1);
  const g = items[0] as AtomicGroup;
  expect(g.atomic).toBe(true);
  return g;
}

async function receiptOf(op: string) {
  const ev = [...ledger.events].reverse().find((e) => e.type === 'transaction' && e.op === op);
  expect(ev, `a ${op} transaction was logged`).toBeDefined();
  return o.ctx.pub.getTransactionReceipt({ hash: ev!.hash as Hash });
}

beforeAll(async () => {
  if (!DEVNET) return;
  f = await onchainFixture({ ETH: 100 });
  o = await f.build();
  resolved = resolveMode('eth_leveraged');
  const configs: Record<string, VenueConfig> = {};
  for (const n of resolved.requiredVenues) configs[n] = loadVenue(n);
  leg = legOf(resolved.mode as StakingMode, configs) as LoopLeg;
  const venues = o.venues;
  ctx = {
    venues: {
      wallet: venues.get('wallet')!,
      get: (n: string) => venues.get(n)!,
      lending: (n: string) => venues.get(n) as LendingVenue,
      cex: () => {
        throw new Error('no cex');
      },
    },
  } as unknown as StrategyContext;
  ledger = new RunLedger({ inShareClass: () => 1 } as unknown as Pricer);
  execution = new ExecutionManager(
    resolved.mode,
    venues as Map<string, Venue>,
    ledger,
    { gasEth: () => 0 },
    () => 0,
    () => {},
  );
  aave = venues.get('aave_v3') as OnchainAave;
  morpho = venues.get('morpho') as OnchainMorpho;
});

afterAll(async () => {
  if (!DEVNET) return;
  await f?.stop();
});

describe.skipIf(!DEVNET)('eth_leveraged on the devnet (testnet environment)', () => {
  test('the mode resolves its on-chain venues from the testnet blocks and the devnet file', () => {
    expect([...o.venues.keys()].sort()).toEqual([
      'aave_v3',
      'etherfi',
      'lido',
      'morpho',
      'uniswap',
      'wallet',
    ]);
    expect(o.ctx.chainId).toBe(31337);
    expect(morpho.executor?.toLowerCase()).toBe(f.executor.toLowerCase());
    expect(leg.targetLtv).toBeCloseTo(0.93 * (1 - 0.0225), 12);
  });

  test('the executor opens the loop at the target LTV in ONE transaction', async () => {
    await morpho.leverage.ensureSetup(ledger, 'weETH', maxUint256 / 2n); // one-time owner setup
    const sentBefore = o.ctx.sender.sentCount;
    const ethBefore = o.venues.get('wallet')!.balanceOf('ETH');
    const group = groupOf(leg.increase(ctx, EQUITY));
    expect(group.instructions.map((i) => i.op)).toEqual([
      'flash_borrow',
      'stake',
      'supply',
      'borrow',
      'flash_repay',
    ]);
    const report = await execution.execute({ action: 'entry_full', reason: 'test', items: [group] });
    expect(report.failed).toBe(0);
    expect(o.ctx.sender.sentCount - sentBefore).toBe(1);

    const receipt = await receiptOf('leverage_open');
    expect(receipt.status).toBe('success');
    expect(receipt.to?.toLowerCase()).toBe(f.executor.toLowerCase());
    const [opened] = parseEventLogs({ abi: leverageExecutorAbi, logs: receipt.logs, eventName: 'Opened' });
    const t = leg.targetLtv;
    const flash = EQUITY * (t / (1 - t));
    expect(Number(opened.args.flashAmount) / 1e18).toBeCloseTo(flash, 9);
    expect(Number(opened.args.equity) / 1e18).toBeCloseTo(EQUITY, 9);

    const rate = (o.venues.get('etherfi') as unknown as { rate(): number }).rate();
    expect(aave.account().ltv).toBeCloseTo(t, 9);
    expect(aave.borrowed('WETH')).toBeCloseTo(flash, 9);
    expect(aave.supplied('weETH') * rate).toBeCloseTo(EQUITY + flash, 9);
    expect(aave.account().healthFactor).toBeCloseTo(0.95 / t, 9);
    const gas = Number(receipt.gasUsed * receipt.effectiveGasPrice) / 1e18;
    expect(o.venues.get('wallet')!.balanceOf('ETH')).toBeCloseTo(ethBefore - EQUITY - gas, 12);
  });

  test('a forced failure inside the executor (borrow above the LTV) leaves every balance unchanged', async () => {
    const group = groupOf(leg.increase(ctx, EQUITY));
    const flash = group.instructions[0] as Instruction & { amount: number };
    // borrow 3x the flash loan: Aave refuses it inside the executor, so the whole group must revert
    const forced: AtomicGroup = {
      ...group,
      instructions: group.instructions.map((i) =>
        i.op === 'borrow' || i.op === 'flash_repay' ? { ...i, amount: flash.amount * 3 } : i,
      ),
    };
    const before = await balances();
    const sent = o.ctx.sender.sentCount;
    const report = await execution.execute({
      action: 'entry_partial',
      reason: 'forced failure',
      items: [forced],
    });
    expect(report.failed).toBe(1);
    const failed = ledger.events.filter((e) => e.type === 'atomic_group').at(-1)!;
    expect(failed.status).toBe('reverted');
    expect(String(failed.error)).toContain('Aave error 36 COLLATERAL_CANNOT_COVER_NEW_BORROW');
    expect(o.ctx.sender.sentCount).toBe(sent); // refused by the simulation: nothing signed or sent
    expect(await balances()).toEqual(before);
    expect(morpho.owed('WETH')).toBe(0);

    // the same transaction forced on chain without simulation: mined, reverted, every token balance as it was,
    // the wallet's ETH down by exactly the gas of the reverted transaction
    const p = (o.venues.get('etherfi') as OnchainStaking).protocol;
    const err = await morpho.leverage
      .open(
        null,
        {
          protocol: p,
          flashWei: 5n * 10n ** 18n,
          borrowWei: 50n * 10n ** 18n,
          equityWei: 10n ** 18n,
          minCollateral: 0n,
        },
        { simulate: false, gas: 3_000_000n },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VenueError);
    expect((err as VenueError).message).toMatch(
      /reverted on chain in block \d+ .*Aave error 36 COLLATERAL_CANNOT_COVER_NEW_BORROW/,
    );
    expect((err as VenueError).retryable).toBe(false);
    const after = await balances();
    const hash = (err as VenueError).message.match(/tx (0x[0-9a-f]{64})/)![1] as Hash;
    const r = await o.ctx.pub.getTransactionReceipt({ hash });
    expect(r.status).toBe('reverted');
    for (const k of Object.keys(before)) {
      if (k === 'wallet:ETH') expect(before[k] - after[k]).toBe(r.gasUsed * r.effectiveGasPrice);
      else expect(after[k], k).toBe(before[k]);
    }
  });

  test('only the owner can use the executor, and only Morpho can call it back', async () => {
    const d = f.devnet.deployment;
    await expect(
      f.devnet.admin.write(f.executor, leverageExecutorAbi, 'close', [
        {
          lst: d.tokens.weETH,
          repayAmount: 1n,
          withdrawAmount: 1n,
          router: d.uniswap.swapRouter,
          fee: 100,
          minWethOut: 0n,
        },
      ]),
    ).rejects.toThrow(/NotOwner|reverted/);
    await expect(
      f.devnet.admin.write(
        f.executor,
        [
          {
            type: 'function',
            name: 'onMorphoFlashLoan',
            stateMutability: 'nonpayable',
            inputs: [
              { name: 'assets', type: 'uint256' },
              { name: 'data', type: 'bytes' },
            ],
            outputs: [],
          },
        ],
        'onMorphoFlashLoan',
        [1n, '0x'],
      ),
    ).rejects.toThrow(/UnexpectedCallback|reverted/);
  });

  test('the unwind closes the loop in ONE transaction and returns the equity as ETH', async () => {
    await o.refresh(); // a live run refreshes every view before it decides
    const ethBefore = o.venues.get('wallet')!.balanceOf('ETH');
    const group = groupOf(leg.decrease(ctx, Infinity));
    expect(group.instructions.map((i) => i.op)).toEqual([
      'flash_borrow',
      'repay',
      'withdraw',
      'swap',
      'flash_repay',
    ]);
    const sent = o.ctx.sender.sentCount;
    const report = await execution.execute({ action: 'exit_full', reason: 'test', items: [group] });
    expect(report.failed).toBe(0);
    expect(o.ctx.sender.sentCount - sent).toBe(1);
    const receipt = await receiptOf('leverage_close');
    expect(receipt.status).toBe('success');
    const [closed] = parseEventLogs({ abi: leverageExecutorAbi, logs: receipt.logs, eventName: 'Closed' });
    expect(closed.args.repaid).toBeGreaterThan(0n);
    expect(aave.borrowed('WETH')).toBe(0);
    expect(aave.supplied('weETH')).toBe(0);
    expect(aave.account().healthFactor).toBe(Infinity);
    const back = o.venues.get('wallet')!.balanceOf('ETH') - ethBefore;
    // the WETH the LST sold for, minus the debt repaid, minus the transaction's gas, comes back as ETH
    const gas = Number(receipt.gasUsed * receipt.effectiveGasPrice) / 1e18;
    expect(back).toBeCloseTo(Number(closed.args.wethOut - closed.args.repaid) / 1e18 - gas, 12);
    // the equity minus the DEX exit: 1 bp pool fee and the price impact of selling ~108 weETH at ~11x leverage
    expect(back).toBeGreaterThan(EQUITY * 0.95);
    expect(back).toBeLessThan(EQUITY);
    expect(await o.ctx.pub.getBalance({ address: f.executor })).toBe(0n);
  });
});
