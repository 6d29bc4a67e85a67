/**
 * Reconciliation on start: the positions the journal last recorded against the positions the venues
 * report now (after pending orders were resolved). Real venues can differ — an order whose answer was
 * lost, funding paid while the runner was down, anything done to the account by hand; simulated venues
 * are restored from the journal and match by construction. Differences are reported, never hidden; the
 * run goes on from what the venues say (they are the source of truth).
 */
import { parsePositionKey } from '../../domain/types.js';

export interface PositionDiff {
  key: string;
  journal: number;
  venue: number;
  diff: number;
}

/** Differences larger than 1e-9 (relative, at least absolute 1e-12) between two position snapshots. */
export function reconcile(
  journal: Record<string, number>,
  venues: Record<string, number>,
  real: ReadonlyMap<string, unknown>,
): PositionDiff[] {
  const keys = new Set([...Object.keys(journal), ...Object.keys(venues)]);
  const out: PositionDiff[] = [];
  for (const key of [...keys].sort()) {
    const { venue } = parsePositionKey(key);
    if (!real.has(venue)) continue;
    const a = journal[key] ?? 0;
    const b = venues[key] ?? 0;
    if (Math.abs(a - b) > Math.max(1e-12, 1e-9 * Math.max(Math.abs(a), Math.abs(b))))
      out.push({ key, journal: a, venue: b, diff: b - a });
  }
  return out;
}
