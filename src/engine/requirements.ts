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
import {
  coversWindow,
  describeCoverage,
  MissingFileError,
  uncoveredSpans,
  type UncoveredSpan,
} from '../data/index.js';
import type { SeriesPlan } from '../data/plan.js';
import { DataError } from '../domain/errors.js';
import { perpIds, spotIds } from '../data/perp-marks.js';
import type { MarketData, SeriesMeta } from '../data/types.js';
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

/** The hedge weights from a time on (until the next entry of the schedule). */
export interface WeightSpan {
  fromMs: number;
  weights: Record<string, number>;
}

export interface CoverageVerdict {
  /**
   * The hedge venues the run uses at some time, with their weights renormalised over them (sum 1): the
   * venues the run builds, and its weights when `schedule` is empty.
   */
  weights: Record<string, number>;
  /**
   * Per-span weights when a venue lacks data for part of the window (`reallocate`): from each entry's time
   * the weights of that entry (venues without data there at 0, the others renormalised), in time order;
   * the first entry is at the window's start. Empty when the weights never change.
   */
  schedule: WeightSpan[];
  notes: string[];
}

const fmt = (w: Record<string, number>) =>
  Object.entries(w)
    .filter(([, x]) => x > 0)
    .map(([k, x]) => `${k} ${x.toFixed(4)}`)
    .join(', ');

/**
 * The hedge coverage rule over [startMs, endMs]. `fail`: any hedge venue whose series do not cover the
 * window is an error. `reallocate`: a venue without data for the whole window is dropped (its weight spread
 * pro rata over the others); a venue without data for PART of it is reweighted for that part only — weight
 * 0 from the last step with its data before the span (its perp is closed at that step's prices) to the
 * first step with data after it (reopened there), the others renormalised meanwhile. Every span is in the
 * notes. Corrupt rows and unresolved duplicate conflicts throw (they are not coverage gaps).
 */
