/**
 * Data-quality rules (the mode's `data_policy`, src/config/schema.ts; docs/data.md):
 * - rows repeating a timestamp with equal values are merged by the parser and counted here in a note;
 * - rows repeating a timestamp with different values are an error naming file, lines and values, unless
 *   the policy resolves them: `prefer_non_placeholder` keeps the one row whose values are not all known
 *   placeholders; `drop_venue_span` (directly or for what prefer_non_placeholder cannot decide) drops
 *   every row of the file over the span of those conflicts, so the venue has no data there and the
 *   coverage rule decides (the gap is an ordinary coverage gap);
 * - funding events missing inside a short gap (< the 48 h coverage limit) are counted per window and
 *   either reported (`skip`: nothing is paid at those times) or fail the load.
 * Every resolution returns one note line for the run's output.
 */
import { DataPolicySchema } from '../config/schema.js';
import type { DataPolicy } from '../config/schema.js';
import { DataError } from '../domain/errors.js';
import type { ParsedFile } from './cache.js';
import type { DuplicateConflict } from './csv.js';
import { GAP_FACTOR, computeCoverage } from './coverage.js';
import { HOUR_MS, formatMinuteUtc } from './timestamps.js';
import type { Gap } from './types.js';

export type { DataPolicy };

/** No policy given: conflicts and missing funding fail. */
export const DEFAULT_DATA_POLICY: DataPolicy = DataPolicySchema.parse({});

function span(fromMs: number, toMs: number): string {
  return `${formatMinuteUtc(fromMs)} .. ${formatMinuteUtc(toMs)}`;
}

/** One row of a conflict: the differing columns' values and its line. */
function showRow(c: DuplicateConflict, r: number, cols: string[], differs: string[]): string {
  const vals = differs.map((d) => c.values[r][cols.indexOf(d)]);
  const shown = differs.length === 1 ? String(vals[0]) : differs.map((k, i) => `${k}=${vals[i]}`).join(' ');
  return `${shown} (line ${c.lines[r]})`;
}

function conflictError(p: ParsedFile, c: DuplicateConflict, total: number, why: string): DataError {
  const cols = [...p.columns.keys()];
  const differs = cols.filter((_, k) => c.values.some((row) => !Object.is(row[k], c.values[0][k])));
  const line = c.lines[c.lines.length - 1];
  const rows = c.values.map((_, r) => showRow(c, r, cols, differs)).join(' vs ');
  return new DataError(
    `${p.file} line ${line}: timestamp ${formatMinuteUtc(c.timestampMs)} repeats with different ` +
      `${differs.join(', ')}: ${rows}; ${total} such timestamp${total === 1 ? '' : 's'} in the file ${why}`,
    undefined,
    p.file,
    line,
  );
}

function isPlaceholderRow(row: number[], placeholders: readonly number[]): boolean {
  return row.every((v) => placeholders.includes(v));
}

/** The one distinct non-placeholder row of a conflict, or null when there are none or several. */
function realRow(c: DuplicateConflict, placeholders: readonly number[]): number[] | null {
  let found: number[] | null = null;
  for (const row of c.values) {
    if (isPlaceholderRow(row, placeholders)) continue;
    if (found && !row.every((v, k) => Object.is(v, found![k]))) return null;
    found = row;
  }
  return found;
}

function indexOf(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid] < t) lo = mid + 1;
    else if (ts[mid] > t) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/**
 * Applies the duplicate rules to one parsed file. Returns the file to use (a copy when values were
 * resolved or rows dropped; the input otherwise) and the notes; throws DataError when the policy says fail.
 */
