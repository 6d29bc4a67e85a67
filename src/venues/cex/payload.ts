/**
 * Helpers shared by the exchange payload schemas: numeric strings, parsing with a VenueError that names
 * the endpoint, lot rounding and decimal formatting of amounts.
 */
import { z } from 'zod';
import { VenueError } from '../../domain/errors.js';
import type { LotRule } from './types.js';

/** A number the exchange sends as a string or a number; '' reads as NaN. */
export const num = z.union([z.string(), z.number()]).transform((v) => (v === '' ? Number.NaN : Number(v)));

/** Parses an exchange payload; a mismatch is a VenueError naming the endpoint (`ambiguous` for orders). */
export function parsePayload<T extends z.ZodTypeAny>(
  venue: string,
  what: string,
  schema: T,
  data: unknown,
  mutating = false,
): z.infer<T> {
  const r = schema.safeParse(data);
  if (r.success) return r.data as z.infer<T>;
  const issue = r.error.issues[0];
  const where = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  throw new VenueError(
    venue,
    `${what}: unexpected response at ${where}: ${issue.message}`,
    false,
    mutating ? 'ambiguous' : 'bad_response',
  );
}

/** Decimals needed to write multiples of `step` exactly (0.001 → 3, 1 → 0). */
export function stepDecimals(step: number): number {
  if (!(step > 0)) return 8;
  const s = step.toExponential();
  const [mantissa, exp] = s.split('e');
  const frac = mantissa.includes('.') ? mantissa.split('.')[1].length : 0;
  return Math.max(0, frac - Number(exp));
}

/** Largest multiple of the lot step not above `amount` (tolerating float noise), 0 when below the minimum. */
export function roundToLot(amount: number, lot: LotRule): number {
  if (!(amount > 0)) return 0;
  const lots = Math.floor(amount / lot.step + 1e-9);
  const q = Number((lots * lot.step).toFixed(stepDecimals(lot.step)));
  return q + 1e-12 < lot.min ? 0 : q;
}

/** Amount as the decimal string an exchange expects for this step. */
export function formatAmount(amount: number, step: number): string {
  return amount.toFixed(stepDecimals(step));
}
