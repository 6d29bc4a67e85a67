/**
 * The loader: resolves series ids through the manifest, reads each file once (memo → disk cache →
 * parse), checks the coverage of REQUIRED series and aligns everything on one grid (hourly unless the
 * request sets `stepMs`).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataError } from '../domain/errors.js';
import {
  alignAaveIndex,
  alignBarExtreme,
  alignCandle,
  alignEvents,
  alignLevel,
  alignSnapshotRate,
} from './align.js';
import type { Grid } from './align.js';
import { defaultCacheDir, readParsedFile } from './cache.js';
import type { ParsedFile } from './cache.js';
import { coversWindow } from './coverage.js';
import { getSeriesSpec } from './manifest.js';
import type { SeriesSpec } from './manifest.js';
import { applyDuplicatePolicy, missingEvents, missingFundingNote } from './quality.js';
import type { DataPolicy } from './quality.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, formatMinuteUtc } from './timestamps.js';
import type { EventSeries, LoadRequest, MarketData, SeriesMeta } from './types.js';

/** The default grid step: one hour (`LoadRequest.stepMs` chooses another, e.g. 5 minutes). */
export const STEP_MS = HOUR_MS;

/** `5 min`, `1 h`, `1 d`: a grid step for messages. */
export function stepLabel(stepMs: number): string {
  if (stepMs % DAY_MS === 0) return `${stepMs / DAY_MS} d`;
  if (stepMs % HOUR_MS === 0) return `${stepMs / HOUR_MS} h`;
  return `${stepMs / MINUTE_MS} min`;
}

/** Name of the marker file at the dataset root; `{"synthetic": true}` marks the generated sample. */
export const DATASET_MARKER = 'dataset.json';

export interface DescribeOptions {
  /** Parsed cache directory; defaults to `<cwd>/.basis/cache`. */
  cacheDir?: string;
  /** Data-quality rules (src/data/quality.ts); default: conflicting duplicates fail. */
  policy?: DataPolicy;
}

/** A series' file is not in the dataset: a coverage problem (the hedge coverage rule may reallocate). */
export class MissingFileError extends DataError {}

function checkWindow(startMs: number, endMs: number, stepMs: number): void {
  if (!Number.isSafeInteger(stepMs) || stepMs <= 0 || stepMs % MINUTE_MS !== 0 || DAY_MS % stepMs !== 0) {
    throw new DataError(
      `grid step ${stepMs} ms is not a whole number of minutes dividing a day (e.g. 5 min = 300000, 1 h = 3600000)`,
    );
  }
  for (const [name, ms] of [
    ['start', startMs],
    ['end', endMs],
  ] as const) {
    if (!Number.isSafeInteger(ms) || ms % stepMs !== 0) {
      const shown = Math.abs(ms) <= 8.64e15 ? `${new Date(ms).toISOString()} (${ms} ms)` : String(ms);
      throw new DataError(
        stepMs === HOUR_MS
          ? `window ${name} ${shown} is not a whole UTC hour: the grid is hourly, so start and end must be whole hours`
          : `window ${name} ${shown} is not on the ${stepLabel(stepMs)} grid: start and end must be multiples of the grid step`,
      );
    }
  }
  if (endMs < startMs) {
    throw new DataError(
      `window end ${formatMinuteUtc(endMs)} is before its start ${formatMinuteUtc(startMs)}`,
    );
  }
}

function checkDataDir(dataDir: string): string {
  const abs = resolve(dataDir);
  let isDir = false;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    throw new DataError(`data directory ${abs} does not exist`);
  }
  if (!isDir) throw new DataError(`data directory ${abs} is not a directory`);
  return abs;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Reads `<dataDir>/dataset.json`; `synthetic` is true only when it says `"synthetic": true`. */
