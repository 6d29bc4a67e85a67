/**
 * The arbitrage agent: collector → strategy → executor, one `step` per new block.
 *
 * - collector: the watched pools read at the latest block (PoolReader, one Multicall batch);
 * - strategy: every two-pool opportunity among them (`scanSpatial`, exact sizing), in the allowed profit tokens,
 *   best first; the expected profit (less the flash source's fee) must reach `minProfit` and the node's gas
 *   estimate must stay within `maxGasPerOpportunity` (validated);
 * - executor: the engine's simulation must agree with the estimate and, with a relay, the relay's
 *   `eth_callBundle` must pass (simulated); then the transaction goes as a bundle through the relay (`submit` until included or expired; an expired bundle gives its nonce back) or,
 *   without a relay, to the public mempool (`execute`).
 *
 * Risk: once the gas lost to reverted transactions reaches `maxLossWei` the agent stops (`halted`).
 */
import type { Address, PublicClient } from 'viem';
import { scanSpatial, type Opportunity } from '../defi/arb/index.js';
import { PoolGraph, PoolReader } from '../defi/pools/index.js';
import type { BundleClient } from '../venues/onchain/executor/flash/bundle.js';
import type { ExecutionEngine, Prepared } from '../venues/onchain/executor/flash/engine.js';
import { emptyMetrics, prometheusText, type AgentMetrics } from './metrics.js';

export interface ArbitrageAgentOptions {
  pub: PublicClient;
  engine: ExecutionEngine;
  pools: Address[];
  /** Profit tokens the engine can pay for (a flash source lends only its own assets). */
  tokens: Address[];
  multicall?: Address;
  /** Minimum expected profit, token base units (default 1). */
  minProfit?: bigint;
  /** Gas units above which an opportunity is skipped (default 1,000,000). */
  maxGasPerOpportunity?: bigint;
  /** Stop after this much ETH (wei) lost to reverted transactions (default 0.05 ETH). */
  maxLossWei?: bigint;
  bundles?: BundleClient;
  /** Blocks a bundle is re-sent for before it expires (default 3). */
  maxBlocks?: number;
  log?: (line: string) => void;
}

export interface StepResult {
  block: bigint;
  opportunity?: Opportunity;
  outcome:
    | 'none'
    | 'below_minimum'
    | 'gas_limit'
    | 'simulation'
    | 'included'
    | 'expired'
    | 'reverted'
    | 'replaced'
    | 'halted'
    | 'error';
  detail?: string;
}

export class ArbitrageAgent {
  readonly metrics: AgentMetrics = emptyMetrics();
  halted: string | null = null;
  private lastBlock = -1n;
  /** A bundle whose submission failed half-way (relay or node down): resolved before anything new. */
  private inflight: { p: Prepared; o: Opportunity } | null = null;

  constructor(private readonly o: ArbitrageAgentOptions) {}

  prometheus(): string {
    return prometheusText('arbitrage', this.metrics);
  }

  /**
   * One pass on the latest block; a block already processed is skipped (outcome `none`). A failure (the node
   * or the relay down) is reported as `error` and the block is tried again at the next call; a bundle caught
   * half-way is re-sent as the same signed bytes (same nonce: it can land at most once) before anything new.
   */
  async step(): Promise<StepResult> {
    let block = this.lastBlock;
    try {
      block = await this.o.pub.getBlockNumber({ cacheTime: 0 });
      if (this.halted) return { block, outcome: 'halted', detail: this.halted };
      if (block === this.lastBlock) return { block, outcome: 'none' };
      const r = this.inflight ? await this.resume(block, this.inflight) : await this.process(block);
      this.lastBlock = block;
      this.metrics.blocks++;
      return r;
    } catch (err) {
      return { block, outcome: 'error', detail: (err as Error).message.split('\n')[0] };
    }
  }

  private async resume(block: bigint, f: { p: Prepared; o: Opportunity }): Promise<StepResult> {
    const { p, o } = f;
    const token = o.token.toLowerCase();
    const r = await this.o.pub.getTransactionReceipt({ hash: p.hash! }).catch(() => null);
    if (r) {
      this.inflight = null;
      this.o.engine.release(p);
      return this.booked(
        block,
        o,
        token,
        r.status === 'success',
        p.simulation.simulated ?? 0n,
        r.gasUsed,
        r.gasUsed * r.effectiveGasPrice,
      );
    }
    const mined = await this.o.pub.getTransactionCount({ address: p.from!, blockTag: 'latest' });
    if (mined > p.nonce!) {
      this.inflight = null;
      this.o.engine.release(p);
      return {
        block,
        opportunity: o,
        outcome: 'replaced',
        detail: `nonce ${p.nonce} used by another transaction`,
      };
    }
    return this.sendBundle(block, o, p);
  }