export function applyDuplicatePolicy(
  p: ParsedFile,
  policy: DataPolicy = DEFAULT_DATA_POLICY,
): { parsed: ParsedFile; notes: string[] } {
  const notes: string[] = [];
  if (p.merged > 0) {
    notes.push(`${p.file}: ${p.merged} duplicate timestamps with equal values merged into one row each`);
  }
  const conflicts = p.conflicts;
  if (conflicts.length === 0) return { parsed: p, notes };
  const mode = policy.conflicting_duplicates;
  if (mode === 'fail') {
    throw conflictError(
      p,
      conflicts[0],
      conflicts.length,
      '(set data_policy.conflicting_duplicates in the mode to resolve them; docs/data.md)',
    );
  }
  const resolved: { c: DuplicateConflict; row: number[] }[] = [];
  const unresolved: DuplicateConflict[] = [];
  for (const c of conflicts) {
    const row = mode === 'prefer_non_placeholder' ? realRow(c, policy.placeholder_values) : null;
    if (row) resolved.push({ c, row });
    else unresolved.push(c);
  }
  if (unresolved.length > 0 && mode === 'prefer_non_placeholder' && policy.unresolved_duplicates === 'fail') {
    throw conflictError(
      p,
      unresolved[0],
      unresolved.length,
      `that data_policy prefer_non_placeholder (placeholders ${policy.placeholder_values.join(', ')}) cannot decide ` +
        '(set data_policy.unresolved_duplicates: drop_venue_span to drop the venue over their span)',
    );
  }

  const cols = [...p.columns.keys()];
  const out = new Map(cols.map((k) => [k, p.columns.get(k)!.slice()]));
  let ts = p.timestampsMs;
  for (const { c, row } of resolved) {
    const i = indexOf(ts, c.timestampMs);
    cols.forEach((k, j) => (out.get(k)![i] = row[j]));
  }
  if (resolved.length > 0) {
    const first = resolved[0].c.timestampMs;
    const last = resolved[resolved.length - 1].c.timestampMs;
    notes.push(
      `${p.file}: ${resolved.length} timestamps repeated with different values over ${span(first, last)} ` +
        `resolved by data_policy prefer_non_placeholder (kept the value that is not ${policy.placeholder_values.join(' / ')})`,
    );
  }
  let rows = p.rows;
  if (unresolved.length > 0) {
    const from = unresolved[0].timestampMs;
    const to = unresolved[unresolved.length - 1].timestampMs;
    const keep: number[] = [];
    for (let i = 0; i < ts.length; i++) if (ts[i] < from || ts[i] > to) keep.push(i);
    const pick = (a: Float64Array) => Float64Array.from(keep, (i) => a[i]);
    for (const k of cols) out.set(k, pick(out.get(k)!));
    const dropped = ts.length - keep.length;
    ts = pick(ts);
    rows = keep.length;
    const c = unresolved[0];
    notes.push(
      `${p.file}: ${unresolved.length} timestamps repeated with different values` +
        (mode === 'prefer_non_placeholder' ? ' that prefer_non_placeholder cannot decide' : '') +
        ` (first: line ${c.lines.join(' / ')} = ${c.values.map((v) => v.join(' ')).join(' vs ')}); ` +
        `data_policy drop_venue_span drops the file's ${dropped} rows over ${span(from, to)}: no data there ` +
        '(a coverage gap: the hedge coverage rule decides)',
    );
  }
  return {
    parsed: {
      ...p,
      rows,
      timestampsMs: ts,
      columns: out,
      coverage: computeCoverage(ts, p.intervalMs),
      conflicts: [],
    },
    notes,
  };
}

/** Funding events missing inside gaps of an event series, counted over [startMs, endMs]. */
export interface MissingEvents {
  count: number;
  /** The gaps (last event before .. next event after) that miss events inside the window. */
  gaps: Gap[];
}

/**
 * Events expected every `intervalMs`: a gap of d > GAP_FACTOR × interval between two events misses
 * round(d / interval) − 1 events, counted when they fall inside [startMs, endMs].
 */
export function missingEvents(
  ts: Float64Array,
  intervalMs: number,
  startMs: number,
  endMs: number,
): MissingEvents {
  const gaps: Gap[] = [];
  let count = 0;
  for (let i = 1; i < ts.length; i++) {
    const a = ts[i - 1];
    const b = ts[i];
    if (b <= startMs || a >= endMs || b - a <= GAP_FACTOR * intervalMs) continue;
    const m = Math.round((b - a) / intervalMs) - 1;
    let inside = 0;
    for (let k = 1; k <= m; k++) {
      const t = a + k * intervalMs;
      if (t >= startMs && t <= endMs) inside++;
    }
    if (inside > 0) {
      count += inside;
      gaps.push({ fromMs: a, toMs: b });
    }
  }
  return { count, gaps };
}

/** Applies `missing_funding` to one loaded event series: a note, or a DataError under `fail`. */
export function missingFundingNote(
  id: string,
  file: string,
  miss: MissingEvents,
  policy: DataPolicy = DEFAULT_DATA_POLICY,
): string | null {
  if (miss.count === 0) return null;
  const longest = miss.gaps.reduce((g, x) => (x.toMs - x.fromMs > g.toMs - g.fromMs ? x : g));
  const shown = miss.gaps.slice(0, 3).map((g) => span(g.fromMs, g.toMs));
  const what =
    `series ${id} (${file}): ${miss.count} funding events missing inside the window in ${miss.gaps.length} ` +
    `gap${miss.gaps.length === 1 ? '' : 's'} over ${span(miss.gaps[0].fromMs, miss.gaps[miss.gaps.length - 1].toMs)} ` +
    `(longest ${(longest.toMs - longest.fromMs) / HOUR_MS} h; ${shown.join('; ')}${miss.gaps.length > 3 ? '; …' : ''})`;
  if (policy.missing_funding === 'fail') {
    throw new DataError(
      `${what}; data_policy.missing_funding: fail (set it to skip to run with no funding at those times)`,
      id,
      file,
    );
  }
  return `${what}: nothing is paid or received at those times (data_policy.missing_funding: skip)`;
}
