/**
 * `basis agent run arbitrage --config FILE`: the arbitrage agent (src/agents) on a chain, from a YAML or
 * JSON config. The owner key and the relay's searcher key come only from the environment (`key_env`, default
 * WALLET_TESTNET_PRIVATE_KEY; FLASHBOTS_AUTH_KEY when `relay_url` is set) and are held as Secrets. One step per
 * new block; `--blocks N` stops after N blocks; the metrics (Prometheus text) are written to `--metrics FILE`
 * after every step.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createPublicClient, http, isAddress, type Address, type Hex, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { parse } from 'yaml';
import { ConfigError } from '../domain/errors.js';
import { Secret } from '../domain/secret.js';
import { TxJournal } from '../venues/onchain/chain/journal.js';
import { ArbitrageAgent, type StepResult } from './arbitrage.js';
import { BundleClient, bundleKeyFromEnv } from '../venues/onchain/executor/flash/bundle.js';
import { FlashArbEngine, type FlashSource } from '../venues/onchain/executor/flash/engine.js';
import { NonceManager } from '../venues/onchain/executor/flash/nonce.js';

export interface AgentCliOptions {
  config: string;
  blocks?: string;
  intervalMs?: string;
  metrics?: string;
}

interface AgentConfig {
  rpc_url: string;
  flash_arb: string;
  source: 'aave' | 'capital' | { v3flash: string; fee: number };
  pools: string[];
  tokens: string[];
  multicall?: string;
  key_env?: string;
  relay_url?: string;
  journal_dir?: string;
  fees?: { priority_fee_gwei?: number; max_fee_gwei?: number };
  limits?: {
    min_profit?: string | number;
    max_gas_per_opportunity?: number;
    max_loss_eth?: number;
    max_disagreement_wei?: string | number;
  };
  max_blocks?: number;
}

const gwei = (x: number) => BigInt(Math.round(x * 1e9));

function address(file: string, key: string, v: unknown): Address {
  if (typeof v !== 'string' || !isAddress(v))
    throw new ConfigError(file, key, `${String(v)} is not an address`);
  return v;
}

export async function runAgent(
  kind: string,
  o: AgentCliOptions,
  env: NodeJS.ProcessEnv = process.env,
  print: (line: string) => void = () => {},
): Promise<{ steps: StepResult[]; prometheus: string }> {
  if (kind !== 'arbitrage')
    throw new ConfigError(
      'agent',
      kind,
      'unknown agent: only arbitrage is built (liquidation and market-maker are not yet)',
    );
  const file = o.config;
  let c: AgentConfig;
  try {
    c = parse(readFileSync(file, 'utf8')) as AgentConfig;
  } catch (err) {
    throw new ConfigError(
      file,
      '',
      `cannot read the agent config (${(err as Error).message.split('\n')[0]})`,
    );
  }
  if (typeof c?.rpc_url !== 'string') throw new ConfigError(file, 'rpc_url', 'missing');
  const arb = address(file, 'flash_arb', c.flash_arb);
  if (!Array.isArray(c.pools) || c.pools.length < 2)
    throw new ConfigError(file, 'pools', 'needs at least two pools');
  const pools = c.pools.map((p, i) => address(file, `pools[${i}]`, p));
  if (!Array.isArray(c.tokens) || c.tokens.length === 0)
    throw new ConfigError(file, 'tokens', 'needs a profit token');
  const tokens = c.tokens.map((t, i) => address(file, `tokens[${i}]`, t));
  let source: FlashSource;
  if (c.source === 'aave' || c.source === 'capital') source = { kind: c.source };
  else if (c.source && typeof c.source === 'object' && 'v3flash' in c.source)
    source = {
      kind: 'v3flash',
      pool: address(file, 'source.v3flash', c.source.v3flash),
      fee: BigInt(c.source.fee),
    };
  else throw new ConfigError(file, 'source', 'must be aave, capital or { v3flash: POOL, fee: N }');
  const keyEnv = c.key_env ?? 'WALLET_TESTNET_PRIVATE_KEY';
  const raw = env[keyEnv]?.trim();
  if (!raw || !/^(0x)?[0-9a-fA-F]{64}$/.test(raw))
    throw new ConfigError(
      file,
      'key_env',
      `${keyEnv} is not set to a 32-byte hex private key (value not shown)`,
    );
  const key = new Secret(raw);
  const account = privateKeyToAccount(
    (key.reveal().startsWith('0x') ? key.reveal() : `0x${key.reveal()}`) as Hex,
  );
  const pub = createPublicClient({ transport: http(c.rpc_url, { retryCount: 0 }) }) as PublicClient;
  const chainId = await pub.getChainId().catch(() => {
    throw new ConfigError(file, 'rpc_url', `${c.rpc_url} does not answer`);
  });
  const dir = c.journal_dir ?? '.basis/onchain';
  const engine = new FlashArbEngine(source, {
    pub,
    account,
    chainId,
    arb,
    nonces: NonceManager.at(dir, pub, chainId, account.address),
    journal: TxJournal.at(dir, chainId, account.address),
    fees: {
      priorityFeeWei: gwei(c.fees?.priority_fee_gwei ?? 1),
      maxFeeCapWei: gwei(c.fees?.max_fee_gwei ?? 100),
    },
    maxDisagreementWei: BigInt(c.limits?.max_disagreement_wei ?? 0),
    pollIntervalMs: 100,
  });
  const agent = new ArbitrageAgent({
    pub,
    engine,
    pools,
    tokens,
    multicall: c.multicall ? address(file, 'multicall', c.multicall) : undefined,
    minProfit: BigInt(c.limits?.min_profit ?? 1),
    maxGasPerOpportunity: BigInt(c.limits?.max_gas_per_opportunity ?? 1_000_000),
    maxLossWei: BigInt(Math.round((c.limits?.max_loss_eth ?? 0.05) * 1e18)),
    bundles: c.relay_url ? new BundleClient(c.relay_url, bundleKeyFromEnv(env), pub) : undefined,
    maxBlocks: c.max_blocks,
    log: print,
  });
  const blocks = o.blocks ? Number(o.blocks) : Infinity;
  const interval = o.intervalMs ? Number(o.intervalMs) : 1000;
  const steps: StepResult[] = [];
  let stop = false;
  const onSignal = () => (stop = true);
  process.once('SIGINT', onSignal);
  try {
    while (!stop && agent.metrics.blocks < blocks && !agent.halted) {
      const seen = agent.metrics.blocks;
      const r = await agent.step();
      if (agent.metrics.blocks === seen) {
        // no new block yet, or the node / relay failed (tried again on the next pass)
        if (r.outcome === 'error') print(`block ${r.block}: error (${r.detail})`);
        await new Promise((ok) => setTimeout(ok, interval));
        continue;
      }
      steps.push(r);
      print(`block ${r.block}: ${r.outcome}${r.detail ? ` (${r.detail})` : ''}`);
      if (o.metrics) {
        mkdirSync(dirname(o.metrics), { recursive: true });
        writeFileSync(o.metrics, agent.prometheus());
      }
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
  if (agent.halted) print(`halted: ${agent.halted}`);
  return { steps, prometheus: agent.prometheus() };
}