  private async process(block: bigint): Promise<StepResult> {
    const m = this.metrics;
    const reader = new PoolReader(this.o.pub, { multicall: this.o.multicall, blockNumber: block });
    const graph = new PoolGraph(await Promise.all(this.o.pools.map((p) => reader.pool(p))));
    const allowed = new Set(this.o.tokens.map((t) => t.toLowerCase()));
    const opps = scanSpatial(graph).filter((x) => allowed.has(x.token.toLowerCase()));
    m.opportunitiesSeen += opps.length;
    const best = opps[0];
    if (!best) return { block, outcome: 'none' };
    const engine = this.o.engine;
    const expected = await engine.expectedProfit(best);
    if (expected < (this.o.minProfit ?? 1n))
      return { block, opportunity: best, outcome: 'below_minimum', detail: `expected ${expected}` };
    const gas = await engine.estimateGas(best).catch(() => null);
    if (gas === null || gas > (this.o.maxGasPerOpportunity ?? 1_000_000n))
      return { block, opportunity: best, outcome: 'gas_limit', detail: `gas ${gas ?? 'estimate reverted'}` };
    m.validated++;
    const token = best.token.toLowerCase();
    if (!this.o.bundles) {
      const x = await engine.execute(best);
      if (!x.sent) return { block, opportunity: best, outcome: 'simulation', detail: x.reason };
      m.simulated++;
      m.sent++;
      return this.booked(
        block,
        best,
        token,
        x.status === 'success',
        x.profit ?? 0n,
        x.gasUsed ?? 0n,
        (x.gasUsed ?? 0n) * (x.effectiveGasPrice ?? 0n),
      );
    }
    const p = await engine.prepare(best);
    if (!p.raw) return { block, opportunity: best, outcome: 'simulation', detail: p.simulation.reason };
    // the relay's own simulation of the bundle (eth_callBundle) must pass too
    const call = await this.o.bundles.callBundle([p.raw], block + 1n);
    const failed = call.results.find((r) => r.error || r.revert);
    if (failed) {
      engine.release(p);
      return {
        block,
        opportunity: best,
        outcome: 'simulation',
        detail: `callBundle: ${failed.error ?? failed.revert}`,
      };
    }
    m.simulated++;
    m.sent++;
    return this.sendBundle(block, best, p);
  }

  private async sendBundle(block: bigint, o: Opportunity, p: Prepared): Promise<StepResult> {
    this.inflight = { p, o };
    const out = await this.o.bundles!.submit([p.raw!], { maxBlocks: this.o.maxBlocks ?? 3 });
    this.inflight = null;
    this.o.engine.release(p);
    if (!out.included)
      return { block, opportunity: o, outcome: 'expired', detail: `targets ${out.targets.join(', ')}` };
    const r = await this.o.pub.getTransactionReceipt({ hash: p.hash! });
    return this.booked(
      block,
      o,
      o.token.toLowerCase(),
      r.status === 'success',
      p.simulation.simulated ?? 0n,
      r.gasUsed,
      r.gasUsed * r.effectiveGasPrice,
    );
  }

  private booked(
    block: bigint,
    o: Opportunity,
    token: string,
    ok: boolean,
    profit: bigint,
    gasUsed: bigint,
    gasWei: bigint,
  ): StepResult {
    const m = this.metrics;
    m.gasUsed += gasUsed;
    if (!ok) {
      m.lossWei += gasWei;
      if (m.lossWei >= (this.o.maxLossWei ?? 5n * 10n ** 16n))
        this.halted = `loss limit: ${m.lossWei} wei of gas lost to reverted transactions`;
      return { block, opportunity: o, outcome: 'reverted' };
    }
    m.included++;
    m.profit[token] = (m.profit[token] ?? 0n) + profit;
    this.o.log?.(`arbitrage: block ${block} profit ${profit} of ${token}, gas ${gasUsed}`);
    return { block, opportunity: o, outcome: 'included', detail: `profit ${profit}` };
  }
}
