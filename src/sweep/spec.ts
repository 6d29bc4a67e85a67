/**
 * A sweep: modes × a grid of override values (and/or seeded random draws over ranges) × windows, expanded
 * into single runs. Each run's overrides are `key=value` texts exactly as `basis backtest --set` takes
 * them; every key is checked by the same config resolution as `--set` before any run starts.
 */
import { createHash } from 'node:crypto';
import { parseOverride } from '../config/overrides.js';
import { parseDecimal } from '../domain/decimal.js';
import { parseDurationMs } from '../domain/duration.js';
import { InputError } from '../domain/errors.js';
import { iso, parseTime } from '../engine/time.js';
import { seededRandom } from './rng.js';

/** A grid axis: one override key and the value texts it takes. */
export interface GridAxis {
  key: string;
  values: string[];
}

/** A random-search range: uniform in [lo, hi]; whole numbers when both ends are written as integers. */
export interface RangeAxis {
  key: string;
  lo: number;
  hi: number;
  integer: boolean;
}

/** A window; null ends are the data coverage's (as `basis backtest` without --start / --end). */
export interface SweepWindow {
  start: string | null;
  end: string | null;
}

export interface WalkForward {
  trainMs: number;
  testMs: number;
}

export interface SweepSpec {
  modes: string[];
  grid: GridAxis[];
  random?: { n: number; seed: number; ranges: RangeAxis[] };
  /** At least one; `[{start: null, end: null}]` = the whole coverage. */
  windows: SweepWindow[];
  capital?: number;
  /** Extra overrides applied to every run before the swept ones (`--set`). */
  fixed: string[];
  objective: string;
  constraints: string[];
  walkForward?: WalkForward;
}

/** One backtest of a sweep. */
export interface SweepRun {
  /** Stable id of what the run computes (mode, overrides, window, capital): resuming skips done keys. */
  key: string;
  index: number;
  mode: string;
  /** The swept parameters of this run, key → value text. */
  params: Record<string, string>;
  /** Every override, as `--set` takes them (fixed ones first). */
  overrides: string[];
  window: SweepWindow;
  capital?: number;
  /** Walk-forward: which fold and part the window is. */
  fold?: { index: number; part: 'train' | 'test' };
}

/** `key=v1,v2,...` (values as `--set` reads them; a value holding a comma cannot be swept). */
export function parseGridAxis(text: string): GridAxis {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new InputError(`--grid "${text}": expected key.path=value1,value2,...`);
  const key = text.slice(0, eq).trim();
  const values = text
    .slice(eq + 1)
    .split(',')
    .map((v) => v.trim());
  if (values.some((v) => v === ''))
    throw new InputError(`--grid "${text}": empty value in the list (expected key.path=value1,value2,...)`);
  for (const v of values) parseOverride(`${key}=${v}`); // malformed key or value: one line naming it
  if (new Set(values).size !== values.length) throw new InputError(`--grid "${text}": a value is repeated`);
  return { key, values };
}

/** `key=a:b`. */
export function parseRangeAxis(text: string): RangeAxis {
  const m = /^([^=]+)=([^:]+):(.+)$/.exec(text.trim());
  if (!m) throw new InputError(`--range "${text}": expected key.path=low:high`);
  const key = m[1].trim();
  parseOverride(`${key}=0`);
  const lo = parseDecimal(m[2].trim(), `--range ${key} low`);
  const hi = parseDecimal(m[3].trim(), `--range ${key} high`);
  if (!(hi > lo)) throw new InputError(`--range "${text}": high must be above low`);
  const integer = /^-?\d+$/.test(m[2].trim()) && /^-?\d+$/.test(m[3].trim());
  return { key, lo, hi, integer };
}

/** `2024-01-01..2024-06-30,2024-07-01..2024-12-31` (ends as `--start` / `--end`; either side may be empty). */
export function parseWindows(text: string): SweepWindow[] {
  return text.split(',').map((part) => {
    const m = /^\s*([^.]*?)\s*\.\.\s*([^.]*?)\s*$/.exec(part);
    if (!m) throw new InputError(`--windows "${part}": expected START..END (e.g. 2024-01-01..2024-06-30)`);
    const start = m[1] === '' ? null : iso(parseTime(m[1], '--windows start'));
    const end = m[2] === '' ? null : iso(parseTime(m[2], '--windows end'));
    if (start && end && !(Date.parse(end) > Date.parse(start)))
      throw new InputError(`--windows "${part}": end must be after start`);
    return { start, end };
  });
}

