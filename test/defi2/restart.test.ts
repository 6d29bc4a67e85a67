/**
 * The node restarts mid-run: the arbitrage agent's bundle is on its way when anvil dies (the relay cannot
 * build the block). The agent reports the failure and keeps its signed transaction; once a node is back on the
 * same port with the chain as it was, the next pass re-sends the same signed bytes (same nonce: at most one
 * inclusion) and the profit arrives exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Hex } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { ArbitrageAgent } from '../../src/agents/arbitrage.js';
import {
  BundleClient,
  bundleKeyFromEnv,
  NonceManager,
} from '../../src/venues/onchain/executor/flash/index.js';
import { startAnvil, type AnvilProcess } from '../../src/devnet/anvil.js';
import { startDevnet, type Devnet } from '../../src/devnet/devnet.js';
import { DEVNET } from '../onchain/fixture.js';
import { LoopbackRelay } from './relay.js';
import { arbScenario, engineOf, type ArbScenario } from './scenario.js';

let devnet: Devnet;
let sc: ArbScenario;
let relay: LoopbackRelay;
let node2: AnvilProcess | undefined;
let dir: string;

beforeAll(async () => {
  if (!DEVNET) return;
  devnet = await startDevnet();
  sc = await arbScenario(devnet);
  relay = await LoopbackRelay.start(devnet.rpcUrl);
  dir = mkdtempSync(join(tmpdir(), 'basis-restart-'));
});
afterAll(async () => {
  await relay?.stop();
  await node2?.stop();
  await devnet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!DEVNET)('the node restarts mid-run', () => {
  test('the bundle in flight is re-sent after the restart and lands once', async () => {
    const engine = await engineOf(sc, { kind: 'aave' }, dir);
    const expected = (await engine.simulate(await sc.opportunity())).simulated!;
    const agent = new ArbitrageAgent({
      pub: devnet.pub,
      engine,
      pools: [sc.v3, sc.pair],
      tokens: [sc.weth],
      multicall: devnet.deployment.uniswapV2.multicall,
      bundles: new BundleClient(
        relay.url,
        bundleKeyFromEnv({ FLASHBOTS_AUTH_KEY: generatePrivateKey() }),
        devnet.pub,
      ),
    });
    const a = sc.owner.address;
    const before = await sc.wethOf(a);
    // the node dies when the bundle reaches the relay (its state saved first, as a restart from disk would)
    let state: Hex = '0x';
    relay.onBundle = async () => {
      relay.onBundle = null;
      state = (await devnet.rpc('anvil_dumpState', [])) as Hex;
      await devnet.stop();
    };
    const r1 = await agent.step();
    expect(r1.outcome).toBe('error');
    expect(r1.detail).toMatch(/^bundles: relay refused eth_sendBundle/);
    const r2 = await agent.step();
    expect(r2.outcome).toBe('error');
    expect(agent.metrics).toMatchObject({ blocks: 0, sent: 1, included: 0 });
    const reserved = NonceManager.at(dir, devnet.pub, devnet.deployment.chainId, a);
    expect(reserved.reserved).toEqual([0]);

    node2 = await startAnvil({ port: devnet.anvil.port });
    await devnet.rpc('anvil_loadState', [state]);
    const r3 = await agent.step();
    expect(r3.outcome).toBe('included');
    expect((await sc.wethOf(a)) - before).toBe(expected);
    expect(await devnet.pub.getTransactionCount({ address: a })).toBe(1);
    expect(agent.metrics).toMatchObject({ blocks: 1, sent: 1, included: 1 });
    expect(NonceManager.at(dir, devnet.pub, devnet.deployment.chainId, a).reserved).toEqual([]);
    // and it does not land twice
    expect(['none', 'below_minimum']).toContain((await agent.step()).outcome);
    expect((await sc.wethOf(a)) - before).toBe(expected);
  });
});
