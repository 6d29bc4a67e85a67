/**
 * Fallback venue selection within the mode's hedge allocation: when a hedge venue is down (its circuit
 * breaker is open or its state cannot be read), the hedge it holds stays where it is (its weight becomes
 * its current share of the shorts, so nothing is sent to it) and the rest of its weight is spread pro rata
 * over the hedge venues that are up — the rule `hedge_coverage_rule: reallocate` applies to a venue
 * without data in a backtest. With `hedge_coverage_rule: fail` nothing is moved: the mode asked never to
 * hedge elsewhere. When the venue is back, the configured weights return and the strategy rebalances.
 */
import type { ModeConfig } from '../config/schema.js';

export interface FallbackVerdict {
  /** Effective weights (sum 1 over the venues that are up), or the configured ones. */
  weights: Record<string, number>;
  /** Hedge venues taken out, with the reason. */
  dropped: Record<string, string>;
  /** One line saying what changed, or null when the configured weights stand. */
  note: string | null;
}

/**
 * @param base the run's hedge weights (after the coverage rule), venue → weight.
 * @param down hedge venues that are down now, venue → reason.
 * @param shorts current |perp size| per hedge venue (base units); a down venue keeps its share.
 */
export function fallbackWeights(
  mode: ModeConfig,
  base: Record<string, number>,
  down: Record<string, string>,
  shorts: Record<string, number> = {},
): FallbackVerdict {
  const active = Object.entries(base).filter(([, w]) => w > 0);
  const out = active.filter(([v]) => down[v] !== undefined);
  if (out.length === 0) return { weights: { ...base }, dropped: {}, note: null };
  const dropped = Object.fromEntries(out.map(([v]) => [v, down[v]]));
  const names = out.map(([v]) => v).join(', ');
  if (mode.hedge_coverage_rule === 'fail') {
    return {
      weights: { ...base },
      dropped,
      note: `hedge venue ${names} down (${out.map(([v]) => down[v]).join('; ')}); hedge_coverage_rule fail: no fallback`,
    };
  }
  const up = active.filter(([v]) => down[v] === undefined);
  if (up.length === 0) {
    return {
      weights: { ...base },
      dropped,
      note: `every hedge venue is down (${names}); no fallback venue`,
    };
  }
  const held = active.reduce((s, [v]) => s + Math.abs(shorts[v] ?? 0), 0);
  const frozen = Object.fromEntries(out.map(([v]) => [v, held > 0 ? Math.abs(shorts[v] ?? 0) / held : 0]));
  const rest = 1 - Object.values(frozen).reduce((s, w) => s + w, 0);
  const total = up.reduce((s, [, w]) => s + w, 0);
  const weights: Record<string, number> = { ...frozen };
  for (const [v, w] of up) weights[v] = (rest * w) / total;
  const shares = Object.entries(weights)
    .map(([v, w]) => `${v} ${w.toFixed(4)}`)
    .join(', ');
  return { weights, dropped, note: `hedge venue ${names} down; weights now ${shares}` };
}

/** Whether two weight maps are the same (to 1e-12). */
export function sameWeights(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (Math.abs((a[k] ?? 0) - (b[k] ?? 0)) > 1e-12) return false;
  return true;
}