/** `train=90d,test=30d`. */
export function parseWalkForward(text: string): WalkForward {
  const parts = new Map<string, string>();
  for (const p of text.split(',')) {
    const [k, v] = p.split('=').map((s) => s.trim());
    if (!v || (k !== 'train' && k !== 'test'))
      throw new InputError(
        `--walk-forward "${text}": expected train=DURATION,test=DURATION (e.g. train=90d,test=30d)`,
      );
    parts.set(k, v);
  }
  const ms = (k: string): number => {
    const v = parts.get(k);
    const d = v === undefined ? null : parseDurationMs(v);
    if (d === null || d % 3_600_000 !== 0)
      throw new InputError(
        `--walk-forward ${k}: expected a whole number of hours or days like 90d, was ${v ?? '(missing)'}`,
      );
    return d;
  };
  return { trainMs: ms('train'), testMs: ms('test') };
}

/** Plain decimal text of a drawn number (as `--set` accepts it): at most 6 significant digits. */
export function formatValue(x: number): string {
  const r = Number(x.toPrecision(6));
  const s = String(r);
  if (!/e/i.test(s)) return s;
  return r.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}

export function runKey(r: Pick<SweepRun, 'mode' | 'overrides' | 'window' | 'capital'>): string {
  const text = JSON.stringify([r.mode, r.overrides, r.window.start, r.window.end, r.capital ?? null]);
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Parameter sets (key → value text) of the grid × the random draws, in a fixed order. */
export function parameterSets(spec: SweepSpec): Record<string, string>[] {
  let sets: Record<string, string>[] = [{}];
  for (const axis of spec.grid) {
    const next: Record<string, string>[] = [];
    for (const s of sets) for (const v of axis.values) next.push({ ...s, [axis.key]: v });
    sets = next;
  }
  if (spec.random && spec.random.n > 0) {
    const rand = seededRandom(spec.random.seed);
    const draws: Record<string, string>[] = [];
    for (let i = 0; i < spec.random.n; i++) {
      const d: Record<string, string> = {};
      for (const r of spec.random.ranges) {
        const u = rand();
        d[r.key] = r.integer
          ? String(Math.min(r.hi, r.lo + Math.floor(u * (r.hi - r.lo + 1))))
          : formatValue(r.lo + u * (r.hi - r.lo));
      }
      draws.push(d);
    }
    const next: Record<string, string>[] = [];
    for (const s of sets) for (const d of draws) next.push({ ...s, ...d });
    sets = next;
  }
  return sets;
}

/** The runs of a sweep over `windows` (the spec's, or the walk-forward folds' with their roles). */
export function expandRuns(
  spec: SweepSpec,
  windows: { window: SweepWindow; fold?: SweepRun['fold'] }[] = spec.windows.map((window) => ({ window })),
): SweepRun[] {
  const runs: SweepRun[] = [];
  const sets = parameterSets(spec);
  for (const mode of spec.modes)
    for (const params of sets)
      for (const w of windows) {
        const overrides = [...spec.fixed, ...Object.entries(params).map(([k, v]) => `${k}=${v}`)];
        const run: SweepRun = {
          key: '',
          index: runs.length,
          mode,
          params,
          overrides,
          window: w.window,
          ...(spec.capital !== undefined ? { capital: spec.capital } : {}),
          ...(w.fold ? { fold: w.fold } : {}),
        };
        run.key = runKey(run);
        runs.push(run);
      }
  const seen = new Set<string>();
  for (const r of runs) {
    if (seen.has(r.key))
      throw new InputError(
        `the sweep repeats a run (${r.mode} ${r.overrides.join(' ')}): a key is swept twice or a window is listed twice`,
      );
    seen.add(r.key);
  }
  return runs;
}

/** Walk-forward folds over [startMs, endMs]: rolling train windows, each followed by its test window. */
export function walkForwardFolds(
  wf: WalkForward,
  startMs: number,
  endMs: number,
): { index: number; train: SweepWindow; test: SweepWindow }[] {
  const folds: { index: number; train: SweepWindow; test: SweepWindow }[] = [];
  for (let s = startMs; s + wf.trainMs + wf.testMs <= endMs; s += wf.testMs) {
    const trainEnd = s + wf.trainMs;
    folds.push({
      index: folds.length,
      train: { start: iso(s), end: iso(trainEnd) },
      test: { start: iso(trainEnd), end: iso(trainEnd + wf.testMs) },
    });
  }
  if (folds.length === 0)
    throw new InputError(
      `--walk-forward: the window ${iso(startMs)} .. ${iso(endMs)} is shorter than one train + test period`,
    );
  return folds;
}
