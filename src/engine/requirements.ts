/**
 * Which data series a mode needs, derived from its config, and the hedge-venue coverage rule: a hedge
 * venue whose series do not cover the window is either a hard error (`hedge_coverage_rule: fail`) or is
 * dropped and its weight spread pro rata over the covered venues (`reallocate`), reported in the run's
 * notes and events, never silently. Only MISSING or SHORT data is a coverage problem: a corrupt row or
 * a duplicate conflict the mode's data_policy does not resolve fails the run.
 *
 * The plans themselves are the families' (src/strategies/plan.ts has the pieces they share, among them
 * the perp-mark rule in the hedge venues' holes).
 */
import type { ModeConfig } from '../config/schema.js';
import { coversWindow, describeCoverage, MissingFileError } from '../data/index.js';
import type { SeriesPlan } from '../data/plan.js';
import { DataError } from '../domain/errors.js';
import type { SeriesMeta } from '../data/types.js';
import { familyOf } from '../strategies/index.js';

export type { SeriesPlan } from '../data/plan.js';

/** The series a mode needs: its family's data plan (src/strategies/<family>/index.ts). */
export function seriesPlan(mode: ModeConfig): SeriesPlan {
  return familyOf(mode.family).plan(mode);
}

/**
 * The first coverage problem of each hedge venue over [startMs, endMs] (absent when covered): a missing
 * file or a series that does not cover the window. Corrupt rows and unresolved duplicate conflicts throw.
 */
export function hedgeCoverageProblems(
  plan: SeriesPlan,
  dataDir: string,
  startMs: number,
  endMs: number,
  cacheDir?: string,
): Record<string, string | undefined> {
  const problems: Record<string, string | undefined> = {};
  for (const [venue, ids] of Object.entries(plan.hedge)) {
    let metas: SeriesMeta[] = [];
    try {
      metas = describeCoverage(dataDir, ids, { cacheDir, policy: plan.policy });
    } catch (err) {
      if (!(err instanceof MissingFileError)) throw err;
      problems[venue] = err.message;
    }
    for (const m of metas) {
      const c = coversWindow(m, startMs, endMs);
      if (!c.ok) {
        // say why the data is short when the data policy dropped rows of the file
        const dropped = (m.notes ?? []).filter((n) => n.includes('drop_venue_span'));
        problems[venue] = dropped.length ? `${c.reason} (${dropped.join('; ')})` : c.reason;
        break;
      }
    }
  }
  return problems;
}

export interface CoverageVerdict {
  /** Effective hedge weights (sum 1) after the rule. */
  weights: Record<string, number>;
  notes: string[];
}

/**
 * Applies the mode's hedge coverage rule. `problems` maps each hedge venue to the first reason one of
 * its series does not cover the window (absent when covered).
 */
export function applyHedgeCoverageRule(
  mode: ModeConfig,
  problems: Record<string, string | undefined>,
): CoverageVerdict {
  const alloc = Object.entries(mode.hedge_allocation ?? {}).filter(([, w]) => w > 0);
  const uncovered = alloc.filter(([v]) => problems[v] !== undefined);
  if (uncovered.length === 0) return { weights: Object.fromEntries(alloc), notes: [] };
  const [firstVenue] = uncovered[0];
  if (mode.hedge_coverage_rule === 'fail') {
    throw new DataError(`hedge venue ${firstVenue}: ${problems[firstVenue]} (hedge_coverage_rule: fail)`);
  }
  const covered = alloc.filter(([v]) => problems[v] === undefined);
  if (covered.length === 0) {
    throw new DataError(
      `no hedge venue of mode ${mode.mode} covers the window: ${uncovered.map(([v]) => `${v}: ${problems[v]}`).join('; ')}`,
    );
  }
  const total = covered.reduce((s, [, w]) => s + w, 0);
  const weights = Object.fromEntries(covered.map(([v, w]) => [v, w / total]));
  const notes = uncovered.map(
    ([v, w]) =>
      `hedge venue ${v} (weight ${w}) dropped by hedge_coverage_rule reallocate: ${problems[v]}; weights now ${Object.entries(
        weights,
      )
        .map(([k, x]) => `${k} ${x.toFixed(4)}`)
        .join(', ')}`,
  );
  return { weights, notes };
}
