/**
 * Signs and sends the wallet's transactions: simulate (eth_call; a revert is refused before anything is
 * signed), estimate gas × margin, EIP-1559 fees, nonce from the chain's pending count, sign locally, journal,
 * broadcast, wait for the receipt, decode a revert. One transaction at a time per account.
 *
 * No double submission: the signed bytes are journalled before broadcast. A dropped connection or a crash
 * leaves the transaction pending in the journal; the next send first resolves it (receipt found → settled;
 * not found and its nonce unused → the same bytes are re-broadcast; nonce used and still no receipt when asked
 * again → replaced by something else, dropped).
 * A retry of the same request (same to, data, value) resolves to that transaction instead of sending again.
 */
import {
  encodePacked,
  formatEther,
  keccak256,
  type Address,
  type Hash,
  type Hex,
  type LocalAccount,
  type Log,
  type PublicClient,
  type TransactionReceipt,
} from 'viem';
import { VenueError } from '../../../domain/errors.js';
import { classifyRevert, decodeRevert, revertDataOf, toVenueError } from './errors.js';
import type { PendingTx, TxJournal } from './journal.js';

export interface SenderOptions {
  /** Gas limit = estimate × this. Default 1.25 (anvil and nodes under-estimate calls that create contracts). */
  gasMargin?: number;
  /** Receipt polling interval, ms. Default 1000. */
  pollIntervalMs?: number;
  /** How long to wait for a receipt before giving up (retryable), ms. Default 180 000. */
  receiptTimeoutMs?: number;
}

export interface TxRequest {
  to: Address;
  data: Hex;
  value?: bigint;
  /** What this transaction does, for messages and the journal. */
  description: string;
  /** Simulate with eth_call first (default true). */
  simulate?: boolean;
  /** Fixed gas limit instead of estimate × margin. */
  gas?: bigint;
}

export interface TxOutcome {
  hash: Hash;
  blockNumber: bigint;
  gasUsed: bigint;
  effectiveGasPrice: bigint;
  /** gasUsed × effectiveGasPrice, ETH. */
  gasEth: number;
  logs: Log[];
  /** True when this call resolved an earlier submission of the same request instead of sending. */
  resumed: boolean;
  /** What the simulation returned (the call's return data), when it was simulated. */
  returnData?: Hex;
}

export class TxSender {
  private readonly gasMargin: number;
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private queue: Promise<unknown> = Promise.resolve();
  /** Transactions broadcast by this sender (re-broadcasts of the same bytes not counted). */
  sentCount = 0;

  constructor(
    private readonly pub: PublicClient,
    private readonly account: LocalAccount,
    readonly chainId: number,
    readonly journal: TxJournal,
    opts: SenderOptions = {},
  ) {
    this.gasMargin = opts.gasMargin ?? 1.25;
    this.pollMs = opts.pollIntervalMs ?? 1000;
    this.timeoutMs = opts.receiptTimeoutMs ?? 180_000;
  }

  get address(): Address {
    return this.account.address;
  }

