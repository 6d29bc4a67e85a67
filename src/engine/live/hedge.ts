/**
 * Fallback of the hedge on a wall clock: the hedge venues that are down now (breaker open, unreadable, or
 * an order of unknown outcome) keep what they hold and the rest of their weight goes to the venues that
 * are up (src/execution/fallback.ts); the run's strategy is rebuilt with the new weights — the same class,
 * configured as a backtest would configure it for a venue without data.
 */
import { fallbackWeights, sameWeights } from '../../execution/fallback.js';
import type { CexVenue } from '../../venues/types.js';
import type { LiveSession } from './session.js';

/** New weights (strategy replaced, event and journal written) when they changed, else null. */
export function reweigh(
  s: LiveSession,
  current: Record<string, number>,
  tick: number,
): { weights: Record<string, number>; note: string } | null {
  const parts = s.parts!;
  const down: Record<string, string> = {};
  const shorts: Record<string, number> = {};
  const symbol = `${s.resolved.mode.asset}USDT`;
  for (const venue of Object.keys(s.weights)) {
    const r = s.live.get(venue);
    if (r && !r.up)
      down[venue] = r.unresolved
        ? 'order outcome unknown'
        : r.stale
          ? 'unreadable'
          : `breaker ${r.breaker.state}`;
    const v = parts.venues.get(venue);
    if (v && v.kind === 'cex') shorts[venue] = Math.abs((v as CexVenue).perpPosition(symbol).size);
  }
  const verdict = fallbackWeights(s.resolved.mode, s.weights, down, shorts);
  if (sameWeights(verdict.weights, current)) return null;
  // a venue left at 0 is not traded at all here (it may be down): only the venues with weight are legs
  parts.reweigh(Object.fromEntries(Object.entries(verdict.weights).filter(([, w]) => w > 0)));
  const note = verdict.note ?? `hedge venues back up; weights ${JSON.stringify(verdict.weights)}`;
  parts.ledger.event('fallback', { weights: verdict.weights, dropped: verdict.dropped, note });
  s.journal.append({ type: 'fallback', tick, weights: verdict.weights, note }, { sync: false });
  return { weights: verdict.weights, note };
}
