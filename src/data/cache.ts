/**
 * Parsed-file cache, two levels:
 * 1. in-process memo keyed by absolute path + size + mtime + ctime + inode + columns: a second load in the
 *    same process touches only `stat`;
 * 2. on disk, keyed by file CONTENT: `<cacheDir>/<sha256 of the file bytes>-<PARSER_VERSION>.bin`
 *    holding a small JSON header (rows, duplicates, merged and conflicting duplicates, coverage, columns)
 *    and the parsed Float64 columns.
 *    Files are written atomically (temp file + rename); a short, corrupted or mismatching cache file is
 *    ignored and rebuilt. Bump PARSER_VERSION whenever parsing or the manifest's columns change.
 *
 * Hashing a 12 MB file costs ~10 ms, so the content hash itself is remembered per path in
 * `<cacheDir>/stat/<hash of the path>.json` together with size, mtime, ctime and inode (as git's index
 * does); any change of those re-hashes the file. Like git's "racy" rule, a file modified less than
 * RACY_MS before it was read is never trusted by stat alone (memo and stat index skip it), so a rewrite
 * within the file system's timestamp granularity cannot serve stale data.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCsvColumns } from './csv.js';
import type { DuplicateConflict } from './csv.js';
import { computeCoverage } from './coverage.js';
import type { Coverage } from './types.js';

/** Version of the parsed form; part of every cache file name. */
export const PARSER_VERSION = 2;

const MAGIC = 'BASISPC1';
const PREFIX_BYTES = 16;
const MEMO_LIMIT = 256;
/** Files modified less than this long before being read are always re-hashed. */
export const RACY_MS = 2_000;

/** One source file, parsed: sorted unique timestamps and the requested columns. */
export interface ParsedFile {
  /** Path relative to the dataset root. */
  file: string;
  /** sha256 of the file bytes, hex. */
  hash: string;
  rows: number;
  duplicates: number;
  /** Timestamps repeated with equal values, merged. */
  merged: number;
  /** Timestamps repeated with different values (src/data/quality.ts applies the data policy to them). */
  conflicts: DuplicateConflict[];
  timestampsMs: Float64Array;
  columns: Map<string, Float64Array>;
  coverage: Coverage;
  intervalMs: number;
}

export interface ParsedFileRequest {
  absPath: string;
  /** Path relative to the dataset root (shown in messages). */
  file: string;
  timestampColumn: string;
  columns: readonly string[];
  intervalMs: number;
}

interface CacheHeader {
  parserVersion: number;
  endianness: string;
  hash: string;
  timestampColumn: string;
  columns: string[];
  rows: number;
  duplicates: number;
  merged: number;
  conflicts: DuplicateConflict[];
  intervalMs: number;
  coverage: Coverage;
}

/** Counters for tests and benchmarks: how loads were served. */
export const cacheStats = { memoHits: 0, diskHits: 0, parses: 0, diskWrites: 0, hashes: 0 };

const memo = new Map<string, ParsedFile>();

export function resetCacheStats(): void {
  cacheStats.memoHits = 0;
  cacheStats.diskHits = 0;
  cacheStats.parses = 0;
  cacheStats.diskWrites = 0;
  cacheStats.hashes = 0;
}

/** Forgets the in-process memo (the disk cache stays). */
export function clearMemo(): void {
  memo.clear();
}

/** `<cwd>/.basis/cache`. */
export function defaultCacheDir(): string {
  return resolve(process.cwd(), '.basis', 'cache');
}

export function cacheFilePath(cacheDir: string, hash: string): string {
  return join(cacheDir, `${hash}-${PARSER_VERSION}.bin`);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads, hashes and parses `req.absPath`, going through the memo and the disk cache. */
export function readParsedFile(req: ParsedFileRequest, cacheDir: string): ParsedFile {
  const st = statSync(req.absPath);
  const stamp = `${st.size}\0${st.mtimeMs}\0${st.ctimeMs}\0${st.ino}`;
  const trusted = Date.now() - st.mtimeMs > RACY_MS;
  const key = `${req.absPath}\0${stamp}\0${req.timestampColumn}\0${req.columns.join(',')}`;
  const hit = trusted ? memo.get(key) : undefined;
  if (hit) {
    cacheStats.memoHits++;
    return withInterval(hit, req);
  }
  let bytes: Buffer | null = null;
  let hash = trusted ? lookupStatIndex(cacheDir, req.absPath, stamp) : null;
  if (!hash) {
    bytes = readFileSync(req.absPath);
    hash = sha256Hex(bytes);
    cacheStats.hashes++;
    if (trusted) writeStatIndex(cacheDir, req.absPath, stamp, hash);
  }
  let parsed = readCacheFile(cacheFilePath(cacheDir, hash), hash, req);
  if (parsed) {
    cacheStats.diskHits++;
  } else {
    if (!bytes) {
      // the stat index pointed at a cache file that is gone: hash what we actually parse
      bytes = readFileSync(req.absPath);
      hash = sha256Hex(bytes);
      cacheStats.hashes++;
      if (trusted) writeStatIndex(cacheDir, req.absPath, stamp, hash);
    }
    cacheStats.parses++;
    const cols = parseCsvColumns(bytes.toString('utf8'), {
      file: req.file,
      timestampColumn: req.timestampColumn,
      columns: req.columns,
    });
    parsed = {
      file: req.file,
      hash,
      rows: cols.rows,
      duplicates: cols.duplicates,
      merged: cols.merged,
      conflicts: cols.conflicts,
      timestampsMs: cols.timestampsMs,
      columns: new Map(req.columns.map((c, k) => [c, cols.values[k]])),
      coverage: computeCoverage(cols.timestampsMs, req.intervalMs),
      intervalMs: req.intervalMs,
    };
    writeCacheFile(cacheDir, cacheFilePath(cacheDir, hash), parsed, req);
  }
  if (trusted) {
    if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value as string);
    memo.set(key, parsed);
  }
  return parsed;
}