  /** Sends `req` for `venue` (the name VenueErrors carry); serialised with every other send of this account. */
  send(venue: string, req: TxRequest): Promise<TxOutcome> {
    const run = this.queue.then(() => this.sendNow(venue, req));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async sendNow(venue: string, req: TxRequest): Promise<TxOutcome> {
    const value = req.value ?? 0n;
    const opKey = keccak256(encodePacked(['address', 'uint256', 'bytes'], [req.to, value, req.data]));
    const resumed = await this.resolvePending(venue, opKey);
    if (resumed) return resumed;

    const base = { account: this.account.address, to: req.to, data: req.data, value };
    let returnData: Hex | undefined;
    if (req.simulate !== false) {
      try {
        returnData = (await this.pub.call(base)).data;
      } catch (err) {
        throw toVenueError(venue, req.description, err);
      }
    }
    let gas = req.gas;
    let fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };
    let nonce: number;
    try {
      if (gas === undefined) {
        const estimate = await this.pub.estimateGas(base);
        gas = (estimate * BigInt(Math.round(this.gasMargin * 1000))) / 1000n + 1n;
      }
      fees = await this.pub.estimateFeesPerGas();
      nonce = await this.pub.getTransactionCount({ address: this.account.address, blockTag: 'pending' });
    } catch (err) {
      throw toVenueError(venue, req.description, err);
    }
    const raw = await this.account.signTransaction({
      chainId: this.chainId,
      type: 'eip1559',
      to: req.to,
      data: req.data,
      value,
      gas,
      nonce,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
    const pending: PendingTx = {
      hash: keccak256(raw),
      nonce,
      raw,
      opKey,
      description: `${venue}: ${req.description}`,
      sentAtMs: Date.now(),
    };
    this.journal.setPending(pending);
    await this.broadcast(venue, pending, true);
    const outcome = await this.finish(venue, pending, false);
    return { ...outcome, returnData };
  }

  /**
   * Broadcasts the signed bytes; `first` = a fresh transaction. A node that executes on submission (anvil
   * automine) reports a revert here although the transaction is mined: then the receipt decides.
   */
  private async broadcast(venue: string, p: PendingTx, first: boolean): Promise<void> {
    try {
      await this.pub.request({ method: 'eth_sendRawTransaction', params: [p.raw] });
      if (first) this.sentCount++;
    } catch (err) {
      const e = toVenueError(venue, p.description.replace(`${venue}: `, ''), err);
      if (e.code === 'nonce_conflict' && /already known/i.test(e.message)) return; // the node has these bytes
      if (e.code === 'rpc_unavailable') {
        throw new VenueError(
          venue,
          `${e.message.replace(`${venue}: `, '')}; transaction ${p.hash} (nonce ${p.nonce}) may have been broadcast, a retry resolves it without sending twice`,
          true,
          'rpc_unavailable',
        );
      }
      if (e.code !== 'nonce_conflict' && e.code !== 'rpc_error' && e.code !== 'insufficient_funds') {
        const mined = await this.receiptOrNull(venue, p).catch(() => null);
        if (mined) {
          if (first) this.sentCount++;
          return;
        }
      }
      this.journal.settle(null);
      throw e;
    }
  }

  /** Waits for the receipt of `p`, settles the journal, maps a revert. */
  private async finish(venue: string, p: PendingTx, resumed: boolean): Promise<TxOutcome> {
    const receipt = await this.waitForReceipt(venue, p);
    this.journal.settle(p.nonce);
    if (receipt.status !== 'success') {
      const reason = await this.replayReason(receipt);
      throw new VenueError(
        venue,
        `${p.description.replace(`${venue}: `, '')} reverted on chain in block ${receipt.blockNumber} (tx ${p.hash}): ${reason ?? 'no reason given'}`,
        false,
        classifyRevert(reason),
      );
    }
    return {
      hash: p.hash,
      blockNumber: receipt.blockNumber,
      gasUsed: receipt.gasUsed,
      effectiveGasPrice: receipt.effectiveGasPrice,
      gasEth: Number(formatEther(receipt.gasUsed * receipt.effectiveGasPrice)),
      logs: receipt.logs,
      resumed,
    };
  }

  private async waitForReceipt(venue: string, p: PendingTx): Promise<TransactionReceipt> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const r = await this.receiptOrNull(venue, p);
      if (r) return r;
      if (Date.now() > deadline) {
        throw new VenueError(
          venue,
          `no receipt for ${p.description.replace(`${venue}: `, '')} (tx ${p.hash}, nonce ${p.nonce}) after ${this.timeoutMs} ms; a retry resolves it without sending twice`,
          true,
          'receipt_timeout',
        );
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  private async receiptOrNull(venue: string, p: PendingTx): Promise<TransactionReceipt | null> {
    try {
      return await this.pub.getTransactionReceipt({ hash: p.hash });
    } catch (err) {
      if ((err as Error).name === 'TransactionReceiptNotFoundError') return null;
      const e = toVenueError(venue, `waiting for ${p.description.replace(`${venue}: `, '')}`, err);
      if (e.retryable) {
        throw new VenueError(
          venue,
          `${e.message.replace(`${venue}: `, '')}; transaction ${p.hash} (nonce ${p.nonce}) is journalled, a retry resolves it without sending twice`,
          true,
          e.code,
        );
      }
      throw e;
    }
  }

  /**
   * Settles a journalled transaction before any new nonce is used. Returns its outcome when it is the same
   * request as `opKey` (a retry), else null (it is settled and the new request goes ahead).
   */
  private async resolvePending(venue: string, opKey: string): Promise<TxOutcome | null> {
    const p = this.journal.pending;
    if (!p) return null;
    const same = p.opKey === opKey;
    let receipt = await this.receiptOrNull(venue, p);
    if (!receipt) {
      let used: number;
      try {
        used = await this.pub.getTransactionCount({ address: this.account.address, blockTag: 'latest' });
      } catch (err) {
        throw toVenueError(venue, 'resolving the pending transaction', err);
      }
      if (used > p.nonce) {
        // Its nonce is used: by ours if it was mined since the receipt was asked for (the node mines
        // asynchronously), else by another transaction, and then ours can never be mined.
        receipt = await this.receiptOrNull(venue, p);
        if (!receipt) {
          this.journal.settle(null);
          return null;
        }
      }
    }
    if (!receipt) {
      try {
        await this.broadcast(venue, p, false);
      } catch (err) {
        if (err instanceof VenueError && err.retryable) throw err;
        return null; // the node refuses it for good: it is dropped from the journal, the new request goes ahead
      }
      receipt = await this.waitForReceipt(venue, p);
    }
    if (same) return this.finish(venue, p, true);
    this.journal.settle(p.nonce);
    return null;
  }

  /** The revert reason of a mined, failed transaction: the same call replayed on the block before it. */
  private async replayReason(receipt: TransactionReceipt): Promise<string | undefined> {
    try {
      const tx = await this.pub.getTransaction({ hash: receipt.transactionHash });
      await this.pub.call({
        account: tx.from,
        to: tx.to,
        data: tx.input,
        value: tx.value,
        gas: tx.gas,
        blockNumber: receipt.blockNumber - 1n,
      });
      return `out of gas or state changed in the block (gas used ${receipt.gasUsed} of ${tx.gas})`;
    } catch (err) {
      return decodeRevert(revertDataOf(err)) ?? toVenueError('', '', err).message.replace(/^: : /, '');
    }
  }
}
