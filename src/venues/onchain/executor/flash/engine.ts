/**
 * Execution engines for an arbitrage opportunity through our FlashArb contract, one interface for every way of
 * paying for the first leg — own capital (the owner's allowance), an Aave V3 flash loan, a Uniswap V3 flash:
 *
 * - `expectedProfit(o)`: the library's exact profit (src/defi/arb) less the source's fee, as the lender rounds;
 * - `simulate(o)`: eth_call of the contract against the node (`simulateContract`, latest block); the returned
 *   profit is compared with the expectation: `|simulated − expected| > maxDisagreementWei` (default 0) or a
 *   revert (`ProfitTooLow`: somebody took the opportunity first) means it is not sent;
 * - `estimateGas(o)`: the node's estimate of the same call;
 * - `execute(o)`: simulate → gas × margin → EIP-1559 fees under the cap → a nonce from the persisted
 *   NonceManager → sign locally → the venues' journal (signed bytes before broadcast) → broadcast → receipt →
 *   the profit from the contract's `Arbitrage` event. The transaction carries minProfit = expected − bound, so
 *   a move between simulation and inclusion reverts it instead of losing.
 * - `prepare(o)`: the same up to signing (for a bundle); the nonce stays reserved until `release`.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  encodeFunctionData,
  encodePacked,
  keccak256,
  parseAbi,
  parseEventLogs,
  type Address,
  type Hash,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type TransactionReceipt,
} from 'viem';
import type { TxJournal } from '../../chain/journal.js';
import type { Opportunity } from '../../../../defi/arb/index.js';
import { bumpFees, FeeCapError, quoteFees, type FeeOptions, type Fees } from './fees.js';
import type { NonceManager } from './nonce.js';
import { aavePremium, FLASH_ARB_ABI, planOf, v3FlashFee, type ArbPlan } from './plan.js';

export type FlashSource =
  | { kind: 'capital' }
  | { kind: 'aave' }
  /** A Uniswap V3 pool holding the token, not on the path; `fee` in hundredths of a bip (500 = 0.05 %). */
  | { kind: 'v3flash'; pool: Address; fee: bigint };

export interface EngineOptions {
  pub: PublicClient;
  account: LocalAccount;
  chainId: number;
  /** FlashArb owned by `account`. */
  arb: Address;
  nonces: NonceManager;
  journal: TxJournal;
  fees: FeeOptions;
  /** A simulation farther than this from the expected profit is not sent (default 0 wei). */
  maxDisagreementWei?: bigint;
  /** Gas limit = estimate × this (default 1.2). */
  gasMargin?: number;
  pollIntervalMs?: number;
  receiptTimeoutMs?: number;
  /** A sent transaction not mined after this many blocks is replaced (same nonce, fees +12.5 %, under the cap); 0 = never. Default 3. */
  replaceAfterBlocks?: number;
}

export interface Simulation {
  ok: boolean;
  expected: bigint;
  /** The contract's returned profit (null when the call reverts). */
  simulated: bigint | null;
  /** simulated − expected. */
  difference: bigint | null;
  /** Why it is not sendable: `reverted: <error>` or `disagrees: …`. */
  reason?: string;
}

export interface Prepared {
  simulation: Simulation;
  /** The signer (the contract's owner). */
  from?: Address;
  raw?: Hex;
  hash?: Hash;
  nonce?: number;
  gas?: bigint;
  fees?: Fees;
  /** The call data signed (with the plan's minProfit). */
  data?: Hex;
}

export interface Execution {
  sent: boolean;
  simulation: Simulation;
  reason?: string;
  hash?: Hash;
  status?: 'success' | 'reverted';
  /** Times the transaction was replaced with higher fees (stuck for `replaceAfterBlocks` blocks). */
  replacements?: number;
  /** Profit booked by the contract's Arbitrage event (token base units). */
  profit?: bigint;
  gasUsed?: bigint;
  effectiveGasPrice?: bigint;
  blockNumber?: bigint;
}

export interface ExecutionEngine {
  readonly source: FlashSource;
  expectedProfit(o: Opportunity): Promise<bigint>;
  simulate(o: Opportunity): Promise<Simulation>;
  estimateGas(o: Opportunity): Promise<bigint>;
  execute(o: Opportunity): Promise<Execution>;
  prepare(o: Opportunity): Promise<Prepared>;
  /** Gives back the nonce of a prepared transaction that was never included. */
  release(p: Prepared): void;
}

const AAVE_POOL_ABI = parseAbi(['function FLASHLOAN_PREMIUM_TOTAL() view returns (uint128)']);
const ERC20_ALLOWANCE = parseAbi([
  'function allowance(address owner, address spender) view returns (uint256)',
]);