function statIndexPath(cacheDir: string, absPath: string): string {
  return join(cacheDir, 'stat', `${sha256Hex(Buffer.from(absPath, 'utf8')).slice(0, 32)}.json`);
}

function lookupStatIndex(cacheDir: string, absPath: string, stamp: string): string | null {
  try {
    const e = JSON.parse(readFileSync(statIndexPath(cacheDir, absPath), 'utf8')) as Record<string, unknown>;
    return e.path === absPath &&
      e.stamp === stamp &&
      typeof e.hash === 'string' &&
      /^[0-9a-f]{64}$/.test(e.hash)
      ? e.hash
      : null;
  } catch {
    return null;
  }
}

function writeStatIndex(cacheDir: string, absPath: string, stamp: string, hash: string): void {
  const path = statIndexPath(cacheDir, absPath);
  atomicWrite(join(cacheDir, 'stat'), path, Buffer.from(JSON.stringify({ path: absPath, stamp, hash })));
}

/** Writes via a temp file + rename; failures are swallowed (the cache is an optimisation). */
function atomicWrite(dir: string, path: string, data: Buffer): boolean {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, path);
    return true;
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing to clean */
    }
    return false;
  }
}

/** The same parse seen under another native interval (only coverage gaps depend on it). */
function withInterval(p: ParsedFile, req: ParsedFileRequest): ParsedFile {
  if (p.intervalMs === req.intervalMs && p.file === req.file) return p;
  return {
    ...p,
    file: req.file,
    intervalMs: req.intervalMs,
    coverage: computeCoverage(p.timestampsMs, req.intervalMs),
  };
}

function readCacheFile(path: string, hash: string, req: ParsedFileRequest): ParsedFile | null {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch {
    return null;
  }
  if (buf.length < PREFIX_BYTES || buf.toString('latin1', 0, 8) !== MAGIC) return null;
  const headerBytes = buf.readUInt32LE(8);
  if (buf.readUInt32LE(12) !== PARSER_VERSION || PREFIX_BYTES + headerBytes > buf.length) return null;
  let h: CacheHeader;
  try {
    h = JSON.parse(buf.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headerBytes)) as CacheHeader;
  } catch {
    return null;
  }
  if (
    h.parserVersion !== PARSER_VERSION ||
    h.endianness !== endianness() ||
    h.hash !== hash ||
    h.timestampColumn !== req.timestampColumn ||
    !Array.isArray(h.columns) ||
    !Number.isInteger(h.rows) ||
    h.rows < 0 ||
    !Number.isInteger(h.merged) ||
    !Array.isArray(h.conflicts) ||
    !req.columns.every((c) => h.columns.includes(c))
  ) {
    return null;
  }
  const dataOffset = PREFIX_BYTES + headerBytes;
  if (buf.length !== dataOffset + 8 * h.rows * (1 + h.columns.length)) return null;
  let ab: ArrayBuffer = buf.buffer as ArrayBuffer;
  let base = buf.byteOffset + dataOffset;
  if (base % 8 !== 0) {
    const copy = new Uint8Array(buf.length - dataOffset);
    copy.set(buf.subarray(dataOffset));
    ab = copy.buffer;
    base = 0;
  }
  const view = (k: number) => new Float64Array(ab, base + 8 * h.rows * k, h.rows);
  const columns = new Map<string, Float64Array>();
  h.columns.forEach((c, k) => {
    if (req.columns.includes(c)) columns.set(c, view(k + 1));
  });
  const timestampsMs = view(0);
  const sameInterval = h.intervalMs === req.intervalMs && h.coverage && Array.isArray(h.coverage.gaps);
  return {
    file: req.file,
    hash,
    rows: h.rows,
    duplicates: h.duplicates,
    merged: h.merged,
    // conflicts hold the cached columns' values: keep the requested ones, in the requested order
    conflicts: h.conflicts.map((c) => ({
      ...c,
      values: c.values.map((row) => req.columns.map((col) => row[h.columns.indexOf(col)])),
    })),
    timestampsMs,
    columns,
    coverage: sameInterval ? normaliseCoverage(h.coverage) : computeCoverage(timestampsMs, req.intervalMs),
    intervalMs: req.intervalMs,
  };
}

/** JSON has no NaN: an empty file's coverage comes back as null. */
function normaliseCoverage(c: Coverage): Coverage {
  return { firstMs: c.firstMs ?? NaN, lastMs: c.lastMs ?? NaN, gaps: c.gaps };
}

function writeCacheFile(cacheDir: string, path: string, p: ParsedFile, req: ParsedFileRequest): void {
  const header: CacheHeader = {
    parserVersion: PARSER_VERSION,
    endianness: endianness(),
    hash: p.hash,
    timestampColumn: req.timestampColumn,
    columns: [...req.columns],
    rows: p.rows,
    duplicates: p.duplicates,
    merged: p.merged,
    conflicts: p.conflicts,
    intervalMs: p.intervalMs,
    coverage: p.coverage,
  };
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBuf = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(headerBuf.length, 8);
  prefix.writeUInt32LE(PARSER_VERSION, 12);
  const arrays = [p.timestampsMs, ...req.columns.map((c) => p.columns.get(c) as Float64Array)];
  const parts = [prefix, headerBuf, ...arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))];
  // a read-only or full disk must not fail the load
  if (atomicWrite(cacheDir, path, Buffer.concat(parts))) cacheStats.diskWrites++;
}