export function hedgeCoverageVerdict(
  mode: ModeConfig,
  plan: SeriesPlan,
  dataDir: string,
  startMs: number,
  endMs: number,
  cacheDir?: string,
): CoverageVerdict {
  const alloc = Object.entries(mode.hedge_allocation ?? {}).filter(([, w]) => w > 0);
  const problems = hedgeCoverageProblems(plan, dataDir, startMs, endMs, cacheDir);
  const uncovered = alloc.filter(([v]) => problems[v] !== undefined);
  if (uncovered.length === 0) return { weights: Object.fromEntries(alloc), schedule: [], notes: [] };
  const [firstVenue] = uncovered[0];
  if (mode.hedge_coverage_rule === 'fail') {
    throw new DataError(`hedge venue ${firstVenue}: ${problems[firstVenue]} (hedge_coverage_rule: fail)`);
  }
  // the spans each uncovered venue lacks; a venue lacking the whole window is dropped
  const spans: Record<string, UncoveredSpan[]> = {};
  for (const [v] of uncovered) {
    let metas: SeriesMeta[] = [];
    try {
      metas = describeCoverage(dataDir, plan.hedge[v] ?? [], { cacheDir, policy: plan.policy });
    } catch (err) {
      if (!(err instanceof MissingFileError)) throw err;
      continue; // a missing file: no data at all
    }
    const merged = mergeSpans(metas.flatMap((m) => uncoveredSpans(m, startMs, endMs)));
    if (!(merged.length === 1 && merged[0].fromMs <= startMs && merged[0].toMs >= endMs)) spans[v] = merged;
  }
  const dropped = uncovered.filter(([v]) => !(v in spans));
  const used = alloc.filter(([v]) => !dropped.some(([d]) => d === v));
  if (used.length === 0) {
    throw new DataError(
      `no hedge venue of mode ${mode.mode} covers the window: ${uncovered.map(([v]) => `${v}: ${problems[v]}`).join('; ')}`,
    );
  }
  const weightsOver = (venues: [string, number][]): Record<string, number> => {
    const total = venues.reduce((s, [, w]) => s + w, 0);
    return Object.fromEntries(venues.map(([v, w]) => [v, w / total]));
  };
  const weights = weightsOver(used);
  const notes = dropped.map(
    ([v, w]) =>
      `hedge venue ${v} (weight ${w}) dropped by hedge_coverage_rule reallocate: ${problems[v]}; weights now ${fmt(weights)}`,
  );
  // per-span weights: a venue is out over [span.fromMs, span.toMs) (to the end when the span reaches it)
  const out = (v: string, t: number) =>
    (spans[v] ?? []).some((s) => s.fromMs <= t && (t < s.toMs || s.toMs >= endMs));
  const times = [
    ...new Set([startMs, ...Object.values(spans).flatMap((ss) => ss.flatMap((s) => [s.fromMs, s.toMs]))]),
  ]
    .filter((t) => t >= startMs && t < endMs)
    .sort((a, b) => a - b);
  const schedule: WeightSpan[] = [];
  for (const t of times) {
    const live = used.filter(([v]) => !out(v, t));
    if (live.length === 0) {
      const why = used.map(
        ([v]) => `${v}: ${(spans[v] ?? []).find((s) => s.fromMs <= t)?.reason ?? problems[v]}`,
      );
      throw new DataError(
        `no hedge venue of mode ${mode.mode} has data at ${new Date(t).toISOString()}: ${why.join('; ')}`,
      );
    }
    const w = { ...Object.fromEntries(used.map(([v]) => [v, 0])), ...weightsOver(live) };
    const last = schedule[schedule.length - 1];
    if (!last || fmt(last.weights) !== fmt(w)) schedule.push({ fromMs: t, weights: w });
  }
  for (const [v, ss] of Object.entries(spans)) {
    const w = alloc.find(([x]) => x === v)![1];
    for (const s of ss) {
      const inSpan = schedule.filter(
        (e) => e.fromMs >= s.fromMs && e.fromMs < Math.max(s.toMs, s.fromMs + 1),
      );
      notes.push(
        `hedge venue ${v} (weight ${w}) has no data ${iso(s.fromMs)} .. ${iso(s.toMs)} (${s.reason}): hedge_coverage_rule reallocate gives it weight 0 there` +
          (s.toMs < endMs ? ` and back from ${iso(s.toMs)}` : '') +
          `; weights there ${fmt(inSpan[0]?.weights ?? weights)}`,
      );
    }
  }
  return { weights, schedule: schedule.length > 1 ? schedule : [], notes };
}

/** Spans merged where they overlap or touch, in time order (the first reason of each merged span kept). */
export function mergeSpans(spans: readonly UncoveredSpan[]): UncoveredSpan[] {
  const sorted = [...spans].sort((a, b) => a.fromMs - b.fromMs);
  const out: UncoveredSpan[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.fromMs <= last.toMs) last.toMs = Math.max(last.toMs, s.toMs);
    else out.push({ ...s });
  }
  return out;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16) + 'Z';
}

/**
 * Inside a span where the schedule gives a hedge venue weight 0 (it has no data there and holds nothing),
 * its perp candle series may be NaN: there its mark is the spot venue's candle, so the venue (flat) is valued
 * and priced consistently. Outside those spans nothing is changed.
 */
export function fillOutOfSpanMarks(
  data: MarketData,
  mode: ModeConfig,
  schedule: readonly WeightSpan[],
): void {
  if (schedule.length === 0) return;
  const symbol = `${mode.asset}USDT`;
  const spot = spotIds(mode.venues.spot ?? 'binance', symbol);
  const n = data.length;
  for (let k = 0; k < schedule.length; k++) {
    const from = Math.max(0, Math.ceil((schedule[k].fromMs - data.startMs) / data.stepMs));
    const to = k + 1 < schedule.length ? Math.ceil((schedule[k + 1].fromMs - data.startMs) / data.stepMs) : n;
    for (const [venue, w] of Object.entries(schedule[k].weights)) {
      if (w !== 0) continue;
      const ids = perpIds(venue, symbol);
      for (const key of ['price', 'high', 'low'] as const) {
        const s = data.series.get(ids[key]);
        const src = data.series.get(spot[key]);
        if (!s || !src) continue;
        for (let i = from; i < Math.min(to, n); i++) if (!Number.isFinite(s[i])) s[i] = src[i];
      }
    }
  }
}