export class FlashArbEngine implements ExecutionEngine {
  private readonly bound: bigint;
  private readonly gasMargin: number;

  constructor(
    readonly source: FlashSource,
    private readonly o: EngineOptions,
  ) {
    this.bound = o.maxDisagreementWei ?? 0n;
    this.gasMargin = o.gasMargin ?? 1.2;
  }

  async expectedProfit(opp: Opportunity): Promise<bigint> {
    switch (this.source.kind) {
      case 'capital':
        return opp.profit;
      case 'aave': {
        const aave = await this.o.pub.readContract({
          address: this.o.arb,
          abi: FLASH_ARB_ABI,
          functionName: 'aavePool',
        });
        const bps = await this.o.pub.readContract({
          address: aave,
          abi: AAVE_POOL_ABI,
          functionName: 'FLASHLOAN_PREMIUM_TOTAL',
        });
        return opp.profit - aavePremium(opp.amountIn, bps);
      }
      case 'v3flash':
        return opp.profit - v3FlashFee(opp.amountIn, this.source.fee);
    }
  }

  /** The call data of the contract's entry point for `plan`. */
  calldata(plan: ArbPlan): Hex {
    const s = this.source;
    if (s.kind === 'capital')
      return encodeFunctionData({ abi: FLASH_ARB_ABI, functionName: 'runWithCapital', args: [plan] });
    if (s.kind === 'aave')
      return encodeFunctionData({ abi: FLASH_ARB_ABI, functionName: 'runWithAaveFlash', args: [plan] });
    return encodeFunctionData({
      abi: FLASH_ARB_ABI,
      functionName: 'runWithV3Flash',
      args: [plan, s.pool],
    });
  }

  async simulate(opp: Opportunity): Promise<Simulation> {
    const expected = await this.expectedProfit(opp);
    const data = this.calldata(planOf(opp, 0n));
    let simulated: bigint;
    try {
      const { data: ret } = await this.o.pub.call({ account: this.o.account.address, to: this.o.arb, data });
      simulated = ret === undefined ? 0n : BigInt(ret);
    } catch (err) {
      return {
        ok: false,
        expected,
        simulated: null,
        difference: null,
        reason: `reverted: ${revertName(err)}`,
      };
    }
    const difference = simulated - expected;
    const off = difference < 0n ? -difference : difference;
    if (off > this.bound)
      return {
        ok: false,
        expected,
        simulated,
        difference,
        reason: `disagrees: simulated profit ${simulated} vs expected ${expected} (bound ${this.bound} wei)`,
      };
    return { ok: true, expected, simulated, difference };
  }

  async estimateGas(opp: Opportunity): Promise<bigint> {
    return this.o.pub.estimateGas({
      account: this.o.account.address,
      to: this.o.arb,
      data: this.calldata(planOf(opp, 0n)),
    });
  }

  /** Own capital: the owner's allowance to the contract must cover the input. */
  async allowanceOk(opp: Opportunity): Promise<boolean> {
    if (this.source.kind !== 'capital') return true;
    const a = await this.o.pub.readContract({
      address: opp.token,
      abi: ERC20_ALLOWANCE,
      functionName: 'allowance',
      args: [this.o.account.address, this.o.arb],
    });
    return a >= opp.amountIn;
  }

  async prepare(opp: Opportunity): Promise<Prepared> {
    const simulation = await this.simulate(opp);
    if (!simulation.ok) return { simulation };
    const minProfit = simulation.expected - this.bound > 0n ? simulation.expected - this.bound : 1n;
    const data = this.calldata(planOf(opp, minProfit));
    const estimate = await this.o.pub.estimateGas({ account: this.o.account.address, to: this.o.arb, data });
    const gas = (estimate * BigInt(Math.round(this.gasMargin * 1000))) / 1000n + 1n;
    let fees: Fees;
    try {
      fees = await quoteFees(this.o.pub, this.o.fees);
    } catch (err) {
      if (err instanceof FeeCapError)
        return { simulation: { ...simulation, ok: false, reason: err.message } };
      throw err;
    }
    const nonce = await this.o.nonces.next();
    const raw = await this.o.account.signTransaction({
      type: 'eip1559',
      chainId: this.o.chainId,
      nonce,
      gas,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      to: this.o.arb,
      data,
      value: 0n,
    });
    return { simulation, from: this.o.account.address, raw, hash: keccak256(raw), nonce, gas, fees, data };
  }

  release(p: Prepared): void {
    if (p.nonce !== undefined) this.o.nonces.release(p.nonce);
  }

