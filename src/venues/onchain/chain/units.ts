/**
 * Float ↔ base-unit conversion, only at the chain boundary. Engine amounts are float64 token units; a
 * transaction carries integer base units. The float goes through its shortest round-trip decimal string and
 * viem's parseUnits (never `Math.floor(x * 10 ** d)`), truncated toward zero at the token's decimals so a
 * conversion never asks for more than the amount.
 */
import { formatUnits, parseUnits } from 'viem';

/** Shortest round-trip decimal form of a finite number, without exponent notation. */
export function decimalString(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite amount: ${x}`);
  const s = String(x);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, int, frac = '', expText] = m;
  const exp = Number(expText);
  const digits = int + frac;
  const point = int.length + exp;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * Token units → base units (bigint), truncated at `decimals` places.
 * @example toBaseUnits(1.5, 6) // 1500000n
 */
export function toBaseUnits(amount: number, decimals: number): bigint {
  if (!(amount >= 0)) throw new RangeError(`amount must be a non-negative number, received ${amount}`);
  const s = decimalString(amount);
  const [int, frac = ''] = s.split('.');
  return parseUnits(frac.length > decimals ? `${int}.${frac.slice(0, decimals)}` : s, decimals);
}

/**
 * Base units → token units (float64).
 * @example fromBaseUnits(1500000n, 6) // 1.5
 */
export function fromBaseUnits(raw: bigint, decimals: number): number {
  return Number(formatUnits(raw, decimals));
}
