/**
 * Faults on the on-chain venues, each a clear VenueError and never a second submission: slippage beyond the
 * limit (refused before sending, and reverted on chain when the pool moves between quote and inclusion),
 * insufficient balance, a reverted transaction, a dropped RPC connection (before and after the node got
 * the transaction, and across a restart), and a nonce conflict with another sender of the same key.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { maxUint256, parseTransaction, parseUnits, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { resolveMode } from '../../src/config/index.js';
import { VenueError } from '../../src/domain/errors.js';
import type { Instruction } from '../../src/domain/types.js';
import { RunLedger } from '../../src/portfolio/ledger.js';
import { ExecutionManager } from '../../src/execution/manager.js';
import type { Pricer } from '../../src/portfolio/pricing.js';
import { swapRouterAbi } from '../../src/venues/onchain/uniswap/abi.js';
import type { OnchainAave, OnchainUniswap, OnchainVenues } from '../../src/venues/onchain/index.js';
import type { Venue } from '../../src/venues/types.js';
import { RecordingLedger } from '../venues/fixtures.js';
import { DEVNET, onchainFixture, RECEIPT_TIMEOUT_MS, type OnchainFixture } from './fixture.js';
import { RpcProxy } from './rpcProxy.js';

let f: OnchainFixture;
let proxy: RpcProxy;
let o: OnchainVenues;
let aave: OnchainAave;
let uni: OnchainUniswap;
const ledger = new RecordingLedger();

/** Each test's own sender journal: a test that fails half-way leaves nothing for the next to resume. */
let journalDir = '';
let tests = 0;

const nonce = () => f.devnet.pub.getTransactionCount({ address: f.address });

/**
 * The node answers eth_sendRawTransaction when the transaction is in its pool and mines it asynchronously:
 * after a connection dropped past the node, wait (with a deadline) for the receipt of the hash the error names.
 */
async function mined(e: VenueError): Promise<void> {
  const hash = /transaction (0x[0-9a-f]{64})/.exec(e.message)?.[1] as Hex | undefined;
  expect(hash, e.message).toBeDefined();
  const r = await f.devnet.pub.waitForTransactionReceipt({
    hash: hash!,
    pollingInterval: 5,
    timeout: RECEIPT_TIMEOUT_MS,
  });
  expect(r.status).toBe('success');
}

/** Until the wallet has nothing in the node's pool (pending nonce = mined nonce), with a deadline. */
async function settled(): Promise<void> {
  const deadline = Date.now() + RECEIPT_TIMEOUT_MS;
  for (;;) {
    const [latest, pending] = await Promise.all([
      nonce(),
      f.devnet.pub.getTransactionCount({ address: f.address, blockTag: 'pending' }),
    ]);
    if (latest === pending) return;
    if (Date.now() > deadline)
      throw new Error(
        `wallet still has ${pending - latest} transaction(s) in the pool after ${RECEIPT_TIMEOUT_MS} ms`,
      );
    await new Promise((r) => setTimeout(r, 10));
  }
}
const debt = async () => {
  await o.refresh();
  return aave.borrowed('WETH');
};

function manager(venues: OnchainVenues): { m: ExecutionManager; ledger: RunLedger } {
  const runLedger = new RunLedger({ inShareClass: () => 1 } as unknown as Pricer);
  const m = new ExecutionManager(
    resolveMode('eth_leveraged').mode,
    venues.venues as Map<string, Venue>,
    runLedger,
    { gasEth: () => 0 },
    () => 0,
    () => {},
  );
  return { m, ledger: runLedger };
}

async function caught(p: Promise<unknown>): Promise<VenueError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(VenueError);
  return e as VenueError;
}