  async execute(opp: Opportunity): Promise<Execution> {
    const j = this.o.journal;
    if (j.pending) {
      const r = await this.o.pub.getTransactionReceipt({ hash: j.pending.hash }).catch(() => null);
      if (!r)
        throw new Error(
          `exec: the journal ${j.file} holds unresolved transaction ${j.pending.hash}; resolve it first`,
        );
      j.settle(j.pending.nonce);
    }
    const p = await this.prepare(opp);
    if (!p.raw || !p.hash || p.nonce === undefined)
      return { sent: false, simulation: p.simulation, reason: p.simulation.reason };
    const description = `FlashArb ${this.source.kind} ${opp.amountIn} of ${opp.token}`;
    const opKey = keccak256(encodePacked(['address', 'uint256', 'bytes'], [this.o.arb, 0n, p.data!]));
    const journal = (hash: Hash, raw: Hex) =>
      j.setPending({ hash, nonce: p.nonce!, raw, opKey, description, sentAtMs: Date.now() });
    journal(p.hash, p.raw);
    await this.o.pub.sendRawTransaction({ serializedTransaction: p.raw });
    // wait for a receipt of any of our transactions at this nonce; replace a stuck one with higher fees
    const hashes: Hash[] = [p.hash];
    let lastRaw: Hex = p.raw;
    let fees = p.fees!;
    let sentAt = await this.o.pub.getBlockNumber({ cacheTime: 0 });
    let replacements = 0;
    const deadline = Date.now() + (this.o.receiptTimeoutMs ?? 180_000);
    const every = this.o.replaceAfterBlocks ?? 3;
    let receipt: TransactionReceipt | null = null;
    for (;;) {
      for (const h of hashes) {
        receipt = await this.o.pub.getTransactionReceipt({ hash: h }).catch(() => null);
        if (receipt) break;
      }
      if (receipt) break;
      if (Date.now() > deadline)
        throw new Error(
          `exec: no receipt for ${hashes.at(-1)} (nonce ${p.nonce}) within the timeout; it stays in the journal`,
        );
      const head = await this.o.pub.getBlockNumber({ cacheTime: 0 });
      if (every > 0 && head >= sentAt + BigInt(every)) {
        const bumped = bumpFees(
          fees,
          await quoteFees(this.o.pub, { ...this.o.fees, maxFeeCapWei: 2n ** 255n }),
          this.o.fees.maxFeeCapWei,
        );
        if (bumped) {
          const raw = await this.o.account.signTransaction({
            type: 'eip1559',
            chainId: this.o.chainId,
            nonce: p.nonce,
            gas: p.gas!,
            maxFeePerGas: bumped.maxFeePerGas,
            maxPriorityFeePerGas: bumped.maxPriorityFeePerGas,
            to: this.o.arb,
            data: p.data!,
            value: 0n,
          });
          const hash = keccak256(raw);
          journal(hash, raw);
          try {
            await this.o.pub.sendRawTransaction({ serializedTransaction: raw });
            hashes.push(hash);
            lastRaw = raw;
            fees = bumped;
            replacements++;
          } catch {
            // mined meanwhile (nonce too low) or refused: the previous transaction stays the journalled one
            journal(hashes.at(-1)!, lastRaw);
          }
        }
        sentAt = head;
      }
      await new Promise((ok) => setTimeout(ok, this.o.pollIntervalMs ?? 50));
    }
    j.settle(p.nonce);
    this.o.nonces.release(p.nonce);
    const ev = parseEventLogs({ abi: FLASH_ARB_ABI, logs: receipt.logs, eventName: 'Arbitrage' });
    return {
      sent: true,
      simulation: p.simulation,
      hash: receipt.transactionHash,
      replacements,
      status: receipt.status,
      profit: ev[0]?.args.profit,
      gasUsed: receipt.gasUsed,
      effectiveGasPrice: receipt.effectiveGasPrice,
      blockNumber: receipt.blockNumber,
    };
  }
}

/** The decoded custom error (or revert reason) of a failed call, one line. */
export function revertName(err: unknown): string {
  if (err instanceof BaseError) {
    const inner = err.walk((e) => e instanceof ContractFunctionRevertedError);
    if (inner instanceof ContractFunctionRevertedError && inner.data)
      return `${inner.data.errorName}(${(inner.data.args ?? []).map(String).join(', ')})`;
    const data = (
      err.walk((e) => typeof (e as { data?: unknown }).data === 'string') as { data?: Hex } | null
    )?.data;
    if (data) {
      try {
        return decodeFlashArbError(data);
      } catch {
        return data.slice(0, 10);
      }
    }
    return err.shortMessage;
  }
  return err instanceof Error ? err.message : String(err);
}

function decodeFlashArbError(data: Hex): string {
  const e = decodeErrorResult({ abi: FLASH_ARB_ABI, data });
  return `${e.errorName}(${(e.args ?? []).map(String).join(', ')})`;
}
