/**
 * A small, fast CSV reader for the dataset: one header row, comma separators, no quoting. It parses only
 * the timestamp column and the value columns asked for, straight into Float64Arrays, then sorts by time
 * and de-duplicates: rows repeating a timestamp with EQUAL values (in every parsed column) are merged and
 * counted; rows repeating it with DIFFERENT values are a conflict, listed in `conflicts` with their line
 * numbers and values (the last row's values are kept until the loader applies the mode's data policy,
 * src/data/quality.ts, which resolves each conflict or fails naming file, line and both values).
 *
 * Tolerated: a UTF-8 BOM, `#` comment lines anywhere, blank lines, CRLF line ends, empty fields in
 * columns that are not read. Refused with a one-line DataError naming file, line, column and value:
 * a quote character, a wrong number of fields, an unparseable timestamp, a non-numeric used value.
 */
import { DataError } from '../domain/errors.js';
import { parseTimestampMs } from './timestamps.js';

/** Rows sharing one timestamp whose parsed values differ. */
export interface DuplicateConflict {
  timestampMs: number;
  /** 1-based line numbers of the rows, in file order. */
  lines: number[];
  /** values[r][k]: row r (same order as `lines`), parsed column k. */
  values: number[][];
}

export interface ParsedColumns {
  /** Rows kept after de-duplication. */
  rows: number;
  /** Rows dropped because another row had the same timestamp (merged + conflicting). */
  duplicates: number;
  /** Timestamps repeated with equal values, merged into one row. */
  merged: number;
  /** Timestamps repeated with different values (kept: the last row, until a data policy resolves them). */
  conflicts: DuplicateConflict[];
  /** Sorted ascending, unique. */
  timestampsMs: Float64Array;
  /** One array per requested column, in the order requested. */
  values: Float64Array[];
}

export interface CsvReadOptions {
  /** Path shown in messages (relative to the dataset root). */
  file: string;
  timestampColumn: string;
  columns: readonly string[];
}

const HASH = 35;
const CR = 13;
const SPACE = 32;
const TAB = 9;

function lineNumberAt(text: string, index: number): number {
  let n = 1;
  for (let p = text.indexOf('\n'); p !== -1 && p < index; p = text.indexOf('\n', p + 1)) n++;
  return n;
}

function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== TAB) return false;
  }
  return true;
}

