/**
 * Coverage of a series (first / last row and gaps) and the rule that decides whether a series covers a
 * requested window. The loader applies it to REQUIRED series; the engine applies it through
 * `coversWindow` to decide which optional series (e.g. hedge venues) it can use.
 */
import { findSeriesSpec } from './manifest.js';
import { HOUR_MS, formatMinuteUtc } from './timestamps.js';
import type { Coverage, FillKind, Gap, SeriesMeta } from './types.js';

/** A gap between consecutive rows longer than this factor × the native interval is listed in `gaps`. */
export const GAP_FACTOR = 1.5;

/**
 * The longest gap (time between two consecutive rows) a required series may have inside the requested
 * window: 48 h. Shorter gaps (OKX funding's 32 h holes, Binance 1 h spot's ≤ 24 h holes) are filled by
 * the series' fill rule; longer ones fail the coverage check.
 */
export const MAX_GAP_MS = 48 * HOUR_MS;

export type CoverageCheck = { ok: true } | { ok: false; reason: string };

/** First and last timestamp and the gaps longer than GAP_FACTOR × intervalMs (timestamps sorted). */
export function computeCoverage(timestampsMs: Float64Array, intervalMs: number): Coverage {
  const n = timestampsMs.length;
  const gaps: Gap[] = [];
  const limit = GAP_FACTOR * intervalMs;
  for (let i = 1; i < n; i++) {
    if (timestampsMs[i] - timestampsMs[i - 1] > limit)
      gaps.push({ fromMs: timestampsMs[i - 1], toMs: timestampsMs[i] });
  }
  return { firstMs: n > 0 ? timestampsMs[0] : NaN, lastMs: n > 0 ? timestampsMs[n - 1] : NaN, gaps };
}

function window(startMs: number, endMs: number): string {
  return `${formatMinuteUtc(startMs)} .. ${formatMinuteUtc(endMs)}`;
}

/**
 * Whether `meta` covers [startMs, endMs]:
 * - candle, level and daily Aave series: firstMs ≤ startMs and lastMs ≥ endMs;
 * - funding events: firstMs ≤ startMs + interval and lastMs ≥ endMs − interval (interval = 8 h);
 * - and, for all, no gap longer than MAX_GAP_MS overlapping the window (fromMs < endMs and toMs > startMs).
 * A file without rows never covers.
 */
export function coversWindow(meta: SeriesMeta, startMs: number, endMs: number): CoverageCheck {
  const spec = findSeriesSpec(meta.id);
  const fill: FillKind | undefined = meta.fill ?? spec?.fill;
  const intervalMs = meta.intervalMs ?? spec?.intervalMs ?? 0;
  const name = `series ${meta.id} (${meta.file})`;
  const { firstMs, lastMs, gaps } = meta.coverage;
  if (!(meta.rows > 0) || !Number.isFinite(firstMs) || !Number.isFinite(lastMs)) {
    return { ok: false, reason: `${name} has no rows; requested ${window(startMs, endMs)}` };
  }
  const slack = fill === 'event' ? intervalMs : 0;
  if (firstMs > startMs + slack || lastMs < endMs - slack) {
    return {
      ok: false,
      reason: `${name} covers ${window(firstMs, lastMs)}; requested ${window(startMs, endMs)}`,
    };
  }
  for (const g of gaps) {
    if (g.toMs - g.fromMs > MAX_GAP_MS && g.fromMs < endMs && g.toMs > startMs) {
      const hours = Math.round(((g.toMs - g.fromMs) / HOUR_MS) * 100) / 100;
      return {
        ok: false,
        reason:
          `${name} has a ${hours} h gap ${window(g.fromMs, g.toMs)} inside the requested window ` +
          `${window(startMs, endMs)} (at most ${MAX_GAP_MS / HOUR_MS} h allowed)`,
      };
    }
  }
  return { ok: true };
}

/** A part of a window a series does not cover: no row from `fromMs` (exclusive of a row there) to `toMs`. */
export interface UncoveredSpan {
  /** The last row before the span (or the window's start when the series starts later). */
  fromMs: number;
  /** The first row after the span (or the window's end when the series ends earlier). */
  toMs: number;
  reason: string;
}

/**
 * The parts of [startMs, endMs] that `meta` does not cover by the rule of `coversWindow`: before its first
 * row, after its last, and inside its gaps longer than MAX_GAP_MS; in time order, possibly overlapping
 * (merge them with `mergeSpans`). A file without rows leaves the whole window uncovered. Empty when
 * `coversWindow` is ok.
 */
export function uncoveredSpans(meta: SeriesMeta, startMs: number, endMs: number): UncoveredSpan[] {
  const spec = findSeriesSpec(meta.id);
  const fill: FillKind | undefined = meta.fill ?? spec?.fill;
  const intervalMs = meta.intervalMs ?? spec?.intervalMs ?? 0;
  const name = `series ${meta.id} (${meta.file})`;
  const { firstMs, lastMs, gaps } = meta.coverage;
  if (!(meta.rows > 0) || !Number.isFinite(firstMs) || !Number.isFinite(lastMs))
    return [{ fromMs: startMs, toMs: endMs, reason: `${name} has no rows` }];
  const slack = fill === 'event' ? intervalMs : 0;
  const out: UncoveredSpan[] = [];
  if (firstMs > startMs + slack)
    out.push({
      fromMs: startMs,
      toMs: Math.min(firstMs, endMs),
      reason: `${name} starts ${formatMinuteUtc(firstMs)}`,
    });
  for (const g of gaps) {
    if (g.toMs - g.fromMs > MAX_GAP_MS && g.fromMs < endMs && g.toMs > startMs) {
      const hours = Math.round(((g.toMs - g.fromMs) / HOUR_MS) * 100) / 100;
      out.push({
        fromMs: Math.max(g.fromMs, startMs),
        toMs: Math.min(g.toMs, endMs),
        reason: `${name} has a ${hours} h gap ${window(g.fromMs, g.toMs)}`,
      });
    }
  }
  if (lastMs < endMs - slack)
    out.push({
      fromMs: Math.max(lastMs, startMs),
      toMs: endMs,
      reason: `${name} ends ${formatMinuteUtc(lastMs)}`,
    });
  return out;
}