export function readDatasetMarker(dataDir: string): {
  synthetic: boolean;
  marker: Record<string, unknown> | null;
} {
  const path = join(resolve(dataDir), DATASET_MARKER);
  if (!isFile(path)) return { synthetic: false, marker: null };
  let marker: unknown;
  try {
    marker = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DataError(`${path} is not valid JSON: ${(e as Error).message}`, undefined, DATASET_MARKER);
  }
  if (typeof marker !== 'object' || marker === null || Array.isArray(marker)) {
    throw new DataError(`${path} must hold a JSON object`, undefined, DATASET_MARKER);
  }
  const obj = marker as Record<string, unknown>;
  return { synthetic: obj.synthetic === true, marker: obj };
}

/** Reads one file through the cache and applies the duplicate rules of `policy`. */
function parse(
  spec: SeriesSpec,
  dataDir: string,
  cacheDir: string,
  policy: DataPolicy | undefined,
): { parsed: ParsedFile; notes: string[] } {
  try {
    const raw = readParsedFile(
      {
        absPath: join(dataDir, spec.file),
        file: spec.file,
        timestampColumn: spec.timestampColumn,
        columns: spec.fileColumns,
        intervalMs: spec.intervalMs,
      },
      cacheDir,
    );
    return applyDuplicatePolicy(raw, policy);
  } catch (e) {
    if (e instanceof DataError) throw new DataError(e.message, spec.id, spec.file, e.row);
    throw e;
  }
}

function missingFile(spec: SeriesSpec, dataDir: string): MissingFileError {
  return new MissingFileError(
    `series ${spec.id}: file ${spec.file} not found in dataset ${dataDir}`,
    spec.id,
    spec.file,
  );
}

function metaOf(spec: SeriesSpec, p: ParsedFile, notes: string[]): SeriesMeta {
  return {
    notes,
    id: spec.id,
    file: spec.file,
    unit: spec.unit,
    coverage: p.coverage,
    rows: p.rows,
    duplicatesDropped: p.duplicates,
    fill: spec.fill,
    intervalMs: spec.intervalMs,
  };
}

function column(p: ParsedFile, name: string): Float64Array {
  const c = p.columns.get(name);
  if (!c) throw new DataError(`${p.file}: column ${name} was not parsed`, undefined, p.file);
  return c;
}

/** Puts one parsed series on the grid (see align.ts for each rule). */
function alignSeries(
  spec: SeriesSpec,
  p: ParsedFile,
  g: Grid,
  endMs: number,
): { grid: Float64Array; events?: EventSeries } {
  const ts = p.timestampsMs;
  const [c0, c1] = spec.columns;
  switch (spec.fill) {
    case 'candle':
      return { grid: alignCandle(ts, column(p, c0), column(p, c1), spec.intervalMs, g) };
    case 'bar_high':
      return { grid: alignBarExtreme(ts, column(p, c0), g, 'max') };
    case 'bar_low':
      return { grid: alignBarExtreme(ts, column(p, c0), g, 'min') };
    case 'level':
      return { grid: alignLevel(ts, column(p, c0), g) };
    case 'aave_liquidity_index':
      return { grid: alignAaveIndex(ts, column(p, c0), g, 'simple') };
    case 'aave_borrow_index':
      return { grid: alignAaveIndex(ts, column(p, c0), g, 'compound') };
    case 'aave_rate':
      return { grid: alignSnapshotRate(ts, column(p, c0), g) };
    case 'event':
      return alignEvents(ts, column(p, c0), g, endMs);
  }
}

