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

/**
 * Events: a non-finite number (a transfer's fill has no price) is `null`, never a string a reader
 * would have to special-case.
 */
export function eventReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

export function eventJson(value: unknown): string {
  return JSON.stringify(value, eventReplacer);
}

const NON_FINITE_TEXT = new Set(['NaN', 'Infinity', '-Infinity']);

/** An event's data as read back: the strings older stores wrote for non-finite numbers become null. */
export function eventData(data: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | null = null;
  for (const [k, v] of Object.entries(data)) {
    if (typeof v === 'string' && NON_FINITE_TEXT.has(v)) (out ??= { ...data })[k] = null;
  }
  return out ?? data;
}
