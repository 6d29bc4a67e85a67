/**
 * MEV bundles through our loopback relay (test/defi2/relay.ts) on the devnet: the arbitrage signed by the
 * engine, simulated by eth_callBundle, sent by eth_sendBundle with the X-Flashbots-Signature of a searcher
 * key from the environment. Included → the profit arrives; dropped → re-sent for the next block; expired →
 * nothing executed, nothing lost, the nonce given back; a bundle whose second transaction reverts is not
 * included at all (its first transaction's profit is not booked).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { encodeFunctionData, keccak256, type Hex } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import {
  BundleClient,
  bundleKeyFromEnv,
  FLASH_ARB_ABI,
  NonceManager,
  planOf,
} from '../../src/venues/onchain/executor/flash/index.js';
import { startDevnet, type Devnet } from '../../src/devnet/devnet.js';
import { DEVNET } from '../onchain/fixture.js';
import { LoopbackRelay } from './relay.js';
import { arbScenario, engineOf, type ArbScenario } from './scenario.js';

let devnet: Devnet;
let sc: ArbScenario;
let relay: LoopbackRelay;
let snap: Hex;
let dir: string;
const env = { FLASHBOTS_AUTH_KEY: generatePrivateKey() };

beforeAll(async () => {
  if (!DEVNET) return;
  devnet = await startDevnet();
  sc = await arbScenario(devnet);
  relay = await LoopbackRelay.start(devnet.rpcUrl);
});
afterAll(async () => {
  await relay?.stop();
  await devnet?.stop();
});
beforeEach(async () => {
  if (!DEVNET) return;
  snap = await devnet.snapshot();
  dir = mkdtempSync(join(tmpdir(), 'basis-bundles-'));
  Object.assign(relay, { included: 0, dropped: 0, rolledBack: 0, dropAll: false });
  relay.received.length = 0;
});
afterEach(async () => {
  if (!DEVNET) return;
  await devnet.revert(snap);
  rmSync(dir, { recursive: true, force: true });
});

const client = () => new BundleClient(relay.url, bundleKeyFromEnv(env), devnet.pub);

test('the searcher key comes from the environment as a Secret', () => {
  const k = bundleKeyFromEnv(env);
  expect(String(k)).toBe('***');
  expect(inspect({ k })).not.toContain(env.FLASHBOTS_AUTH_KEY.slice(2));
  expect(() => bundleKeyFromEnv({})).toThrow(
    'bundles: FLASHBOTS_AUTH_KEY is not set to a 32-byte hex key (value not shown)',
  );
});

describe.skipIf(!DEVNET)('bundles through the loopback relay', () => {
  test('simulated by eth_callBundle, included in the target block, the profit arrives', async () => {
    const o = await sc.opportunity();
    const engine = await engineOf(sc, { kind: 'aave' }, dir);
    const p = await engine.prepare(o);
    expect(p.simulation.ok).toBe(true);
    const c = client();
    const head = await devnet.pub.getBlockNumber({ cacheTime: 0 });
    const call = await c.callBundle([p.raw!], head + 1n);
    expect(call.results).toHaveLength(1);
    expect(call.results[0].error).toBeUndefined();
    expect(await devnet.pub.getBlockNumber({ cacheTime: 0 })).toBe(head); // the simulation left the chain as it was
    const before = await sc.wethOf(sc.owner.address);
    const out = await c.submit([p.raw!]);
    expect(out).toMatchObject({ included: true, block: head + 1n, targets: [head + 1n] });
    expect((await sc.wethOf(sc.owner.address)) - before).toBe(p.simulation.simulated);
    expect(relay.received).toEqual([{ block: head + 1n, searcher: c.searcher }]);
    expect(relay.included).toBe(1);
    const r = await devnet.pub.getTransactionReceipt({ hash: p.hash! });
    expect(r.gasUsed).toBe(BigInt(call.results[0].gasUsed));
    engine.release(p);
    console.log(
      `bundle: included at block ${out.block} after ${out.targets.length} submission, profit ${p.simulation.simulated} wei = simulated, gas ${r.gasUsed} (callBundle ${call.totalGasUsed})`,
    );
  });

  test('a dropped bundle is re-sent for the next block and included there', async () => {
    const o = await sc.opportunity();
    const engine = await engineOf(sc, { kind: 'aave' }, dir);
    const p = await engine.prepare(o);
    relay.dropNext(1);
    const head = await devnet.pub.getBlockNumber({ cacheTime: 0 });
    const before = await sc.wethOf(sc.owner.address);
    const out = await client().submit([p.raw!]);
    expect(out).toMatchObject({ included: true, block: head + 2n, targets: [head + 1n, head + 2n] });
    expect({ received: relay.received.length, dropped: relay.dropped, included: relay.included }).toEqual({
      received: 2,
      dropped: 1,
      included: 1,
    });
    expect((await sc.wethOf(sc.owner.address)) - before).toBe(p.simulation.simulated);
  });

  test('expiry ends it: nothing executed, nothing lost, the nonce given back', async () => {
    const o = await sc.opportunity();
    const engine = await engineOf(sc, { kind: 'aave' }, dir);
    const p = await engine.prepare(o);
    relay.dropAll = true;
    const a = sc.owner.address;
    const before = { eth: await devnet.pub.getBalance({ address: a }), weth: await sc.wethOf(a) };
    const out = await client().submit([p.raw!], { maxBlocks: 3 });
    expect(out.included).toBe(false);
    expect(out.targets).toHaveLength(3);
    expect(relay.dropped).toBe(3);
    expect(await devnet.pub.getTransactionReceipt({ hash: p.hash! }).catch(() => null)).toBeNull();
    expect({ eth: await devnet.pub.getBalance({ address: a }), weth: await sc.wethOf(a) }).toEqual(before);
    engine.release(p);
    const nonces = NonceManager.at(dir, devnet.pub, devnet.deployment.chainId, a);
    expect(nonces.reserved).toEqual([]);
    expect(await nonces.next()).toBe(0);
  });

  test('all or none: a bundle whose second transaction reverts is not included, the first is undone', async () => {
    const o = await sc.opportunity();
    const engine = await engineOf(sc, { kind: 'aave' }, dir);
    const p = await engine.prepare(o);
    const expected = p.simulation.expected;
    // the second transaction (next nonce) asks for more profit than the pools can give after the first
    const second = await sc.owner.signTransaction({
      type: 'eip1559',
      chainId: devnet.deployment.chainId,
      nonce: p.nonce! + 1,
      gas: 1_000_000n,
      maxFeePerGas: p.fees!.maxFeePerGas,
      maxPriorityFeePerGas: p.fees!.maxPriorityFeePerGas,
      to: sc.arb,
      data: encodeFunctionData({
        abi: FLASH_ARB_ABI,
        functionName: 'runWithAaveFlash',
        args: [planOf(o, expected)],
      }),
    });
    const a = sc.owner.address;
    const before = { eth: await devnet.pub.getBalance({ address: a }), weth: await sc.wethOf(a) };
    const out = await client().submit([p.raw!, second], { maxBlocks: 1 });
    expect(out.included).toBe(false);
    expect(relay.rolledBack).toBe(1);
    expect(await devnet.pub.getTransactionReceipt({ hash: keccak256(second) }).catch(() => null)).toBeNull();
    expect({ eth: await devnet.pub.getBalance({ address: a }), weth: await sc.wethOf(a) }).toEqual(before);
    expect(await devnet.pub.getTransactionCount({ address: a })).toBe(0);
  });

  test('a request with a bad signature is refused by the relay', async () => {
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'eth_sendBundle',
      params: [{ txs: [], blockNumber: '0x1' }],
    });
    const res = await fetch(relay.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'X-Flashbots-Signature': `${sc.owner.address}:0x${'11'.repeat(65)}`,
      },
      body,
    });
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'invalid X-Flashbots-Signature',
    );
  });
});