function show(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/** Parses CSV text; see the module comment for what is accepted. */
export function parseCsvColumns(text: string, opts: CsvReadOptions): ParsedColumns {
  const { file } = opts;
  const fail = (line: number, what: string): never => {
    throw new DataError(`${file} line ${line}: ${what}`, undefined, file, line);
  };
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const quote = text.indexOf('"', pos);
  if (quote !== -1) fail(lineNumberAt(text, quote), 'quoted fields are not supported (found a `"`)');

  const len = text.length;
  let lineNo = 0;
  // column role per field: -1 unused, -2 timestamp, k >= 0 value column k
  let role: Int32Array | null = null;
  let header: string[] = [];
  const nCols = opts.columns.length;
  let cap = Math.max(16, Math.ceil(len / 40));
  let ts = new Float64Array(cap);
  let lines = new Float64Array(cap);
  let cols = opts.columns.map(() => new Float64Array(cap));
  let n = 0;

  while (pos < len) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = len;
    lineNo++;
    let lineEnd = end;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === CR) lineEnd--;
    const start = pos;
    pos = end + 1;
    if (lineEnd === start) continue;
    const first = text.charCodeAt(start);
    if (first === HASH) continue;
    if ((first === SPACE || first === TAB) && isBlank(text, start, lineEnd)) continue;

    if (role === null) {
      header = text
        .slice(start, lineEnd)
        .split(',')
        .map((h) => h.replace(/^\uFEFF/, '').trim());
      role = new Int32Array(header.length).fill(-1);
      const tsIdx = header.indexOf(opts.timestampColumn);
      if (tsIdx === -1) {
        fail(
          lineNo,
          `header has no timestamp column "${opts.timestampColumn}" (columns: ${header.join(',')})`,
        );
      }
      role[tsIdx] = -2;
      opts.columns.forEach((c, k) => {
        const idx = header.indexOf(c);
        if (idx === -1) fail(lineNo, `header has no column "${c}" (columns: ${header.join(',')})`);
        role![idx] = k;
      });
      continue;
    }

    if (n === cap) {
      cap *= 2;
      const grow = (a: Float64Array) => {
        const b = new Float64Array(cap);
        b.set(a);
        return b;
      };
      ts = grow(ts);
      lines = grow(lines);
      cols = cols.map(grow);
    }

    // walk the fields of this line
    let f = 0;
    let fs = start;
    const nFields = header.length;
    for (;;) {
      let fe = text.indexOf(',', fs);
      if (fe === -1 || fe > lineEnd) fe = lineEnd;
      if (f < nFields) {
        const r = role[f];
        if (r === -2) {
          const t = parseTimestampMs(text, fs, fe);
          if (Number.isNaN(t)) {
            fail(
              lineNo,
              `column ${opts.timestampColumn}: ${show(text.slice(fs, fe))} is not a valid timestamp`,
            );
          }
          ts[n] = t;
        } else if (r >= 0) {
          const s = text.slice(fs, fe);
          const v = +s;
          if (!Number.isFinite(v) || (v === 0 && s.trim() === '')) {
            fail(lineNo, `column ${opts.columns[r]}: ${show(s)} is not a number`);
          }
          cols[r][n] = v;
        }
      }
      f++;
      if (fe >= lineEnd) break;
      fs = fe + 1;
    }
    if (f !== nFields) {
      fail(lineNo, `expected ${nFields} fields (${header.join(',')}), found ${f}`);
    }
    lines[n] = lineNo;
    n++;
  }
  if (role === null) fail(lineNo || 1, 'no header row (the file is empty)');
  return sortAndDedupe(ts, lines, cols, n, nCols);
}

/** Sorts rows by time (stable), merges repeated timestamps with equal values and lists conflicting ones. */
function sortAndDedupe(
  ts: Float64Array,
  lines: Float64Array,
  cols: Float64Array[],
  n: number,
  nCols: number,
): ParsedColumns {
  let strictlyIncreasing = true;
  for (let i = 1; i < n; i++) {
    if (!(ts[i] > ts[i - 1])) {
      strictlyIncreasing = false;
      break;
    }
  }
  if (strictlyIncreasing) {
    return {
      rows: n,
      duplicates: 0,
      merged: 0,
      conflicts: [],
      timestampsMs: ts.slice(0, n),
      values: cols.map((c) => c.slice(0, n)),
    };
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => ts[a] - ts[b] || a - b);
  // one kept row per timestamp (the last occurrence); a group of equal rows is merged, else a conflict
  const conflicts: DuplicateConflict[] = [];
  let merged = 0;
  let kept = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && ts[order[j]] === ts[order[i]]) j++;
    if (j - i > 1) {
      let equal = true;
      for (let r = i + 1; r < j && equal; r++)
        for (let k = 0; k < nCols; k++)
          if (!Object.is(cols[k][order[r]], cols[k][order[i]])) {
            equal = false;
            break;
          }
      if (equal) merged++;
      else {
        const rows = [...order.subarray(i, j)];
        conflicts.push({
          timestampMs: ts[order[i]],
          lines: rows.map((r) => lines[r]),
          values: rows.map((r) => cols.map((c) => c[r])),
        });
      }
    }
    order[kept++] = order[j - 1];
    i = j;
  }
  const outTs = new Float64Array(kept);
  const outCols: Float64Array[] = [];
  for (let k = 0; k < nCols; k++) outCols.push(new Float64Array(kept));
  for (let i = 0; i < kept; i++) {
    const src = order[i];
    outTs[i] = ts[src];
    for (let k = 0; k < nCols; k++) outCols[k][i] = cols[k][src];
  }
  return { rows: kept, duplicates: n - kept, merged, conflicts, timestampsMs: outTs, values: outCols };
}
