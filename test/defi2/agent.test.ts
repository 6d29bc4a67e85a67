/**
 * The arbitrage agent on the devnet, end to end through a bundle: it sees the mispricing created on the devnet
 * pools, validates, simulates and captures it via the loopback relay (profit = simulation, to the wei), then
 * sees nothing more; with a relay that drops everything the bundle expires and nothing is lost; metrics as
 * Prometheus text.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import type { Hex } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { main } from '../../src/cli/main.js';
import { ArbitrageAgent } from '../../src/agents/arbitrage.js';
import {
  BundleClient,
  bundleKeyFromEnv,
  NonceManager,
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
  dir = mkdtempSync(join(tmpdir(), 'basis-agent-'));
  relay.dropAll = false;
  relay.failCalls = false;
});
afterEach(async () => {
  if (!DEVNET) return;
  await devnet.revert(snap);
  rmSync(dir, { recursive: true, force: true });
});

async function agentOf(): Promise<ArbitrageAgent> {
  const env = { FLASHBOTS_AUTH_KEY: generatePrivateKey() };
  return new ArbitrageAgent({
    pub: devnet.pub,
    engine: await engineOf(sc, { kind: 'aave' }, dir),
    pools: [sc.v3, sc.pair],
    tokens: [sc.weth],
    multicall: devnet.deployment.uniswapV2.multicall,
    bundles: new BundleClient(relay.url, bundleKeyFromEnv(env), devnet.pub),
  });
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  try {
    return { code: await main(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe.skipIf(!DEVNET)('arbitrage agent', () => {
  test('captures the devnet mispricing through a bundle, then sees nothing; metrics exported', async () => {
    const agent = await agentOf();
    const expected = (await (await engineOf(sc, { kind: 'aave' }, dir)).simulate(await sc.opportunity()))
      .simulated!;
    const before = await sc.wethOf(sc.owner.address);
    const first = await agent.step();
    expect(first.outcome).toBe('included');
    expect((await sc.wethOf(sc.owner.address)) - before).toBe(expected);
    const second = await agent.step();
    expect(['none', 'below_minimum']).toContain(second.outcome);
    const m = agent.metrics;
    expect(m).toMatchObject({ blocks: 2, validated: 1, simulated: 1, sent: 1, included: 1, lossWei: 0n });
    expect(m.profit[sc.weth.toLowerCase()]).toBe(expected);
    const text = agent.prometheus();
    expect(text).toContain('basis_agent_transactions_included_total{agent="arbitrage"} 1');
    expect(text).toContain(
      `basis_agent_profit_total{agent="arbitrage",token="${sc.weth.toLowerCase()}"} ${expected}`,
    );
    console.log(
      `agent: seen ${m.opportunitiesSeen}, validated ${m.validated}, simulated ${m.simulated}, sent ${m.sent}, included ${m.included}, profit ${expected} wei WETH, gas ${m.gasUsed}`,
    );
  });

  test('basis agent run arbitrage --config FILE: one block, captured through the relay, metrics written', async () => {
    const expected = (await (await engineOf(sc, { kind: 'aave' }, dir)).simulate(await sc.opportunity()))
      .simulated!;
    const config = join(dir, 'agent.yaml');
    const metrics = join(dir, 'metrics.prom');
    writeFileSync(
      config,
      [
        `rpc_url: ${devnet.rpcUrl}`,
        `flash_arb: "${sc.arb}"`,
        'source: aave',
        `pools: ["${sc.v3}", "${sc.pair}"]`,
        `tokens: ["${sc.weth}"]`,
        `multicall: "${devnet.deployment.uniswapV2.multicall}"`,
        'key_env: AGENT_TEST_KEY',
        `relay_url: ${relay.url}`,
        `journal_dir: ${join(dir, 'journal')}`,
        'limits: { min_profit: 1000, max_gas_per_opportunity: 600000 }',
      ].join('\n'),
    );
    const env = { AGENT_TEST_KEY: sc.ownerKey, FLASHBOTS_AUTH_KEY: generatePrivateKey() };
    Object.assign(process.env, env);
    const before = await sc.wethOf(sc.owner.address);
    try {
      const r = await cli(
        'agent',
        'run',
        'arbitrage',
        '--config',
        config,
        '--blocks',
        '1',
        '--metrics',
        metrics,
      );
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/block \d+: included \(profit \d+\)/);
      expect(r.out).not.toContain(sc.ownerKey.slice(2));
    } finally {
      for (const k of Object.keys(env)) delete process.env[k];
    }
    expect((await sc.wethOf(sc.owner.address)) - before).toBe(expected);
    expect(readFileSync(metrics, 'utf8')).toContain(
      'basis_agent_transactions_included_total{agent="arbitrage"} 1',
    );
    const bad = await cli('agent', 'run', 'liquidation', '--config', config);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe(
      'basis: agent: liquidation: unknown agent: only arbitrage is built (liquidation and market-maker are not yet)\n',
    );
  });

  test("the relay's eth_callBundle fails: nothing is sent, the nonce is given back", async () => {
    relay.failCalls = true;
    const agent = await agentOf();
    const sent = relay.received.length;
    const r = await agent.step();
    expect(r).toMatchObject({ outcome: 'simulation', detail: 'callBundle: execution reverted' });
    expect(relay.received.length).toBe(sent);
    expect(agent.metrics).toMatchObject({ validated: 1, simulated: 0, sent: 0 });
    expect(NonceManager.at(dir, devnet.pub, devnet.deployment.chainId, sc.owner.address).reserved).toEqual(
      [],
    );
  });

  test('the relay drops every bundle: it expires, nothing is lost, the agent goes on', async () => {
    relay.dropAll = true;
    const agent = await agentOf();
    const a = sc.owner.address;
    const before = { eth: await devnet.pub.getBalance({ address: a }), weth: await sc.wethOf(a) };
    const r = await agent.step();
    expect(r.outcome).toBe('expired');
    expect({ eth: await devnet.pub.getBalance({ address: a }), weth: await sc.wethOf(a) }).toEqual(before);
    expect(agent.metrics).toMatchObject({ sent: 1, included: 0, lossWei: 0n });
    // the relay comes back: the next block's pass captures it
    relay.dropAll = false;
    expect((await agent.step()).outcome).toBe('included');
    expect(agent.metrics).toMatchObject({ sent: 2, included: 1 });
  });
});
