/**
 * Column blobs: a Float64Array stored as little-endian IEEE-754 bytes (`f64le`), so NaN and ±Infinity
 * survive exactly and a year of hourly steps is one 70 kB value instead of 8 760 rows.
 */
import { endianness } from 'node:os';

export const F64LE = 'f64le';
const LITTLE = endianness() === 'LE';

export function encodeF64(values: Float64Array): Buffer {
  if (LITTLE) return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const out = Buffer.allocUnsafe(values.length * 8);
  for (let i = 0; i < values.length; i++) out.writeDoubleLE(values[i], i * 8);
  return out;
}

export function decodeF64(bytes: Uint8Array): Float64Array {
  if (bytes.byteLength % 8 !== 0)
    throw new Error(`column blob of ${bytes.byteLength} bytes is not a multiple of 8`);
  const n = bytes.byteLength / 8;
  if (LITTLE) {
    // Copy: the driver's buffer may not be 8-byte aligned
    const out = new Float64Array(n);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

/** JSON has no NaN or Infinity: write them as strings ("NaN", "Infinity") so nothing is lost silently. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

export function toJson(value: unknown): string {
  return JSON.stringify(value, jsonReplacer);
}
