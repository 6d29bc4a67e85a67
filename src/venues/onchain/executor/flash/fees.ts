/**
 * EIP-1559 fees with a cap: maxFeePerGas = base fee × `baseFeeMultiplier` + the priority fee, never above
 * `maxFeeCapWei`; when even the current base fee plus the priority fee is above the cap nothing is sent.
 */
import type { PublicClient } from 'viem';

export interface FeeOptions {
  /** Tip to the block builder, wei per gas. */
  priorityFeeWei: bigint;
  /** Hard cap on maxFeePerGas, wei per gas. */
  maxFeeCapWei: bigint;
  /** Head room over the current base fee (default 2: survives about six full blocks of +12.5 %). */
  baseFeeMultiplier?: bigint;
}

export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  baseFeePerGas: bigint;
}

export class FeeCapError extends Error {
  constructor(baseFee: bigint, tip: bigint, cap: bigint) {
    super(`fees: base fee ${baseFee} + priority fee ${tip} wei/gas is above the cap ${cap} wei/gas`);
    this.name = 'FeeCapError';
  }
}

/** The fees of the next transaction from the latest block's base fee. */
export async function quoteFees(pub: PublicClient, o: FeeOptions): Promise<Fees> {
  const block = await pub.getBlock({ blockTag: 'latest' });
  return feesFor(block.baseFeePerGas ?? 0n, o);
}

export function feesFor(baseFeePerGas: bigint, o: FeeOptions): Fees {
  const tip = o.priorityFeeWei;
  if (baseFeePerGas + tip > o.maxFeeCapWei) throw new FeeCapError(baseFeePerGas, tip, o.maxFeeCapWei);
  const wanted = baseFeePerGas * (o.baseFeeMultiplier ?? 2n) + tip;
  const maxFeePerGas = wanted < o.maxFeeCapWei ? wanted : o.maxFeeCapWei;
  return { maxFeePerGas, maxPriorityFeePerGas: tip, baseFeePerGas };
}

/**
 * Fees for a replacement of a stuck transaction (same nonce): both fees at least +12.5 % (nodes require
 * +10 %) and at least today's quote, maxFeePerGas under the cap; null when the cap leaves no room for the bump.
 */
export function bumpFees(old: Fees, fresh: Fees, cap: bigint): Fees | null {
  const up = (x: bigint) => (x * 1125n) / 1000n + 1n;
  const max = (a: bigint, b: bigint) => (a > b ? a : b);
  let maxFeePerGas = max(up(old.maxFeePerGas), fresh.maxFeePerGas);
  if (maxFeePerGas > cap) maxFeePerGas = cap;
  const maxPriorityFeePerGas = max(up(old.maxPriorityFeePerGas), fresh.maxPriorityFeePerGas);
  if (maxFeePerGas < up(old.maxFeePerGas) || maxPriorityFeePerGas > maxFeePerGas) return null;
  return { maxFeePerGas, maxPriorityFeePerGas, baseFeePerGas: fresh.baseFeePerGas };
}
