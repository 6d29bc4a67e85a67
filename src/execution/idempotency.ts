/**
 * Client order ids derived from the instruction: a deterministic hash of the run id, the tick, the
 * instruction's sequence number within the tick and the instruction itself. The same intent always gets
 * the same id, so a resend after an ambiguous failure can be looked up on the exchange first and can
 * never become a second order.
 *
 * Format: `b` + 29 lowercase base-36 characters of SHA-256 (30 characters, letters and digits only),
 * which every supported exchange accepts (Binance `newClientOrderId` ≤ 36 `[.A-Z:/a-z0-9_-]`, Bybit
 * `orderLinkId` ≤ 36, OKX `clOrdId` ≤ 32 alphanumerics starting with a letter). Follow-up orders that
 * complete a partial fill append `r1`, `r2`: at most 32 characters.
 */
import { createHash } from 'node:crypto';
import type { Instruction } from '../domain/types.js';

export interface IntentKey {
  runId: string;
  /** Tick number of the run (monotonic over restarts). */
  tick: number;
  /** Order of the instruction within the tick, from 0. */
  seq: number;
}

/** Canonical text of an instruction: keys sorted, numbers at full precision. */
export function canonicalInstruction(i: Instruction): string {
  const entries = Object.entries(i).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.map(([k, v]) => `${k}=${typeof v === 'number' ? v.toPrecision(17) : String(v)}`).join(';');
}

export function clientOrderId(key: IntentKey, i: Instruction): string {
  const h = createHash('sha256')
    .update(`${key.runId}\n${key.tick}\n${key.seq}\n${canonicalInstruction(i)}`)
    .digest();
  let n = 0n;
  for (const byte of h.subarray(0, 24)) n = (n << 8n) | BigInt(byte);
  return `b${n.toString(36).padStart(29, '0').slice(-29)}`;
}

/** Id of the k-th follow-up order completing a partial fill (k ≥ 1). */
export function followUpId(base: string, k: number): string {
  if (!(k >= 1 && k <= 9)) throw new Error(`follow-up number ${k} outside 1..9`);
  return `${base}r${k}`;
}
