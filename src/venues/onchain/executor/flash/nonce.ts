/**
 * Nonces that survive restarts: the nonces handed out and not yet seen used on chain are kept in a file
 * beside the venues' transaction journal (`<dir>/<chainId>-<address>.nonces.json`). A transaction sent as a
 * private bundle is not in the node's mempool, so the node's pending count does not know it; the next nonce is
 * max(the node's pending count, the highest reserved + 1). On every call the file is reconciled with the node:
 * reservations below the node's mined count were used and are dropped; a released reservation (a bundle that
 * expired, a send refused before broadcast) is given back.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Address, PublicClient } from 'viem';

interface NonceState {
  chainId: number;
  address: Address;
  reserved: number[];
}

export class NonceManager {
  private state: NonceState;

  constructor(
    readonly file: string,
    private readonly pub: PublicClient,
    readonly chainId: number,
    readonly address: Address,
  ) {
    this.state = { chainId, address, reserved: [] };
    if (existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as NonceState;
      if (saved.chainId === chainId && saved.address.toLowerCase() === address.toLowerCase())
        this.state = saved;
    }
  }

  static at(dir: string, pub: PublicClient, chainId: number, address: Address): NonceManager {
    return new NonceManager(
      join(dir, `${chainId}-${address.toLowerCase()}.nonces.json`),
      pub,
      chainId,
      address,
    );
  }

  /** Nonces reserved and not seen used yet. */
  get reserved(): readonly number[] {
    return this.state.reserved;
  }

  /** Drops the reservations the chain has used; returns the node's mined and pending counts. */
  async reconcile(): Promise<{ mined: number; pending: number }> {
    const [mined, pending] = await Promise.all([
      this.pub.getTransactionCount({ address: this.address, blockTag: 'latest' }),
      this.pub.getTransactionCount({ address: this.address, blockTag: 'pending' }),
    ]);
    const kept = this.state.reserved.filter((n) => n >= mined);
    if (kept.length !== this.state.reserved.length) {
      this.state.reserved = kept;
      this.save();
    }
    return { mined, pending };
  }

  /** Reserves and returns the next nonce. */
  async next(): Promise<number> {
    const { pending } = await this.reconcile();
    const top = this.state.reserved.length > 0 ? Math.max(...this.state.reserved) + 1 : 0;
    const n = Math.max(pending, top);
    this.state.reserved.push(n);
    this.save();
    return n;
  }

  /**
   * Ends a reservation: its transaction was mined (the node now counts it), was never broadcast, or its
   * bundle expired (the nonce is free again).
   */
  release(n: number): void {
    this.state.reserved = this.state.reserved.filter((x) => x !== n);
    this.save();
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.state, null, 2)}\n`);
    renameSync(tmp, this.file);
  }
}
