/**
 * The execution engines on the devnet: simulation before every send (a competitor that takes the opportunity
 * first is caught, nothing is sent, nothing is lost; an estimate that disagrees with the simulation beyond the
 * bound is not sent), the nonce manager across a restart, the fee cap, and the venues' journal.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Hex } from 'viem';
import { bumpFees, feesFor, NonceManager } from '../../src/venues/onchain/executor/flash/index.js';
import { startDevnet, type Devnet } from '../../src/devnet/devnet.js';
import { TxJournal } from '../../src/venues/onchain/chain/journal.js';
import { DEVNET } from '../onchain/fixture.js';
import { arbScenario, engineOf, type ArbScenario } from './scenario.js';

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
  dir = mkdtempSync(join(tmpdir(), 'basis-exec-'));
});
afterEach(async () => {
  if (!DEVNET) return;
  await devnet.revert(snap);
  rmSync(dir, { recursive: true, force: true });
});

test('fees: base × 2 + tip, capped; above the cap even at the base fee nothing is quoted', () => {
  const o = { priorityFeeWei: 2n, maxFeeCapWei: 100n };
  expect(feesFor(10n, o)).toEqual({ maxFeePerGas: 22n, maxPriorityFeePerGas: 2n, baseFeePerGas: 10n });
  expect(feesFor(60n, o).maxFeePerGas).toBe(100n);
  expect(() => feesFor(99n, o)).toThrow(
    'fees: base fee 99 + priority fee 2 wei/gas is above the cap 100 wei/gas',
  );
});

describe.skipIf(!DEVNET)('execution engines on the devnet', () => {
  test('a competitor takes the opportunity first: the simulation catches it, nothing is sent or lost', async () => {
    const o = await sc.opportunity();
    const engine = await engineOf(sc, { kind: 'aave' }, dir);
    expect((await engine.simulate(o)).ok).toBe(true);
    // someone trades the gap away before we send (half the size: the path is still profitable, less so)
    await sc.compete(o.amountIn / 2n);
    const a = sc.owner.address;
    const before = {
      nonce: await devnet.pub.getTransactionCount({ address: a }),
      eth: await devnet.pub.getBalance({ address: a }),
      weth: await sc.wethOf(a),
    };
    const x = await engine.execute(o);
    expect(x.sent).toBe(false);
    expect(x.simulation.simulated).not.toBeNull();
    expect(x.simulation.simulated!).toBeLessThan(x.simulation.expected);
    expect(x.reason).toBe(
      `disagrees: simulated profit ${x.simulation.simulated} vs expected ${x.simulation.expected} (bound 0 wei)`,
    );
    // all of it: the simulation reverts (ProfitTooLow), still nothing sent
    await sc.compete(o.amountIn * 2n);
    const y = await engine.execute(o);
    expect(y.sent).toBe(false);
    expect(y.reason).toMatch(/^reverted: ProfitTooLow\(/);
    expect({
      nonce: await devnet.pub.getTransactionCount({ address: a }),
      eth: await devnet.pub.getBalance({ address: a }),
      weth: await sc.wethOf(a),
    }).toEqual(before);
    expect(NonceManager.at(dir, devnet.pub, devnet.deployment.chainId, a).reserved).toEqual([]);
    console.log(
      `exec competitor: expected ${x.simulation.expected}, simulated after the competitor ${x.simulation.simulated} (not sent), then ${y.reason}`,
    );
  });

  test('the disagreement bound: an estimate 1 wei off is refused at bound 0 and sent at bound 1', async () => {
    const o = await sc.opportunity();
    const off = { ...o, profit: o.profit + 1n };
    const strict = await engineOf(sc, { kind: 'aave' }, dir);
    const s = await strict.simulate(off);
    expect(s).toMatchObject({ ok: false, difference: -1n });
    const loose = await engineOf(sc, { kind: 'aave' }, dir, { maxDisagreementWei: 1n });
    const before = await sc.wethOf(sc.owner.address);
    const x = await loose.execute(off);
    expect(x).toMatchObject({ sent: true, status: 'success', profit: s.simulated });
    expect((await sc.wethOf(sc.owner.address)) - before).toBe(s.simulated);
  });

  test('the nonce manager survives a restart and reconciles with the node; the venues journal records the send', async () => {
    const o = await sc.opportunity();
    const a = sc.owner.address;
    const chainId = devnet.deployment.chainId;
    const engine = await engineOf(sc, { kind: 'aave' }, dir);
    // a transaction prepared for a bundle holds its nonce; the node's pending count does not know it
    const p = await engine.prepare(o);
    expect(p.nonce).toBe(0);
    expect(await devnet.pub.getTransactionCount({ address: a, blockTag: 'pending' })).toBe(0);
    // a restarted process reads the reservation back and hands out the next nonce
    const restarted = NonceManager.at(dir, devnet.pub, chainId, a);
    expect(restarted.reserved).toEqual([0]);
    expect(await restarted.next()).toBe(1);
    restarted.release(1);
    // the bundle expired: its nonce is free again; a plain send then uses it and leaves nothing reserved
    engine.release(p);
    // another process reserves 0 too (and never sends it)
    const other = NonceManager.at(join(dir, 'other'), devnet.pub, chainId, a);
    expect(await other.next()).toBe(0);
    const x = await (await engineOf(sc, { kind: 'aave' }, dir)).execute(o);
    expect(x.sent).toBe(true);
    expect(await devnet.pub.getTransactionCount({ address: a })).toBe(1);
    expect(NonceManager.at(dir, devnet.pub, chainId, a).reserved).toEqual([]);
    // one journal with the venues: the same file format, settled at nonce 0
    const j = TxJournal.at(dir, chainId, a);
    expect(j.pending).toBeNull();
    expect(j.lastNonce).toBe(0);
    expect(JSON.parse(readFileSync(j.file, 'utf8'))).toMatchObject({ chainId, lastNonce: 0, pending: null });
    // the other process's reservation of 0 was used on chain by our send: dropped on reconcile
    expect(await other.reconcile()).toEqual({ mined: 1, pending: 1 });
    expect(other.reserved).toEqual([]);
    expect(await other.next()).toBe(1);
  });

  test('a stuck transaction is replaced (same nonce, higher fees under the cap); exactly one lands', async () => {
    const o = await sc.opportunity();
    const a = sc.owner.address;
    const chainId = devnet.deployment.chainId;
    const engine = await engineOf(sc, { kind: 'aave' }, dir, { replaceAfterBlocks: 1 });
    const expected = (await engine.simulate(o)).simulated!;
    const j = TxJournal.at(dir, chainId, a);
    const inPool = async (hash: Hex) =>
      (await devnet.pub.getTransaction({ hash }).catch(() => null)) !== null;
    /** Bounded polling on a condition (a deadline, not an expectation). */
    const until = async <T>(f: () => Promise<T | null>): Promise<T> => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const v = await f();
        if (v !== null) return v;
        if (Date.now() > deadline) throw new Error('condition not met within 30 s');
        await new Promise((ok) => setTimeout(ok, 5));
      }
    };
    const before = await sc.wethOf(a);
    await devnet.rpc('evm_setAutomine', [false]);
    try {
      const run = engine.execute(o);
      const first = await until(async () => {
        const p = j.pending;
        return p && (await inPool(p.hash)) ? p.hash : null;
      });
      // the base fee jumps above what it offered: the next block leaves it out
      const tx = await devnet.pub.getTransaction({ hash: first });
      await devnet.rpc('anvil_setNextBlockBaseFeePerGas', [`0x${(tx.maxFeePerGas! + 1n).toString(16)}`]);
      await devnet.rpc('evm_mine', []);
      expect(await devnet.pub.getTransactionReceipt({ hash: first }).catch(() => null)).toBeNull();
      const second = await until(async () => {
        const p = j.pending;
        return p && p.hash !== first && (await inPool(p.hash)) ? p.hash : null;
      });
      const tx2 = await devnet.pub.getTransaction({ hash: second });
      expect(tx2.nonce).toBe(tx.nonce);
      expect(tx2.maxFeePerGas! > tx.maxFeePerGas!).toBe(true);
      await devnet.rpc('evm_mine', []);
      const x = await run;
      expect(x).toMatchObject({
        sent: true,
        status: 'success',
        hash: second,
        replacements: 1,
        profit: expected,
      });
      expect(await devnet.pub.getTransactionReceipt({ hash: first }).catch(() => null)).toBeNull();
      expect((await sc.wethOf(a)) - before).toBe(expected);
      expect(await devnet.pub.getTransactionCount({ address: a })).toBe(1);
      expect(j.pending).toBeNull();
      console.log(
        `exec replacement: maxFeePerGas ${tx.maxFeePerGas} → ${tx2.maxFeePerGas}, tip ${tx.maxPriorityFeePerGas} → ${tx2.maxPriorityFeePerGas}`,
      );
    } finally {
      await devnet.rpc('evm_setAutomine', [true]);
    }
  });

  test('bumpFees: +12.5 % or the current quote, under the cap, else no replacement', () => {
    const old = { maxFeePerGas: 1000n, maxPriorityFeePerGas: 100n, baseFeePerGas: 450n };
    expect(
      bumpFees(old, { maxFeePerGas: 900n, maxPriorityFeePerGas: 100n, baseFeePerGas: 400n }, 10_000n),
    ).toEqual({
      maxFeePerGas: 1126n,
      maxPriorityFeePerGas: 113n,
      baseFeePerGas: 400n,
    });
    expect(
      bumpFees(old, { maxFeePerGas: 3000n, maxPriorityFeePerGas: 100n, baseFeePerGas: 1450n }, 2000n)
        ?.maxFeePerGas,
    ).toBe(2000n);
    expect(bumpFees(old, old, 1100n)).toBeNull();
  });

  test('a fee cap below the base fee: nothing is signed or sent', async () => {
    const o = await sc.opportunity();
    const engine = await engineOf(sc, { kind: 'aave' }, dir, {
      fees: { priorityFeeWei: 1n, maxFeeCapWei: 1n },
    });
    const x = await engine.execute(o);
    expect(x.sent).toBe(false);
    expect(x.reason).toMatch(/^fees: base fee \d+ \+ priority fee 1 wei\/gas is above the cap 1 wei\/gas$/);
    expect(NonceManager.at(dir, devnet.pub, devnet.deployment.chainId, sc.owner.address).reserved).toEqual(
      [],
    );
  });

  test('an unresolved transaction in the journal is resolved first (or refused, one line)', async () => {
    const o = await sc.opportunity();
    const chainId = devnet.deployment.chainId;
    const j = TxJournal.at(dir, chainId, sc.owner.address);
    const hash = `0x${'ab'.repeat(32)}` as const;
    j.setPending({ hash, nonce: 0, raw: '0x00', opKey: '0x', description: 'lost', sentAtMs: 0 });
    const engine = await engineOf(sc, { kind: 'aave' }, dir);
    await expect(engine.execute(o)).rejects.toThrow(
      `exec: the journal ${j.file} holds unresolved transaction ${hash}; resolve it first`,
    );
  });
});
