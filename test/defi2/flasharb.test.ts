/**
 * contracts/FlashArb.sol on the devnet (real Aave V3 and Uniswap V2 / V3 bytecode): owner-only entry points,
 * callbacks accepted only from the pool being called, re-entrancy refused, and a two-pool mispricing captured
 * with each way of paying for it — the owner ends with exactly the simulated profit, which is the library's
 * exact profit less the lender's fee; an unprofitable plan reverts with nothing lost but gas.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  encodeAbiParameters,
  encodeFunctionData,
  getAddress,
  maxUint256,
  parseAbi,
  type Address,
  type Hex,
} from 'viem';
import {
  aavePremium,
  FLASH_ARB_ABI,
  planOf,
  revertName,
  v3FlashFee,
} from '../../src/venues/onchain/executor/flash/index.js';
import { legOf, sizePath } from '../../src/defi/arb/index.js';
import { PoolReader } from '../../src/defi/pools/index.js';
import { builtContract } from '../../src/devnet/artifacts.js';
import { createV2Pair } from '../../src/devnet/deploy/uniswapV2.js';
import { deployToken } from '../defi/devnetPools.js';
import { startDevnet, type Devnet } from '../../src/devnet/devnet.js';
import { DEVNET } from '../onchain/fixture.js';
import { arbScenario, engineOf, ERC20, walletOf, type ArbScenario } from './scenario.js';

let devnet: Devnet;
let sc: ArbScenario;
let snap: Hex;
let dir: string;

beforeAll(async () => {
  if (!DEVNET) return;
  devnet = await startDevnet();
  sc = await arbScenario(devnet);
});
afterAll(async () => {
  await devnet?.stop();
});
beforeEach(async () => {
  if (!DEVNET) return;
  snap = await devnet.snapshot();
  dir = mkdtempSync(join(tmpdir(), 'basis-flasharb-'));
});
afterEach(async () => {
  if (!DEVNET) return;
  await devnet.revert(snap);
  rmSync(dir, { recursive: true, force: true });
});

/** The revert of `functionName(args)` called by `from`, decoded ('' when it does not revert). */
async function revertOf(from: Address, functionName: string, args: readonly unknown[]): Promise<string> {
  try {
    await devnet.pub.simulateContract({
      address: sc.arb,
      abi: FLASH_ARB_ABI,
      functionName: functionName as 'runWithCapital',
      args: args as never,
      account: from,
    });
    return '';
  } catch (err) {
    return revertName(err);
  }
}

