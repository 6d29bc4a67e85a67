/**
 * The sender's journal, one JSON file per chain and account under `.basis/onchain/`: the transaction whose
 * fate is not known yet (signed, maybe broadcast, no receipt seen) and the last nonce used. It survives
 * restarts: before any new nonce is spent, a pending transaction is found on chain, re-broadcast as the same
 * signed bytes, or proven replaced, so a crash or a dropped connection never leads to a second submission.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Address, Hash, Hex } from 'viem';

export interface PendingTx {
  hash: Hash;
  nonce: number;
  /** The signed transaction, re-broadcast as is. */
  raw: Hex;
  /** Idempotency key of the request (to, data, value): a retry with the same key resolves to this tx. */
  opKey: string;
  description: string;
  sentAtMs: number;
}

interface JournalState {
  chainId: number;
  address: Address;
  lastNonce: number | null;
  pending: PendingTx | null;
}

export class TxJournal {
  private state: JournalState;

  constructor(
    readonly file: string,
    private readonly chainId: number,
    private readonly address: Address,
  ) {
    this.state = { chainId, address, lastNonce: null, pending: null };
    this.load();
  }

  /** Re-reads the file: another process (or a restarted one) may have settled the pending transaction. */
  private load(): void {
    if (!existsSync(this.file)) return;
    const saved = JSON.parse(readFileSync(this.file, 'utf8')) as JournalState;
    if (saved.chainId === this.chainId && saved.address.toLowerCase() === this.address.toLowerCase())
      this.state = saved;
  }

  /** Journal file of `address` on `chainId` under `dir`. */
  static at(dir: string, chainId: number, address: Address): TxJournal {
    return new TxJournal(join(dir, `${chainId}-${address.toLowerCase()}.json`), chainId, address);
  }

  get pending(): PendingTx | null {
    this.load();
    return this.state.pending;
  }

  get lastNonce(): number | null {
    return this.state.lastNonce;
  }

  setPending(p: PendingTx): void {
    this.state.pending = p;
    this.save();
  }

  /** The pending transaction is settled (mined, or proven replaced). */
  settle(nonce: number | null): void {
    this.state.pending = null;
    if (nonce !== null) this.state.lastNonce = Math.max(this.state.lastNonce ?? -1, nonce);
    this.save();
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.state, null, 2)}\n`);
    renameSync(tmp, this.file);
  }
}