/** A short hash of the content hashes of the files used. */
export function datasetIdOf(fileHashes: ReadonlyMap<string, string>): string {
  const lines = [...fileHashes.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([f, h]) => `${f}:${h}`);
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

/**
 * Loads `required` and `optional` series on the grid startMs .. endMs (inclusive) in steps of `stepMs`
 * (default 1 h; start and end must be multiples of it).
 * Throws DataError for a bad window, a missing data directory, an unknown id, a missing file or a
 * coverage failure of a required series, or a malformed row. Optional series whose file is missing are
 * skipped; their coverage is not checked (their meta is included).
 */
export function loadMarketDataSync(req: LoadRequest): MarketData {
  const { startMs, endMs } = req;
  const stepMs = req.stepMs ?? STEP_MS;
  checkWindow(startMs, endMs, stepMs);
  const dataDir = checkDataDir(req.dataDir);
  const cacheDir = resolve(req.cacheDir ?? defaultCacheDir());
  const required = [...new Set(req.required)];
  const requiredSet = new Set(required);
  const optional = [...new Set(req.optional ?? [])].filter((id) => !requiredSet.has(id));
  const specs = [...required, ...optional].map((id) => getSeriesSpec(id));

  const length = (endMs - startMs) / stepMs + 1;
  const g: Grid = { startMs, stepMs, length };
  const timestampsMs = new Float64Array(length);
  for (let i = 0; i < length; i++) timestampsMs[i] = startMs + i * stepMs;

  const series = new Map<string, Float64Array>();
  const events = new Map<string, EventSeries>();
  const meta = new Map<string, SeriesMeta>();
  const fileHashes = new Map<string, string>();
  // several series share a file: read it once per load
  const parsedFiles = new Map<string, { parsed: ParsedFile; notes: string[] }>();
  const notes: string[] = [];
  for (const spec of specs) {
    const isRequired = requiredSet.has(spec.id);
    if (!isFile(join(dataDir, spec.file))) {
      if (!isRequired) continue;
      throw missingFile(spec, dataDir);
    }
    let read = parsedFiles.get(spec.file);
    if (!read) {
      read = parse(spec, dataDir, cacheDir, req.policy);
      parsedFiles.set(spec.file, read);
      notes.push(...read.notes);
    }
    const p = read.parsed;
    const m = metaOf(spec, p, read.notes);
    if (isRequired) {
      const check = coversWindow(m, startMs, endMs);
      if (!check.ok) throw new DataError(check.reason, spec.id, spec.file);
      if (spec.fill === 'event') {
        const miss = missingEvents(p.timestampsMs, spec.intervalMs, startMs, endMs);
        const note = missingFundingNote(spec.id, spec.file, miss, req.policy);
        if (note) notes.push(note);
      }
    }
    const aligned = alignSeries(spec, p, g, endMs);
    series.set(spec.id, aligned.grid);
    if (aligned.events) events.set(spec.id, aligned.events);
    meta.set(spec.id, m);
    fileHashes.set(spec.file, p.hash);
  }
  return {
    startMs,
    stepMs,
    length,
    timestampsMs,
    synthetic: readDatasetMarker(dataDir).synthetic,
    datasetId: datasetIdOf(fileHashes),
    dataDir,
    series,
    events,
    meta,
    notes,
  };
}

/** Async form of loadMarketDataSync (the work is synchronous file I/O and array loops). */
export async function loadMarketData(req: LoadRequest): Promise<MarketData> {
  return loadMarketDataSync(req);
}

/**
 * Coverage of each id, in order, read through the cache (no window is checked: pass each to
 * coversWindow). Throws DataError for an unknown id, a missing data directory or a missing file
 * (`series X: file F not found in dataset DIR`, a MissingFileError), like loadMarketData for a required
 * series, and for a corrupt row or a duplicate conflict `opts.policy` does not resolve.
 */
export function describeCoverage(
  dataDir: string,
  ids: readonly string[],
  opts: DescribeOptions = {},
): SeriesMeta[] {
  const dir = checkDataDir(dataDir);
  const cacheDir = resolve(opts.cacheDir ?? defaultCacheDir());
  const parsedFiles = new Map<string, { parsed: ParsedFile; notes: string[] }>();
  return ids.map((id) => {
    const spec = getSeriesSpec(id);
    if (!isFile(join(dir, spec.file))) throw missingFile(spec, dir);
    let read = parsedFiles.get(spec.file);
    if (!read) {
      read = parse(spec, dir, cacheDir, opts.policy);
      parsedFiles.set(spec.file, read);
    }
    return metaOf(spec, read.parsed, read.notes);
  });
}