describe.skipIf(!DEVNET)('FlashArb on the devnet', () => {
  test('a stranger cannot call any entry point', async () => {
    const plan = planOf(await sc.opportunity());
    const stranger = devnet.deployment.admin;
    expect(await revertOf(stranger, 'runWithCapital', [plan])).toBe('NotOwner()');
    expect(await revertOf(stranger, 'runWithAaveFlash', [plan])).toBe('NotOwner()');
    expect(await revertOf(stranger, 'runWithV3Flash', [plan, sc.flashPool])).toBe('NotOwner()');
    expect(await revertOf(stranger, 'sweep', [sc.weth])).toBe('NotOwner()');
    // the owner's own call goes through
    expect(await revertOf(sc.owner.address, 'runWithAaveFlash', [plan])).toBe('');
  });

  test('a callback from anyone but the pool being called reverts, the real Aave pool included', async () => {
    const stranger = devnet.deployment.admin;
    const data = encodeAbiParameters([{ type: 'address' }], [sc.weth]);
    expect(await revertOf(stranger, 'executeOperation', [sc.weth, 1n, 0n, sc.arb, '0x'])).toBe(
      `UnexpectedCallback(${stranger})`,
    );
    expect(await revertOf(stranger, 'uniswapV3SwapCallback', [1n, 0n, data])).toBe(
      `UnexpectedCallback(${stranger})`,
    );
    expect(await revertOf(stranger, 'uniswapV3FlashCallback', [0n, 0n, data])).toBe(
      `UnexpectedCallback(${stranger})`,
    );
    // someone asks the real Aave pool for a flash loan to our contract: the pool's callback is refused
    const aave = devnet.deployment.aave.pool;
    const flash = parseAbi([
      'function flashLoanSimple(address receiverAddress, address asset, uint256 amount, bytes params, uint16 referralCode)',
    ]);
    let why = '';
    try {
      await devnet.pub.simulateContract({
        address: aave,
        abi: [...flash, ...FLASH_ARB_ABI],
        functionName: 'flashLoanSimple',
        args: [sc.arb, sc.weth, 10n ** 18n, '0x', 0],
        account: stranger,
      });
    } catch (err) {
      why = revertName(err);
    }
    expect(why).toBe(`UnexpectedCallback(${aave})`);
  });

  test('re-entry during a swap is refused, as is a callback from a hop that is not the pool called', async () => {
    const o = await sc.opportunity();
    const hostile = getAddress(
      await devnet.admin.deploy('ReentrantPair', builtContract('ReentrantPair'), [sc.weth]),
    );
    const plan = planOf(o);
    // first hop through the hostile "pair", then the real V3 pool back to WETH
    const bad = {
      ...plan,
      hops: [{ ...plan.hops[0], kind: 2 as const, pool: hostile, feeBps: 30 }, plan.hops[1]],
    };
    const arm = parseAbi(['function arm(address target, bytes payload)']);
    const armWith = (payload: Hex) => devnet.admin.write(hostile, arm, 'arm', [sc.arb, payload]);
    await armWith(encodeFunctionData({ abi: FLASH_ARB_ABI, functionName: 'runWithCapital', args: [plan] }));
    expect(await revertOf(sc.owner.address, 'runWithAaveFlash', [bad])).toBe('Reentrant()');
    await armWith(
      encodeFunctionData({
        abi: FLASH_ARB_ABI,
        functionName: 'uniswapV3SwapCallback',
        args: [10n ** 18n, 0n, encodeAbiParameters([{ type: 'address' }], [sc.weth])],
      }),
    );
    expect(await revertOf(sc.owner.address, 'runWithAaveFlash', [bad])).toBe(
      `UnexpectedCallback(${hostile})`,
    );
    await armWith(
      encodeFunctionData({
        abi: FLASH_ARB_ABI,
        functionName: 'executeOperation',
        args: [sc.weth, plan.amountIn, 0n, sc.arb, '0x'],
      }),
    );
    expect(await revertOf(sc.owner.address, 'runWithAaveFlash', [bad])).toBe(
      `UnexpectedCallback(${hostile})`,
    );
  });

  test('Aave V3 flash loan: the owner ends with exactly the simulated profit = library profit − premium', async () => {
    const o = await sc.opportunity();
    const engine = await engineOf(sc, { kind: 'aave' }, dir);
    const sim = await engine.simulate(o);
    const expected = o.profit - aavePremium(o.amountIn, 5n);
    expect(sim).toMatchObject({ ok: true, expected, simulated: expected, difference: 0n });
    const before = await sc.wethOf(sc.owner.address);
    const x = await engine.execute(o);
    expect(x).toMatchObject({ sent: true, status: 'success', profit: expected });
    expect((await sc.wethOf(sc.owner.address)) - before).toBe(expected);
    expect(await sc.wethOf(sc.arb)).toBe(0n);
    console.log(
      `flasharb aave: size ${o.amountIn} wei WETH, profit ${expected} wei (library ${o.profit} − premium ${aavePremium(o.amountIn, 5n)}), simulated − actual 0 wei, gas ${x.gasUsed}`,
    );
  });

  test('own capital and a Uniswap V3 flash: the same rule, gas per path', async () => {
    const o = await sc.opportunity();
    // own capital: the owner holds the input and allows the contract
    await devnet.fund(sc.owner.address, { WETH: 10 });
    const w = walletOf(devnet, sc.owner);
    await devnet.pub.waitForTransactionReceipt({
      pollingInterval: 5,
      hash: await w.writeContract({
        address: sc.weth,
        abi: ERC20,
        functionName: 'approve',
        args: [sc.arb, maxUint256],
      }),
    });
    const cap = await engineOf(sc, { kind: 'capital' }, dir);
    const s0 = await devnet.snapshot();
    const before = await sc.wethOf(sc.owner.address);
    const x = await cap.execute(o);
    expect(x).toMatchObject({ sent: true, status: 'success', profit: o.profit });
    expect(x.simulation.difference).toBe(0n);
    expect((await sc.wethOf(sc.owner.address)) - before).toBe(o.profit);
    await devnet.revert(s0);

    const fee = 100n; // wstETH/WETH 0.01 %
    const v3 = await engineOf(sc, { kind: 'v3flash', pool: sc.flashPool, fee }, join(dir, 'v3'));
    const y = await v3.execute(o);
    const expected = o.profit - v3FlashFee(o.amountIn, fee);
    expect(y).toMatchObject({ sent: true, status: 'success', profit: expected });
    expect(y.simulation.difference).toBe(0n);
    expect((await sc.wethOf(sc.owner.address)) - before).toBe(expected);
    console.log(`flasharb gas: own capital ${x.gasUsed}, uniswap v3 flash ${y.gasUsed}`);
  });

  test('three hops across V2 and V3 (WETH → T → USDT → WETH), sized by the library, flash-loaned from Aave', async () => {
    const t = await deployToken(devnet, 'T', 18);
    const f = devnet.deployment.uniswapV2.factory;
    const e18 = 10n ** 18n;
    // T is worth 1 USDT on one pair, but 1 WETH buys 3,300 T on the other: the V3 pool closes the cycle at 3,000
    const tw = await createV2Pair(devnet.admin, f, t, sc.weth, 330_000n * e18, 100n * e18);
    const tu = await createV2Pair(devnet.admin, f, t, sc.usdt, 300_000n * e18, 300_000n * 10n ** 6n);
    const r = new PoolReader(devnet.pub, { multicall: devnet.deployment.uniswapV2.multicall });
    const legs = [
      legOf(await r.v2Pair(tw), sc.weth),
      legOf(await r.v2Pair(tu), t),
      legOf(await r.v3Pool(sc.v3), sc.usdt),
    ];
    const o = sizePath(legs);
    expect(o).not.toBeNull();
    const engine = await engineOf(sc, { kind: 'aave' }, dir);
    const before = await sc.wethOf(sc.owner.address);
    const x = await engine.execute(o!);
    const expected = o!.profit - aavePremium(o!.amountIn, 5n);
    expect(x).toMatchObject({ sent: true, status: 'success', profit: expected });
    expect(x.simulation.difference).toBe(0n);
    expect((await sc.wethOf(sc.owner.address)) - before).toBe(expected);
    console.log(
      `flasharb 3 hops (V2, V2, V3) via aave: size ${o!.amountIn}, profit ${expected} wei, gas ${x.gasUsed}`,
    );
  });

  test('an unprofitable plan reverts on chain with nothing lost but gas; the engine does not even send it', async () => {
    const o = await sc.opportunity();
    const engine = await engineOf(sc, { kind: 'aave' }, dir);
    const expected = await engine.expectedProfit(o);
    const tooMuch = planOf(o, expected + 1n);
    expect(await revertOf(sc.owner.address, 'runWithAaveFlash', [tooMuch])).toBe(
      `ProfitTooLow(${o.amountIn + expected + aavePremium(o.amountIn, 5n)}, ${o.amountIn + aavePremium(o.amountIn, 5n)}, ${expected + 1n})`,
    );
    const aave = devnet.deployment.aave.reserves.WETH.aToken;
    const [ownerBefore, poolBefore] = [await sc.wethOf(sc.owner.address), await sc.wethOf(aave)];
    const w = walletOf(devnet, sc.owner);
    const hash = await w.writeContract({
      address: sc.arb,
      abi: FLASH_ARB_ABI,
      functionName: 'runWithAaveFlash',
      args: [tooMuch],
      gas: 1_000_000n,
    });
    const r = await devnet.pub.waitForTransactionReceipt({ hash, pollingInterval: 5 });
    expect(r.status).toBe('reverted');
    expect(await sc.wethOf(sc.owner.address)).toBe(ownerBefore);
    expect(await sc.wethOf(aave)).toBe(poolBefore);
    expect(await sc.wethOf(sc.arb)).toBe(0n);
    // the gap is gone (someone sold twice the size into the pair): the simulation reverts, nothing is sent
    await sc.compete(o.amountIn * 2n);
    const nonce = await devnet.pub.getTransactionCount({ address: sc.owner.address });
    const x = await engine.execute(o);
    expect(x.sent).toBe(false);
    expect(x.reason).toMatch(/^reverted: ProfitTooLow\(/);
    expect(await devnet.pub.getTransactionCount({ address: sc.owner.address })).toBe(nonce);
  });
});