/** The LP sells `amount` weETH into the weETH/WETH pool (moves the price against our weETH sale). */
async function frontRun(amount: number): Promise<void> {
  const d = f.devnet.deployment;
  await f.devnet.admin.write(
    d.tokens.weETH,
    [
      {
        type: 'function',
        name: 'approve',
        stateMutability: 'nonpayable',
        inputs: [
          { name: 's', type: 'address' },
          { name: 'a', type: 'uint256' },
        ],
        outputs: [{ name: '', type: 'bool' }],
      },
    ],
    'approve',
    [d.uniswap.swapRouter, maxUint256],
    { from: d.lp },
  );
  await f.devnet.admin.write(
    d.uniswap.swapRouter,
    swapRouterAbi,
    'exactInputSingle',
    [
      {
        tokenIn: d.tokens.weETH,
        tokenOut: d.tokens.WETH,
        fee: 100,
        recipient: d.lp,
        deadline: maxUint256,
        amountIn: parseUnits(String(amount), 18),
        amountOutMinimum: 0n,
        sqrtPriceLimitX96: 0n,
      },
    ],
    { from: d.lp },
  );
}

beforeAll(async () => {
  if (!DEVNET) return;
  f = await onchainFixture({ ETH: 100, weETH: 20 });
  proxy = new RpcProxy(f.devnet.rpcUrl);
  await proxy.start();
  await f.devnet.fund(f.devnet.deployment.lp, { weETH: 2_000 }); // the front-runner's inventory
  // collateral for the borrow tests
  const setup = await f.build({ rpcUrl: proxy.url, journalDir: join(f.dir, 'journal-setup') });
  await setup.venues
    .get('aave_v3')!
    .execute({ op: 'supply', venue: 'aave_v3', asset: 'WETH', amount: 20 }, ledger);
});

beforeEach(async () => {
  if (!DEVNET) return;
  proxy.hook = () => undefined;
  journalDir = join(f.dir, `journal-${++tests}`);
  o = await f.build({ rpcUrl: proxy.url, journalDir });
  aave = o.venues.get('aave_v3') as OnchainAave;
  uni = o.venues.get('uniswap') as OnchainUniswap;
  await o.refresh();
});

// A test that fails before its transactions are mined leaves the next one a wallet with nothing pending.
afterEach(async () => {
  if (!DEVNET) return;
  proxy.hook = () => undefined;
  await settled();
});

afterAll(async () => {
  if (!DEVNET) return;
  await proxy?.close();
  await f?.stop();
});

describe.skipIf(!DEVNET)('on-chain faults', () => {
  test('slippage beyond the limit since the last refresh is refused before anything is sent', async () => {
    await frontRun(400); // ~1.6 % move in a 50,000 weETH pool
    const n = await nonce();
    const e = await caught(
      uni.execute(
        { op: 'swap', venue: 'uniswap', from: 'weETH', to: 'ETH', amount: 5, maxSlippage: 0.005 },
        ledger,
      ),
    );
    expect(e.code).toBe('slippage_exceeded');
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(
      /^uniswap: swap 5 weETH -> ETH refused: quote [\d.]+ is [\d.]+ % below [\d.]+ at the last refresh \(slippage limit 0\.500 %\)$/,
    );
    expect(await nonce()).toBe(n);
  });

  test('a pool move between quote and inclusion reverts the swap on chain (minimum out), once', async () => {
    const router = f.devnet.deployment.uniswap.swapRouter.toLowerCase();
    proxy.hook = async (call) => {
      if (call.method !== 'eth_sendRawTransaction') return undefined;
      if (parseTransaction(call.params[0] as Hex).to?.toLowerCase() !== router) return undefined; // e.g. the approval
      proxy.hook = () => undefined;
      await frontRun(400); // lands before our swap
      return undefined;
    };
    const weBefore = o.venues.get('wallet')!.balanceOf('weETH');
    const n = await nonce();
    const e = await caught(
      uni.execute(
        { op: 'swap', venue: 'uniswap', from: 'weETH', to: 'ETH', amount: 5, maxSlippage: 0.005 },
        ledger,
      ),
    );
    expect(e.code).toBe('slippage_exceeded');
    expect(e.message).toMatch(/reverted on chain in block \d+ .*: Too little received/);
    const ours = proxy.seen
      .filter((c) => c.method === 'eth_sendRawTransaction')
      .map((c) => parseTransaction(c.params[0] as Hex));
    expect(ours.filter((t) => t.to?.toLowerCase() === router)).toHaveLength(1); // one swap, mined and reverted
    expect(await nonce()).toBe(n + ours.filter((t) => t.nonce! >= n).length);
    await o.refresh();
    expect(o.venues.get('wallet')!.balanceOf('weETH')).toBe(weBefore);
  });

  test('insufficient balance is refused before anything is sent', async () => {
    const n = await nonce();
    const e = await caught(
      aave.execute({ op: 'supply', venue: 'aave_v3', asset: 'USDT', amount: 1000 }, ledger),
    );
    expect(e.code).toBe('insufficient_balance');
    expect(e.message).toBe('aave_v3: insufficient USDT balance: has 0, needs 1000');
    const s = await caught(
      uni.execute(
        { op: 'swap', venue: 'uniswap', from: 'weETH', to: 'ETH', amount: 1e6, maxSlippage: 0.005 },
        ledger,
      ),
    );
    expect(s.code).toBe('insufficient_balance');
    expect(await nonce()).toBe(n);
  });

  test('a reverted transaction is a non-retryable VenueError with the decoded reason', async () => {
    const n = await nonce();
    const e = await caught(
      aave.execute({ op: 'borrow', venue: 'aave_v3', asset: 'WETH', amount: 1000 }, ledger),
    );
    expect(e.message).toBe(
      'aave_v3: borrow 1000 WETH reverted: Aave error 36 COLLATERAL_CANNOT_COVER_NEW_BORROW',
    );
    expect(e.code).toBe('insufficient_collateral');
    expect(e.retryable).toBe(false);
    expect(await nonce()).toBe(n);
    // the execution manager does not retry it
    const { m, ledger: l } = manager(o);
    const r = await m.execute({
      action: 'entry_partial',
      reason: 'test',
      items: [{ op: 'borrow', venue: 'aave_v3', asset: 'WETH', amount: 1000 }],
    });
    expect(r.failed).toBe(1);
    expect(l.events.filter((x) => x.type === 'retry')).toHaveLength(0);
    expect(await nonce()).toBe(n);
  });

  test('a connection dropped after the node got the transaction: the retry resolves it, no second borrow', async () => {
    const before = await debt();
    const n = await nonce();
    let drops = 0;
    proxy.hook = (call) =>
      call.method === 'eth_sendRawTransaction' && drops++ === 0 ? 'drop_after' : undefined;
    const borrow: Instruction = { op: 'borrow', venue: 'aave_v3', asset: 'WETH', amount: 1 };
    const e = await caught(aave.execute(borrow, ledger));
    expect(e.code).toBe('rpc_unavailable');
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(
      /transaction 0x[0-9a-f]{64} \(nonce \d+\) may have been broadcast, a retry resolves it without sending twice/,
    );
    await mined(e);
    expect(await nonce()).toBe(n + 1); // it was mined, once
    // the execution manager retries the same instruction: resolved to the journalled transaction
    const { m, ledger: l } = manager(o);
    const r = await m.execute({ action: 'entry_partial', reason: 'retry', items: [borrow] });
    expect(r.failed).toBe(0);
    expect(await nonce()).toBe(n + 1);
    expect(await debt()).toBeCloseTo(before + 1, 6);
    expect(l.events.some((x) => x.type === 'transaction' && x.resumed === true)).toBe(true);
  });

  test('a connection dropped before the node got it: the execution manager retries with the same signed bytes', async () => {
    const before = await debt();
    const n = await nonce();
    let drops = 0;
    proxy.hook = (call) =>
      call.method === 'eth_sendRawTransaction' && drops++ === 0 ? 'drop_before' : undefined;
    const { m, ledger: l } = manager(o);
    const r = await m.execute({
      action: 'entry_partial',
      reason: 'test',
      items: [{ op: 'borrow', venue: 'aave_v3', asset: 'WETH', amount: 1 }],
    });
    expect(r.failed).toBe(0);
    expect(l.events.filter((x) => x.type === 'retry')).toHaveLength(1);
    const raws = proxy.seen
      .filter((c) => c.method === 'eth_sendRawTransaction')
      .slice(-2)
      .map((c) => c.params[0]);
    expect(raws[0]).toBe(raws[1]); // re-broadcast, not re-signed
    expect(await nonce()).toBe(n + 1);
    expect(await debt()).toBeCloseTo(before + 1, 6);
  });

  test('the journal survives a restart: a new process resolves the lost transaction instead of sending again', async () => {
    const before = await debt();
    const n = await nonce();
    proxy.hook = (call) => (call.method === 'eth_sendRawTransaction' ? 'drop_after' : undefined);
    const borrow: Instruction = { op: 'borrow', venue: 'aave_v3', asset: 'WETH', amount: 1 };
    expect((await caught(aave.execute(borrow, ledger))).code).toBe('rpc_unavailable');
    proxy.hook = () => undefined;
    const restarted = await f.build({ rpcUrl: proxy.url, journalDir }); // fresh clients, same journal folder
    const fill = await restarted.venues.get('aave_v3')!.execute(borrow, ledger);
    expect(fill.amount).toBe(1);
    expect(await nonce()).toBe(n + 1);
    expect(await debt()).toBeCloseTo(before + 1, 6);
  });

  test('a lost transaction mined between the receipt check and the nonce read is resumed, not sent again', async () => {
    const before = await debt();
    const n = await nonce();
    const borrow: Instruction = { op: 'borrow', venue: 'aave_v3', asset: 'WETH', amount: 1 };
    await f.devnet.rpc('evm_setAutomine', [false]); // the node keeps the transaction in its pool
    try {
      proxy.hook = (call) => (call.method === 'eth_sendRawTransaction' ? 'drop_after' : undefined);
      expect((await caught(aave.execute(borrow, ledger))).code).toBe('rpc_unavailable');
      expect(await nonce()).toBe(n); // not mined yet
      // The restarted sender finds no receipt, then reads the mined nonce: the node mines the block in between.
      let mined = false;
      proxy.hook = async (call) => {
        if (!mined && call.method === 'eth_getTransactionCount' && call.params[1] === 'latest') {
          mined = true;
          await f.devnet.rpc('evm_mine', []);
          await f.devnet.rpc('evm_setAutomine', [true]); // the pool is empty now: anything sent later is mined
        }
        return undefined;
      };
      const restarted = await f.build({ rpcUrl: proxy.url, journalDir });
      const fill = await restarted.venues.get('aave_v3')!.execute(borrow, ledger);
      expect(mined).toBe(true);
      expect(fill.amount).toBe(1);
    } finally {
      await f.devnet.rpc('evm_setAutomine', [true]);
    }
    expect(await nonce()).toBe(n + 1); // the one transaction, resumed: nothing sent twice
    expect(await debt()).toBeCloseTo(before + 1, 6);
  });

  test('a nonce conflict with another sender of the same key is a retryable VenueError; the retry sends once', async () => {
    const before = await debt();
    const n = await nonce();
    const me = privateKeyToAccount(f.key);
    let conflicts = 0;
    proxy.hook = async (call) => {
      if (call.method !== 'eth_sendRawTransaction' || conflicts++ > 0) return undefined;
      // another process with the same key takes our nonce first
      const ours = parseTransaction(call.params[0] as Hex);
      const other = await me.signTransaction({
        chainId: 31337,
        type: 'eip1559',
        to: f.address,
        value: 0n,
        gas: 21_000n,
        nonce: ours.nonce!,
        maxFeePerGas: ours.maxFeePerGas!,
        maxPriorityFeePerGas: ours.maxPriorityFeePerGas!,
      });
      const hash = await f.devnet.pub.request({ method: 'eth_sendRawTransaction', params: [other] });
      await f.devnet.pub.waitForTransactionReceipt({ hash, pollingInterval: 5 }); // mined before ours arrives
      return undefined;
    };
    const borrow: Instruction = { op: 'borrow', venue: 'aave_v3', asset: 'WETH', amount: 1 };
    const e = await caught(aave.execute(borrow, ledger));
    expect(e.code).toBe('nonce_conflict');
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(
      /^aave_v3: borrow 1 WETH: nonce conflict \(.*\); nothing was sent twice, retry re-reads the nonce$/,
    );
    expect(await nonce()).toBe(n + 1); // only the other sender's transaction
    expect(await debt()).toBeCloseTo(before, 6);
    const { m } = manager(o);
    const r = await m.execute({ action: 'entry_partial', reason: 'retry', items: [borrow] });
    expect(r.failed).toBe(0);
    expect(await nonce()).toBe(n + 2);
    expect(await debt()).toBeCloseTo(before + 1, 6);
  });
});
